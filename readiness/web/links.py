"""Absolute links handed to people outside the app (invitation links), the key they are made
with, today's date in the TIMEZONE setting (for closing dates), and the proxy setting.

Behind a reverse proxy the app sees its own address (e.g. http://127.0.0.1:8000), so a link
built from the request would point there. `PUBLIC_BASE_URL` (e.g. https://maw.example.gov, or
https://example.gov/maw when served under a path) fixes the address of every link handed out,
whatever the request says. `PROXY_FIX` (the number of trusted proxies in front of the app)
makes the app read the client's address and scheme from the proxy's X-Forwarded-For and
X-Forwarded-Proto, which sign-in throttling per address and secure cookies need. Forwarded host
and prefix are never believed (a proxy that does not overwrite them would pass a client's own
through into invitation links); the proxy passes the Host header, or PUBLIC_BASE_URL names it.
Off by default: forwarded headers from an untrusted client must not be believed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask, current_app, request, url_for
from werkzeug.middleware.proxy_fix import ProxyFix

from readiness import tokens
from readiness.core import closing
from readiness.models import Assessment


def public_url(endpoint: str, **values: Any) -> str:
    """The absolute address of `endpoint`, on PUBLIC_BASE_URL when it is set (which already
    holds any path the app is served under)."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        path = url_for(endpoint, **values).removeprefix(request.script_root)
        return str(base).rstrip("/") + path
    return url_for(endpoint, _external=True, **values)


def trust_proxies(app: Flask) -> None:
    """Read the client's address and scheme from PROXY_FIX trusted proxies, if any."""
    hops = int(app.config.get("PROXY_FIX") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops,  # type: ignore[method-assign]
                                x_proto=hops, x_host=0, x_prefix=0)


def link_key() -> bytes:
    """The key invitation tokens are made with (from SECRET_KEY), so a link can be shown again."""
    return tokens.link_key(current_app.config["SECRET_KEY"])


def today() -> date:
    """Today in the TIMEZONE setting: the day closing dates are compared with."""
    return closing.today_in(closing.zone(current_app.config["TIMEZONE"]))


def past_closing(assessment: Assessment) -> bool:
    """Whether the round's closing date has passed (the end of that day, TIMEZONE)."""
    return past_date(assessment.closes_on)


def past_date(closes_on: date | None) -> bool:
    """Whether a closing date has passed (the end of that day, TIMEZONE); never for None."""
    return closing.is_past(closes_on, closing.zone(current_app.config["TIMEZONE"]))


def not_open_yet(opens_on: date) -> bool:
    """Whether a round's date is still ahead (TIMEZONE): its links take no answers before it."""
    return closing.is_before(opens_on, closing.zone(current_app.config["TIMEZONE"]))
