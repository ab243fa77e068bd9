"""National follow-through of the roadmaps: how municipalities carry out their tracked actions.

Pure: plain rows in (one per tracked action), plain dataclasses out. The dashboard's small-cell
rule holds: a share computed over fewer than `min_cell` municipalities is the suppressed text,
and a dropped recommendation is listed with its reasons only when at least `min_cell`
municipalities dropped it (fewer could be told apart by what they wrote).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from readiness.core.plans import OPEN_STATUSES
from readiness.national.aggregate.cells import MIN_CELL, Cell, count_cell, stat_cell

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


def _actions(count: int, municipalities: int, min_cell: int) -> Cell:
    """A count of actions, shown only when enough municipalities stand behind it."""
    if municipalities < min_cell:
        return stat_cell(None, municipalities, min_cell)
    return count_cell(count, min_cell)


def _shares(df: pd.DataFrame, column: str, titles: Mapping[str, str],
            min_cell: int) -> tuple[ShareRow, ...]:
    found = []
    for key, group in df.dropna(subset=[column]).groupby(column, sort=True):
        n = int(group["municipality"].nunique())
        found.append(ShareRow(
            key=str(key), title=titles.get(str(key), str(key)),
            municipalities=count_cell(n, min_cell), actions=_actions(len(group), n, min_cell),
            done=stat_cell(float((group["status"] == "done").mean()), n, min_cell, 3),
            in_progress=stat_cell(float((group["status"] == "in_progress").mean()), n, min_cell, 3),
            overdue=stat_cell(float(group["overdue"].mean()), n, min_cell, 3)))
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
    return FollowThrough(
        municipalities=count_cell(n, min_cell),
        actions=_actions(len(df), n, min_cell),
        by_family=_shares(df, "family", families, min_cell),
        by_dimension=_shares(df, "dimension", dimensions, min_cell),
        dropped=_dropped(df, min_cell, limit))
