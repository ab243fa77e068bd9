"""Roadmap 1.1 rules on hand-made municipalities: size, leads, order, what the answers say,
stability and the signals an average hides (issue 10)."""

from __future__ import annotations

from readiness.core.questionnaire import get_questionnaire
from readiness.core.roadmap import Roadmap, build_roadmap
from readiness.core.roadmap_plan import LATER, resolve_lead
from readiness.core.rules import Facts
from readiness.core.schema import Action, Plan
from tests.roadmap_helpers import LARGE_WITH_TEAM, SMALL_NO_STAFF, municipality, q11

Q = q11()
CORE = ("local_authority", "police", "health", "social_services", "education")


def _ids(roadmap: Roadmap, phase: int | None = None) -> list[str]:
    return [a.id for a in roadmap.actions if phase is None or a.phase == phase]


def _weak(context: dict[str, tuple[str, ...]] | None = None,
          agencies: tuple[str, ...] = CORE, run_by: str | None = None) -> Roadmap:
    result = municipality(Q, {a: 0.25 for a in agencies}, context)
    return build_roadmap(Q, result, run_by=run_by)


def test_small_municipality_without_staff_gets_a_handful_and_a_short_later_list():
    roadmap = _weak(SMALL_NO_STAFF)
    assert len(roadmap.phase(1)) <= 3
    assert len(roadmap.dated) <= 8
    assert 0 < len(roadmap.later) <= Q.library.plan.later_max
    assert all(a.due_month is None for a in roadmap.later)
    assert "threat_assessment_tool" not in _ids(roadmap)


def test_large_municipality_with_a_team_carries_more_dated_actions():
    small, large = _weak(SMALL_NO_STAFF), _weak(LARGE_WITH_TEAM)
    assert len(small.dated) < len(large.dated) <= 12
    assert len(large.phase(1)) <= 5


def test_due_dates_spread_within_each_phase_and_follow_dependencies():
    roadmap = _weak(LARGE_WITH_TEAM)
    first = [a.due_month for a in roadmap.phase(1)]
    assert all(m is not None and 1 <= m <= 3 for m in first)
    assert len(set(first)) > 1
    second = [a.due_month or 0 for a in roadmap.phase(2)]
    assert all(3 < m <= 12 for m in second)
    assert len(set(second)) > 2
    due = {a.id: a.due_month for a in roadmap.dated}
    for action in roadmap.dated:
        assert all((due[d] or 0) <= (action.due_month or 0) for d in action.depends_on)


def test_reassessment_is_due_on_the_one_reassessment_date():
    roadmap = _weak()
    reassess = next(a for a in roadmap.actions if a.id == "reassess_readiness")
    assert reassess.due_month == Q.doc.settings.reassess_after_months


def test_training_of_health_workers_is_led_by_health_when_health_took_part():
    roadmap = _weak(LARGE_WITH_TEAM)
    training = next(a for a in roadmap.actions if a.id == "awareness_training_first_line")
    assert training.lead == "health"
    assert training.lead_note is None


def test_missing_health_is_brought_in_before_training_that_needs_it():
    without = tuple(a for a in CORE if a not in ("health", "social_services"))
    roadmap = _weak(LARGE_WITH_TEAM, agencies=without)
    position = {a.id: a.priority for a in roadmap.actions}
    training = next(a for a in roadmap.actions if a.id == "awareness_training_first_line")
    assert "involve_health_social" in training.depends_on
    assert position["involve_health_social"] < position["awareness_training_first_line"]
    assert training.lead == "health"
    assert training.lead_note == "bring:involve_health_social"
    bring = next(a for a in roadmap.actions if a.id == "involve_health_social")
    assert any("Health" in f and "took no part" in f for f in bring.findings)


