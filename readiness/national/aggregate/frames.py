"""The stored rows as frames, and what a set of filters selects from them.

Pure: rows in (`readiness.national.records.Records`), frames out; `readiness.national.aggregate`
turns a `Selection` into figures.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from typing import Any, TypeVar, cast

import pandas as pd

from readiness.core import published
from readiness.core.schema import Settings
from readiness.core.scoring import INSUFFICIENT
from readiness.national.records import (
    ASSESSMENT_COLUMNS,
    FACT_COLUMNS,
    MUNICIPALITY_COLUMNS,
    SCORE_COLUMNS,
    Records,
)

T = TypeVar("T")
MEMO_MAX = 256  # filter combinations and pages remembered per set of frames
# What kept frames were made with: frames stored by another pandas, or in an earlier layout
# (raise the number when a column changes type or meaning), are not read back.
FRAMES_FORMAT = f"pandas {pd.__version__}, layout 2"


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
class Rules:
    """What judging two rounds' comparability needs of the questionnaire: its thresholds (for
    rounds stored before their shown agencies were) and agency order. No words: the frames
    keep the reasons as data (`published.Difference`), worded in each reader's language."""

    settings: Settings | None = None
    order: tuple[str, ...] = ()


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
    rules: Rules = Rules()
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


# Text columns with few distinct values: each value is held once, however many rows name it
SHARED = frozenset({"country", "region", "band", "stage", "formality", "dimension", "level"})


def _frame(rows: Sequence[Sequence[Any]], columns: Sequence[str]) -> pd.DataFrame:
    """A frame from plain row tuples (not SQLAlchemy rows, which pandas probes slowly)."""
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return pd.DataFrame.from_records(_shared(rows, columns), columns=list(columns))


def _shared(rows: Sequence[Sequence[Any]], columns: Sequence[str]) -> list[Sequence[Any]]:
    """`rows` with every value of a `SHARED` column one object per distinct value. The
    database hands each row its own copy of "concern" or "Flanders": 10,000 municipalities
    made 300,000 such objects, which the kept file stored one by one and every full run of
    Python's cycle collector walked (over 100 ms each, measured); shared, pickle stores each
    value once and the frames hold a few hundred objects in their place."""
    at = [i for i, name in enumerate(columns) if name in SHARED]
    if not at:
        return list(rows)
    one: dict[Any, Any] = {}
    out: list[Sequence[Any]] = []
    for row in rows:
        values = list(row)
        for i in at:
            values[i] = one.setdefault(values[i], values[i])
        out.append(values)
    return out


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
    facts = {int(row[0]): row for row in records.facts}
    assessments["facts"] = [_facts(facts.get(int(i))) for i in assessments["id"]]
    scores = _frame(records.scores, SCORE_COLUMNS)
    one: dict[str, str] = {}  # each barrier id held once (see `_shared`)
    barriers = pd.Series([tuple(sorted(one.setdefault(b, b) for b in text.split(",")))
                          if text else () for _, text in records.barriers],
                         index=[aid for aid, _ in records.barriers], dtype=object)
    return assessments, barriers, _wide(scores, dimensions)


def _facts(row: Sequence[Any] | None) -> str:
    """(respondents by agency, shown agencies or None, withheld reason, workshop) of a fact row
    (`FACT_COLUMNS`) as one JSON text, read only when two rounds are compared (one object a
    row instead of a dozen: see `_shared`); a round without one counts as one whose agencies
    were all shown."""
    if row is None:
        return NO_FACTS
    values = dict(zip(FACT_COLUMNS, row, strict=True))
    counts = {str(a): int(n) for a, n in json.loads(values["counts"] or "{}").items()}
    shown = None if values["shown"] is None else [str(a) for a in json.loads(values["shown"])]
    return json.dumps([counts, shown, values["withheld"], values["mode"] == "workshop"],
                      separators=(",", ":"))


NO_FACTS = json.dumps([{}, None, None, False], separators=(",", ":"))


def _round_facts(rules: Rules, row: Mapping[str, Any]) -> published.RoundFacts:
    counts, shown, withheld, workshop = json.loads(row["facts"])
    return published.stored_round_facts(int(row["round"]), counts, shown=shown,
                                        withheld=withheld, workshop=workshop,
                                        settings=rules.settings, order=rules.order)


