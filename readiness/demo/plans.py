"""Demo action plans: tracked actions in every state, so each plan view has something to show.

Older rounds' actions are mostly done or in progress, a few dropped (with a plausible reason) and
some overdue; the newest round's mostly planned. Statuses are drawn from a seeded generator.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from readiness.core.plans import dated_actions
from readiness.core.questionnaire import Questionnaire
from readiness.models import ActionStatus, PlanAction

DROP_REASONS = (
    "No budget this year",
    "The partner agency could not free staff",
    "Covered by the regional programme instead",
    "Legal advice said to wait for the new protocol",
)
# (status, weight) for actions of a round some months old
OLDER = ((ActionStatus.DONE, 0.4), (ActionStatus.IN_PROGRESS, 0.3),
         (ActionStatus.PLANNED, 0.18), (ActionStatus.DROPPED, 0.12))


def _state(rng: random.Random, due: date, today: date) -> tuple[str, str, date]:
    """A status, a drop reason and a due date (some open ones moved into the past: overdue)."""
    status = rng.choices([s for s, _ in OLDER], weights=[w for _, w in OLDER])[0]
    reason = rng.choice(DROP_REASONS) if status == ActionStatus.DROPPED else ""
    if status in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS) and rng.random() < 0.35:
        due = min(due, today - timedelta(days=rng.randint(5, 60)))
    return status, reason, due


def vary_plan(actions: Sequence[PlanAction], rng: random.Random, today: date) -> None:
    """Give a freshly made plan's actions a mix of statuses (demo municipalities)."""
    for action in actions:
        action.status, action.drop_reason, due = _state(rng, action.due_on or today, today)
        action.due_on = due


def plan_rows(q: Questionnaire, municipality_id: int, assessment_id: int,
              roadmap: dict[str, Any], closed_on: date, latest: bool, rng: random.Random,
              today: date) -> list[dict[str, Any]]:
    """Rows of `plan_action` for a demo round (bulk insert); the latest round's mostly planned."""
    library = {a.id: a for a in q.library.actions}
    rows = []
    for proposed in dated_actions(roadmap, closed_on):
        known = library.get(proposed.action)
        status, reason, due = _state(rng, proposed.due_on, today)
        if latest and rng.random() < 0.6:
            status, reason, due = ActionStatus.PLANNED, "", proposed.due_on
        rows.append({"municipality_id": municipality_id, "assessment_id": assessment_id,
                     "action": proposed.action, "title": proposed.title[:300],
                     "dimension": proposed.dimension or (known.dimension if known else None),
                     "family": proposed.family or (known.family if known else None),
                     "phase": proposed.phase, "due_on": due, "lead": proposed.lead,
                     "partners": list(proposed.partners), "contact_role": "",
                     "status": status, "drop_reason": reason, "notes": "", "links": []})
    return rows


def insert_plans(db: Session, rows: list[dict[str, Any]], batch: int = 2000) -> None:
    """Bulk-insert demo plan rows (public ids and times from the model's defaults)."""
    for start in range(0, len(rows), batch):
        db.execute(insert(PlanAction), rows[start:start + batch])
