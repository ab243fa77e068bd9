"""Roadmap: tailored, ordered, phased actions, from the mini and the shipped questionnaires."""

from __future__ import annotations

from readiness.core.questionnaire import get_questionnaire
from readiness.core.roadmap import build_roadmap
from readiness.core.scoring import Answer, score
from tests.core_helpers import answers, mini

Q = mini()


def _weak_on_law(**context: str) -> list[Answer]:
    rows = (answers("police", "p1", t1="agree", t2="disagree", l1="strongly_disagree",
                    l2="disagree")
            + answers("health", "h1", t1="neither", t2="neither", l1="disagree",
                      l2="strongly_disagree"))
    rows += [Answer("p1", "police", item, value) for item, value in context.items()]
    return rows


def test_weakest_dimension_and_its_barrier_come_first():
    roadmap = build_roadmap(Q, score(Q, _weak_on_law()))
    assert roadmap.actions[0].id == "legal_map"
    assert [a.priority for a in roadmap.actions] == list(range(1, len(roadmap.actions) + 1))


def test_dependencies_come_before_their_dependants_and_never_in_a_later_phase():
    roadmap = build_roadmap(Q, score(Q, _weak_on_law()))
    position = {a.id: n for n, a in enumerate(roadmap.actions)}
    phase = {a.id: a.phase for a in roadmap.actions}
    for action in roadmap.actions:
        for dep in action.depends_on:
            assert position[dep] < position[action.id]
            assert phase[dep] <= phase[action.id]
    assert position["legal_map"] < position["legal_protocol"] < position["case_work"]


def test_first_phase_holds_no_more_actions_than_its_capacity():
    roadmap = build_roadmap(Q, score(Q, _weak_on_law()))
    assert len(roadmap.phase(1)) == Q.doc.settings.phase_one_capacity
    assert "case_work" in [a.id for a in roadmap.phase(2)]


def test_each_action_says_which_finding_calls_for_it():
    roadmap = build_roadmap(Q, score(Q, _weak_on_law()))
    protocol = next(a for a in roadmap.actions if a.id == "legal_protocol")
    assert any("Legal unclear" in f for f in protocol.findings)
    legal_map = next(a for a in roadmap.actions if a.id == "legal_map")
    assert any("Legal basis scored" in f for f in legal_map.findings)


def test_dependency_pulled_in_only_by_its_dependant_says_so():
    rows = (answers("police", "p1", t1="strongly_agree", t2="strongly_disagree",
                    l1="strongly_agree", l2="agree")
            + answers("health", "h1", t1="disagree", t2="neither", l1="strongly_agree",
                      l2="agree"))
    result = score(Q, rows)
    assert result.dimension("legal_basis").score is not None
    roadmap = build_roadmap(Q, result)
    ids = [a.id for a in roadmap.actions]
    assert "case_work" in ids
    assert "legal_protocol" in ids
    protocol = next(a for a in roadmap.actions if a.id == "legal_protocol")
    assert protocol.findings == ("Needed before: Start joint case work.",)


def test_context_adds_tailoring_notes_and_drops_what_is_already_in_place():
    rows = _weak_on_law(ctx_structures="domestic_violence", ctx_monitoring="indicators")
    roadmap = build_roadmap(Q, score(Q, rows))
    case_work = next(a for a in roadmap.actions if a.id == "case_work")
    assert case_work.notes == ("Build on the domestic-violence table.",)
    assert "monitor" not in [a.id for a in roadmap.actions]
    without = build_roadmap(Q, score(Q, _weak_on_law()))
    assert "monitor" in [a.id for a in without.actions]


def test_strong_municipality_gets_a_short_sustaining_plan_not_filler():
    rows = answers("police", "p1", t1="strongly_agree", t2="strongly_disagree",
                   l1="strongly_agree", l2="strongly_agree")
    roadmap = build_roadmap(Q, score(Q, rows))
    assert roadmap.sustaining
    assert [a.id for a in roadmap.actions] == ["monitor"]


def test_model_suggestion_follows_context_and_gives_reasons():
    roadmap = build_roadmap(Q, score(Q, _weak_on_law(ctx_structures="child_protection")))
    assert roadmap.model.id == "operational_team"
    assert roadmap.model.reasons == ("A child protection team exists.",)
    assert [m.id for m in roadmap.alternatives] == ["decision_making"]


# --- the shipped questionnaire ----------------------------------------------------------------

def _municipality(weak: str | None, strong_value: str = "agree") -> list[Answer]:
    q = get_questionnaire()
    rows = []
    for n, agency in enumerate(("local_authority", "police", "health", "social_services")):
        for item in q.doc.items:
            options = q.options(item)
            best = max(options, key=lambda o: o.score or 0)
            worst = min(options, key=lambda o: o.score or 0)
            pick = worst if item.dimension == weak else (
                best if strong_value == "best" else
                min(options, key=lambda o: abs((o.score or 0) - 0.75)))
            rows.append(Answer(f"r{n}", agency, item.id, pick.value))
    return rows


