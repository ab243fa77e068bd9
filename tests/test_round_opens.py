"""A round dated in the future: the new-round form calls its date "the day the survey opens",
so its links hold answers back until that day, with a page in the practitioner's language
saying when; nothing is started or stored. A workshop the organiser records is not held back."""

from __future__ import annotations

from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from readiness.core import closing
from readiness.core.questionnaire import get_questionnaire
from readiness.models import Mode, Response
from readiness.services import assessments as services
from readiness.web.forms import item_field
from tests.web_helpers import answer_all, login, make_municipality, make_user, post_form

pytestmark = pytest.mark.db
OPENS = date(2099, 6, 1)


def _future_round(session: Session, mode: str = Mode.SURVEY) -> tuple[str, str | None]:
    assessment, tokens = services.create_assessment(
        session, make_municipality(session), q=get_questionnaire(), agencies=("police",),
        mode=mode, conducted_on=OPENS, capacities={"police": 5})
    session.commit()
    return assessment.public_id, next(iter(tokens.values()), None)


def _stored(session: Session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(Response)) or 0


@pytest.mark.parametrize(("language", "heading"), [
    ("en", "This survey opens on 1 June 2099"),
    ("fr", "1 juin 2099"),
    ("nl", "1 juni 2099"),
])
def test_a_link_of_a_round_dated_ahead_says_when_it_opens_and_stores_nothing(
        client: FlaskClient, session: Session, language: str, heading: str):
    _, token = _future_round(session)
    headers = {"Accept-Language": language}
    page = client.get(f"/s/{token}", headers=headers)
    assert page.status_code == 403
    html = page.get_data(as_text=True)
    assert heading in html
    assert "Start the survey" not in html
    assert 'name="csrf_token"' not in html
    for path in ("start", "page/1", "check"):
        assert client.post(f"/s/{token}/{path}", headers=headers).status_code == 403
    assert _stored(session) == 0


def test_a_link_opens_on_the_rounds_date_in_the_configured_zone():
    brussels = closing.zone("Europe/Brussels")
    from datetime import UTC, datetime
    assert closing.is_before(OPENS, brussels, datetime(2099, 5, 31, 21, 59, tzinfo=UTC))
    assert not closing.is_before(OPENS, brussels, datetime(2099, 5, 31, 22, 0, tzinfo=UTC))


def test_the_round_page_tells_the_organiser_when_the_links_open(
        client: FlaskClient, session: Session):
    public_id, _ = _future_round(session)
    make_user(session, "organiser")
    login(client, "organiser")
    html = client.get(f"/assessments/{public_id}").get_data(as_text=True)
    assert "1 June 2099 (the links take answers from this day)" in html


def test_a_workshop_dated_ahead_is_recorded_at_once(client: FlaskClient, session: Session):
    public_id, _ = _future_round(session, Mode.WORKSHOP)
    make_user(session, "organiser")
    login(client, "organiser")
    q = get_questionnaire()
    data = {item_field(k): v for k, v in answer_all(q, "agree").items()}
    assert post_form(client, f"/assessments/{public_id}/workshop/police", data
                     ).status_code == 302
    assert _stored(session) == 1
