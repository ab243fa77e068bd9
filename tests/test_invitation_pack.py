"""A round's links page: links shown again (never in the session cookie), copy all, reissue,
reminders, and the invitation pack (one printable page per agency, the link as a QR code)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from readiness.cli import web as web_cli
from readiness.cli.main import main
from readiness.core.questionnaire import get_questionnaire
from readiness.models import Assessment, Invitation, InvitationState, Role
from readiness.report.pack import Pack, PackLink, PackNotice, pack_html, qr_svg
from readiness.services import assessments as services
from readiness.services import survey as services_survey
from readiness.tokens import link_key
from tests.qr_helpers import qr_links
from tests.web_helpers import (
    FAST_HASH,
    answer_all,
    audited_actions,
    fresh,
    login,
    make_assessment,
    make_municipality,
    make_user,
    post_form,
)

LINK = re.compile(r'value="(http://localhost/s/[A-Za-z0-9_-]+)"')


def _new_round(client: FlaskClient, session: Session,
               agencies: tuple[str, ...] = ("police", "health", "education"),
               closes_on: str = "") -> str:
    """An advisor's new survey round through the form; returns its links page address."""
    advisor = make_user(session, "advisor", Role.ADVISOR)
    municipality = make_municipality(session, "Mechelen", advisor=advisor)
    login(client, "advisor")
    started = post_form(client, f"/municipalities/{municipality.public_id}/assessments/new", {
        "conducted_on": "2026-04-01", "closes_on": closes_on, "mode": "survey",
        "agencies": list(agencies),
        **{f"size_{agency}": "10" for agency in agencies}})
    assert started.status_code == 302, started.get_data(as_text=True)
    return str(started.headers["Location"])


def _session_cookie(client: FlaskClient, app: Flask) -> str:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return cookie.value if cookie is not None else ""


def test_links_are_shown_again_on_every_visit_and_never_ride_in_the_session_cookie(
        client: FlaskClient, session: Session, app: Flask):
    links_page = _new_round(client, session)
    cookie = _session_cookie(client, app)
    first = LINK.findall(client.get(links_page).get_data(as_text=True))
    assert len(first) == 3
    data = app.session_interface.get_signing_serializer(app).loads(cookie)  # type: ignore[attr-defined]
    assert "fresh_links" not in data
    assert not any(link.rsplit("/", 1)[1] in repr(data) for link in first)
    assert LINK.findall(client.get(links_page).get_data(as_text=True)) == first
    for link in first:
        assert client.get(link.removeprefix("http://localhost")).status_code == 200


def test_copy_all_offers_every_link_in_a_textarea_that_works_without_script(
        client: FlaskClient, session: Session):
    links_page = _new_round(client, session)
    html = client.get(links_page).get_data(as_text=True)
    area = re.search(r'<textarea[^>]*id="all-links-text"[^>]*>(.*?)</textarea>', html, re.S)
    assert area is not None
    lines = area.group(1).splitlines()
    assert [line.split(": ")[0].split()[0] for line in lines] == ["Police", "Health",
                                                                  "Education"]
    assert [line.split(": ")[1] for line in lines] == LINK.findall(html)
    assert 'data-copy-target="all-links-text"' in html
    assert "<script>" not in html


def test_reissuing_a_link_withdraws_the_old_one_and_shows_the_new_one(
        client: FlaskClient, session: Session):
    links_page = _new_round(client, session, ("police", "health"))
    old_police, health = LINK.findall(client.get(links_page).get_data(as_text=True))
    police = session.scalars(select(Invitation).where(Invitation.agency == "police")).one()
    reissued = post_form(client, links_page, to=f"/invitations/{police.public_id}/reissue")
    assert reissued.status_code == 302
    new_police, same_health = LINK.findall(client.get(links_page).get_data(as_text=True))
    assert same_health == health
    assert new_police != old_police
    assert client.get(old_police.removeprefix("http://localhost")).status_code == 410
    assert client.get(new_police.removeprefix("http://localhost")).status_code == 200
    fresh(session)
    assert session.get(Invitation, police.id).state == InvitationState.REVOKED
    assert "invitation_reissued" in session.scalars(audited_actions()).all()


