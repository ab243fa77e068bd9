"""Demo data: fictional municipalities with finished assessments, users of every role, a live link.

`create_demo_municipality(db, q, profile, rng)` makes one municipality with a closed assessment
whose answers follow a profile (overall readiness, shifts per dimension and per agency, share of
"don't know"); it is the reusable piece for larger demo sets. `load_demo` builds the small set
that `readiness serve --demo` shows, and may run again on the same database.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from readiness.core.questionnaire import Questionnaire
from readiness.core.schema import DONT_KNOW
from readiness.demo.plans import vary_plan
from readiness.models import Assessment, Mode, Municipality, Role, Status, User
from readiness.services import assessments as services
from readiness.services import plans, survey

# Agencies the demo draws on, in the order municipalities add them (ids from the CLI contract).
DEMO_AGENCIES = ("local_authority", "police", "health", "social_services", "youth_work",
                 "education", "civil_society")


@dataclass(frozen=True)
class Profile:
    """How a demo municipality answers: a base readiness 0..1 shifted per dimension and agency."""

    name: str
    country: str
    region: str
    population_band: str
    base: float
    agencies: int = 6
    by_dimension: Mapping[str, float] = field(default_factory=dict)
    by_agency: Mapping[str, float] = field(default_factory=dict)
    dont_know: float = 0.05
    noise: float = 0.12
    respondents: tuple[int, int] = (3, 5)
    conducted_on: date = date(2025, 10, 1)


PROFILES = (
    Profile("Kallioniemi", "FI", "Uusimaa", "50k_100k", base=0.86, agencies=7,
            dont_know=0.02, conducted_on=date(2025, 9, 15)),
    Profile("Valmont-sur-Lys", "FR", "Hauts-de-France", "10k_50k", base=0.62, agencies=5,
            by_dimension={"legal_basis": -0.5, "tools": -0.1}, conducted_on=date(2025, 3, 20)),
    Profile("Brunnhausen", "DE", "Bayern", "100k_250k", base=0.55, agencies=6,
            by_agency={"police": 0.32, "local_authority": 0.15, "health": -0.3,
                       "social_services": -0.28, "youth_work": -0.15},
            conducted_on=date(2025, 11, 4)),
    Profile("Sint-Aldegonde", "BE", "Antwerpen", "100k_250k", base=0.33, agencies=5,
            dont_know=0.3, by_dimension={"trust": 0.15}, conducted_on=date(2026, 1, 12)),
)
OPEN_ROUND_OF = "Valmont-sur-Lys"  # gets a second, open round with a live link


@dataclass(frozen=True)
class DemoLogin:
    """A demo user and the password set for them on this run."""

    role: str
    username: str
    password: str


@dataclass(frozen=True)
class DemoSummary:
    """What `serve --demo` prints: a login per role and one open invitation link."""

    logins: tuple[DemoLogin, ...]
    open_link_token: str
    open_link_agency: str
    municipalities: tuple[str, ...]


def _answer(q: Questionnaire, item_id: str, target: float, rng: random.Random,
            dont_know: float) -> str:
    if rng.random() < dont_know:
        return DONT_KNOW
    wanted = min(1.0, max(0.0, target))
    options = [o for o in q.options(item_id) if o.score is not None]
    return min(options, key=lambda o: (abs((o.score or 0.0) - wanted), rng.random())).value


def profile_answers(q: Questionnaire, profile: Profile, agency: str,
                    rng: random.Random) -> dict[str, str]:
    """One respondent's answers to every statement, following the profile."""
    respondent_shift = rng.gauss(0, profile.noise / 2)
    answers = {}
    for item in q.doc.items:
        target = (profile.base + profile.by_dimension.get(item.dimension or "", 0.0)
                  + profile.by_agency.get(agency, 0.0) + respondent_shift
                  + rng.gauss(0, profile.noise))
        answers[item.id] = _answer(q, item.id, target, rng, profile.dont_know)
    return answers


def profile_context(q: Questionnaire, profile: Profile, rng: random.Random) -> dict[str, list[str]]:
    """Context answers in line with the profile: options further down a list for readier places.

    Context options are listed from least to most developed, so the profile's readiness picks
    the position; for several-answer questions, readier places tick more of the later options.
    The size is the profile's own (the municipality's record), never drawn.
    """
    context: dict[str, list[str]] = {}
    size = services.population_answer(q, profile.population_band)
    for item in q.doc.context:
        if size is not None and item.id == size[0]:
            context[item.id] = [size[1]]
            continue
        values = [o.value for o in q.options(item)]
        if item.multiple:
            count = max(1, round(profile.base * 3))
            context[item.id] = sorted(rng.sample(values[1:], min(count, len(values) - 1)),
                                      key=values.index)
        else:
            position = round(profile.base * (len(values) - 1))
            context[item.id] = [values[min(len(values) - 1, position)]]
    return context


def _agencies(q: Questionnaire, count: int) -> list[str]:
    return [a for a in DEMO_AGENCIES if a in q.agency_ids][:count]


# a link is sent to more practitioners than answer it: twice the most a profile has answer
DEMO_LINK_SIZE_PER_RESPONDENT = 2


