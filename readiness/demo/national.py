"""Demo data at national scale: a plausible country of municipalities assessed over two rounds.

Each municipality gets a region, a size band and a hidden readiness profile (larger towns and
those with a cooperation structure tend to be readier; legal basis tends to be weakest; one
agency may see things differently). Practitioners' answers are drawn around that profile and
scored by the real scoring and roadmap engines; rows are bulk-inserted, so 600 municipalities
take seconds. `pool` reuses a bounded number of scored answer sets (for benchmark-sized data).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from readiness.core.questionnaire import Questionnaire
from readiness.core.roadmap import build_roadmap, roadmap_to_dict
from readiness.core.scoring import Answer, Result, result_to_dict, score
from readiness.demo.plans import insert_plans, plan_rows
from readiness.models import (
    Assessment,
    AssessmentFinding,
    AssessmentResult,
    Invitation,
    Mode,
    Municipality,
    Response,
    ResponseStatus,
    Score,
    Status,
    day_stamp,
)
from readiness.national.records import finding_rows
from readiness.tokens import hash_token, new_token

# Regions by their official local names (as the municipalities themselves and the legal
# profiles' `region_names` write them), never English exonyms: a report's cover prints the
# stored region beside the legal profile's own name for it
REGIONS = {
    "BE": ("Antwerpen", "Limburg", "Oost-Vlaanderen", "West-Vlaanderen", "Vlaams-Brabant",
           "Brabant wallon", "Hainaut", "Liège", "Luxembourg", "Namur",
           "Brussel-Hoofdstad / Bruxelles-Capitale"),
    "FR": ("Auvergne-Rhône-Alpes", "Bretagne", "Grand Est", "Hauts-de-France", "Île-de-France",
           "Normandie", "Nouvelle-Aquitaine", "Occitanie", "Pays de la Loire",
           "Provence-Alpes-Côte d'Azur"),
}
BANDS = (("under_10k", 0.30, -8.0), ("10k_50k", 0.55, 0.0), ("50k_100k", 0.09, 6.0),
         ("100k_250k", 0.04, 10.0), ("over_250k", 0.02, 14.0))
CONTEXT_BAND = {"under_10k": "under_10k", "10k_50k": "from_10k_to_50k",
                "50k_100k": "from_50k_to_100k", "100k_250k": "from_100k_to_250k",
                "over_250k": "over_250k"}
DIMENSION_SHIFT = {"trust": 6.0, "role_clarity": 0.0, "legal_basis": -10.0, "tools": -4.0,
                   "training": -2.0}
_PREFIXES = ("", "", "", "Sint-", "Oud-", "Nieuw-", "Groot-", "Klein-", "Saint-", "Mont-")
_ROOTS = ("Aal", "Beer", "Berg", "Dender", "Eke", "Gel", "Hamme", "Kort", "Lede", "Meer", "Nin",
          "Oost", "Ron", "Tiel", "Vil", "Wet", "Zel", "Mar", "Char", "Fleur", "Ander", "Bras",
          "Chat", "Dour", "Ech", "Flo", "Gem", "Hul", "Jem", "Lin", "Moes", "Nos", "Ploe", "Quie",
          "Ros", "Sam", "Tour", "Vaux", "Wav", "Yv")
_SUFFIXES = ("donk", "gem", "hout", "kerke", "beek", "rode", "zele", "lo", "mont", "ville",
             "court", "sart", "ines", "ster", "bergen", "hove", "aart", "elle", "ais", "eren")


@dataclass(frozen=True)
class DemoSummary:
    """What the demo generator inserted, and how long it took."""

    municipalities: int
    assessments: int
    responses: int
    seconds: float


def _name(rng: random.Random, taken: set[str]) -> str:
    base = rng.choice(_PREFIXES) + rng.choice(_ROOTS) + rng.choice(_SUFFIXES)
    name, n = base, 2
    while name in taken:
        name, n = f"{base} {n}", n + 1
    taken.add(name)
    return name


def _clamp(value: float) -> float:
    return min(max(value, 0.0), 100.0)


def _agencies(q: Questionnaire, rng: random.Random) -> list[str]:
    core = ["local_authority", "police"]
    optional = ["health", "social_services", "youth_work", "education", "civil_society"]
    chosen = set(core + rng.sample(optional, rng.randint(2, len(optional))))
    return [a for a in q.agency_ids if a in chosen]


def _nearest_options(options: list[tuple[str, float]]) -> list[str]:
    """For each target 0..100, the value of the option whose score is nearest."""
    return [min(options, key=lambda option: abs(option[1] - target))[0]
            for target in range(101)]


class _Generator:
    """Answers around a readiness profile, scored by the real engines."""

    def __init__(self, q: Questionnaire, rng: random.Random) -> None:
        self.q, self.rng = q, rng
        # per item, the option nearest to each whole-number target from 0 to 100
        self.nearest = {item.id: _nearest_options([(o.value, (o.score or 0.0) * 100)
                                                   for o in q.options(item)])
                        for item in q.doc.items}

    def answers(self, latent: dict[str, float], agencies: list[str], respondents: int,
                gap: tuple[str, str, float] | None, dont_know: float) -> list[Answer]:
        rng, out = self.rng, []
        for r in range(respondents):
            agency = agencies[r % len(agencies)]
            ident = f"r{r}"
            for item in self.q.doc.items:
                dim = item.dimension or ""
                if rng.random() < dont_know:
                    out.append(Answer(ident, agency, item.id, "dont_know"))
                    continue
                target = latent[dim] + rng.gauss(0, 14)
                if gap and gap[0] == agency and gap[1] == dim:
                    target += gap[2]
                value = self.nearest[item.id][round(_clamp(target))]
                out.append(Answer(ident, agency, item.id, value))
        return out

    def context(self, band: str, formality: str) -> dict[str, list[str]]:
        rng = self.rng
        existing = rng.sample(["domestic_violence", "child_protection", "suicide_prevention",
                               "youth_crime", "community_safety", "mental_health"],
                              rng.randint(0, 3)) or ["none"]
        return {"ctx_population": [CONTEXT_BAND[band]], "ctx_existing_structures": existing,
                "ctx_formality": [formality],
                "ctx_model_aim": [rng.choice(["undecided", "decision_making",
                                              "service_delivery", "operational_team"])],
                "ctx_extremism_scope": [rng.choice(["religious", "all_forms", "not_defined"])],
                "ctx_resources": [rng.choice(["none", "within_existing", "part_time",
                                              "dedicated"])],
                "ctx_monitoring": [rng.choice(["none", "informal", "indicators"])]}


def _formality(readiness: float, rng: random.Random) -> str:
    ladder = ["none", "ad_hoc", "informal_regular", "formal"]
    step = int(_clamp(readiness + rng.gauss(0, 12)) // 25)
    return ladder[min(step, 3)]


def _compact(result: dict[str, Any], roadmap: dict[str, Any]) -> tuple[dict[str, Any],
                                                                     dict[str, Any]]:
    keep = ("questionnaire_id", "questionnaire_version", "content_hash", "respondents",
            "respondents_by_agency", "dimensions", "overall", "stage", "stage_title",
            "barriers", "facilitators", "context")
    actions = [{k: a[k] for k in ("id", "title", "priority", "phase", "lead")}
               for a in roadmap["actions"][:10]]
    return {k: result[k] for k in keep}, {"actions": actions, "compact": True}


Scored = tuple[Result, dict[str, Any], dict[str, Any]]


def _score_all(q: Questionnaire, jobs: list[tuple[list[Answer], dict[str, list[str]]]],
               compact: bool) -> list[Scored]:
    """Score every answer set with the real engines and build the stored documents."""
    out: list[Scored] = []
    for answers, context in jobs:
        result = score(q, answers, context=context)
        documents = (result_to_dict(result), roadmap_to_dict(build_roadmap(q, result)))
        out.append((result, *(_compact(*documents) if compact else documents)))
    return out


def build_demo(db: Session, q: Questionnaire, municipalities: int, *, seed: int = 1,
               country: str = "BE", respondents: int = 12, today: date | None = None,
               pool: int | None = None, compact: bool = False,
               rounds: int | None = None) -> DemoSummary:
    """Insert `municipalities` demo municipalities with none, one or two closed rounds each
    (exactly `rounds` each if given)."""
    started = time.perf_counter()
    rng = random.Random(seed)
    today = today or datetime.now(UTC).date()
    gen = _Generator(q, rng)
    regions = REGIONS.get(country, tuple(f"Region {n}" for n in range(1, 9)))
    taken: set[str] = set()
    rows, plans = [], []
    for _ in range(municipalities):
        band, _, size_shift = rng.choices(BANDS, weights=[b[1] for b in BANDS])[0]
        rows.append({"name": _name(rng, taken), "country": country,
                     "region": rng.choice(regions), "population_band": band})
        base = rng.gauss(54 + size_shift, 14)
        plans.append((band, base))
    ids = list(db.scalars(insert(Municipality).returning(Municipality.id,
                                                         sort_by_parameter_order=True), rows))
    jobs: dict[int, tuple[list[Answer], dict[str, list[str]]]] = {}
    planned = []
    for municipality_id, (band, base) in zip(ids, plans, strict=True):
        count = rounds if rounds is not None else rng.choices((0, 1, 2),
                                                              weights=(0.15, 0.35, 0.5))[0]
        first = today - timedelta(days=rng.randint(400, 900))
        level = base
        kept: list[str] = []
        for number in range(1, count + 1):
            conducted = min(first + timedelta(days=(number - 1) * rng.randint(330, 420)),
                            today - timedelta(days=rng.randint(3, 40)))
            latent = {d: _clamp(level + DIMENSION_SHIFT.get(d, 0) + rng.gauss(0, 9))
                      for d in q.dimension_ids}
            # the same agencies take part in every round, so rounds compare (readiness.core.
            # published.differences); drawn every round all the same, as the demo always did
            drawn = _agencies(q, rng)
            agencies = kept = kept or drawn
            gap = None
            if rng.random() < 0.35:
                gap = (rng.choice(drawn), rng.choice(q.dimension_ids),
                       rng.choice((-1, 1)) * rng.uniform(25, 45))
            context = gen.context(band, _formality(level, rng))
            key = rng.randrange(pool) if pool else len(jobs)
            if key not in jobs:
                jobs[key] = (gen.answers(latent, agencies, respondents, gap,
                                         rng.uniform(0.03, 0.2)), context)
            planned.append((municipality_id, number, conducted, context, key))
            level += rng.gauss(6, 8)
    keys = list(jobs)
    scored = dict(zip(keys, _score_all(q, [jobs[k] for k in keys], compact), strict=True))
    assessments, bundles = [], []
    for municipality_id, number, conducted, context, key in planned:
        answers = jobs[key][0]
        result, result_doc, roadmap_doc = scored[key]
        assessments.append({
            "municipality_id": municipality_id, "round": number, "conducted_on": conducted,
            "mode": Mode.SURVEY, "status": Status.CLOSED, "questionnaire_id": q.id,
            "questionnaire_version": q.version, "questionnaire_hash": q.content_hash,
            "agencies": sorted({a.agency for a in answers}, key=q.agency_ids.index),
            "context": dict(result.context) if pool else context,
            "closed_at": datetime.combine(conducted, datetime.min.time(), UTC)})
        bundles.append((answers, result, result_doc, roadmap_doc))
    assessment_ids = list(db.scalars(insert(Assessment).returning(
        Assessment.id, sort_by_parameter_order=True), assessments)) if assessments else []
    responses = _insert_children(db, assessment_ids, assessments, bundles)
    _insert_plans(db, q, assessment_ids, assessments, bundles, rng, today)
    return DemoSummary(municipalities, len(assessment_ids), responses,
                       time.perf_counter() - started)


def _insert_plans(db: Session, q: Questionnaire, assessment_ids: list[int],
                  assessments: list[dict[str, Any]], bundles: list[Any], rng: random.Random,
                  today: date) -> None:
    """Every round's tracked actions in a mix of states (the latest round's mostly planned)."""
    last: dict[int, int] = {}
    for meta in assessments:
        last[meta["municipality_id"]] = max(last.get(meta["municipality_id"], 0), meta["round"])
    rows = []
    for assessment_id, meta, bundle in zip(assessment_ids, assessments, bundles, strict=True):
        rows += plan_rows(q, meta["municipality_id"], assessment_id, bundle[3],
                          meta["closed_at"].date(), meta["round"] == last[meta["municipality_id"]],
                          rng, today)
    insert_plans(db, rows)


def _insert_children(db: Session, assessment_ids: list[int], assessments: list[dict[str, Any]],
                     bundles: list[tuple[list[Answer], Result, dict[str, Any], dict[str, Any]]],
                     batch: int = 2000) -> int:
    scores, results, findings, invitations, responses = [], [], [], [], []
    for assessment_id, meta, (answers, result, result_doc, roadmap_doc) in zip(
            assessment_ids, assessments, bundles, strict=True):
        for d in result.dimensions:
            scores.append({"assessment_id": assessment_id, "dimension": d.id, "score": d.score,
                           "level": d.level, "answered_share": d.answered_share,
                           "dont_know_share": d.dont_know_share, "spread": d.spread,
                           "divergent": d.divergent})
        results.append({"assessment_id": assessment_id, "respondents": result.respondents,
                        "overall": result.overall, "stage": result.stage, "result": result_doc,
                        "roadmap": roadmap_doc, "computed_at": meta["closed_at"]})
        findings += [{"assessment_id": assessment_id, "kind": kind, "finding": ident}
                     for kind, ident in finding_rows(result)]
        invitations += [{"assessment_id": assessment_id, "agency": agency,
                         "token_hash": hash_token(new_token())} for agency in meta["agencies"]]
        by_respondent: dict[str, tuple[str, dict[str, str]]] = {}
        for a in answers:
            by_respondent.setdefault(a.respondent, (a.agency, {}))[1][a.item] = a.value
        responses += [{"assessment_id": assessment_id, "agency": agency,
                       "status": ResponseStatus.SUBMITTED, "answers": values, "comments": {},
                       "submitted_at": day_stamp(meta["closed_at"])}
                      for agency, values in by_respondent.values()]
    for model, rows in ((Score, scores), (AssessmentResult, results),
                        (AssessmentFinding, findings), (Invitation, invitations),
                        (Response, responses)):
        for start in range(0, len(rows), batch):
            db.execute(insert(model), rows[start:start + batch])
    return len(responses)
