"""National and regional views over stored scores (pandas, like the rest of `aggregate`).

Pure: a `Selection` (`readiness.national.aggregate.frames`) in, plain dataclasses out; no Flask
or database.
Every breakdown cell follows the small-cell rule of `readiness.national.aggregate.cells` (the text
"fewer than 5", never a number, with complementary suppression where counts add up to a shown
total), so no table or chart singles out a municipality. Lists of named municipalities (the table,
the "where to go next" list) are not breakdowns: coordinators may read every municipality.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from itertools import chain

import pandas as pd

from readiness.core.questionnaire import Questionnaire
from readiness.core.scoring import INSUFFICIENT, INSUFFICIENT_TITLE
from readiness.national.aggregate.cells import (
    MIN_CELL,
    Cell,
    count_cell,
    count_cells,
    hidden,
    share_cell,
    stat_cell,
    suppressed_text,
)
from readiness.national.aggregate.frames import Selection
from readiness.national.aggregate.order import band_order, place_order

# A dimension "improved" or "declined" between rounds when it moved at least this many points.
CHANGE_POINTS = 5.0


# ---------------------------------------------------------------- overview and dimensions


@dataclass(frozen=True)
class Overview:
    """Headline figures of the selection."""

    municipalities: int
    assessed: int
    never_assessed: int  # no closed assessment at all
    outside_selection: int  # assessed, but only outside the chosen round or period
    assessed_share: Cell
    formal_structure: Cell
    no_structure: Cell
    overall_mean: Cell
    # latest rounds with an overall score, the mean's base (the others had too few answers;
    # suppressed like the dimensions' `scored` counts)
    overall_scored: Cell
    stages: tuple[tuple[str, str, Cell], ...]
    first_date: date | None
    last_date: date | None


def overview(sel: Selection, q: Questionnaire, min_cell: int = MIN_CELL) -> Overview:
    """How many municipalities are covered and assessed, their structures and stages."""
    latest = sel.latest
    n_total, n = len(sel.municipalities), len(latest)
    stage_counts = latest["stage"].value_counts()
    stage_rows = [(st.id, st.title) for st in reversed(q.doc.stages)]
    if INSUFFICIENT in stage_counts:
        stage_rows.append((INSUFFICIENT, str(INSUFFICIENT_TITLE)))
    cells = count_cells([int(stage_counts.get(ident, 0)) for ident, _ in stage_rows], min_cell)
    stages = tuple((ident, title, cell)
                   for (ident, title), cell in zip(stage_rows, cells, strict=True))
    formality = latest["formality"]
    dates = latest["conducted_on"]
    n_scored = int(latest["overall"].notna().sum())
    return Overview(
        municipalities=n_total, assessed=n, never_assessed=n_total - len(sel.ever),
        outside_selection=len(sel.ever) - n,
        assessed_share=share_cell(n / n_total if n_total else None, n_total, min_cell),
        formal_structure=count_cell(int((formality == "formal").sum()), min_cell),
        no_structure=count_cell(int(formality.isin(["none", "ad_hoc"]).sum()), min_cell),
        overall_mean=stat_cell(latest["overall"].mean(), n_scored, min_cell),
        overall_scored=count_cells([n_scored, n - n_scored], min_cell)[0],
        stages=stages,
        first_date=dates.min().date() if n else None,
        last_date=dates.max().date() if n else None)


@dataclass(frozen=True)
class LevelShare:
    """How many municipalities reach a level on a dimension, and their share."""

    id: str
    title: str
    count: Cell
    share: Cell


@dataclass(frozen=True)
class DimensionSummary:
    """The distribution of one dimension's scores across the selected municipalities."""

    id: str
    title: str
    scored: Cell
    insufficient: Cell
    mean: Cell
    median: Cell
    q1: Cell
    q3: Cell
    levels: tuple[LevelShare, ...]
    divergent: Cell
    divergent_share: Cell


def dimension_summaries(sel: Selection, q: Questionnaire,
                        min_cell: int = MIN_CELL) -> list[DimensionSummary]:
    """Per dimension: mean, median and quartiles, the share at each level, perception gaps."""
    out = []
    latest = sel.latest
    total = len(latest)
    level_ids = [(lv.id, lv.title) for lv in q.doc.levels]
    level_ids.append((INSUFFICIENT, str(INSUFFICIENT_TITLE)))
    for dim in q.doc.dimensions:
        scores = latest[f"score:{dim.id}"].dropna()
        n = len(scores)
        counts = latest[f"level:{dim.id}"].value_counts()
        rows = [(level_id, title, int(counts.get(level_id, 0))) for level_id, title in level_ids
                if level_id != INSUFFICIENT or counts.get(level_id, 0)]
        hide = hidden([count for _, _, count in rows], min_cell)
        levels = [LevelShare(level_id, title, suppressed_text(min_cell), suppressed_text(min_cell))
                  if i in hide else
                  LevelShare(level_id, title, count,
                             share_cell(count / total if total else None, total, min_cell))
                  for i, (level_id, title, count) in enumerate(rows)]
        divergent = int(latest[f"divergent:{dim.id}"].astype(bool).sum())
        # scored and insufficient add up to the assessed municipalities, which are shown
        scored, insufficient = count_cells([n, total - n], min_cell)
        out.append(DimensionSummary(
            id=dim.id, title=dim.title, scored=scored, insufficient=insufficient,
            mean=stat_cell(scores.mean(), n, min_cell),
            median=stat_cell(scores.median(), n, min_cell),
            q1=stat_cell(scores.quantile(0.25), n, min_cell),
            q3=stat_cell(scores.quantile(0.75), n, min_cell),
            levels=tuple(levels), divergent=count_cell(divergent, min_cell),
            divergent_share=(suppressed_text(min_cell) if 0 < divergent < min_cell else
                             share_cell(divergent / total if total else None, total, min_cell))))
    return out


