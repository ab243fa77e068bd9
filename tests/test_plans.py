"""The living roadmap over the database and the web: the plan made at close, edits and their
history, the role x object matrix of every new page, share links, the calendar, the next round."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from readiness.models import (
    Assessment,
    AuditEvent,
    Municipality,
    PlanAction,
    PlanEvent,
    Role,
    ShareLink,
    User,
)
from readiness.services import assessments as services
from readiness.services import plans
from tests.web_helpers import add_responses, csrf_from, fresh, login, make_assessment, make_user

USERS = ("admin", "national", "advisor", "coordinator", "other_advisor")
RIGHTS: dict[str, dict[str, tuple[bool, bool]]] = {
    "admin": {"home": (True, True), "away": (True, True)},
    "national": {"home": (True, False), "away": (True, False)},
    "advisor": {"home": (True, True), "away": (False, False)},
    "coordinator": {"home": (True, True), "away": (False, False)},
    "other_advisor": {"home": (False, False), "away": (False, False)},
}
SECRET_COMMENT = "Only the organisers read this comment"


@dataclass(frozen=True)
class Place:
    """A municipality with a closed round, its plan and a share link."""

    municipality: str
    closed_assessment: str
    action: str
    share_link: str
    token: str


def closed_round(db: Session, municipality: Municipality, value: str = "disagree",
                 comments: dict[str, str] | None = None) -> Assessment:
    """A closed round with a plan: police and health answered (3 each)."""
    assessment, _ = make_assessment(db, municipality, ("police", "health"))
    add_responses(db, assessment, "police", 3, value, comments)
    add_responses(db, assessment, "health", 3, value)
    plans.close_with_plan(db, assessment)
    db.commit()
    return assessment


def _place(db: Session, name: str, advisor: User | None) -> Place:
    municipality = services.create_municipality(db, name=name, country="BE",
                                                population_band="50k_100k")
    if advisor is not None:
        services.assign_advisor(advisor, municipality)
    assessment = closed_round(db, municipality, comments={"governance": SECRET_COMMENT})
    link, token = plans.create_share_link(db, assessment, None)
    db.commit()
    action = plans.plan_of(db, municipality)[0]
    return Place(municipality.public_id, assessment.public_id, action.public_id,
                 link.public_id, token)


@pytest.fixture
def world(session: Session) -> dict[str, Place]:
    """Home (the advisor's and the coordinator's) and Away, each with a plan."""
    make_user(session, "admin", Role.ADMIN)
    make_user(session, "national", Role.NATIONAL_COORDINATOR)
    advisor = make_user(session, "advisor", Role.ADVISOR)
    make_user(session, "other_advisor", Role.ADVISOR)
    home, away = _place(session, "Home", advisor), _place(session, "Away", None)
    own = session.scalars(select(Municipality).where(Municipality.name == "Home")).one()
    make_user(session, "coordinator", Role.MUNICIPALITY_COORDINATOR, municipality=own)
    return {"home": home, "away": away}


ROUTES: list[tuple[str, str, str, str, dict[str, str]]] = [
    ("plan page", "GET", "/municipalities/{municipality}/plan", "view", {}),
    ("calendar", "GET", "/municipalities/{municipality}/plan.ics", "view", {}),
    ("progress report", "GET", "/municipalities/{municipality}/plan.pdf", "view", {}),
    ("action form", "GET", "/plan-actions/{action}", "manage", {}),
    ("save action", "POST", "/plan-actions/{action}", "manage", {"status": "in_progress"}),
    ("make share link", "POST", "/assessments/{closed_assessment}/share", "manage",
     {"days": "7"}),
    ("withdraw share link", "POST", "/share-links/{share_link}/revoke", "manage", {}),
]


def _request(client: FlaskClient, method: str, url: str, data: dict[str, str]) -> int:
    if method == "GET":
        return client.get(url).status_code
    token = csrf_from(client.get("/").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data}).status_code


@pytest.mark.parametrize("username", USERS)
@pytest.mark.parametrize("where", ["away", "home"])
def test_every_plan_page_follows_the_role_by_object_matrix(
        client: FlaskClient, world: dict[str, Place], username: str, where: str):
    place = world[where]
    may_view, may_manage = RIGHTS[username][where]
    login(client, username)
    for label, method, url, access, data in ROUTES:
        status = _request(client, method, url.format(**place.__dict__), data)
        if not may_view:
            expected: tuple[int, ...] = (404,)
        elif access == "manage" and not may_manage:
            expected = (403,)
        else:
            expected = (200, 302)
        assert status in expected, f"{username} -> {where} {label}: {status}"


def test_signed_out_visitors_reach_no_plan_page(client: FlaskClient, world: dict[str, Place]):
    for _label, method, url, _access, _data in ROUTES:
        reply = client.open(url.format(**world["home"].__dict__), method=method)
        assert reply.status_code in (302, 400), url
        if reply.status_code == 302:
            assert reply.headers["Location"].startswith("/login?next=")


def test_closing_a_round_tracks_its_dated_actions(session: Session, world: dict[str, Place]):
    municipality = session.scalars(select(Municipality).where(Municipality.name == "Home")).one()
    assessment = municipality.assessments[0]
    tracked = plans.plan_of(session, municipality)
    stored = [a for a in assessment.result.roadmap["actions"] if a["phase"] in (1, 2)]
    assert tracked
    assert len(tracked) == len(stored)
    assert {a.action for a in tracked} == {a["id"] for a in stored}
    assert all(a.status == "planned" and a.due_on is not None for a in tracked)


def _save(client: FlaskClient, action: str, data: dict[str, object]) -> int:
    """Post the action's form as a browser would: the fields shown, changed by `data`."""
    html = client.get(f"/plan-actions/{action}").get_data(as_text=True)
    due = re.search(r'name="due_on" type="date"\s+value="([^"]*)"', html)
    lead = re.search(r'<option value="([^"]*)" selected>', html)
    shown = {"due_on": due.group(1) if due else "", "lead": lead.group(1) if lead else ""}
    return client.post(f"/plan-actions/{action}", data={
        "csrf_token": csrf_from(html), **shown, **data}).status_code


