"""National and regional views over stored scores: the only module that imports pandas.

Pure: rows in (`readiness.national.query.Records`), plain dataclasses out; no Flask or database.
Every breakdown cell follows the small-cell rule of `readiness.national.aggregate.cells` (the text
"fewer than 5", never a number, with complementary suppression where counts add up to a shown
total), so no table or chart singles out a municipality. Lists of named municipalities (the table,
the "where to go next" list) are not breakdowns: coordinators may read every municipality.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain
from typing import Any

import pandas as pd

from readiness.core.questionnaire import Questionnaire
from readiness.core.scoring import INSUFFICIENT, INSUFFICIENT_TITLE
from readiness.national.aggregate.cells import (
    MIN_CELL,
    Cell,
    count_cell,
    count_cells,
    hidden,
    stat_cell,
    suppressed_text,
)
from readiness.national.aggregate.order import band_order, place_order
from readiness.national.query import (
    ASSESSMENT_COLUMNS,
    MUNICIPALITY_COLUMNS,
    SCORE_COLUMNS,
    Records,
)

# A dimension "improved" or "declined" between rounds when it moved at least this many points.
CHANGE_POINTS = 5.0


@dataclass(frozen=True)
class Filters:
    """Which municipalities and assessments a view covers (None: no restriction)."""

    country: str | None = None
    region: str | None = None
    band: str | None = None
    since: date | None = None
    until: date | None = None
    round: int | None = None

    def as_query(self) -> dict[str, str]:
        """The filters as URL query parameters (only those set)."""
        values = {"country": self.country, "region": self.region, "band": self.band,
                  "since": self.since, "until": self.until, "round": self.round}
        return {k: str(v) if not isinstance(v, date) else v.isoformat()
                for k, v in values.items() if v is not None}


@dataclass(frozen=True)
class Tables:
    """The stored rows as frames; `wide` has one row per assessment, a column per dimension
    (`score:trust`, `level:trust`, `divergent:trust`...); `barriers` maps an assessment id to
    the barrier ids it found."""

    municipalities: pd.DataFrame
    assessments: pd.DataFrame
    barriers: pd.Series
    wide: pd.DataFrame
    dimensions: tuple[str, ...]


def _frame(rows: Sequence[Sequence[Any]], columns: Sequence[str]) -> pd.DataFrame:
    """A frame from plain row tuples (not SQLAlchemy rows, which pandas probes slowly)."""
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return pd.DataFrame.from_records(rows, columns=list(columns))


def _wide(scores: pd.DataFrame, dimensions: Sequence[str]) -> pd.DataFrame:
    """One row per assessment and three columns per dimension, without a pivot."""
    positions = scores.groupby("dimension", sort=False).indices if len(scores) else {}
    ids = scores["assessment_id"].to_numpy()
    parts: dict[str, pd.Series] = {}
    for dim in dimensions:
        rows = positions.get(dim, [])
        index = pd.Index(ids[rows], name="assessment_id")
        parts[f"score:{dim}"] = pd.Series(
            scores["score"].to_numpy()[rows], index=index, dtype="float64")
        parts[f"level:{dim}"] = pd.Series(
            scores["level"].to_numpy(dtype=object)[rows], index=index, dtype=object)
        parts[f"divergent:{dim}"] = pd.Series(
            scores["divergent"].to_numpy()[rows], index=index).astype(bool)
    wide = pd.DataFrame(parts)
    for dim in dimensions:
        wide[f"level:{dim}"] = wide[f"level:{dim}"].fillna(INSUFFICIENT)
        wide[f"divergent:{dim}"] = wide[f"divergent:{dim}"].fillna(False).astype(bool)
    return wide


def _assessment_frames(records: Records, dimensions: Sequence[str]
                       ) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    """The assessments, barriers and wide scores of the records as frames."""
    assessments = _frame(records.assessments, ASSESSMENT_COLUMNS)
    assessments["conducted_on"] = pd.to_datetime(assessments["conducted_on"])
    assessments["overall"] = assessments["overall"].astype("float64")
    # the same text type however many are missing (a batch of newly closed assessments may
    # have no structure answer at all), so appended frames look like freshly read ones
    assessments["formality"] = assessments["formality"].astype("str")
    scores = _frame(records.scores, SCORE_COLUMNS)
    barriers = pd.Series([tuple(sorted(text.split(","))) if text else ()
                          for _, text in records.barriers],
                         index=[aid for aid, _ in records.barriers], dtype=object)
    return assessments, barriers, _wide(scores, dimensions)


def tables(records: Records, dimensions: Sequence[str]) -> Tables:
    """Frames from the database rows."""
    assessments, barriers, wide = _assessment_frames(records, dimensions)
    return Tables(_frame(records.municipalities, MUNICIPALITY_COLUMNS), assessments, barriers,
                  wide, tuple(dimensions))


def extend(t: Tables, added: Records) -> Tables:
    """`t` with the assessments of `added` that it lacks (newly closed ones; the municipalities
    of `added` are ignored). Assessments `t` already holds are skipped, so reading a little too
    much under concurrent closes never counts one twice."""
    assessments, barriers, wide = _assessment_frames(added, t.dimensions)
    new_ids = assessments["id"][~assessments["id"].isin(t.assessments["id"])]
    if not len(new_ids):
        return t
    return Tables(
        t.municipalities,
        pd.concat([t.assessments, assessments[assessments["id"].isin(new_ids)]],
                  ignore_index=True),
        pd.concat([t.barriers, barriers[barriers.index.isin(new_ids)]]),
        pd.concat([t.wide, wide[wide.index.isin(new_ids)]]),
        t.dimensions)


@dataclass(frozen=True)
class Selection:
    """What the filters select: municipalities, each one's latest and previous assessment."""

    filters: Filters
    municipalities: pd.DataFrame
    latest: pd.DataFrame  # one row per assessed municipality: municipality + assessment + wide
    previous: pd.DataFrame  # the round before the latest, for municipalities that have one
    barriers: pd.Series  # the barrier ids found, by latest assessment id
    dimensions: tuple[str, ...]