def demo_sizes(agencies: list[str], profile: Profile) -> dict[str, int]:
    """Each demo link's stated size (as the new-round form asks): results then print how many
    practitioners each agency's link went to, as a real round's do, not "size not stated"."""
    return {a: DEMO_LINK_SIZE_PER_RESPONDENT * profile.respondents[1] for a in agencies}


def add_profile_responses(db: Session, q: Questionnaire, assessment: Assessment,
                          profile: Profile, agency: str, count: int,
                          rng: random.Random) -> None:
    """`count` submitted responses of one agency through an invitation of the assessment."""
    invitation = next((i for i in assessment.invitations if i.agency == agency), None)
    if invitation is None:
        invitation, _ = services.new_invitation(db, assessment, agency)
    for _n in range(count):
        response, _ = survey.start_response(db, invitation)
        survey.save_answers(q, response, profile_answers(q, profile, agency, rng), {})
        survey.submit_response(db, response)


def create_demo_municipality(db: Session, q: Questionnaire, profile: Profile,
                             rng: random.Random, creator: User | None = None,
                             close: bool = True) -> Municipality:
    """One municipality with a survey assessment answered along the profile (closed by default)."""
    municipality = services.create_municipality(
        db, name=profile.name, country=profile.country, region=profile.region,
        population_band=profile.population_band, creator=creator)
    agencies = _agencies(q, profile.agencies)
    assessment, _ = services.create_assessment(
        db, municipality, q=q, agencies=agencies, mode=Mode.SURVEY,
        conducted_on=profile.conducted_on, creator=creator,
        capacities=demo_sizes(agencies, profile))
    for agency in agencies:
        add_profile_responses(db, q, assessment, profile, agency,
                              rng.randint(*profile.respondents), rng)
    services.set_context(assessment, profile_context(q, profile, rng))
    if close:
        plans.close_with_plan(db, assessment)
        vary_plan(plans.plan_of(db, municipality), rng, datetime.now(UTC).date())
    db.flush()
    return municipality


def _ensure_user(db: Session, username: str, role: str, password: str, method: str,
                 municipality: Municipality | None = None) -> User:
    user = db.scalar(select(User).where(User.username == username))
    if user is None:
        return services.create_user(db, username, password, role, municipality=municipality,
                                    password_method=method)
    services.set_password(user, password, method)
    user.active = True
    return user


def _open_round(db: Session, q: Questionnaire, municipality: Municipality,
                rng: random.Random) -> Assessment:
    """The municipality's open follow-up round, started with a few answers, made if missing."""
    found = next((a for a in municipality.assessments if a.status == Status.OPEN), None)
    if found is not None:
        return found
    profile = next(p for p in PROFILES if p.name == municipality.name)
    better = replace(profile, by_dimension={"legal_basis": -0.2})
    agencies = _agencies(q, profile.agencies)
    assessment, _ = services.create_assessment(db, municipality, q=q, agencies=agencies,
                                               mode=Mode.SURVEY, conducted_on=date(2026, 5, 4),
                                               capacities=demo_sizes(agencies, profile))
    add_profile_responses(db, q, assessment, better, agencies[1], 2, rng)
    invitation = next(i for i in assessment.invitations if i.agency == agencies[2])
    started, _ = survey.start_response(db, invitation)
    first_page = survey.pages(q)[0].id
    answers = profile_answers(q, better, agencies[2], rng)
    survey.save_answers(q, started, {i.id: answers[i.id] for i in q.items_of(first_page)}, {})
    return assessment


def load_demo(db: Session, q: Questionnaire, password_method: str = "scrypt",
              seed: int = 2026, link_key: bytes | None = None) -> DemoSummary:
    """The demo set: municipalities, users of every role, one open link (which the links page
    shows again when `link_key` is the app's). Safe to run again."""
    rng = random.Random(seed)
    passwords = {role: secrets.token_urlsafe(12) for role in Role}
    admin = _ensure_user(db, "admin", Role.ADMIN, passwords[Role.ADMIN], password_method)
    national = _ensure_user(db, "national", Role.NATIONAL_COORDINATOR,
                            passwords[Role.NATIONAL_COORDINATOR], password_method)
    advisor = _ensure_user(db, "advisor", Role.ADVISOR, passwords[Role.ADVISOR], password_method)
    made: dict[str, Municipality] = {}
    for profile in PROFILES:
        existing = db.scalar(select(Municipality).where(Municipality.name == profile.name,
                                                        Municipality.country == profile.country))
        made[profile.name] = existing or create_demo_municipality(db, q, profile, rng,
                                                                  creator=admin)
    for name in ("Valmont-sur-Lys", "Brunnhausen", "Sint-Aldegonde"):
        services.assign_advisor(advisor, made[name])
    home = made[OPEN_ROUND_OF]
    coordinator = _ensure_user(db, "coordinator", Role.MUNICIPALITY_COORDINATOR,
                               passwords[Role.MUNICIPALITY_COORDINATOR], password_method,
                               municipality=home)
    open_round = _open_round(db, q, home, rng)
    agency = open_round.agencies[0]
    _, token = services.new_invitation(db, open_round, agency, link_key=link_key,
                                       capacity=DEMO_LINK_SIZE_PER_RESPONDENT * 5)
    db.flush()
    logins = tuple(DemoLogin(user.role, user.username, passwords[Role(user.role)])
                   for user in (admin, national, advisor, coordinator))
    return DemoSummary(logins, token, agency, tuple(made))
