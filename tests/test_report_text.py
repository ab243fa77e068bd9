"""The summary's strongest and weakest points read as an advisor would write them."""

from __future__ import annotations

import random
import re

import pytest

from readiness.core.questionnaire import Questionnaire, get_questionnaire
from readiness.core.roadmap import build_roadmap
from readiness.core.scoring import Answer, ItemResult, Result, score
from readiness.core.statements import statement_reading
from readiness.demo.municipal import PROFILES, Profile, profile_answers
from readiness.report.text import (
    Point,
    strengths_and_weaknesses,
    summary_paragraphs,
)

# The texts and figures below were worked out on the five-point agree scale of version 1.0
# (1.1 adds factual questions); 1.0 assessments keep being reported with these texts.
Q = get_questionnaire(version="1.0")
AGENCIES = ("local_authority", "police", "health", "social_services", "youth_work")


def _scored(profile: Profile, seed: int) -> Result:
    rng = random.Random(seed)
    rows = [Answer(f"{agency}{n}", agency, item, value)
            for agency in AGENCIES for n in range(4)
            for item, value in profile_answers(Q, profile, agency, rng).items()]
    return score(Q, rows)


def _cases() -> list[tuple[str, Result]]:
    return [(f"{p.name}-{seed}", _scored(p, seed)) for p in PROFILES for seed in range(4)]


CASES = _cases()


def _points(result: Result) -> list[Point]:
    strong, weak = strengths_and_weaknesses(Q, result)
    return [*strong, *weak]


@pytest.mark.parametrize(("name", "result"), CASES, ids=[n for n, _ in CASES])
def test_a_point_headed_by_a_dimension_gives_that_dimension_s_own_score_and_level(
        name: str, result: Result):
    for point in _points(result):
        for dim in result.dimensions:
            if point.title.startswith(f"{dim.title}:"):
                assert dim.score is not None or "too few answers" in point.title
                if dim.score is not None:
                    assert point.title == (f"{dim.title}: {dim.score:.0f} of 100 "
                                           f"({dim.level_title.lower()})"), name


@pytest.mark.parametrize(("name", "result"), CASES, ids=[n for n, _ in CASES])
def test_a_quoted_statement_is_labelled_as_a_statement_with_its_own_score(
        name: str, result: Result):
    for point in _points(result):
        for item in result.items.values():
            if item.text.rstrip(".") in point.detail + point.title:
                assert item.score is not None
                figure = f"{item.score * 100:.0f} of 100"
                assert re.search(rf"[Ss]tatement[^:]*\({figure}\)", point.title + point.detail)
                assert statement_reading(Q, item) in point.detail[:1].lower() + point.detail[1:]


def _item(item_id: str, value: float) -> ItemResult:
    item = Q.items_by_id[item_id]
    return ItemResult(item_id, item.dimension or "", item.text, value, 10, 0.0, {})


def test_a_reverse_worded_statement_reads_as_what_practitioners_answered():
    # a high score on "we lose our relationship..." means practitioners disagree with the worry
    assert statement_reading(Q, _item("trust_lose_relationship", 0.7)) == (
        "on average, practitioners disagree with \u201cOnce my agency shares information about a "
        "client, we lose our relationship with that person\u201d")
    assert statement_reading(Q, _item("trust_share_concerns", 0.95)).startswith(
        "on average, practitioners strongly agree with")
    assert statement_reading(Q, _item("trust_share_concerns", 0.55)).startswith(
        "on average, practitioners neither agree nor disagree with")


def _answered(q: Questionnaire, pick: dict[str, str], default: str) -> Result:
    rows = [Answer(f"{agency}{n}", agency, item.id, pick.get(item.id, default))
            for agency in AGENCIES for n in range(3) for item in q.doc.items]
    return score(q, rows)


def test_no_dimension_of_concern_is_offered_as_a_strength_but_a_strong_statement_may_be():
    # every statement "strongly disagree": reverse-worded worries then score 100, the rest 0
    result = _answered(Q, {}, "strongly_disagree")
    strong, weak = strengths_and_weaknesses(Q, result)
    assert all(d.level == "concern" for d in result.dimensions)
    assert not any(p.title.startswith(f"{d.title}:") for p in strong for d in result.dimensions)
    assert strong[0] == Point(
        "Statement on trust (100 of 100)",
        "On average, practitioners strongly disagree with \u201cAgencies here compete with each "
        "other for cases, funding or recognition\u201d.")
    weakest = min(result.dimensions, key=lambda d: (d.score or 0.0, d.id))
    assert weak[0].title == f"{weakest.title}: {weakest.score:.0f} of 100 (concern)"


def _second_paragraph(result: Result) -> str:
    return summary_paragraphs(Q, result, build_roadmap(Q, result), "Fixtureville",
                              "12 practitioners in 4 agencies")[1]


def test_summary_names_every_dimension_tied_for_strongest_or_weakest():
    # "agree" everywhere: reverse-worded statements score 25, the rest 75; trust has two of them
    text = _second_paragraph(_answered(Q, {}, "agree"))
    assert text.startswith("The strongest dimensions are role clarity, legal basis for "
                           "information sharing, tools and training (68); the weakest is "
                           "trust (61)")


def test_summary_does_not_single_out_dimensions_that_lie_close_together():
    assert _second_paragraph(_answered(Q, {}, "neither")).startswith("All dimensions score 50.")


def test_a_municipality_strong_everywhere_hears_it_once_not_as_one_dimension():
    reversed_ = {i.id: "strongly_disagree" for i in Q.doc.items if i.scale == "agree5_reversed"}
    strong, weak = strengths_and_weaknesses(Q, _answered(Q, reversed_, "strongly_agree"))
    assert strong[0] == Point("Every dimension is a strength",
                              "Each scores 100 of 100: in place; a foundation to build on.")
    assert not any(p.title.startswith(f"{d.title}:") for p in strong for d in Q.doc.dimensions)
    assert weak == ()


def test_a_missing_agency_is_named_among_the_weakest_points_before_other_general_barriers():
    # health answered, social services did not; police and health see things far apart
    rows = [Answer(f"{agency}{n}", agency, item.id, value)
            for agency, value in (("local_authority", "neither"), ("police", "agree"),
                                  ("health", "disagree"))
            for n in range(3) for item in Q.doc.items]
    result = score(Q, rows)
    assert {"health_social_absent", "perception_gap"} <= {b.id for b in result.barriers}
    _, weak = strengths_and_weaknesses(Q, result)
    assert [p.title for p in weak] == ["Social services took no part in the assessment",
                                       "Agencies see the situation differently"]
