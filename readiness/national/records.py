"""The plain rows national views are built from, and their column names. Pure: no database.

`readiness.national.query` reads them from the database; `readiness.national.aggregate` turns
them into frames and figures; services store `finding_rows` when an assessment closes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from readiness.core.scoring import Result

MUNICIPALITY_COLUMNS = ("id", "public_id", "name", "country", "region", "band")
ASSESSMENT_COLUMNS = ("id", "public_id", "municipality_id", "round", "conducted_on", "overall",
                      "stage", "respondents", "formality")
SCORE_COLUMNS = ("assessment_id", "dimension", "score", "level", "divergent")
# what decides whether two rounds may be compared: the mode, and the stored result's respondents
# by agency, shown agencies and withheld reason (JSON texts; None when stored before them)
FACT_COLUMNS = ("assessment_id", "mode", "counts", "shown", "withheld")
FORMALITY_ITEM = "ctx_formality"


@dataclass(frozen=True)
class Records:
    """Rows of municipalities, closed assessments, their scores and the barriers they found."""

    municipalities: Sequence[Sequence[Any]]
    assessments: Sequence[Sequence[Any]]
    scores: Sequence[Sequence[Any]]
    barriers: Sequence[Sequence[Any]]
    facts: Sequence[Sequence[Any]] = ()


def finding_rows(result: Result) -> list[tuple[str, str]]:
    """The (kind, id) rows stored for a scored result's barriers and facilitators."""
    rows = [("barrier", b.id) for b in result.barriers]
    rows += [("facilitator", f.id) for f in result.facilitators]
    return list(dict.fromkeys(rows))