@dataclass(frozen=True)
class BarrierCount:
    """How many of the selected municipalities' latest assessments found a barrier."""

    id: str
    title: str
    dimension: str | None
    count: Cell
    share: Cell


def barrier_frequency(sel: Selection, q: Questionnaire,
                      min_cell: int = MIN_CELL) -> list[BarrierCount]:
    """Every barrier of the questionnaire, the most frequent first."""
    total = len(sel.latest)
    counts = Counter(chain.from_iterable(sel.barriers))
    order = {b.id: i for i, b in enumerate(q.doc.barriers)}
    ranked = sorted(q.doc.barriers, key=lambda b: (-int(counts.get(b.id, 0)), order[b.id]))
    out = []
    for barrier in ranked:
        count = int(counts.get(barrier.id, 0))
        share: Cell = (suppressed_text(min_cell) if 0 < count < min_cell else
                       share_cell(count / total if total else None, total, min_cell))
        out.append(BarrierCount(barrier.id, barrier.title, barrier.dimension,
                                count_cell(count, min_cell), share))
    return out


# ---------------------------------------------------------------- breakdowns and progress


@dataclass(frozen=True)
class GroupRow:
    """One region's (or size band's) figures; all suppressed when the group is small."""

    key: str
    municipalities: Cell
    overall: Cell
    scores: dict[str, Cell]


def breakdown(sel: Selection, by: str, min_cell: int = MIN_CELL) -> list[GroupRow]:
    """Mean overall and dimension scores per region or country (by name) or population band
    (from the smallest)."""
    if by not in ("region", "band", "country"):
        raise ValueError(f"cannot break down by {by!r}")
    columns = ["overall", *(f"score:{d}" for d in sel.dimensions)]
    grouped = sel.latest.groupby(by, sort=False)[columns]
    # plain dicts: looking cells up one by one in frames costs more than the means
    means = grouped.mean().to_dict("index")
    counts = grouped.count().to_dict("index")
    sizes = grouped.size().to_dict()
    keys = sorted(sizes, key=lambda k: (band_order if by == "band" else place_order)(str(k)))
    hide = hidden([int(sizes[key]) for key in keys], min_cell)
    rows = []
    for i, key in enumerate(keys):
        n = int(sizes[key])
        if i in hide:
            small = suppressed_text(min_cell)
            rows.append(GroupRow(str(key), small, small, dict.fromkeys(sel.dimensions, small)))
            continue
        rows.append(GroupRow(str(key), count_cell(n, min_cell),
                             stat_cell(means[key]["overall"], n, min_cell),
                             {d: stat_cell(means[key][f"score:{d}"],
                                           int(counts[key][f"score:{d}"]), min_cell)
                              for d in sel.dimensions}))
    return rows


@dataclass(frozen=True)
class DimensionProgress:
    """How a dimension moved between municipalities' previous and latest rounds."""

    id: str
    title: str
    pairs: Cell
    before: Cell
    after: Cell
    change: Cell
    improved: Cell
    stable: Cell
    declined: Cell
    # municipalities with two rounds that cannot be compared (too few respondents in one, or
    # not the same agencies taking part and shown in both): left out of every figure above
    not_comparable: Cell = 0


def _pairs(sel: Selection) -> pd.DataFrame:
    """Latest and previous rounds side by side, of municipalities whose two rounds compare."""
    scores = ["municipality_id", *(f"score:{d}" for d in sel.dimensions)]
    pairs = sel.latest[scores].merge(sel.previous[scores], on="municipality_id",
                                     suffixes=("", "_prev"))
    return pairs[sel.comparable(pairs["municipality_id"])]


def _moves(change: pd.Series, n: int, min_cell: int) -> dict[str, Cell]:
    if 0 < n < min_cell:
        return dict.fromkeys(("improved", "stable", "declined"), suppressed_text(min_cell))
    moved = [int((change >= CHANGE_POINTS).sum()), int(change.abs().lt(CHANGE_POINTS).sum()),
             int((change <= -CHANGE_POINTS).sum())]
    return dict(zip(("improved", "stable", "declined"), count_cells(moved, min_cell),
                    strict=True))


def progress(sel: Selection, q: Questionnaire,
             min_cell: int = MIN_CELL) -> list[DimensionProgress]:
    """Per dimension, over municipalities with both rounds scored: means before, after, moves."""
    pairs = _pairs(sel)
    with_previous = sel.latest["municipality_id"].isin(sel.previous["municipality_id"])
    apart = count_cell(int(with_previous.sum()) - len(pairs), min_cell)
    out = []
    for dim in q.doc.dimensions:
        both = pairs[[f"score:{dim.id}_prev", f"score:{dim.id}"]].dropna()
        before, after = both.iloc[:, 0], both.iloc[:, 1]
        change = after - before
        n = len(both)
        out.append(DimensionProgress(
            id=dim.id, title=dim.title, pairs=count_cell(n, min_cell),
            before=stat_cell(before.mean(), n, min_cell),
            after=stat_cell(after.mean(), n, min_cell),
            change=stat_cell(change.mean(), n, min_cell),
            **_moves(change, n, min_cell), not_comparable=apart))
    return out