def test_an_edit_is_recorded_field_by_field_and_audited(
        client: FlaskClient, session: Session, world: dict[str, Place]):
    login(client, "coordinator")
    assert _save(client, world["home"].action, {
        "status": "done", "lead": "police", "partners": ["health"],
        "contact_role": "prevention officer", "notes": "Met <b>twice</b>",
        "links": "https://example.org/minutes"}) == 302
    fresh(session)
    action = session.scalars(select(PlanAction).where(
        PlanAction.public_id == world["home"].action)).one()
    assert (action.status, action.partners, action.links) == (
        "done", ["health"], ["https://example.org/minutes"])
    events = {e.field: (e.before, e.after) for e in action.events}
    assert events["status"] == ("planned", "done")
    assert "notes" in events
    assert all(e.user and e.user.username == "coordinator" for e in action.events)
    audit = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "plan_action_edited")).all()
    assert [a.object_id for a in audit] == [action.public_id]
    page = client.get(f"/plan-actions/{action.public_id}").get_data(as_text=True)
    assert "Met &lt;b&gt;twice&lt;/b&gt;" in page
    assert "<b>twice</b>" not in page


@pytest.mark.parametrize(("data", "why"), [
    ({"status": "dropped"}, "say why"),
    ({"status": "done", "links": "javascript:alert(1)"}, "http or https"),
    ({"status": "done", "lead": "martians"}, "Not a valid choice"),
    ({"status": "finished"}, "Not a valid choice"),
])
def test_a_bad_edit_says_why_and_changes_nothing(
        client: FlaskClient, session: Session, world: dict[str, Place], data: dict[str, str],
        why: str):
    login(client, "coordinator")
    page = client.get(f"/plan-actions/{world['home'].action}")
    token = csrf_from(page.get_data(as_text=True))
    reply = client.post(f"/plan-actions/{world['home'].action}",
                        data={"csrf_token": token, **data})
    assert reply.status_code == 400
    assert why.lower() in reply.get_data(as_text=True).lower()
    fresh(session)
    action = session.scalars(select(PlanAction).where(
        PlanAction.public_id == world["home"].action)).one()
    assert action.status == "planned"
    assert session.scalars(select(PlanEvent)).all() == []


def test_overdue_actions_stand_out_on_the_plan(
        client: FlaskClient, session: Session, world: dict[str, Place]):
    action = session.scalars(select(PlanAction).where(
        PlanAction.public_id == world["home"].action)).one()
    action.due_on = datetime.now(UTC).date() - timedelta(days=1)
    session.commit()
    login(client, "national")
    html = client.get(f"/municipalities/{world['home'].municipality}/plan").get_data(as_text=True)
    row = html.split(f'id="action-{action.public_id}"')[1].split("</tr>")[0]
    assert "Overdue" in row
    assert f'id="action-{action.public_id}" class="plan-row--overdue"' in html
    assert "/plan-actions/" not in html  # a national coordinator reads, never edits


def test_a_partner_opens_the_share_link_signed_out_and_sees_nothing_hidden(
        client: FlaskClient, session: Session, world: dict[str, Place]):
    reply = client.get(f"/shared/{world['home'].token}")
    assert reply.status_code == 200
    assert reply.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert reply.headers["Cache-Control"] == "no-store"
    html = reply.get_data(as_text=True)
    assert "Home" in html
    assert "Action plan" in html
    assert SECRET_COMMENT not in html
    assert "Away" not in html
    assert "/plan-actions/" not in html
    assert "Sign out" not in html
    assert "Scores by agency" not in html
    fresh(session)
    opened = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "share_link_opened")).all()
    assert [e.object_id for e in opened] == [world["home"].share_link]