def not_comparable(rules: Rules, before: Mapping[str, Any],
                   now: Mapping[str, Any]) -> tuple[published.Difference, ...]:
    """Why two assessment rows (with `round` and `facts`) cannot be compared, as data (worded
    by `published.differences_text` for each reader); empty when they can
    (`readiness.core.published.differences`, as on the results page)."""
    return published.differences(_round_facts(rules, before), _round_facts(rules, now),
                                 rules.order)


def _compared(assessments: pd.DataFrame, rules: Rules,
              municipalities: pd.Series | None = None) -> pd.DataFrame:
    """`assessments` with `not_comparable`: why each round cannot be compared with the
    municipality's round before it, as `published.Difference`s (empty for a first round or
    one that compares); worked out once per set of frames, for the rows of `municipalities`
    only when given (the others keep theirs)."""
    out = assessments.copy()
    if "not_comparable" not in out:
        out["not_comparable"] = [()] * len(out)
    redo = out if municipalities is None else out[out["municipality_id"].isin(municipalities)]
    found: dict[Any, tuple[published.Difference, ...]] = {}
    before: dict[Any, dict[str, Any]] = {}
    for row in redo.sort_values(["municipality_id", "round"])[
            ["municipality_id", "round", "facts"]].to_dict("index").items():
        index, rec = row
        prev = before.get(rec["municipality_id"])
        found[index] = () if prev is None else not_comparable(rules, prev, rec)
        before[rec["municipality_id"]] = rec
    if found:
        out.loc[list(found), "not_comparable"] = pd.Series(found, dtype=object)
    return out


def tables(records: Records, dimensions: Sequence[str], rules: Rules | None = None) -> Tables:
    """Frames from the database rows."""
    assessments, barriers, wide = _assessment_frames(records, dimensions)
    rules = rules or Rules()
    return Tables(_frame(records.municipalities, MUNICIPALITY_COLUMNS),
                  _compared(assessments, rules), barriers, wide, tuple(dimensions), rules)


def with_municipalities(t: Tables, rows: Sequence[Sequence[Any]]) -> Tables:
    """`t` with its municipalities read again (added or edited ones; assessments unchanged).

    When only names changed (the same municipalities in the same order, countries, regions
    and bands), what `t` remembers carries over: the selections and municipality frames with
    the new names, and the figures that name no municipality (`NAMELESS`); lists that are
    ordered or worded by name are worked out again."""
    frame = _frame(rows, MUNICIPALITY_COLUMNS)
    new = Tables(frame, t.assessments, t.barriers, t.wide, t.dimensions, t.rules)
    if _only_renamed(t.municipalities, frame):
        by_id = frame.set_index("id")
        for key, value in list(t.memo.items()):
            kind = key[0] if isinstance(key, tuple) and key else None
            if kind == "select":
                new.memo[key] = _renamed(value, frame, by_id)
            elif kind in NAMED_FRAMES:
                new.memo[key] = _named(value, by_id)
            elif kind in NAMELESS:
                new.memo[key] = value
    return new


# what `Tables.remembered` keeps under these first key parts names no municipality
NAMELESS = frozenset({"figures"})
# ... or is a frame of municipalities with their names (`name`, `municipality_public_id`)
NAMED_FRAMES = frozenset({"municipality_frame"})
_PLACES = ["id", "country", "region", "band"]


def _only_renamed(before: pd.DataFrame, after: pd.DataFrame) -> bool:
    """Whether `after` holds the municipalities of `before` in the same order and places
    (every filter selects the same rows), only named anew."""
    return (before.index.equals(after.index) and list(before.columns) == list(after.columns)
            and before[_PLACES].equals(after[_PLACES]))


def _named(frame: pd.DataFrame, by_id: pd.DataFrame) -> pd.DataFrame:
    """`frame` (rows with a `municipality_id`) with the names and public ids of `by_id`."""
    out = frame.copy(deep=False)
    ids = out["municipality_id"]
    for column, source in (("name", "name"), ("municipality_public_id", "public_id")):
        out[column] = pd.Series(by_id[source].reindex(ids).to_numpy(), index=out.index,
                                dtype=frame[column].dtype)
    return out


