"""Invitation links carry the site's public address, also behind a reverse proxy, and the
proxy's forwarded headers are believed only when the deployment says a proxy is there."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from readiness import create_app
from readiness.db import get_db
from readiness.models import Role
from tests.web_helpers import PASSWORD, csrf_from, link_sizes, make_municipality, make_user

pytestmark = pytest.mark.db
LINK = re.compile(r'value="(https?://[^"]+/s/[A-Za-z0-9_-]+)"')


@contextmanager
def sibling(app: Flask, **settings: Any) -> Iterator[Flask]:
    """Another app on the same database and instance folder, with `settings` added."""
    keys = ("TESTING", "SECRET_KEY", "DATABASE_URL", "PASSWORD_HASH_METHOD",
            "SQLITE_BUSY_TIMEOUT_MS", "LOGIN_MAX_FAILURES_PER_ADDRESS")
    other = create_app({**{k: app.config[k] for k in keys},
                        "INSTANCE_PATH": app.instance_path, **settings})
    yield other
    get_db(other).dispose()


def new_round_links(client: FlaskClient, session: Session, headers: dict[str, str]) -> list[str]:
    """Sign in as an advisor, start a round in a new municipality, return the links shown."""
    advisor = make_user(session, "advisor", Role.ADVISOR)
    town = make_municipality(session, "Mechelen", advisor=advisor)
    # signed in through the same headers: the cookie is for the host the browser sees
    assert sign_in(client, "advisor", PASSWORD, headers) == 302
    page = f"/municipalities/{town.public_id}/assessments/new"
    token = csrf_from(client.get(page, headers=headers).get_data(as_text=True))
    started = client.post(page, headers=headers, data={
        "csrf_token": token, "conducted_on": "2026-04-01", "mode": "survey",
        "agencies": ["police", "health"], **link_sizes("police", "health")})
    assert started.status_code == 302, started.get_data(as_text=True)
    location = started.headers["Location"]
    return LINK.findall(client.get(location, headers=headers).get_data(as_text=True))


# as a proxy passes a browser's request on: its Host, the scheme it was reached by, and the
# referrer (Flask-WTF checks it on HTTPS posts)
FORWARDED = {"Host": "maw.example.gov", "X-Forwarded-Proto": "https",
             "Referer": "https://maw.example.gov/municipalities"}
# what a client might add itself, and a proxy that does not overwrite them would pass on
SPOOFED = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Prefix": "/phish"}


def test_links_use_the_configured_public_address(app: Flask, session: Session):
    with sibling(app, PUBLIC_BASE_URL="https://maw.example.gov/") as public:
        links = new_round_links(public.test_client(), session, {})
    assert len(links) == 2
    assert all(link.startswith("https://maw.example.gov/s/") for link in links)


def test_forwarded_scheme_is_ignored_unless_a_proxy_is_declared(client: FlaskClient,
                                                                  session: Session):
    links = new_round_links(client, session, {**FORWARDED, **SPOOFED})
    assert links
    assert all(link.startswith("http://maw.example.gov/s/") for link in links)


def test_behind_a_declared_proxy_links_take_its_scheme_and_host(app: Flask, session: Session):
    with sibling(app, PROXY_FIX=1) as proxied:
        links = new_round_links(proxied.test_client(), session, {**FORWARDED, **SPOOFED})
    assert links
    assert all(link.startswith("https://maw.example.gov/s/") for link in links)


def test_forwarded_host_and_prefix_never_reach_a_link_even_behind_a_proxy(
        app: Flask, session: Session):
    with sibling(app, PROXY_FIX=1, PUBLIC_BASE_URL="https://example.gov/maw") as proxied:
        links = new_round_links(proxied.test_client(), session,
                                {**FORWARDED, **SPOOFED, "Host": "example.gov",
                                 "Referer": "https://example.gov/maw/"})
    assert links
    assert all(link.startswith("https://example.gov/maw/s/") for link in links)


def test_behind_a_declared_proxy_one_clients_failed_sign_ins_do_not_lock_out_another(
        app: Flask, session: Session):
    make_user(session, "coordinator", Role.NATIONAL_COORDINATOR)
    with sibling(app, PROXY_FIX=1, LOGIN_MAX_FAILURES_PER_ADDRESS=3) as proxied:
        client = proxied.test_client()
        statuses = [sign_in(client, f"guess{n}", "wrong password",
                            {"X-Forwarded-For": "203.0.113.7"}) for n in range(3)]
        assert statuses == [401, 401, 401]
        # that address may not try those accounts again...
        assert sign_in(client, "guess0", "wrong password",
                       {"X-Forwarded-For": "203.0.113.7"}) == 429
        assert sign_in(proxied.test_client(), "coordinator", PASSWORD,  # ...nor lock out others
                       {"X-Forwarded-For": "198.51.100.2"}) == 302
        assert sign_in(proxied.test_client(), "coordinator", PASSWORD,
                       {"X-Forwarded-For": "203.0.113.7"}) == 302


def test_rotating_forwarded_addresses_do_not_escape_the_account_limit(
        app: Flask, session: Session):
    make_user(session, "coordinator", Role.NATIONAL_COORDINATOR)
    with sibling(app, PROXY_FIX=1) as proxied:
        client = proxied.test_client()
        statuses = [sign_in(client, "coordinator", f"guess {n}",
                            {"X-Forwarded-For": f"203.0.113.{n}"}) for n in range(40)]
        assert statuses == [401] * 4 + [429] * 36  # the fifth failure starts the back-off
        assert sign_in(client, "coordinator", PASSWORD, {"X-Forwarded-For": "198.51.100.9"}) == 429


def sign_in(client: FlaskClient, username: str, password: str, headers: dict[str, str]) -> int:
    """The status of a sign-in sent with `headers` (as a proxy passes a browser's request on)."""
    token = csrf_from(client.get("/login", headers=headers).get_data(as_text=True))
    return client.post("/login", headers=headers, data={
        "csrf_token": token, "username": username, "password": password}).status_code