def test_absent_lead_without_an_action_to_bring_it_in_is_agreed_by_the_convenor():
    action = Action(id="probe", title="Probe", family="framework", what="w", why="y",
                    lead="justice", partners=("police",), phase=1, effort="low", indicator="i",
                    evidence=Q.library.actions[0].evidence)
    plan = Plan.model_validate({"convenor": "local_authority", "capacity": [
        {"phase_one": 3, "total": 8, "label": "all"}]})
    facts = Facts(items={}, dimensions={}, overall=None, dont_know={}, gaps=frozenset(),
                  insufficient=frozenset(), context={},
                  agencies=frozenset({"local_authority", "police"}))
    assert resolve_lead(action, facts, plan, (), {"probe": action}, ()) == (
        "local_authority", "agree:justice")


def test_gap_on_trust_puts_the_dialogue_before_the_protocol():
    result = municipality(Q, {"police": 0.95, "health": 0.1, "local_authority": 0.5,
                              "social_services": 0.5})
    assert result.dimension("trust").divergent
    roadmap = build_roadmap(Q, result)
    protocol = next(a for a in roadmap.actions if a.id == "information_sharing_protocol")
    assert "perception_gap_dialogue" in protocol.depends_on
    order = _ids(roadmap)
    assert order.index("perception_gap_dialogue") < order.index("information_sharing_protocol")


def test_without_a_gap_the_protocol_does_not_wait_for_a_dialogue():
    roadmap = _weak()
    protocol = next(a for a in roadmap.actions if a.id == "information_sharing_protocol")
    assert "perception_gap_dialogue" not in protocol.depends_on
    assert "map_legal_framework" in protocol.depends_on


def test_a_municipality_weak_on_legal_basis_gets_the_protocol_in_its_dated_plan():
    for context in (None, SMALL_NO_STAFF, LARGE_WITH_TEAM):
        roadmap = _weak(context)
        assert roadmap.dated_capacity is not None
        assert len(roadmap.dated) <= roadmap.dated_capacity
        dated = [a.id for a in roadmap.dated]
        assert "information_sharing_protocol" in dated, context
        assert dated.index("map_legal_framework") < dated.index("information_sharing_protocol")


def test_security_only_focus_and_no_national_framework_each_get_their_own_action():
    context = LARGE_WITH_TEAM | {"ctx_prevention_focus": ("security",),
                                 "ctx_national_framework": ("no",)}
    roadmap = build_roadmap(Q, municipality(Q, {a: 0.7 for a in CORE}, context))
    found = {a.id: a for a in roadmap.dated}
    prevention, national = found["prevention_levels_plan"], found["fit_national_framework"]
    assert any("security, not on prevention" in f for f in prevention.findings)
    assert any("No national framework" in f for f in national.findings)
    assert any("agree the terms, roles and rules on sharing locally" in n for n in national.notes)
    plain = build_roadmap(Q, municipality(Q, {a: 0.7 for a in CORE}, LARGE_WITH_TEAM))
    assert not {"prevention_levels_plan", "fit_national_framework"} & set(_ids(plain))


def test_contact_points_before_roundtables_and_model_before_mandate():
    roadmap = _weak(LARGE_WITH_TEAM | {"ctx_formality": ("ad_hoc",),
                                        "ctx_model_aim": ("undecided",)})
    position = {a.id: a.priority for a in roadmap.actions}
    assert position["choose_model"] < position["steering_group"]
    lib = {a.id: a for a in Q.library.actions}
    assert "single_points_of_contact" in lib["case_roundtable"].depends_on
    assert "choose_model" in lib["steering_group"].depends_on
    assert "map_legal_framework" in lib["information_sharing_protocol"].depends_on


def test_round_run_by_a_mobile_team_plans_its_follow_up_not_a_request_for_one():
    by_team = _weak(SMALL_NO_STAFF, run_by="mobile_team")
    assert "request_mobile_team" not in _ids(by_team)
    follow_up = next(a for a in by_team.actions if a.id == "mobile_team_follow_up")
    assert follow_up.phase != LATER
    by_itself = _weak(SMALL_NO_STAFF, run_by="municipality")
    assert "mobile_team_follow_up" not in _ids(by_itself)
    assert "request_mobile_team" in _ids(by_itself)


