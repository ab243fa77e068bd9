"""Closing a round does not undo what people recorded in the action plan (second review,
defects 2, 4, 6 and 14): an open re-assessment is done by the round that closes; a dropped
action keeps its status and reason unless its dimension fell back, and even then its reason
stays; the history says in words, in the reader's language, what each close and each person
changed; the totals add up; the share page writes dates as the other pages do."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from readiness.models import Assessment, Municipality, PlanAction, Role
from readiness.services import assessments as services
from readiness.services import plans
from tests.web_helpers import add_responses, csrf_from, fresh, login, make_assessment, make_user

REASON = "No budget this year"


def _close(db: Session, municipality: Municipality, value: str = "disagree") -> Assessment:
    assessment, _ = make_assessment(db, municipality, ("police", "health"))
    add_responses(db, assessment, "police", 3, value)
    add_responses(db, assessment, "health", 3, value)
    plans.close_with_plan(db, assessment)
    db.commit()
    return assessment


def _row(db: Session, municipality: Municipality, action: str) -> PlanAction:
    return next(a for a in plans.plan_of(db, municipality) if a.action == action)


@dataclass(frozen=True)
class Plan:
    """Round 1's plan as people left it: the re-assessment in progress, one action dropped."""

    municipality: Municipality
    reassess: str  # public id of round 1's re-assessment action
    dropped: str  # its action id


def _edit(action: PlanAction, **changes: object) -> plans.ActionEdit:
    """An edit of `action` changing only `changes`, as its form would send it."""
    kept = {"status": action.status, "drop_reason": action.drop_reason, "lead": action.lead,
            "partners": tuple(action.partners), "contact_role": action.contact_role,
            "due_on": action.due_on, "notes": action.notes, "links": tuple(action.links)}
    return plans.ActionEdit(**(kept | changes))  # type: ignore[arg-type]


def _round_one(db: Session, value: str) -> Plan:
    municipality = services.create_municipality(db, name="Sint-Aldegonde", country="BE",
                                                population_band="50k_100k")
    advisor = make_user(db, "advisor", Role.MUNICIPALITY_COORDINATOR, municipality=municipality)
    _close(db, municipality, value)
    reassess = _row(db, municipality, "reassess_readiness")
    plans.update_action(db, reassess, _edit(reassess, status="in_progress"), None)
    dropped = next(a for a in plans.plan_of(db, municipality)
                   if a.action != "reassess_readiness" and a.dimension)
    plans.update_action(db, dropped, _edit(dropped, status="dropped", drop_reason=REASON,
                                           notes="Asked the province"), advisor)
    db.commit()
    return Plan(municipality, reassess.public_id, dropped.action)


@pytest.fixture
def same_answers(session: Session) -> Plan:
    """Round 1, then round 2 closed on the same answers: no dimension fell back."""
    plan = _round_one(session, "disagree")
    _close(session, plan.municipality)
    return plan


def _action_page(client: FlaskClient, public_id: str, language: str = "en") -> str:
    return client.get(f"/plan-actions/{public_id}",
                      headers={"Accept-Language": language}).get_data(as_text=True)


def _history(html: str) -> str:
    return html.split('<ul class="plan-history">')[1].split("</ul>")[0]


def test_closing_the_next_round_marks_the_reassessment_done_and_says_so(
        client: FlaskClient, session: Session, same_answers: Plan):
    municipality = same_answers.municipality
    rows = [a for a in plans.plan_of(session, municipality) if a.action == "reassess_readiness"]
    first = next(a for a in rows if a.public_id == same_answers.reassess)
    assert first.status == "done"
    assert [a.status for a in rows if a is not first] == ["planned"]  # round 2's own
    login(client, "advisor")
    history = _history(_action_page(client, first.public_id))
    assert "Round 2 closed: that round is the re-assessment this action planned" in history
    assert "Status from “In progress” to “Done”." in history
    page = client.get(f"/municipalities/{municipality.public_id}/plan").get_data(as_text=True)
    row = page.split(f'id="action-{first.public_id}"')[1].split("</tr>")[0]
    assert "tag--action-done" in row


def test_a_dropped_action_keeps_its_status_reason_and_note_when_nothing_fell_back(
        client: FlaskClient, session: Session, same_answers: Plan):
    dropped = _row(session, same_answers.municipality, same_answers.dropped)
    assert (dropped.status, dropped.drop_reason, dropped.notes) == (
        "dropped", REASON, "Asked the province")
    login(client, "advisor")
    history = _history(_action_page(client, dropped.public_id))
    assert "closed" not in history  # closing changed nothing on it
    second = same_answers.municipality.assessments[-1]
    results = client.get(f"/assessments/{second.public_id}/results").get_data(as_text=True)
    assert f"(why: {REASON})" in results
    assert dropped.title not in results.split("so proposed again:")[-1].split("</p>")[0]