def test_withdrawn_expired_and_guessed_share_links_are_refused(
        client: FlaskClient, session: Session, world: dict[str, Place]):
    login(client, "coordinator")
    assert _request(client, "POST", f"/share-links/{world['home'].share_link}/revoke",
                    {}) == 302
    assert client.get(f"/shared/{world['home'].token}").status_code == 410
    link = session.scalars(select(ShareLink).where(
        ShareLink.public_id == world["away"].share_link)).one()
    link.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    session.commit()
    assert client.get(f"/shared/{world['away'].token}").status_code == 410
    assert client.get("/shared/" + "A" * 32).status_code == 410
    fresh(session)
    assert session.scalars(select(ShareLink.token_hash)).all()  # only hashes are stored
    assert world["home"].token not in session.scalars(select(ShareLink.token_hash)).all()


def test_a_new_share_link_is_shown_once(client: FlaskClient, world: dict[str, Place]):
    login(client, "advisor")
    assert _request(client, "POST", f"/assessments/{world['home'].closed_assessment}/share",
                    {"days": "14"}) == 302
    plan_url = f"/municipalities/{world['home'].municipality}/plan"
    first = client.get(plan_url).get_data(as_text=True)
    assert "/shared/" in first
    assert "/shared/" not in client.get(plan_url).get_data(as_text=True)
    found = re.search(r'id="fresh-link"[^>]*value="([^"]+)"', first)
    assert found
    assert "/shared/" in found.group(1)
    link = found.group(1)
    client.post("/logout", data={"csrf_token": csrf_from(first)})
    assert client.get(link.split("localhost")[-1]).status_code == 200


def test_the_calendar_lists_open_actions_due_dates_escaped(
        client: FlaskClient, session: Session, world: dict[str, Place]):
    action = session.scalars(select(PlanAction).where(
        PlanAction.public_id == world["home"].action)).one()
    # a stored title shows only for an id the questionnaire does not know (else its own title)
    action.action, action.title = "not_in_the_library", "Evil\r\nBEGIN:VEVENT"
    session.commit()
    login(client, "coordinator")
    reply = client.get(f"/municipalities/{world['home'].municipality}/plan.ics")
    assert reply.mimetype == "text/calendar"
    text = reply.get_data(as_text=True)
    opened = session.scalars(select(PlanAction).where(
        PlanAction.municipality_id == action.municipality_id)).all()
    assert text.split("\r\n").count("BEGIN:VEVENT") == len(opened)
    assert "SUMMARY:Evil\\nBEGIN:VEVENT" in text.replace("\r\n ", "")


def test_the_progress_report_is_a_one_page_pdf_showing_the_statuses(
        client: FlaskClient, session: Session, world: dict[str, Place]):

    login(client, "coordinator")
    assert _save(client, world["home"].action, {"status": "dropped",
                                                "drop_reason": "No budget this year"}) == 302
    reply = client.get(f"/municipalities/{world['home'].municipality}/plan.pdf")
    assert reply.status_code == 200
    assert reply.mimetype == "application/pdf"
    pdf = PdfReader(io.BytesIO(reply.data))
    assert len(pdf.pages) == 1
    text = pdf.pages[0].extract_text()
    assert "1 dropped" in text
    assert "No budget this year" in text


def test_the_next_round_starts_from_the_last_and_does_not_repeat_its_plan(
        client: FlaskClient, session: Session, world: dict[str, Place]):
    municipality = session.scalars(select(Municipality).where(Municipality.name == "Home")).one()
    first = municipality.assessments[0]
    first.context = {"ctx_population": ["from_50k_to_100k"], "ctx_formality": ["ad_hoc"],
                     "ctx_gone": ["x"], "ctx_resources": ["unknown value"]}
    tracked = plans.plan_of(session, municipality)
    done, still_open = tracked[0], tracked[1]
    plans.update_action(session, done, plans.ActionEdit(status="done"), None)
    session.commit()
    login(client, "coordinator")
    form = client.get(f"/municipalities/{municipality.public_id}/assessments/new")
    html = form.get_data(as_text=True)
    assert 'value="police" checked' in html
    assert 'value="health" checked' in html
    second = closed_round(session, municipality)  # the same answers: no dimension fell back
    assert second.context == {"ctx_population": ["from_50k_to_100k"],
                              "ctx_formality": ["ad_hoc"]}  # what the questionnaire still asks
    again = [a.action for a in plans.plan_of(session, municipality)
             if a.assessment_id == second.id]
    assert done.action not in again
    assert still_open.action not in again
    results = client.get(f"/assessments/{second.public_id}/results").get_data(as_text=True)
    assert "Done in an earlier round and not proposed again" in results
    assert done.title in results
    assert "Still open in the plan" in results


def test_the_municipal_demo_has_plans_in_various_states(session: Session):
    from readiness.core.questionnaire import get_questionnaire
    from readiness.demo.municipal import load_demo

    load_demo(session, get_questionnaire(), password_method="scrypt:1024:8:1")
    session.commit()
    statuses = set(session.scalars(select(PlanAction.status)))
    assert statuses == {"planned", "in_progress", "done", "dropped"}
    today = datetime.now(UTC).date()
    assert any(a.due_on and a.due_on < today and a.status in ("planned", "in_progress")
               for a in session.scalars(select(PlanAction)))