def test_shipped_municipality_weak_on_legal_basis_starts_with_information_sharing():
    q = get_questionnaire()
    result = score(q, _municipality("legal_basis"))
    roadmap = build_roadmap(q, result)
    # bringing in a missing agency may come first; then the weakest dimension
    first = next(a for a in roadmap.actions if a.dimension)
    assert first.phase == 1
    assert first.dimension == "legal_basis"
    assert "shar" in (first.title + first.what).lower()
    assert len(roadmap.phase(1)) <= q.doc.settings.phase_one_capacity


def test_shipped_strong_municipality_gets_only_sustaining_actions():
    q = get_questionnaire()
    result = score(q, _municipality(None, strong_value="best"), context={
        "ctx_monitoring": ["none"], "ctx_formality": ["formal"], "ctx_resources": ["dedicated"],
        "ctx_extremism_scope": ["all_forms"]})
    roadmap = build_roadmap(q, result)
    assert result.stage == q.doc.stages[0].id
    assert roadmap.sustaining
    sustain = {a.id for a in q.library.actions if a.sustain}
    assert roadmap.actions
    assert {a.id for a in roadmap.actions} <= sustain
    assert len(roadmap.actions) <= 8


def test_shipped_roadmap_lists_each_action_once_with_known_lead_agencies():
    q = get_questionnaire()
    roadmap = build_roadmap(q, score(q, _municipality("trust")))
    ids = [a.id for a in roadmap.actions]
    assert len(ids) == len(set(ids))
    assert all(a.lead in q.agency_ids for a in roadmap.actions)
    assert {1, 2} <= {a.phase for a in roadmap.actions}


def _mini_copy(tmp_path, **replacements: str):
    import shutil

    from readiness.core.questionnaire import load_questionnaire
    from tests.core_helpers import MINI

    for file in MINI.parent.iterdir():
        shutil.copy(file, tmp_path / file.name)
    for file in ("1.0.yaml", "actions-1.0.yaml"):
        text = (tmp_path / file).read_text()
        for old, new in replacements.items():
            text = text.replace(old, new)
        (tmp_path / file).write_text(text)
    return load_questionnaire(tmp_path / "1.0.yaml")


def test_action_suited_to_the_stage_moves_ahead(tmp_path):
    from readiness.core.roadmap import STAGE_WEIGHT

    rows = answers("police", "p1", t1="disagree", t2="agree", l1="disagree", l2="strongly_disagree")
    plain = build_roadmap(Q, score(Q, rows))
    assert plain.actions[0].id == "legal_map"
    tagged_q = _mini_copy(tmp_path, **{"    indicator: Sessions held.\n":
                                       "    indicator: Sessions held.\n    stages: [preparing]\n"})
    tagged = build_roadmap(tagged_q, score(tagged_q, rows))
    assert tagged.actions[0].id == "trust_sessions"
    before = next(a.urgency for a in plain.actions if a.id == "trust_sessions")
    assert tagged.actions[0].urgency == before + STAGE_WEIGHT


def test_overflow_of_the_first_year_moves_beyond_it_keeping_dependencies(tmp_path):
    q = _mini_copy(tmp_path, **{"  phase_one_capacity: 2\n":
                                "  phase_one_capacity: 1\n  phase_two_capacity: 1\n"})
    roadmap = build_roadmap(q, score(q, _weak_on_law()))
    assert len(roadmap.phase(1)) == 1
    assert len(roadmap.phase(2)) == 1
    assert len(roadmap.phase(3)) == len(roadmap.actions) - 2
    phase = {a.id: a.phase for a in roadmap.actions}
    assert all(phase[d] <= a.phase for a in roadmap.actions for d in a.depends_on)


def test_unknown_stage_on_an_action_is_refused(tmp_path):
    import pytest

    from readiness.core.questionnaire import QuestionnaireError

    with pytest.raises(QuestionnaireError, match="unknown stage 'someday'") as caught:
        _mini_copy(tmp_path, **{"    indicator: Sessions held.\n":
                                "    indicator: Sessions held.\n    stages: [someday]\n"})
    assert caught.value.key_path == "actions[3].stages[0]"


def test_a_statement_finding_says_what_practitioners_answered_not_a_percentage():
    q = get_questionnaire()
    rows = [Answer(a.respondent, a.agency, a.item,
                   "disagree" if a.item == "roles_contact_point" else a.value)
            for a in _municipality(None)]
    roadmap = build_roadmap(q, score(q, rows))
    contacts = next(a for a in roadmap.actions if a.id == "single_points_of_contact")
    text = q.items_by_id["roles_contact_point"].text.rstrip(".")
    assert (f"A statement scored 25 of 100: on average, practitioners disagree with "
            f"\u201c{text}\u201d.") in contacts.findings
    assert not any("%" in finding for finding in contacts.findings)