def test_reissuing_every_link_makes_a_fresh_set_and_withdraws_all_old_ones(
        client: FlaskClient, session: Session):
    links_page = _new_round(client, session, ("police", "health"))
    old = LINK.findall(client.get(links_page).get_data(as_text=True))
    unconfirmed = post_form(client, links_page, to=links_page + "/reissue")
    assert unconfirmed.status_code == 302
    assert "Tick the box" in client.get(links_page).get_data(as_text=True)
    assert LINK.findall(client.get(links_page).get_data(as_text=True)) == old  # nothing changed
    confirmed = post_form(client, links_page, {"withdraw_all": "yes"}, to=links_page + "/reissue")
    assert confirmed.status_code == 302
    new = LINK.findall(client.get(links_page).get_data(as_text=True))
    assert len(new) == 2
    assert not set(new) & set(old)
    for link in old:
        assert client.get(link.removeprefix("http://localhost")).status_code == 410


def test_a_link_made_without_the_key_is_not_shown_but_offered_for_reissue(
        client: FlaskClient, session: Session):
    make_user(session, "admin")
    assessment, tokens = make_assessment(session, make_municipality(session), ("police",))
    login(client, "admin")
    html = client.get(f"/assessments/{assessment.public_id}/links").get_data(as_text=True)
    assert tokens["police"] not in html
    assert "It still works; to print or copy it, reissue it." in html
    assert client.get(f"/s/{tokens['police']}").status_code == 200


def test_only_those_who_manage_the_round_see_its_links(client: FlaskClient, session: Session):
    links_page = _new_round(client, session)
    client.post("/logout")
    make_user(session, "viewer", Role.NATIONAL_COORDINATOR)
    login(client, "viewer")
    assert client.get(links_page).status_code in (403, 404)
    assert client.get(links_page.removesuffix("links") + "pack.pdf").status_code in (403, 404)


def test_the_pack_has_one_page_per_agency_with_its_link_as_a_qr_code_and_the_facts(
        client: FlaskClient, session: Session, app: Flask):
    app.config["PRIVACY_CONTROLLER"] = "City of Mechelen"
    links_page = _new_round(client, session, closes_on="2099-05-31")
    links = LINK.findall(client.get(links_page).get_data(as_text=True))
    reply = client.get(links_page.removesuffix("links") + "pack.pdf")
    assert reply.status_code == 200
    assert reply.mimetype == "application/pdf"
    assert "attachment" in reply.headers["Content-Disposition"]
    pdf = reply.get_data()
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) == 3
    for page, agency, link in zip(pages, ["Police", "Health", "Education"], links, strict=True):
        flat = " ".join(page.split())
        assert f"Survey for {agency}" in flat, flat
        assert link.rsplit("/", 1)[1] in flat.replace(" ", "")
        assert "May 31, 2099" in flat or "31 May 2099" in flat, flat[150:900]
        assert "About 17 minutes" in flat
        assert "advisor" in flat  # who runs it: the organiser's name (username for now)
        assert "City of Mechelen is the data controller" in flat
    assert qr_links(pdf) == links
    fresh(session)
    assert "invitation_pack_downloaded" in session.scalars(audited_actions()).all()


def test_the_pack_comes_in_the_language_asked_for(client: FlaskClient, session: Session):
    links_page = _new_round(client, session, ("police",))
    assert 'id="pack-language"' in client.get(links_page).get_data(as_text=True)
    reply = client.get(links_page.removesuffix("links") + "pack.pdf?lang=nl")
    assert reply.status_code == 200
    assert PdfReader(io.BytesIO(reply.get_data())).trailer["/Root"]["/Lang"] == "nl"


def test_hostile_names_are_escaped_in_the_pack():
    pack = Pack(municipality="<img src=x>Evil", round=1, title="t", closes_on=None,
                runner="<script>x</script>", minutes=17, min_group=3,
                notice=PackNotice(controller="<b>c</b>", contact=None, retention=None, url=None),
                links=[PackLink("<i>Police</i>", "https://maw.example/s/abc")])
    html = pack_html(pack)
    assert "<img src=x>" not in html
    assert "<script>x" not in html
    assert "<b>c</b>" not in html
    assert "&lt;img src=x&gt;Evil" in html


def test_the_qr_code_title_is_escaped():
    svg = str(qr_svg('https://x.test/s/a"<script>'))
    assert "<script>" not in svg
    assert svg.startswith("<svg")


