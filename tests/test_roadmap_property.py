"""Property: on any municipality, the 1.1 roadmap respects its ordering rules, never names an
absent agency as lead without a step that brings it in, and stays within its capacity."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readiness.core.roadmap import build_roadmap
from readiness.core.roadmap_plan import LATER, edges, plan_size, planning_facts, stage_band
from tests.roadmap_helpers import DIMENSIONS, municipality, q11

Q = q11()
AGENCIES = ("local_authority", "police", "health", "social_services", "youth_work", "education",
            "civil_society")
CONTEXT = {item.id: tuple(o.value for o in Q.options(item)) for item in Q.doc.context
           if not item.multiple}

targets = st.fixed_dictionaries({d: st.sampled_from((0.0, 0.25, 0.5, 0.75, 1.0))
                                 for d in DIMENSIONS})
towns = st.tuples(
    st.dictionaries(st.sampled_from(AGENCIES), targets, min_size=1, max_size=5),
    st.fixed_dictionaries({k: st.sampled_from(v) for k, v in CONTEXT.items()}),
    st.sampled_from((None, "mobile_team", "municipality")))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(towns)
def test_roadmap_respects_order_leads_and_capacity(town):
    agencies, context, run_by = town
    result = municipality(Q, agencies, {k: (v,) for k, v in context.items()}, respondents=1)
    roadmap = build_roadmap(Q, result, run_by=run_by)
    position = {a.id: a.priority for a in roadmap.actions}
    library = {a.id: a for a in Q.library.actions}
    facts = planning_facts(Q, result, run_by)
    for action in roadmap.actions:
        for dep in edges(library[action.id], library, facts, Q.library.plan):
            if dep in position:  # what it needs is planned before it, never in a later phase
                assert position[dep] < position[action.id]
                before = next(a for a in roadmap.actions if a.id == dep)
                assert before.phase <= action.phase
            else:  # or was not needed here: already in place
                done = library[dep].done_when
                assert done is not None
        if action.lead not in result.respondents_by_agency:
            assert action.lead_note is not None
            assert action.lead_note.startswith("bring:")
            bringer = action.lead_note.removeprefix("bring:")
            assert position[bringer] < position[action.id]
    margin = Q.library.plan.stage_margin if Q.library.plan else 0.0
    size = plan_size(Q, facts, stage_band(Q, result, margin))
    assert len(roadmap.phase(1)) <= size.phase_one
    assert size.total is not None
    assert len(roadmap.dated) <= size.total
    assert len(roadmap.later) <= (Q.library.plan.later_max if Q.library.plan else 0)
    assert all(a.phase in (1, 2, 3, LATER) for a in roadmap.actions)
