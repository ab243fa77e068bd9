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


def uniform(q: Questionnaire, agency: str, respondent: str, value: str) -> list[Answer]:
    """A respondent who gives the same option value to every scored item."""
    return [Answer(respondent, agency, item.id, value) for item in q.doc.items]
