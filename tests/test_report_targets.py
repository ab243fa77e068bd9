"""Report targets count only actions due before the re-assessment; one re-assessment date."""

from __future__ import annotations

from datetime import date

from readiness.core.published import publish
from readiness.report.context import ReportMeta, add_months, build_report_context
from readiness.report.text import format_date, found_detail
from tests.roadmap_helpers import SMALL_NO_STAFF, municipality, q11

Q = q11()


def test_targets_raise_only_dimensions_with_an_action_due_before_the_reassessment():
    result = municipality(Q, {a: 0.3 for a in ("local_authority", "police", "education")},
                          SMALL_NO_STAFF)
    assessed = date(2026, 4, 6)
    published = publish(Q, result, assessed_on=assessed, run_by="mobile_team")
    roadmap, result = published.roadmap, published.result
    assert roadmap is not None
    ctx = build_report_context(Q, published, ReportMeta("Smallton", assessed))
    due = Q.doc.settings.reassess_after_months
    acted = {a.dimension for a in roadmap.actions
             if a.due_month is not None and a.due_month <= due}
    rows = {title: goal for title, _now, goal in ctx.targets}
    held = {d.title for d in result.dimensions if d.id not in acted}
    assert held, "the small plan should leave some dimension without an action this year"
    for dim in result.dimensions:
        assert rows[dim.title].startswith("Hold at") == (dim.title in held)


def test_the_reassessment_action_is_due_on_the_reassessment_date_of_the_report():
    result = municipality(Q, {a: 0.3 for a in ("local_authority", "police", "education")},
                          SMALL_NO_STAFF)
    assessed = date(2026, 4, 6)
    published = publish(Q, result, assessed_on=assessed)
    ctx = build_report_context(Q, published, ReportMeta("Smallton", assessed))
    reassess = next(a for phase in ctx.phases for a in phase[2]
                    if a.title.startswith("Re-assess"))
    assert reassess.check_by == ctx.reassess_on == format_date(
        add_months(assessed, Q.doc.settings.reassess_after_months))


def test_a_facilitator_says_which_structures_were_actually_answered():
    context = {**SMALL_NO_STAFF, "ctx_existing_structures": ("domestic_violence",)}
    result = municipality(Q, {a: 0.3 for a in ("local_authority", "police", "education")},
                          context)
    # whichever facilitator the questionnaire detects from the structures answered
    details = [found_detail(Q, result, f) for f in result.facilitators]
    assert any(d.endswith("Answered here: Domestic violence.") for d in details)
    assert not any("Child protection" in d.split("Answered here:")[-1] for d in details)
