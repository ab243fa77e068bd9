"""How a statement's result reads in words, for the roadmap's findings and the report alike.

A statement's score is readiness (0..1, reverse-worded statements already reversed), so it is
read back through the answer options: a high score on a worry means practitioners disagree
with it, never that the worry is a strength. Pure: no Flask, no database.
"""

from __future__ import annotations

from readiness.core.questionnaire import Questionnaire
from readiness.core.scoring import ItemResult
from readiness.translate import gettext as _


def average_answer(q: Questionnaire, item: ItemResult) -> str | None:
    """The answer option nearest a statement's mean: what practitioners said on average
    (the more neutral option on a tie)."""
    if item.score is None:
        return None
    mean = item.score
    options = [o for o in q.options(item.id) if o.score is not None]
    best = min(options, key=lambda o: (abs((o.score or 0.0) - mean), abs((o.score or 0.0) - 0.5)))
    return best.label


def statement_reading(q: Questionnaire, item: ItemResult) -> str:
    """What a statement's score means, in words: `on average, practitioners disagree with
    “…”`. A high score on a reverse-worded statement is disagreement with a worry, never a claim
    that the worry is a strength."""
    label = average_answer(q, item) or ""
    quoted = f"\u201c{item.text.rstrip('.')}\u201d"
    if q.language == "en" and label.lower().endswith("agree"):  # reads well in English only
        return f"on average, practitioners {label.lower()} with {quoted}"
    return _("the average answer to %(statement)s was \u201c%(answer)s\u201d", statement=quoted,
             answer=label)
