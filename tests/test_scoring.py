"""Scoring: hand-computed figures on the mini questionnaire, and properties that always hold."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readiness.core.questionnaire import get_questionnaire
from readiness.core.scoring import INSUFFICIENT, Answer, Result, derive_context, score
from tests.core_helpers import answers, mini, uniform

Q = mini()


def _example() -> Result:
    rows = (answers("police", "p1", t1="agree", t2="disagree", l1="strongly_disagree",
                    l2="neither")
            + answers("police", "p2", t1="strongly_agree", t2="strongly_disagree",
                      l1="dont_know", l2="agree")
            + answers("health", "h1", t1="disagree", t2="agree", l1="disagree", l2="disagree"))
    return score(Q, rows)


def test_agency_means_are_weighted_equally_in_the_municipality_score():
    trust = _example().dimension("trust")
    # police: p1 (0.75 + 0.75) / 2, p2 (1 + 1) / 2 -> 0.875; health (0.25 + 0.25) / 2 -> 0.25
    assert trust.by_agency == {"police": pytest.approx(87.5), "health": pytest.approx(25.0)}
    assert trust.score == pytest.approx(56.25)
    assert trust.level == "borderline"


def test_reverse_worded_item_scores_agreement_as_less_ready():
    rows = answers("police", "p1", t1="strongly_agree", t2="strongly_agree")
    assert score(Q, rows).items["t2"].score == 0.0
    assert score(Q, rows).items["t1"].score == 1.0


def test_dont_know_is_reported_but_never_scored():
    legal = _example().dimension("legal_basis")
    # police: p1 (0 + 0.5) / 2 = 0.25, p2 only l2 = 0.75 -> 0.5; health 0.25 -> 0.375
    assert legal.score == pytest.approx(37.5)
    assert legal.answered_share == pytest.approx((3 / 4 + 1) / 2)
    assert legal.dont_know_share == pytest.approx((1 / 4 + 0) / 2)
    assert legal.level == "concern"


def test_ten_respondents_of_one_agency_do_not_drown_one_of_another():
    rows = [a for n in range(10) for a in uniform(Q, "police", f"p{n}", "strongly_agree")]
    rows += uniform(Q, "health", "h1", "strongly_disagree")
    trust = score(Q, rows).dimension("trust")
    # t2 is reversed, so "strongly agree" everywhere gives (1 + 0) / 2 per police respondent
    assert trust.by_agency["police"] == pytest.approx(50.0)
    assert trust.by_agency["health"] == pytest.approx(50.0)
    legal = score(Q, rows).dimension("legal_basis")
    assert legal.score == pytest.approx(50.0)


def test_too_few_answers_give_insufficient_data_not_a_number():
    rows = answers("police", "p1", t1="agree", t2="agree", l1="dont_know", l2="dont_know")
    legal = score(Q, rows).dimension("legal_basis")
    assert legal.score is None
    assert legal.level == INSUFFICIENT
    assert legal.dont_know_share == 1.0
    assert legal.dont_know_flag


def test_half_the_statements_answered_is_enough_for_a_score():
    rows = answers("police", "p1", t1="agree", t2="agree", l1="agree", l2="dont_know")
    assert score(Q, rows).dimension("legal_basis").score == pytest.approx(75.0)


def test_perception_gap_is_flagged_when_agencies_are_far_apart():
    trust = _example().dimension("trust")
    assert trust.spread == pytest.approx(62.5)
    assert trust.divergent
    single = score(Q, answers("police", "p1", t1="agree", t2="agree"))
    assert single.dimension("trust").spread is None
    assert not single.dimension("trust").divergent


def test_barriers_are_detected_from_item_means_and_facilitators_from_context():
    result = score(Q, _example_rows_with_context())
    # l1: police mean 0 (p2 said don't know), health 0.25 -> 0.125 < 0.5
    assert [b.id for b in result.barriers] == ["legal_unclear"]
    assert [f.id for f in result.facilitators] == ["structures"]
    assert result.barriers[0].evidence[0].source == "paper"


def _example_rows_with_context() -> list[Answer]:
    rows = (answers("police", "p1", t1="agree", t2="disagree", l1="strongly_disagree",
                    l2="neither")
            + answers("police", "p2", t1="strongly_agree", t2="strongly_disagree",
                      l1="dont_know", l2="agree")
            + answers("health", "h1", t1="disagree", t2="agree", l1="disagree", l2="disagree"))
    rows.append(Answer("h1", "health", "ctx_structures", "domestic_violence"))
    return rows


def test_overall_stage_needs_every_condition_of_the_stage():
    strong = answers("police", "p1", t1="strongly_agree", t2="strongly_disagree",
                     l1="strongly_agree", l2="strongly_agree")
    result = score(Q, strong)
    assert result.overall == pytest.approx(100.0)
    assert result.stage == "sustaining"
    assert _example().stage == "preparing"


def test_context_comes_from_one_accountable_person_not_a_majority():
    rows = [Answer("org", "local_authority", "ctx_monitoring", "indicators"),
            Answer("org", "local_authority", "ctx_structures", "child_protection"),
            Answer("b", "health", "ctx_monitoring", "none"),
            Answer("c", "health", "ctx_monitoring", "none"),
            Answer("b", "health", "ctx_structures", "domestic_violence")]
    context = derive_context(Q, rows)
    assert context["ctx_monitoring"] == ("indicators",)
    assert context["ctx_structures"] == ("child_protection",)


def test_an_exclusive_context_answer_does_not_stand_beside_others():
    rows = [Answer("org", "police", "ctx_structures", "none"),
            Answer("org", "police", "ctx_structures", "domestic_violence")]
    assert derive_context(Q, rows)["ctx_structures"] == ("domestic_violence",)


def test_given_context_overrides_the_derived_one():
    result = score(Q, _example_rows_with_context(), context={"ctx_structures": ["none"]})
    assert result.context["ctx_structures"] == ("none",)
    assert result.facilitators == ()


# --- properties -------------------------------------------------------------------------------

SCORED = [item.id for item in Q.doc.items]
VALUES = ["strongly_disagree", "disagree", "neither", "agree", "strongly_agree", "dont_know"]
respondent = st.tuples(st.sampled_from(Q.agency_ids),
                       st.lists(st.sampled_from(VALUES), min_size=len(SCORED),
                                max_size=len(SCORED)))
municipality = st.lists(respondent, min_size=1, max_size=8)


def _rows(people: list[tuple[str, list[str]]], prefix: str = "r") -> list[Answer]:
    return [Answer(f"{prefix}{n}", agency, item, value)
            for n, (agency, values) in enumerate(people)
            for item, value in zip(SCORED, values, strict=True)]


def _same(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (
        a is not None and b is not None and math.isclose(a, b, abs_tol=1e-9))


@given(municipality)
def test_scores_stay_between_zero_and_one_hundred(people):
    result = score(Q, _rows(people))
    for dim in result.dimensions:
        assert dim.score is None or 0 <= dim.score <= 100
        assert all(v is None or 0 <= v <= 100 for v in dim.by_agency.values())
        assert 0 <= dim.answered_share <= 1
    assert result.overall is None or 0 <= result.overall <= 100


@given(municipality, st.data())
def test_improving_one_answer_never_lowers_its_dimension(people, data):
    rows = _rows(people)
    scored = [i for i, a in enumerate(rows) if a.value != "dont_know"]
    if not scored:
        return
    index = data.draw(st.sampled_from(scored))
    old = rows[index]
    current = Q.option_score(old.item, old.value) or 0.0
    better = [o.value for o in Q.options(old.item) if (o.score or 0.0) > current]
    if not better:
        return
    improved = list(rows)
    new_value = data.draw(st.sampled_from(better))
    improved[index] = Answer(old.respondent, old.agency, old.item, new_value)
    dimension = Q.items_by_id[old.item].dimension or ""
    before = score(Q, rows).dimension(dimension).score
    after = score(Q, improved).dimension(dimension).score
    assert (before is None) == (after is None)
    if before is not None and after is not None:
        assert after >= before - 1e-9


@given(municipality, st.randoms(use_true_random=False))
def test_reordering_respondents_changes_nothing(people, rnd: random.Random):
    rows = _rows(people)
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    a, b = score(Q, rows), score(Q, shuffled)
    assert a.stage == b.stage
    assert [x.id for x in a.barriers] == [x.id for x in b.barriers]
    for x, y in zip(a.dimensions, b.dimensions, strict=True):
        assert _same(x.score, y.score)
        assert x.level == y.level
        assert x.divergent == y.divergent
        assert x.by_agency.keys() == y.by_agency.keys()
        assert all(_same(x.by_agency[k], y.by_agency[k]) for k in x.by_agency)


@given(municipality, st.sampled_from(Q.agency_ids))
@settings(max_examples=80)
def test_duplicating_every_respondent_of_one_agency_changes_no_municipality_score(people, agency):
    rows = _rows(people)
    copies = [Answer("copy-" + a.respondent, a.agency, a.item, a.value)
              for a in rows if a.agency == agency]
    a, b = score(Q, rows), score(Q, rows + copies)
    assert _same(a.overall, b.overall)
    for x, y in zip(a.dimensions, b.dimensions, strict=True):
        assert _same(x.score, y.score)
        assert x.level == y.level
        assert x.divergent == y.divergent
        assert _same(x.answered_share, y.answered_share)


def _shipped_barrier(agencies: tuple[str, ...], barrier: str) -> list[str]:
    q = get_questionnaire()
    rows = [a for agency in agencies for n in range(3)
            for a in uniform(q, agency, f"{agency}{n}", "agree")]
    return [f"{b.title}. {b.description}" for b in score(q, rows).barriers if b.id == barrier]


def test_a_missing_agency_finding_names_only_the_agencies_that_took_no_part():
    # health sent three responses: only social services are missing, and the finding says so
    (found,) = _shipped_barrier(("local_authority", "police", "health"), "health_social_absent")
    assert found.startswith("Social services took no part in the assessment.")
    assert "Health or social" not in found
    (both,) = _shipped_barrier(("local_authority", "police"), "health_social_absent")
    assert both.startswith("Neither health and mental health care nor social services took part")
    assert _shipped_barrier(("police", "health", "social_services"), "health_social_absent") == []


@pytest.mark.parametrize(("value", "level"), [
    (49.4, "concern"), (49.6, "borderline"), (50.0, "borderline"),
    (74.4, "borderline"), (74.6, "strength")])
def test_a_level_is_reached_in_the_whole_points_a_score_is_shown_in(value: float, level: str):
    q = get_questionnaire()
    assert q.level_for("trust", value).id == level
    # what every page and report prints next to the level agrees with it
    assert (float(f"{value:.0f}") >= 50) == (level != "concern")