def test_dialogue_names_the_largest_gap_first():
    result = municipality(Q, {
        "police": {"trust": 0.9, "role_clarity": 0.75, "legal_basis": 0.8, "tools": 0.5,
                   "training": 0.5},
        "health": {"trust": 0.6, "role_clarity": 0.25, "legal_basis": 0.1, "tools": 0.5,
                   "training": 0.5}})
    spreads = {d.id: d.spread for d in result.dimensions if d.divergent}
    largest = max(spreads, key=lambda d: spreads[d] or 0)
    dialogue = next(a for a in build_roadmap(Q, result).actions
                    if a.id == "perception_gap_dialogue")
    gap_lines = [f for f in dialogue.findings if f.startswith("Agencies see")]
    assert result.dimension(largest).title.lower() in gap_lines[0]


def test_reasons_claim_no_state_the_answers_did_not_show():
    lib = {a.id: a for a in Q.library.actions}
    assert "ad hoc" not in lib["start_small_iterate"].why
    assert "not there yet" not in lib["information_sharing_protocol"].why
    assert all("already given" not in n.text for n in lib["awareness_training_first_line"].notes)
    # a reason is the general rationale; what this municipality lacks comes from its findings
    claims = ("is still", "not yet", "There is no", "has not been", "lack ", "is low",
              "Practitioners do not", "Agencies do not")
    assert [(a.id, c) for a in Q.library.actions for c in claims if c in a.why] == []


def test_a_score_just_under_a_threshold_does_not_bring_an_action_into_the_first_phase():
    near = municipality(Q, {a: {"training": 0.74, "trust": 0.9, "role_clarity": 0.9,
                                "legal_basis": 0.9, "tools": 0.9} for a in CORE}, LARGE_WITH_TEAM)
    far = municipality(Q, {a: {"training": 0.25, "trust": 0.9, "role_clarity": 0.9,
                               "legal_basis": 0.9, "tools": 0.9} for a in CORE}, LARGE_WITH_TEAM)
    near_first = set(_ids(build_roadmap(Q, near), 1))
    far_first = set(_ids(build_roadmap(Q, far), 1))
    training = {a.id for a in Q.library.actions if a.dimension == "training"}
    assert far_first & training
    assert not near_first & training


def test_one_agency_far_below_the_others_gets_an_action_aimed_at_it():
    result = municipality(Q, {"local_authority": 0.7, "police": 0.7, "education": 0.7,
                              "health": 0.1})
    roadmap = build_roadmap(Q, result)
    hear = next(a for a in roadmap.actions if a.id == "hear_outlying_agency")
    assert hear.aimed_at == ("health",)
    assert hear.phase == 1
    assert "health" in hear.partners
    assert any("Health" in f and "below the other agencies" in f for f in hear.findings)


def test_no_outlier_when_agencies_lie_close():
    result = municipality(Q, {a: 0.6 for a in CORE})
    assert "hear_outlying_agency" not in _ids(build_roadmap(Q, result))


def test_version_one_library_keeps_its_first_behaviour():
    q10 = get_questionnaire(version="1.0")
    assert q10.library.plan is None
    result = municipality(q10, {a: 0.25 for a in ("police", "education")})
    roadmap = build_roadmap(q10, result)
    assert not roadmap.later
    assert {a.lead for a in roadmap.actions} == {"local_authority"}
    assert {a.due_month for a in roadmap.phase(1)} == {3}


def test_an_agency_too_small_to_be_shown_is_never_named_as_far_below():
    agencies = {"local_authority": 0.7, "police": 0.7, "education": 0.7, "health": 0.1}
    small = municipality(Q, agencies, respondents=Q.doc.settings.min_group_size - 1)
    assert "hear_outlying_agency" not in _ids(build_roadmap(Q, small))
    shown = build_roadmap(Q, municipality(Q, agencies))
    hear = next(a for a in shown.actions if a.id == "hear_outlying_agency")
    assert len(hear.findings) == 1  # one sentence for the agency, whatever the dimensions
