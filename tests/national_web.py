"""Shared set-up of the dashboard, API and browser tests: a small demo country with users."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from readiness.core.questionnaire import get_questionnaire
from readiness.demo.national import build_demo
from readiness.models import Municipality, Role
from readiness.services.national import create_api_token
from tests.web_helpers import make_user

EVIL_NAME = '=HYPERLINK("http://example.invalid","click")'
EVIL_REGION = "+Evil region"


@dataclass(frozen=True)
class Country:
    """What the national fixture made: a region to filter on, ids, tokens."""

    region: str
    municipality_id: str
    coordinator_token: str
    advisor_token: str


def make_country(db: Session, municipalities: int = 16) -> Country:
    """A demo country, a municipality with a formula-like name, and a user of every role."""
    # the national tests' counts and suppressions were worked out on demo data of version 1.0
    build_demo(db, get_questionnaire(version="1.0"), municipalities, seed=7, country="BE",
               today=date(2026, 11, 1))
    first = db.scalars(select(Municipality).order_by(Municipality.id)).first()
    assert first is not None
    db.execute(update(Municipality).where(Municipality.id == first.id)
               .values(name=EVIL_NAME, region=EVIL_REGION))
    db.commit()
    make_user(db, "admin", Role.ADMIN)
    make_user(db, "national", Role.NATIONAL_COORDINATOR)
    make_user(db, "advisor", Role.ADVISOR, municipality=first)
    make_user(db, "local", Role.MUNICIPALITY_COORDINATOR, municipality=first)
    _, coordinator_token = create_api_token(db, "national", "tests")
    former = make_user(db, "former", Role.NATIONAL_COORDINATOR)
    _, former_token = create_api_token(db, "former", "tests")
    former.role = Role.ADVISOR  # moved to a mobile team: the old token must stop working
    db.commit()
    region = db.scalars(select(Municipality.region).where(Municipality.id != first.id)).first()
    assert region is not None
    return Country(region, first.public_id, coordinator_token, former_token)
