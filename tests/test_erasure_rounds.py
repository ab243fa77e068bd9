"""Deleting a round or a municipality for good (a retention rule, an erasure request): confirmed
by typing the municipality's name, audited, everything the round holds gone with it (answers,
results, findings, share links, links, cached PDFs, queued renders; its tracked actions leave
the round but stay in the plan, see test_erasure_plan_kept.py), and gone from the national
figures at once."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from readiness import tasks
from readiness.cli.main import main
from readiness.core.questionnaire import get_questionnaire
from readiness.models import (
    Assessment,
    AssessmentFinding,
    AssessmentResult,
    AuditEvent,
    Invitation,
    Municipality,
    PlanAction,
    PlanEvent,
    Response,
    Role,
    Score,
    ShareLink,
    advisor_assignment,
)
from readiness.services.national import national_tables
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

HELD = (Response, Invitation, Score, AssessmentResult, AssessmentFinding, PlanAction, PlanEvent,
        ShareLink)


def _count(session: Session, model: type, assessment_id: int) -> int:
    column = PlanEvent.plan_action_id if model is PlanEvent else model.assessment_id
    if model is PlanEvent:
        wanted = select(PlanAction.id).where(PlanAction.assessment_id == assessment_id)
        return session.scalar(select(func.count()).select_from(PlanEvent)
                              .where(column.in_(wanted))) or 0
    return session.scalar(select(func.count()).select_from(model)
                          .where(column == assessment_id)) or 0


def _cached(app: Flask, round_id: str) -> Path:
    """A cached roadmap PDF of the round, as the download route names it."""
    folder = Path(app.instance_path) / "report-cache"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{round_id}.roadmap-v9-{'0' * 64}.pdf"
    path.write_bytes(b"%PDF-1.7 cached")
    return path


def test_an_admin_deletes_a_closed_round_with_all_it_holds_once_the_name_is_typed(
        app: Flask, client: FlaskClient, session: Session):
    root = make_user(session, "root")
    town = make_municipality(session, "Mechelen")
    gone = closed_round(session, town, root)
    kept = closed_round(session, make_municipality(session, "Lier"), root)
    gone_id, gone_public = gone.id, gone.public_id
    q = get_questionnaire()
    assert len(national_tables(session, q).assessments) == 2  # the frames are now cached
    assert all(_count(session, model, gone_id) for model in HELD), "the round holds it all"
    pdf, other_pdf = _cached(app, gone_public), _cached(app, kept.public_id)
    login(client, "root")
    page = f"/assessments/{gone_public}/delete"
    actions = _count(session, PlanAction, gone_id)
    assert (f"{actions} tracked actions of the action plan came from this round"
            in client.get(page).get_data(as_text=True))
    wrong = post_form(client, page, {"confirm_name": "Malines"})
    assert wrong.status_code == 400
    assert "Type Mechelen exactly to delete" in wrong.get_data(as_text=True)
    assert session.get(Assessment, gone_id) is not None
    deleted = post_form(client, page, {"confirm_name": " mechelen "})
    assert deleted.status_code == 302
    fresh(session)
    assert session.get(Assessment, gone_id) is None
    assert [_count(session, model, gone_id) for model in HELD] == [0] * len(HELD)
    assert all(_count(session, model, kept.id) for model in HELD)  # the other round is whole
    assert not pdf.exists()
    assert other_pdf.exists()
    assert list(national_tables(session, q).assessments["id"]) == [kept.id]
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "round_deleted")).one()
    assert (event.actor, event.object_id, event.municipality_id) == ("root", gone_public, town.id)
    assert client.get(f"/assessments/{gone_public}/results").status_code == 404


def test_a_municipality_coordinator_deletes_its_own_rounds_and_an_advisor_cannot(
        app: Flask, client: FlaskClient, session: Session):
    town, elsewhere = make_municipality(session, "Mechelen"), make_municipality(session, "Lier")
    adviser = make_user(session, "adv", Role.ADVISOR)
    adviser.assigned.append(town)
    make_user(session, "coord", Role.MUNICIPALITY_COORDINATOR, municipality=town)
    make_user(session, "other", Role.MUNICIPALITY_COORDINATOR, municipality=elsewhere)
    make_user(session, "nat", Role.NATIONAL_COORDINATOR)
    session.commit()
    round_id = closed_round(session, town).public_id
    page = f"/assessments/{round_id}/delete"
    for name, status in (("adv", 403), ("other", 404), ("nat", 403)):  # 404: not even seen
        visitor = app.test_client()
        login(visitor, name)
        assert visitor.get(page).status_code == status
        assert visitor.post(page, data={"confirm_name": "Mechelen"}).status_code in {400, status}
        assert visitor.get(f"/municipalities/{town.public_id}/delete").status_code == status
    login(client, "coord")
    assert "Delete round 1 for good" in client.get(
        f"/assessments/{round_id}").get_data(as_text=True)
    assert post_form(client, page, {"confirm_name": "Mechelen"}).status_code == 302
    fresh(session)
    assert session.scalar(select(Assessment).where(Assessment.public_id == round_id)) is None


def test_an_admin_deletes_a_municipality_with_its_rounds_plan_and_assignments(
        app: Flask, client: FlaskClient, session: Session):
    root = make_user(session, "root")
    town, kept = make_municipality(session, "Mechelen"), make_municipality(session, "Lier")
    adviser = make_user(session, "adv", Role.ADVISOR)
    adviser.assigned.extend([town, kept])
    session.commit()
    rounds = [closed_round(session, town, root), closed_round(session, kept, root)]
    town_id, town_public, round_ids = town.id, town.public_id, [r.id for r in rounds]
    gone_public, kept_id = rounds[0].public_id, kept.id
    pdf = _cached(app, gone_public)
    q = get_questionnaire()
    assert len(national_tables(session, q).municipalities) == 2
    login(client, "root")
    logged = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    page = f"/municipalities/{town_public}/delete"
    assert post_form(client, page, {"confirm_name": "Lier"}).status_code == 400
    assert post_form(client, page, {"confirm_name": "MECHELEN"}).status_code == 302
    fresh(session)
    assert session.get(Municipality, town_id) is None
    assert session.get(Assessment, round_ids[0]) is None
    assert [_count(session, model, round_ids[0]) for model in HELD] == [0] * len(HELD)
    assert session.get(Assessment, round_ids[1]) is not None
    assert not pdf.exists()
    assert session.execute(select(advisor_assignment.c.municipality_id)).scalars().all() == [
        kept_id]
    assert list(national_tables(session, q).municipalities["id"]) == [kept_id]
    actions = session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_id.in_([town_public, gone_public]))).all()
    assert {"round_deleted", "municipality_deleted"} <= set(actions)
    assert (session.scalar(select(func.count()).select_from(AuditEvent)) or 0) > logged
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.municipality_id == town_id)) == 0  # its events stay, unlinked


def test_a_municipality_with_its_own_coordinator_is_not_deleted_and_nothing_changes(
        client: FlaskClient, session: Session):
    make_user(session, "root")
    town = make_municipality(session, "Mechelen")
    make_user(session, "coord", Role.MUNICIPALITY_COORDINATOR, municipality=town)
    closed_round(session, town)
    login(client, "root")
    refused = post_form(client, f"/municipalities/{town.public_id}/delete",
                        {"confirm_name": "Mechelen"})
    assert refused.status_code == 400
    assert "coord" in refused.get_data(as_text=True)
    fresh(session)
    assert session.scalar(select(func.count()).select_from(Assessment)) == 1


def test_only_admins_may_delete_a_municipality(app: Flask, client: FlaskClient,
                                               session: Session):
    town = make_municipality(session, "Mechelen")
    make_user(session, "coord", Role.MUNICIPALITY_COORDINATOR, municipality=town)
    login(client, "coord")
    assert client.get(f"/municipalities/{town.public_id}/delete").status_code == 403


def test_a_render_queued_before_the_round_was_deleted_stores_nothing(
        app: Flask, session: Session):
    town = make_municipality(session, "Mechelen")
    round_id = closed_round(session, town).public_id
    folder = Path(app.instance_path) / "report-cache"
    tasks.forget_round(app, folder, round_id)
    tasks.get_tasks(app).render(str(folder), f"{round_id}.roadmap-v9-{'1' * 64}",
                                "<p>late</p>", 30.0, 10 * 1024 * 1024, 90.0)
    assert list(folder.glob(f"{round_id}.*")) == []


def test_the_command_line_deletes_a_round_and_a_municipality_audited_as_such(
        app: Flask, session: Session, monkeypatch):
    monkeypatch.setenv("READINESS_DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("READINESS_INSTANCE_PATH", app.instance_path)
    town = make_municipality(session, "Mechelen")
    first = closed_round(session, town)
    second, _links = make_assessment(session, town)
    first_id, second_id, town_id = first.public_id, second.public_id, town.public_id
    pdfs = [_cached(app, first_id), _cached(app, second_id)]
    runner = CliRunner()
    refused = runner.invoke(main, ["assessment", "delete", first_id], input="Lier\n")
    assert refused.exit_code != 0
    done = runner.invoke(main, ["assessment", "delete", first_id], input="Mechelen\n")
    assert done.exit_code == 0, done.output
    done = runner.invoke(main, ["municipality", "delete", "Mechelen", "--country", "BE",
                                "--yes"])
    assert done.exit_code == 0, done.output
    fresh(session)
    assert session.scalar(select(func.count()).select_from(Assessment)) == 0
    assert not any(pdf.exists() for pdf in pdfs)
    events = {(e.action, e.object_id): e for e in session.scalars(select(AuditEvent))}
    for key in (("round_deleted", first_id), ("round_deleted", second_id),
                ("municipality_deleted", town_id)):
        assert events[key].source == "cli"
        assert events[key].actor.startswith("cli:")


def test_an_open_round_with_answers_in_progress_is_deleted_whole(
        client: FlaskClient, session: Session):
    make_user(session, "root")
    town = make_municipality(session, "Mechelen")
    assessment, _links = make_assessment(session, town)
    add_responses(session, assessment, "police", 2)
    assessment_id, public_id = assessment.id, assessment.public_id
    login(client, "root")
    assert post_form(client, f"/assessments/{public_id}/delete",
                     {"confirm_name": "Mechelen"}).status_code == 302
    fresh(session)
    assert session.get(Assessment, assessment_id) is None
    assert _count(session, Response, assessment_id) == 0
    assert _count(session, Invitation, assessment_id) == 0
