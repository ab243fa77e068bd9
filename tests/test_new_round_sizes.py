"""The new-round form asks, per agency answering through a link, how many practitioners the link
goes to (as "Create another link" does): the links are made with that stated size, logged in the
audit, shown on the round page, and the close page no longer warns about links without a size.
A missing or impossible number is refused with a clear message and nothing is made."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from readiness.cli.main import main
from readiness.models import Assessment, AuditEvent, Invitation, Role
from tests.test_invitation_pack import cli  # noqa: F401
from tests.web_helpers import audited, fresh, login, make_municipality, make_user, post_form

pytestmark = pytest.mark.db
ROUND = {"conducted_on": "2026-04-01", "mode": "survey", "agencies": ["police", "health"]}


def _form_page(client: FlaskClient, session: Session) -> str:
    advisor = make_user(session, "advisor", Role.ADVISOR)
    municipality = make_municipality(session, advisor=advisor)
    login(client, "advisor")
    return f"/municipalities/{municipality.public_id}/assessments/new"


def test_the_new_round_form_asks_each_agencys_link_size_in_a_labelled_group(
        client: FlaskClient, session: Session):
    html = client.get(_form_page(client, session)).get_data(as_text=True)
    group = html[html.index('aria-describedby="sizes-hint"'):]
    assert group.index("<legend") < group.index('for="size_police"')
    assert "Sent to how many practitioners?</legend>" in group
    assert '<label class="label" for="size_police">Police</label>' in group
    assert 'id="size_police" name="size_police" type="number"' in group
    assert '<label class="label" for="size_health">Health and mental health care</label>' in group


def test_a_new_round_makes_its_links_with_the_stated_sizes_logs_them_and_shows_them(
        client: FlaskClient, session: Session):
    page = _form_page(client, session)
    made = post_form(client, page, {**ROUND, "size_police": "12", "size_health": "7",
                                    "size_education": "30"})  # education not taking part
    assert made.status_code == 302, made.get_data(as_text=True)
    sizes = {i.agency: i.capacity for i in session.scalars(select(Invitation))}
    assert sizes == {"police": 12, "health": 7}
    logged = [(e.action, e.detail) for e in session.scalars(audited())]
    assert ("invitation_created", "police, sent to 12") in logged
    assert ("invitation_created", "health, sent to 7") in logged
    assert all(e.actor == "advisor" for e in session.scalars(
        select(AuditEvent).where(AuditEvent.action == "invitation_created")))
    public_id = session.scalars(select(Assessment)).one().public_id
    round_page = client.get(f"/assessments/{public_id}").get_data(as_text=True)
    assert round_page.count('name="capacity" value="12"') == 1
    assert round_page.count('name="capacity" value="7"') == 1
    close_page = client.get(f"/assessments/{public_id}/close").get_data(as_text=True)
    assert "do not say how many practitioners" not in close_page
    assert "does not say how many practitioners" not in close_page


@pytest.mark.parametrize(("sizes", "message"), [
    ({"size_police": "12"},
     '<a href="#size_health">Say how many practitioners you will send the link for Health and '
     'mental health care to</a>'),
    ({"size_police": "0", "size_health": "5"},
     '<a href="#size_police">Give a number from 1 to 1000</a>'),
    ({"size_police": "12", "size_health": "1001"},
     '<a href="#size_health">Give a number from 1 to 1000</a>'),
    ({"size_police": "twelve", "size_health": "5"}, '<a href="#size_police">'),
])
def test_a_missing_or_impossible_link_size_is_refused_and_nothing_is_made(
        client: FlaskClient, session: Session, sizes: dict[str, str], message: str):
    reply = post_form(client, _form_page(client, session), {**ROUND, **sizes})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 400
    assert message in html
    assert 'aria-invalid="true"' in html
    assert session.scalars(select(Assessment)).all() == []
    assert session.scalars(select(Invitation)).all() == []


def test_agencies_recorded_in_the_room_need_no_link_size(client: FlaskClient, session: Session):
    page = _form_page(client, session)
    mixed = post_form(client, page, {**ROUND, "mode": "mixed", "in_workshop": ["health"],
                                     "size_police": "9"})
    assert mixed.status_code == 302, mixed.get_data(as_text=True)
    assert {i.agency: i.capacity for i in session.scalars(select(Invitation))} == {"police": 9}


def test_the_command_line_states_link_sizes_too_and_refuses_a_bad_one(
        cli: CliRunner, session: Session):  # noqa: F811
    make_municipality(session, "Gent")
    made = cli.invoke(main, ["assessment", "create", "--municipality", "Gent",
                             "--agencies", "police,health", "--sizes", "police=12,health=7"])
    assert made.exit_code == 0, made.output
    fresh(session)
    assert {i.agency: i.capacity for i in session.scalars(select(Invitation))} == {
        "police": 12, "health": 7}
    logged = [e.detail for e in session.scalars(
        select(AuditEvent).where(AuditEvent.action == "invitation_created"))]
    assert sorted(logged) == ["health, sent to 7", "police, sent to 12"]
    for bad in ("police=twelve", "police=0"):
        refused = cli.invoke(main, ["assessment", "create", "--municipality", "Gent",
                                    "--agencies", "police", "--sizes", bad])
        assert refused.exit_code != 0
    fresh(session)
    assert len(session.scalars(select(Assessment)).all()) == 1