@pytest.fixture
def cli(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner whose commands use the test app's database, through the environment."""
    monkeypatch.setenv("READINESS_DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("READINESS_INSTANCE_PATH", str(tmp_path / "cli-instance"))
    monkeypatch.setenv("READINESS_PASSWORD_HASH_METHOD", FAST_HASH)
    monkeypatch.setenv("READINESS_SECRET_KEY", app.config["SECRET_KEY"])
    monkeypatch.setattr(web_cli, "_start_worker", lambda app: None)
    monkeypatch.setattr(web_cli, "run_server", lambda *args: None)
    return CliRunner()


def test_assessment_create_writes_the_pack_with_one_page_per_agency(
        cli: CliRunner, session: Session, tmp_path: Path):
    make_municipality(session, "Gent")
    out = tmp_path / "pack.pdf"
    result = cli.invoke(main, ["assessment", "create", "--municipality", "Gent",
                               "--agencies", "police,health", "--closes", "2099-06-30",
                               "--base-url", "https://maw.example", "--pack", str(out)])
    assert result.exit_code == 0, result.output
    printed = re.findall(r"https://maw\.example/s/[A-Za-z0-9_-]+", result.output)
    assert len(printed) == 2
    assert qr_links(out.read_bytes()) == printed
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(out).pages]
    assert "30 June 2099" in pages[0] or "June 30, 2099" in pages[0]
    fresh(session)
    assessment = session.scalars(select(Assessment)).one()
    assert str(assessment.closes_on) == "2099-06-30"


def test_links_made_by_the_command_are_shown_again_on_the_links_page(
        cli: CliRunner, session: Session, app: Flask):
    make_municipality(session, "Gent")
    result = cli.invoke(main, ["assessment", "create", "--municipality", "Gent",
                               "--agencies", "police", "--base-url", "http://localhost"])
    assert result.exit_code == 0, result.output
    [printed] = re.findall(r"http://localhost/s/[A-Za-z0-9_-]+", result.output)
    make_user(session, "admin")
    client = app.test_client()
    login(client, "admin")
    fresh(session)
    assessment = session.scalars(select(Assessment)).one()
    html = client.get(f"/assessments/{assessment.public_id}/links").get_data(as_text=True)
    assert LINK.findall(html) == [printed]


def test_a_workshop_round_has_no_pack_and_the_command_says_so_writing_nothing(
        cli: CliRunner, session: Session, tmp_path: Path):
    make_municipality(session, "Gent")
    out = tmp_path / "pack.pdf"
    result = cli.invoke(main, ["assessment", "create", "--municipality", "Gent",
                               "--agencies", "police", "--mode", "workshop", "--pack", str(out)])
    assert result.exit_code != 0
    assert "a workshop round has no links" in result.output
    assert not out.exists()
    fresh(session)
    assert session.scalars(select(Assessment)).all() == []


def test_the_demo_link_is_one_the_links_page_can_show_again(
        cli: CliRunner, session: Session, app: Flask):
    result = cli.invoke(main, ["serve", "--demo"])
    assert result.exit_code == 0, result.output
    printed = re.search(r"Open invitation link \([a-z_]+\): \S+/s/([A-Za-z0-9_-]+)", result.output)
    assert printed is not None
    fresh(session)
    key = link_key(app.config["SECRET_KEY"])
    shown = {services.shown_token(i, key) for i in session.scalars(select(Invitation))}
    assert printed.group(1) in shown


def _send_one(session: Session, invitation: Invitation) -> None:
    """One practitioner's whole answer, sent through `invitation`."""
    q = get_questionnaire()
    response, _secret = services_survey.start_response(session, invitation)
    services_survey.save_answers(q, response, answer_all(q, "agree"), {})
    assert services_survey.submit_response(session, response)


def test_a_reissued_link_takes_only_the_practitioners_who_have_not_answered(
        session: Session, app: Flask):
    assessment, _tokens = make_assessment(session, make_municipality(session), ("police",))
    police = assessment.invitations[0]
    police.capacity = 3
    session.flush()
    for _ in range(2):
        _send_one(session, police)
    services_survey.start_response(session, police)  # started, never sent: holds no place
    key = link_key(app.config["SECRET_KEY"])
    new, _token = services.reissue_invitation(session, police, key)
    assert new.capacity == 1
    _send_one(session, new)
    with pytest.raises(services.ServiceError, match="no one left"):
        services.reissue_invitation(session, new, key)
    assert new.state == InvitationState.ACTIVE  # refused: nothing changed


def test_reissuing_every_link_leaves_a_link_that_took_all_its_answers(
        session: Session, app: Flask):
    assessment, _tokens = make_assessment(session, make_municipality(session),
                                          ("police", "health"))
    police, health = assessment.invitations
    police.capacity = 1
    session.flush()
    _send_one(session, police)
    assert services.reissue_all(session, assessment, link_key(app.config["SECRET_KEY"])) == (1, 1)
    assert police.state == InvitationState.ACTIVE
    assert health.state == InvitationState.REVOKED
