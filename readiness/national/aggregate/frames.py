"""The stored rows as frames, and what a set of filters selects from them.

Pure: rows in (`readiness.national.records.Records`), frames out; `readiness.national.aggregate`
turns a `Selection` into figures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar, cast

import pandas as pd

from readiness.core.scoring import INSUFFICIENT
from readiness.national.records import (
    ASSESSMENT_COLUMNS,
    MUNICIPALITY_COLUMNS,
    SCORE_COLUMNS,
    Records,
)

T = TypeVar("T")
MEMO_MAX = 256  # filter combinations and pages remembered per set of frames
# What kept frames were made with: frames stored by another pandas are not read back.
FRAMES_FORMAT = f"pandas {pd.__version__}"


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
    # figures computed from these frames, by what they were asked with (see `remembered`):
    # frames never change, so neither do they; new data makes new Tables with an empty memo
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def remembered(self, key: Any, compute: Callable[[], T]) -> T:
        """`compute()`, once per `key` for these frames (a kept result is never changed by its
        readers: selections and figures are read-only)."""
        try:
            return cast(T, self.memo[key])
        except KeyError:
            if len(self.memo) >= MEMO_MAX:
                self.memo.clear()
            value = self.memo[key] = compute()
            return value


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


def with_municipalities(t: Tables, rows: Sequence[Sequence[Any]]) -> Tables:
    """`t` with its municipalities read again (added or edited ones; assessments unchanged)."""
    return Tables(_frame(rows, MUNICIPALITY_COLUMNS), t.assessments, t.barriers, t.wide,
                  t.dimensions)


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
    """What the filters select: municipalities, each one's latest and previous assessment.

    `ever` and `ever_previous` are the same for every closed assessment of the selected
    municipalities, whatever the round or period: a municipality assessed only outside the
    chosen round or period is "not in this selection", never "never assessed"."""

    filters: Filters
    municipalities: pd.DataFrame
    latest: pd.DataFrame  # one row per assessed municipality: municipality + assessment + wide
    previous: pd.DataFrame  # the round before the latest, for municipalities that have one
    barriers: pd.Series  # the barrier ids found, by latest assessment id
    dimensions: tuple[str, ...]
    ever: pd.DataFrame  # like `latest`, over every closed assessment (no round or period)
    ever_previous: pd.DataFrame  # like `previous`, for `ever`

    @property
    def narrowed(self) -> bool:
        """Whether a round or period leaves some assessments out."""
        f = self.filters
        return f.round is not None or f.since is not None or f.until is not None


def _latest_and_previous(t: Tables, a: pd.DataFrame, window: pd.DataFrame,
                         info: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per municipality, the latest assessment of `window` and the round before it (of `a`)."""
    latest = (window.sort_values(["municipality_id", "round"])
              .drop_duplicates("municipality_id", keep="last"))
    earlier = a.merge(latest[["municipality_id", "round"]], on="municipality_id",
                      suffixes=("", "_latest"))
    earlier = earlier[earlier["round"] < earlier["round_latest"]]
    previous = (earlier.drop(columns="round_latest").sort_values(["municipality_id", "round"])
                .drop_duplicates("municipality_id", keep="last"))
    latest = (latest.merge(info, on="municipality_id")
              .join(t.wide, on="id").reset_index(drop=True))
    return latest, previous.join(t.wide, on="id").reset_index(drop=True)


def select(t: Tables, f: Filters) -> Selection:
    """Apply the filters; keep the latest closed assessment per municipality in the period.
    Worked out once per filters for a set of frames."""
    return t.remembered(("select", f), lambda: _select(t, f))


def _select(t: Tables, f: Filters) -> Selection:
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
    info = m.rename(columns={"id": "municipality_id", "public_id": "municipality_public_id"})
    latest, previous = _latest_and_previous(t, a, window, info)
    ever, ever_previous = ((latest, previous) if window is a
                           else _latest_and_previous(t, a, a, info))
    barriers = t.barriers[t.barriers.index.isin(latest["id"])]
    return Selection(f, m, latest, previous, barriers, t.dimensions, ever, ever_previous)


def rounds_with_data(t: Tables) -> tuple[int, ...]:
    """The rounds that have at least one closed assessment, in order (the round filter's
    choices)."""
    return tuple(sorted({int(r) for r in t.assessments["round"].dropna()}))
