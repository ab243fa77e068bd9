"""Builders shared by the pure-core tests (no app, no database)."""

from __future__ import annotations

from pathlib import Path

from readiness.core.questionnaire import Questionnaire, load_questionnaire
from readiness.core.scoring import Answer

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini" / "1.0.yaml"


def mini() -> Questionnaire:
    """The small fixture questionnaire whose figures the tests compute by hand."""
    return load_questionnaire(MINI)


def answers(agency: str, respondent: str, **values: str) -> list[Answer]:
    """One respondent's answers, item id -> option value."""
    return [Answer(respondent, agency, item, value) for item, value in values.items()]


AGREE5 = {"strongly_disagree": 0.0, "disagree": 0.25, "neither": 0.5, "agree": 0.75,
          "strongly_agree": 1.0}


def on_scale(q: Questionnaire, item_id: str, value: str) -> str:
    """An agree-scale answer as the item's own option: itself, or the nearest by score.

    Factual items (signed / being drafted / no) have no "agree"; the option whose score lies
    nearest the agree-scale value stands in for it (the first one on a tie).
    """
    options = q.options(item_id)
    if value == "dont_know" or any(o.value == value for o in options):
        return value
    target = AGREE5[value]
    return min(options, key=lambda o: abs((o.score or 0.0) - target)).value


def uniform(q: Questionnaire, agency: str, respondent: str, value: str) -> list[Answer]:
    """A respondent who gives the same answer (on each item's own scale) to every scored item."""
    return [Answer(respondent, agency, item.id, on_scale(q, item.id, value))
            for item in q.doc.items]