def test_a_dropped_action_proposed_again_when_its_dimension_fell_back_keeps_its_reason(
        client: FlaskClient, session: Session):
    plan = _round_one(session, "neither")
    _close(session, plan.municipality, "strongly_disagree")
    again = _row(session, plan.municipality, plan.dropped)
    assert again.status == "planned"
    assert (again.drop_reason, again.notes) == (REASON, "Asked the province")
    login(client, "advisor")
    html = _action_page(client, again.public_id)
    history = _history(html)
    assert "Round 2 closed: its roadmap proposes this action again" in history
    assert "Status from “Dropped” to “Planned”." in history
    assert f"set reason for dropping to “{REASON}”" in history
    assert "advisor had dropped it on" in history  # who dropped it, and why, at the close
    assert f"because: “{REASON}” (kept)." in history
    page = client.get(f"/municipalities/{plan.municipality.public_id}/plan")
    assert f"Dropped before, because: {REASON}" in page.get_data(as_text=True)


@pytest.mark.parametrize("language", ["en", "fr", "nl"])
def test_the_history_shows_no_raw_field_or_status_and_dates_in_the_readers_language(
        client: FlaskClient, session: Session, same_answers: Plan, language: str):
    login(client, "advisor")
    action = _row(session, same_answers.municipality, same_answers.dropped)
    html = _action_page(client, action.public_id)
    token = csrf_from(html)
    client.post(f"/plan-actions/{action.public_id}", data={
        "csrf_token": token, "status": "in_progress", "due_on": "2027-01-05",
        "drop_reason": REASON, "lead": "police", "notes": "Asked the province"})
    history = _history(_action_page(client, action.public_id, language))
    for raw in ("in_progress", "due_on", "drop_reason", "2027-01-05", "police"):
        assert raw not in history
    month = {"en": "January 2027", "fr": "janvier 2027", "nl": "januari 2027"}[language]
    assert f"5 {month}" in history


def test_a_save_with_the_same_partners_in_another_order_records_nothing(
        session: Session, same_answers: Plan):
    action = _row(session, same_answers.municipality, same_answers.dropped)
    action.partners = ["police", "health", "education"]  # as the roadmap listed them
    session.commit()
    before = plans.version_of(session, action)
    changed = plans.update_action(session, action, _edit(
        action, partners=("education", "health", "police")), None)
    assert changed == 0
    assert plans.version_of(session, action) == before


def _counts(text: str) -> tuple[list[int], int]:
    found = re.search(r"(\d+) done,? +(\d+) in progress,? +(\d+) planned,? +(\d+) dropped,? +"
                      r"of (\d+) tracked actions?", text)
    assert found, text
    numbers = [int(n) for n in found.groups()]
    return numbers[:-1], numbers[-1]


def test_the_progress_totals_add_up_on_every_page_and_in_the_pdf(
        client: FlaskClient, session: Session, same_answers: Plan):
    municipality = same_answers.municipality
    late = next(a for a in plans.plan_of(session, municipality) if a.status == "planned")
    late.due_on = datetime.now(UTC).date() - timedelta(days=3)
    session.commit()
    second = municipality.assessments[-1]
    link, token = plans.create_share_link(session, second, None)
    session.commit()
    login(client, "advisor")
    from readiness.report import render
    captured: list[str] = []
    real = render.render_document_html
    pages = {
        "plan": client.get(f"/municipalities/{municipality.public_id}/plan"),
        "results": client.get(f"/assessments/{second.public_id}/results"),
        "share": client.get(f"/shared/{token}"),
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(render, "render_document_html",
                      lambda *a, **k: captured.append(real(*a, **k)) or captured[-1])
        assert client.get(f"/municipalities/{municipality.public_id}/plan.pdf").status_code \
            == 200
    texts = {name: re.sub(r"<[^>]+>|\s+", " ", reply.get_data(as_text=True))
             for name, reply in pages.items()} | {"pdf": re.sub(r"<[^>]+>|\s+", " ", captured[0])}
    for name, text in texts.items():
        counts, total = _counts(text)
        assert sum(counts) == total, name
        assert "1 of the open actions is overdue" in text, name


def test_the_share_page_writes_dates_in_the_readers_language(
        client: FlaskClient, session: Session, same_answers: Plan):
    second = same_answers.municipality.assessments[-1]
    _link, token = plans.create_share_link(session, second, None)
    session.commit()
    fresh(session)
    html = client.get(f"/shared/{token}", headers={"Accept-Language": "fr"}).get_data(
        as_text=True)
    body = html.split("<main")[1]
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", body)
    assert "1 mars 2026" in body  # the round's date (make_assessment's), as French writes it
