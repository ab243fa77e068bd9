"""Deleting a round keeps the municipality's living roadmap: the tracked actions the round
proposed, which later rounds follow up, stay in the plan with their status and history (naming
no round any more); the confirm page, the message after and the audit log say so. Deleting the
municipality then takes them with it."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from readiness.models import AuditEvent, Municipality, PlanAction, PlanEvent, Role
from readiness.services import plans
from tests.erasure_helpers import closed_round
from tests.web_helpers import (
    add_responses,
    fresh,
    login,
    make_assessment,
    make_municipality,
    make_user,
    post_form,
)


def _plan(session: Session, town_id: int) -> list[tuple[str, int | None, str, int]]:
    """(public id, round id, status, history entries) of each tracked action of the town."""
    fresh(session)
    events = (select(func.count()).select_from(PlanEvent)
              .where(PlanEvent.plan_action_id == PlanAction.id).scalar_subquery())
    return [(a, r, s, n) for a, r, s, n in session.execute(
        select(PlanAction.public_id, PlanAction.assessment_id, PlanAction.status, events)
        .where(PlanAction.municipality_id == town_id).order_by(PlanAction.id))]


def test_deleting_a_round_keeps_the_tracked_actions_it_proposed_with_their_history(
        client: FlaskClient, session: Session):
    root = make_user(session, "root")
    town = make_municipality(session, "Mechelen")
    first = closed_round(session, town, root)
    second, _links = make_assessment(session, town)  # follows up the first round's actions
    for agency in ("police", "health", "education"):
        add_responses(session, second, agency, 3)
    plans.close_with_plan(session, second)
    session.commit()
    town_id, first_id, second_public = town.id, first.id, second.public_id
    before = _plan(session, town_id)
    proposed = [a for a in before if a[1] == first_id]
    assert proposed
    assert any(status == "in_progress" and history for _a, _r, status, history in proposed)
    login(client, "root")
    page = f"/assessments/{first.public_id}/delete"
    confirm = client.get(page).get_data(as_text=True)
    assert (f"{len(proposed)} tracked actions of the action plan came from this round. They "
            "are not deleted: they stay in the municipality's action plan" in confirm)
    deleted = post_form(client, page, {"confirm_name": "Mechelen"}, follow_redirects=True)
    text = deleted.get_data(as_text=True)
    assert f"Its {len(proposed)} tracked actions stay in the action plan." in text
    after = _plan(session, town_id)
    assert [(a, None if r == first_id else r, s, n) for a, r, s, n in before] == after
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "round_deleted")).one()
    assert event.detail.endswith(f"{len(proposed)} tracked actions kept in the plan")
    shown = client.get(f"/municipalities/{town.public_id}/plan").get_data(as_text=True)
    kept = session.scalars(select(PlanAction).where(PlanAction.public_id == proposed[0][0])).one()
    assert kept.title in shown
    assert client.get(f"/assessments/{second_public}/results").status_code == 200


def test_an_action_whose_round_was_deleted_is_still_edited_with_its_history_kept(
        client: FlaskClient, session: Session):
    root = make_user(session, "root")
    town = make_municipality(session, "Mechelen")
    first = closed_round(session, town, root)
    action = session.scalars(select(PlanAction).where(
        PlanAction.assessment_id == first.id, PlanAction.status == "in_progress")).first()
    assert action is not None
    action_public, version = action.public_id, plans.version_of(session, action)
    login(client, "root")
    post_form(client, f"/assessments/{first.public_id}/delete", {"confirm_name": "Mechelen"})
    page = f"/plan-actions/{action_public}"
    assert client.get(page).status_code == 200
    saved = post_form(client, page, {"status": "done", "lead": "police",
                                   "version": str(version)})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    fresh(session)
    kept = session.scalars(select(PlanAction).where(PlanAction.public_id == action_public)).one()
    assert (kept.assessment_id, kept.status, kept.lead) == (None, "done", "police")
    assert [e.field for e in kept.events][:1] == ["status"]  # the first edit is still there
    assert plans.version_of(session, kept) == version + 2  # status and lead added


def test_deleting_the_municipality_takes_the_actions_kept_from_deleted_rounds(
        client: FlaskClient, session: Session):
    root = make_user(session, "root")
    town = make_municipality(session, "Mechelen")
    first = closed_round(session, town, root)
    town_id, town_public = town.id, town.public_id
    login(client, "root")
    post_form(client, f"/assessments/{first.public_id}/delete", {"confirm_name": "Mechelen"})
    assert _plan(session, town_id)
    assert post_form(client, f"/municipalities/{town_public}/delete",
                     {"confirm_name": "Mechelen"}).status_code == 302
    fresh(session)
    assert session.get(Municipality, town_id) is None
    assert session.scalar(select(func.count()).select_from(PlanAction)) == 0
    assert session.scalar(select(func.count()).select_from(PlanEvent)) == 0


def test_a_coordinator_is_told_before_deleting_that_the_plan_stays(
        client: FlaskClient, session: Session):
    town = make_municipality(session, "Mechelen")
    make_user(session, "coord", Role.MUNICIPALITY_COORDINATOR, municipality=town)
    first = closed_round(session, town)
    login(client, "coord")
    page = client.get(f"/assessments/{first.public_id}/delete").get_data(as_text=True)
    assert "the tracked actions of its roadmap" not in page
    assert "They are not deleted" in page
    assert f'href="/municipalities/{town.public_id}/plan"' in page
