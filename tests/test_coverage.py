"""Questionnaire 1.1 covers the paper's whole ground: every documented barrier, facilitator and
recommendation maps to an item or a rule, and the themes 1.0 missed are measured."""

from __future__ import annotations

import yaml

from readiness.core.questionnaire import get_questionnaire
from readiness.resources import questionnaires_dir

Q = get_questionnaire(version="1.1")
COVERAGE = yaml.safe_load(
    (questionnaires_dir() / "maw-readiness" / "coverage-1.1.yaml").read_text(encoding="utf-8"))


def _known() -> set[str]:
    return {*Q.items_by_id, *(b.id for b in Q.doc.barriers), *(f.id for f in Q.doc.facilitators)}


def test_every_documented_barrier_facilitator_and_recommendation_maps_to_an_item_or_rule():
    # domain.md lists 10 barriers, 11 facilitators and the paper's 8 recommendations
    assert [len(COVERAGE[k]) for k in ("barriers", "facilitators", "recommendations")] == [
        10, 11, 8]
    known = _known()
    for kind in ("barriers", "facilitators", "recommendations"):
        for row in COVERAGE[kind]:
            assert row["covered_by"], row["domain"]
            assert set(row["covered_by"]) <= known, (row["domain"], set(row["covered_by"]) - known)


def test_the_themes_1_0_missed_each_have_an_item_and_a_detecting_barrier():
    themes = {  # barrier: items that inform it
        "defensive_culture": {"trust_culture_gap", "trust_forced_change"},
        "burden_on_service_users": {"roles_family_burden", "roles_family_contact"},
        "security_only_focus": {"roles_prevention_focus"},
        "no_national_framework": {"roles_fit_national"},
        "no_induction": {"training_induction"},
    }
    barriers = {b.id for b in Q.doc.barriers}
    for barrier, items in themes.items():
        assert barrier in barriers
        for item in items:
            assert barrier in Q.items_by_id[item].measures, (barrier, item)
    contexts = {c.id for c in Q.doc.context}
    assert {"ctx_national_framework", "ctx_prevention_focus", "ctx_prevention_levels"} <= contexts


def test_no_longer_owning_the_relationship_is_asked_in_the_papers_words():
    assert "no longer own our relationship" in Q.items_by_id["trust_lose_relationship"].text