def select(t: Tables, f: Filters) -> Selection:
    """Apply the filters; keep the latest closed assessment per municipality in the period."""
    m = t.municipalities
    for column, wanted in (("country", f.country), ("region", f.region), ("band", f.band)):
        if wanted is not None:
            m = m[m[column] == wanted]
    a = t.assessments[t.assessments["municipality_id"].isin(m["id"])]
    window = a
    if f.since is not None:
        window = window[window["conducted_on"] >= pd.Timestamp(f.since)]
    if f.until is not None:
        window = window[window["conducted_on"] <= pd.Timestamp(f.until)]
    if f.round is not None:
        window = window[window["round"] == f.round]
    latest = (window.sort_values(["municipality_id", "round"])
              .drop_duplicates("municipality_id", keep="last"))
    earlier = a.merge(latest[["municipality_id", "round"]], on="municipality_id",
                      suffixes=("", "_latest"))
    earlier = earlier[earlier["round"] < earlier["round_latest"]]
    previous = (earlier.drop(columns="round_latest").sort_values(["municipality_id", "round"])
                .drop_duplicates("municipality_id", keep="last"))
    info = m.rename(columns={"id": "municipality_id", "public_id": "municipality_public_id"})
    latest = (latest.merge(info, on="municipality_id")
              .join(t.wide, on="id").reset_index(drop=True))
    previous = previous.join(t.wide, on="id").reset_index(drop=True)
    barriers = t.barriers[t.barriers.index.isin(latest["id"])]
    return Selection(f, m, latest, previous, barriers, t.dimensions)


# ---------------------------------------------------------------- overview and dimensions


@dataclass(frozen=True)
class Overview:
    """Headline figures of the selection."""

    municipalities: int
    assessed: int
    never_assessed: int
    assessed_share: Cell
    formal_structure: Cell
    no_structure: Cell
    overall_mean: Cell
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
    return Overview(
        municipalities=n_total, assessed=n, never_assessed=n_total - n,
        assessed_share=stat_cell(n / n_total if n_total else None, n_total, min_cell, 3),
        formal_structure=count_cell(int((formality == "formal").sum()), min_cell),
        no_structure=count_cell(int(formality.isin(["none", "ad_hoc"]).sum()), min_cell),
        overall_mean=stat_cell(latest["overall"].mean(), int(latest["overall"].notna().sum()),
                           min_cell),
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
                             stat_cell(count / total if total else None, total, min_cell, 3))
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
                             stat_cell(divergent / total if total else None, total, min_cell, 3))))
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
                       stat_cell(count / total if total else None, total, min_cell, 3))
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
    means, counts, sizes = grouped.mean(), grouped.count(), grouped.size()
    keys = sorted(sizes.index, key=lambda k: (band_order if by == "band" else place_order)(
        str(k)))
    hide = hidden([int(sizes[key]) for key in keys], min_cell)
    rows = []
    for i, key in enumerate(keys):
        n = int(sizes[key])
        if i in hide:
            small = suppressed_text(min_cell)
            rows.append(GroupRow(str(key), small, small, dict.fromkeys(sel.dimensions, small)))
            continue
        rows.append(GroupRow(str(key), count_cell(n, min_cell),
                             stat_cell(means.at[key, "overall"], n, min_cell),
                             {d: stat_cell(means.at[key, f"score:{d}"],
                                           int(counts.at[key, f"score:{d}"]), min_cell)
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


def _pairs(sel: Selection) -> pd.DataFrame:
    return sel.latest.merge(sel.previous, on="municipality_id", suffixes=("", "_prev"))


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
            **_moves(change, n, min_cell)))
    return out
