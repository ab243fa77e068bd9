"""Erasing an account (an erasure request): confirmed by typing its username, audited, its
sessions and assignments gone, the rounds it started kept without its name."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from readiness.models import Assessment, AuditEvent, Role, User, UserSession
from tests.web_helpers import fresh, login, make_assessment, make_municipality, make_user, post_form


def test_an_admin_deletes_an_account_once_its_username_is_typed(
        app: Flask, client: FlaskClient, session: Session):
    make_user(session, "root")
    ada = make_user(session, "ada", Role.ADVISOR)
    ada_id = ada.id
    town = make_municipality(session, advisor=ada)
    assessment, _ = make_assessment(session, town)
    assessment.created_by_id = ada_id
    session.commit()
    hers = app.test_client()
    login(hers, "ada")
    login(client, "root")
    page = f"/users/{ada.public_id}"
    session.expunge(ada)
    wrong = post_form(client, page, {"confirm_username": "bob"}, to=f"{page}/delete")
    assert wrong.status_code == 400
    assert "Type ada exactly" in wrong.get_data(as_text=True)
    deleted = post_form(client, page, {"confirm_username": "ADA"}, to=f"{page}/delete")
    assert deleted.status_code == 302
    fresh(session)
    assert session.scalar(select(User).where(User.username == "ada")) is None
    assert session.scalars(select(UserSession).where(UserSession.user_id == ada_id)).all() == []
    assert hers.get("/").status_code == 302  # signed out at once
    kept = session.get(Assessment, assessment.id)
    assert kept is not None
    assert kept.created_by_id is None
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert ("ada", None) in {(e.actor, e.user_id) for e in events}  # her sign-in, kept
    assert (events[-1].action, events[-1].actor, events[-1].detail) == (
        "user_deleted", "root", "ada")


def test_an_admin_cannot_delete_their_own_account(client: FlaskClient, session: Session):
    root = make_user(session, "root")
    make_user(session, "other")
    login(client, "root")
    page = f"/users/{root.public_id}"
    refused = post_form(client, page, {"confirm_username": "root"}, to=f"{page}/delete")
    assert refused.status_code == 400
    fresh(session)
    assert session.get(User, root.id) is not None
