"""Contrasting municipalities for reading and benchmarking the roadmap, made in memory.

The demo's four profiles and five hand-made ones a MAW coordinator would recognise: a
Belgian-style cell blocked by professional secrecy, a long-standing Danish-style SSP, a small
rural municipality where three agencies answered, a city where police say all is fine and health
distrusts police, and a large city with many new staff. No database: answers and the organiser's
context go straight to `score`.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from readiness.core.questionnaire import Questionnaire
from readiness.core.scoring import Answer, Result, score
from readiness.demo.municipal import (
    DEMO_AGENCIES,
    PROFILES,
    Profile,
    profile_answers,
    profile_context,
)


@dataclass(frozen=True)
class Municipality:
    """A profile with the agencies that answered, how many each, and the organiser's context."""

    profile: Profile
    agencies: tuple[str, ...]
    respondents: Mapping[str, int]
    context: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    run_by: str | None = "mobile_team"


def _demo(profile: Profile) -> Municipality:
    agencies = DEMO_AGENCIES[:profile.agencies]
    return Municipality(profile, agencies, {a: 4 for a in agencies})


HAND_MADE = (
    Municipality(
        Profile("Belgian cell (secrecy)", "BE", "Limburg", "50k_100k", base=0.62,
                by_dimension={"legal_basis": -0.38, "tools": -0.12},
                by_agency={"health": -0.1}, conducted_on=date(2026, 2, 2)),
        ("local_authority", "police", "health", "social_services", "education"),
        {"local_authority": 3, "police": 3, "health": 4, "social_services": 4, "education": 3},
        {"ctx_population": ("from_50k_to_100k",), "ctx_existing_structures": ("radicalisation",
         "domestic_violence"), "ctx_formality": ("formal",), "ctx_model_aim": ("decision_making",),
         "ctx_resources": ("part_time",), "ctx_monitoring": ("informal",),
         "ctx_extremism_scope": ("all_forms",)}),
    Municipality(
        Profile("Danish SSP", "DK", "Midtjylland", "100k_250k", base=0.84, noise=0.08,
                conducted_on=date(2026, 3, 3)),
        ("local_authority", "police", "health", "social_services", "youth_work", "education"),
        {"local_authority": 4, "police": 5, "health": 3, "social_services": 5, "youth_work": 4,
         "education": 5},
        {"ctx_population": ("from_100k_to_250k",),
         "ctx_existing_structures": ("youth_crime", "child_protection", "radicalisation"),
         "ctx_formality": ("formal",), "ctx_model_aim": ("operational_team",),
         "ctx_resources": ("dedicated",), "ctx_monitoring": ("indicators",),
         "ctx_extremism_scope": ("all_forms",)}, run_by="municipality"),
    Municipality(
        Profile("Small rural", "FR", "Creuse", "under_10k", base=0.42, dont_know=0.2,
                conducted_on=date(2026, 4, 6)),
        ("local_authority", "police", "education"),
        {"local_authority": 2, "police": 1, "education": 2},
        {"ctx_population": ("under_10k",), "ctx_existing_structures": ("none",),
         "ctx_formality": ("ad_hoc",), "ctx_model_aim": ("undecided",),
         "ctx_resources": ("none",), "ctx_monitoring": ("none",)}),
    Municipality(
        Profile("Police fine, health distrusts", "NL", "Utrecht", "100k_250k", base=0.55,
                by_agency={"police": 0.4, "health": -0.35}, noise=0.08,
                conducted_on=date(2026, 5, 4)),
        ("local_authority", "police", "health", "social_services", "youth_work", "education"),
        {"local_authority": 4, "police": 6, "health": 4, "social_services": 4, "youth_work": 3,
         "education": 3},
        {"ctx_population": ("from_100k_to_250k",),
         "ctx_existing_structures": ("community_safety", "mental_health"),
         "ctx_formality": ("informal_regular",), "ctx_model_aim": ("service_delivery",),
         "ctx_resources": ("part_time",), "ctx_monitoring": ("informal",)}),
    Municipality(
        Profile("Large city, new staff", "DE", "Berlin", "over_250k", base=0.5, dont_know=0.35,
                by_dimension={"training": -0.15, "role_clarity": -0.1},
                conducted_on=date(2026, 6, 1)),
        ("local_authority", "police", "health", "social_services", "youth_work", "education",
         "civil_society"),
        {a: 6 for a in ("local_authority", "police", "health", "social_services", "youth_work",
                        "education", "civil_society")},
        {"ctx_population": ("over_250k",), "ctx_existing_structures": ("radicalisation",
         "youth_crime", "community_safety"), "ctx_formality": ("formal",),
         "ctx_model_aim": ("service_delivery",), "ctx_resources": ("dedicated",),
         "ctx_monitoring": ("indicators",), "ctx_extremism_scope": ("all_forms",)}),
)


def municipalities() -> tuple[Municipality, ...]:
    """The demo's profiles and the hand-made ones, in that order."""
    return tuple(_demo(p) for p in PROFILES) + HAND_MADE


def responses(q: Questionnaire, m: Municipality, seed: int = 7) -> list[Answer]:
    """Every respondent's answers along the profile (reproducible for a seed)."""
    rng = random.Random(f"{m.profile.name}:{seed}")
    rows: list[Answer] = []
    for agency in m.agencies:
        for n in range(m.respondents.get(agency, 0)):
            respondent = f"{agency}-{n + 1}"
            rows += [Answer(respondent, agency, item, value) for item, value
                     in profile_answers(q, m.profile, agency, rng).items()]
    return rows


def context_of(q: Questionnaire, m: Municipality) -> dict[str, tuple[str, ...]]:
    """The organiser's context: the hand-made one, or one drawn along a demo profile."""
    if m.context:
        return {k: tuple(v) for k, v in m.context.items()}
    drawn = profile_context(q, m.profile, random.Random(m.profile.name))  # size: the profile's
    return {k: tuple(v) for k, v in drawn.items()}


def result_of(q: Questionnaire, m: Municipality, rows: list[Answer] | None = None) -> Result:
    """The scored result of a municipality's answers (its own, or resampled `rows`)."""
    return score(q, responses(q, m) if rows is None else rows, context=context_of(q, m))
