"""National follow-through of the roadmaps: how municipalities carry out their tracked actions.

Pure: plain rows in (one per tracked action), plain dataclasses out. The dashboard's small-cell
rule holds for what tells how municipalities carry their plans out: a share computed over fewer
than `min_cell` municipalities is the suppressed text, as is a count of the actions of one status
only (with the total it is a share); a dropped recommendation is listed with its reasons only when
at least `min_cell` municipalities dropped it (fewer could be told apart by what they wrote).
How many actions the plans hold is shown as it is, however few municipalities hold them: it is
about no person (`readiness.core.privacy` protects practitioners' answers, and no answer can be
worked out from it), says nothing of how any municipality does, and national coordinators may
read every municipality's plan. Hiding it printed "fewer than 5 tracked actions" over 32.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from readiness.core.plans import OPEN_STATUSES
from readiness.national.aggregate.cells import (
    MIN_CELL,
    Cell,
    count_cell,
    share_cell,
    stat_cell,
)

STATUSES = ("planned", "in_progress", "done", "dropped", "overdue")
MAX_REASONS = 5


@dataclass(frozen=True)
class ActionRecord:
    """One tracked action as the national views read it (no notes, links or people)."""

    municipality: int
    country: str
    region: str
    band: str
    action: str
    title: str
    family: str | None
    dimension: str | None
    status: str
    due_on: date | None
    drop_reason: str


@dataclass(frozen=True)
class ShareRow:
    """Shares of one family's or dimension's tracked actions by where they stand."""

    key: str
    title: str
    municipalities: Cell
    actions: Cell
    done: Cell
    in_progress: Cell
    overdue: Cell


@dataclass(frozen=True)
class DroppedRow:
    """A recommendation municipalities dropped, how many, and (enough of them) why."""

    action: str
    title: str
    municipalities: Cell
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class FollowThrough:
    """The national follow-through figures of a selection of tracked actions."""

    municipalities: Cell
    actions: Cell
    by_family: tuple[ShareRow, ...]
    by_dimension: tuple[ShareRow, ...]
    dropped: tuple[DroppedRow, ...]


def frame(rows: Iterable[ActionRecord], today: date) -> pd.DataFrame:
    """The rows as a frame with an `overdue` column (open and past the due date)."""
    df = pd.DataFrame([r.__dict__ for r in rows], columns=list(ActionRecord.__dataclass_fields__))
    df["overdue"] = pd.Series([s in OPEN_STATUSES and d is not None and d < today
                               for s, d in zip(df["status"], df["due_on"], strict=True)],
                              index=df.index, dtype=bool)
    return df


def _actions(count: int, municipalities: int, min_cell: int, *, one_status: bool) -> Cell:
    """A count of tracked actions: as it is, unless it counts one status only (then it tells
    how the municipalities do, and is shown only when enough of them stand behind it)."""
    if one_status and municipalities < min_cell:
        return stat_cell(None, municipalities, min_cell)
    return int(count)


def _shares(df: pd.DataFrame, column: str, titles: Mapping[str, str],
            min_cell: int, one_status: bool) -> tuple[ShareRow, ...]:
    found = []
    for key, group in df.dropna(subset=[column]).groupby(column, sort=True):
        n = int(group["municipality"].nunique())
        found.append(ShareRow(
            key=str(key), title=titles.get(str(key), str(key)),
            municipalities=count_cell(n, min_cell),
            actions=_actions(len(group), n, min_cell, one_status=one_status),
            done=share_cell(float((group["status"] == "done").mean()), n, min_cell),
            in_progress=share_cell(float((group["status"] == "in_progress").mean()), n,
                                   min_cell),
            overdue=share_cell(float(group["overdue"].mean()), n, min_cell)))
    return tuple(found)


def _dropped(df: pd.DataFrame, min_cell: int, limit: int) -> tuple[DroppedRow, ...]:
    dropped = df[df["status"] == "dropped"]
    found = []
    for action, group in dropped.groupby("action", sort=True):
        n = int(group["municipality"].nunique())
        reasons: tuple[str, ...] = ()
        if n >= min_cell:
            counts = group["drop_reason"].str.strip().str.lower().value_counts()
            reasons = tuple(str(r) for r in counts.index[:MAX_REASONS] if r)
        found.append((n, str(action), DroppedRow(str(action), str(group["title"].iloc[0]),
                                                 count_cell(n, min_cell), reasons)))
    found.sort(key=lambda item: (-item[0], item[1]))
    return tuple(row for _n, _a, row in found[:limit])


def follow_through(rows: Sequence[ActionRecord], today: date, *,
                   families: Mapping[str, str], dimensions: Mapping[str, str],
                   min_cell: int = MIN_CELL, status: str | None = None,
                   limit: int = 10) -> FollowThrough:
    """Shares done / in progress / overdue per family and dimension, and the recommendations
    most often dropped; `status` keeps only actions of one status (or "overdue")."""
    df = frame(rows, today)
    if status == "overdue":
        df = df[df["overdue"]]
    elif status is not None:
        df = df[df["status"] == status]
    n = int(df["municipality"].nunique())
    one_status = status is not None
    return FollowThrough(
        municipalities=count_cell(n, min_cell),
        actions=_actions(len(df), n, min_cell, one_status=one_status),
        by_family=_shares(df, "family", families, min_cell, one_status),
        by_dimension=_shares(df, "dimension", dimensions, min_cell, one_status),
        dropped=_dropped(df, min_cell, limit))