def _renamed(sel: Selection, municipalities: pd.DataFrame, by_id: pd.DataFrame) -> Selection:
    """`sel` with the names and public ids of `municipalities` (which `_only_renamed` found to
    hold the same rows)."""
    latest = _named(sel.latest, by_id)
    ever = latest if sel.ever is sel.latest else _named(sel.ever, by_id)
    return replace(sel, municipalities=municipalities.loc[sel.municipalities.index],
                   latest=latest, ever=ever)


def extend(t: Tables, added: Records) -> Tables:
    """`t` with the assessments of `added` that it lacks (newly closed ones; the municipalities
    of `added` are ignored). Assessments `t` already holds are skipped, so reading a little too
    much under concurrent closes never counts one twice."""
    assessments, barriers, wide = _assessment_frames(added, t.dimensions)
    new_ids = assessments["id"][~assessments["id"].isin(t.assessments["id"])]
    if not len(new_ids):
        return t
    added_rows = assessments[assessments["id"].isin(new_ids)]
    return Tables(
        t.municipalities,
        _compared(pd.concat([t.assessments, added_rows], ignore_index=True), t.rules,
                  added_rows["municipality_id"]),
        pd.concat([t.barriers, barriers[barriers.index.isin(new_ids)]]),
        pd.concat([t.wide, wide[wide.index.isin(new_ids)]]),
        t.dimensions, t.rules)


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
    rules: Rules = Rules()
    # every closed assessment and its scores (`Tables`, shared, not copied), for "where to go
    # next" to find a municipality's last scored round behind one with too few answers
    history: pd.DataFrame | None = field(default=None, compare=False, repr=False)
    wide: pd.DataFrame | None = field(default=None, compare=False, repr=False)

    @cached_property
    def differences(self) -> dict[int, tuple[published.Difference, ...]]:
        """Per municipality with a previous round: why its latest round cannot be compared with
        it, as data (`readiness.core.published`, the rule the results page applies); empty
        when it can. Only comparable rounds count as a change anywhere."""
        paired = self.latest[self.latest["municipality_id"].isin(
            self.previous["municipality_id"])]
        return dict(zip(paired["municipality_id"].astype(int), paired["not_comparable"],
                        strict=True))

    def comparable(self, municipality_ids: pd.Series) -> pd.Series:
        """Whether each municipality's latest round may be compared with its previous one."""
        found = self.differences
        return pd.Series([not found.get(int(m), ()) for m in municipality_ids],
                         index=municipality_ids.index, dtype=bool)

    @property
    def narrowed(self) -> bool:
        """Whether a round or period leaves some assessments out."""
        f = self.filters
        return f.round is not None or f.since is not None or f.until is not None


def latest_and_previous(wide: pd.DataFrame, a: pd.DataFrame, window: pd.DataFrame,
                        info: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per municipality, the latest assessment of `window` and the round before it (of `a`),
    with their scores from `wide`."""
    latest = (window.sort_values(["municipality_id", "round"])
              .drop_duplicates("municipality_id", keep="last"))
    earlier = a.merge(latest[["municipality_id", "round"]], on="municipality_id",
                      suffixes=("", "_latest"))
    earlier = earlier[earlier["round"] < earlier["round_latest"]]
    previous = (earlier.drop(columns="round_latest").sort_values(["municipality_id", "round"])
                .drop_duplicates("municipality_id", keep="last"))
    latest = (latest.merge(info, on="municipality_id")
              .join(wide, on="id").reset_index(drop=True))
    return latest, previous.join(wide, on="id").reset_index(drop=True)


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
    latest, previous = latest_and_previous(t.wide, a, window, info)
    ever, ever_previous = ((latest, previous) if window is a
                           else latest_and_previous(t.wide, a, a, info))
    barriers = t.barriers[t.barriers.index.isin(latest["id"])]
    return Selection(f, m, latest, previous, barriers, t.dimensions, ever, ever_previous,
                     t.rules, history=t.assessments, wide=t.wide)

