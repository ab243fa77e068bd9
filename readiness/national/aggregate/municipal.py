"""Views that name municipalities: the sortable table, "where to go next", the peer benchmark."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from math import ceil
from typing import Any

import numpy as np
import pandas as pd

from readiness.core.published import Difference
from readiness.core.questionnaire import Questionnaire
from readiness.national.aggregate.cells import (
    MIN_CELL,
    Cell,
    count_cell,
    share_cell,
    stat_cell,
)
from readiness.national.aggregate.frames import (
    Filters,
    Selection,
    Tables,
    latest_and_previous,
    not_comparable,
    select,
)
from readiness.national.aggregate.order import band_order
from readiness.translate import format_date
from readiness.translate import gettext as _

BASE_SORT_KEYS = ("name", "country", "region", "band", "round", "date", "overall", "change",
                  "barriers")
# bands sort by size, not by id ("100k_250k" would come before "10k_50k")
SORT_COLUMNS = {"name": "name", "country": "country", "region": "region", "band": "band_rank",
                "round": "round", "date": "conducted_on", "overall": "overall",
                "change": "change", "barriers": "barrier_count"}
# "Where to go next": how much each sign of need weighs (see `need_ranking`).
NEVER_ASSESSED_NEED = 55.0
WEAKNESS_WEIGHT = 0.6
CONCERN_WEIGHT = 8.0
STALE_POINTS_PER_MONTH = 2.0
STALE_CAP = 30.0
NO_STRUCTURE_NEED = {"none": 20.0, "ad_hoc": 10.0}
DECLINE_NEED = 10.0
DECLINE_POINTS = 5.0


def sort_keys(dimensions: Sequence[str]) -> tuple[str, ...]:
    """The keys the municipality table may be sorted by."""
    return BASE_SORT_KEYS + tuple(dimensions)


@dataclass(frozen=True)
class MunicipalityRow:
    """A municipality with its latest assessment in the selection (if any)."""

    public_id: str
    name: str
    country: str
    region: str
    band: str
    assessment_public_id: str | None
    round: int | None
    conducted_on: date | None
    overall: float | None
    stage: str | None
    scores: dict[str, float | None]
    levels: dict[str, str | None]
    gaps: tuple[str, ...]
    barriers: tuple[str, ...]
    change: float | None
    # "assessed" in the selection, "outside" it (assessed only in another round or period),
    # or "never" (no closed assessment at all); the latest closed assessment of any round
    status: str = "assessed"
    latest_round: int | None = None
    latest_on: date | None = None
    # why the latest round cannot be compared with the previous one (then `change` is None),
    # as data: worded for each reader by `readiness.core.published.differences_text`
    not_comparable: tuple[Difference, ...] = ()


@dataclass(frozen=True)
class TablePage:
    """One page of the sorted municipality table."""

    rows: list[MunicipalityRow]
    total: int
    page: int
    pages: int


def municipality_frame(sel: Selection) -> pd.DataFrame:
    """Every selected municipality (assessed or not) with its latest scores and changes."""
    info = sel.municipalities.rename(columns={"id": "municipality_id",
                                              "public_id": "municipality_public_id"})
    ids = info["municipality_id"].to_numpy()
    latest = sel.latest.drop(columns=["municipality_public_id", "name", "country", "region",
                                      "band"]).set_index("municipality_id")
    # rows looked up by municipality (each has one latest and one previous at most): what a
    # left merge gives, without its cost per column
    frame = pd.concat([info.reset_index(drop=True),
                       latest.reindex(ids).reset_index(drop=True)], axis=1)
    frame["prev"] = _by_municipality(sel.previous, "overall", ids)
    frame["change"] = (frame["overall"] - frame["prev"]).where(
        sel.comparable(frame["municipality_id"]))
    differs = sel.differences
    frame["not_comparable"] = pd.Series(
        [differs.get(int(m), ()) for m in ids], index=frame.index, dtype=object)
    ranks = {band: band_order(str(band))[0] for band in set(frame["band"])}
    frame["band_rank"] = [ranks[band] for band in frame["band"]]
    counts = sel.barriers.map(len)
    frame["barrier_count"] = frame["id"].map(counts).fillna(0).where(frame["id"].notna())
    frame["latest_round"] = _by_municipality(sel.ever, "round", ids)
    frame["latest_on"] = _by_municipality(sel.ever, "conducted_on", ids)
    return frame


def _by_municipality(rows: pd.DataFrame, column: str, ids: np.ndarray) -> np.ndarray:
    """`column` of `rows` (one row per municipality at most) for each of `ids`, missing where
    a municipality has no row."""
    found = pd.Series(rows[column].to_numpy(), index=rows["municipality_id"].to_numpy())
    return found.reindex(ids).to_numpy()


def _status(rec: dict[str, object]) -> str:
    if rec["id"] is not None:
        return "assessed"
    return "outside" if rec["latest_round"] is not None else "never"


def _missing(value: object) -> bool:
    """Whether a frame cell holds no value (None, NaN, NaT or NA)."""
    return (value is None or value is pd.NaT or value is pd.NA
            or (isinstance(value, float) and value != value))


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of `frame` as dicts of plain values (as `to_dict("records")` gives them), None
    where it holds no value: one array of objects, then Python (pandas' own conversions go
    column by column and cost more than the few rows of a page)."""
    columns = list(frame.columns)
    return [{k: None if _missing(v) else v for k, v in zip(columns, row, strict=True)}
            for row in frame.to_numpy(dtype=object).tolist()]


def _rows(frame: pd.DataFrame, sel: Selection) -> list[MunicipalityRow]:
    rows = []
    for rec in _records(frame):
        assessed = rec["id"] is not None
        dims = sel.dimensions
        rows.append(MunicipalityRow(
            public_id=rec["municipality_public_id"], name=rec["name"], country=rec["country"],
            region=rec["region"], band=rec["band"],
            assessment_public_id=rec["public_id"] if assessed else None,
            round=int(rec["round"]) if assessed else None,
            conducted_on=rec["conducted_on"].date() if assessed else None,
            overall=rec["overall"], stage=rec["stage"],
            scores={d: rec.get(f"score:{d}") for d in dims},
            levels={d: rec.get(f"level:{d}") for d in dims},
            gaps=tuple(d for d in dims if rec.get(f"divergent:{d}")),
            barriers=tuple(sel.barriers.get(rec["id"], ())) if assessed else (),
            change=rec["change"], status=_status(rec),
            latest_round=None if rec["latest_round"] is None else int(rec["latest_round"]),
            latest_on=None if rec["latest_on"] is None else rec["latest_on"].date(),
            not_comparable=tuple(rec["not_comparable"] or ())))
    return rows


def municipality_rows(sel: Selection) -> list[MunicipalityRow]:
    """Every selected municipality, by name (for exports)."""
    frame = municipality_frame(sel).sort_values(["name", "country", "region"], kind="stable")
    return _rows(frame, sel)


def municipality_table(sel: Selection, sort: str = "name", descending: bool = False,
                       page: int = 1, per_page: int = 50,
                       frame: pd.DataFrame | None = None) -> TablePage:
    """One page of the selected municipalities, sorted; missing values always last.

    `frame` is `municipality_frame(sel)` when the caller has it already."""
    if sort not in sort_keys(sel.dimensions):
        raise ValueError(f"unknown sort key {sort!r}")
    column = SORT_COLUMNS.get(sort, f"score:{sort}")
    frame = municipality_frame(sel) if frame is None else frame
    # the order from the two sort columns alone, then the page's rows of the whole frame
    order = frame[list(dict.fromkeys([column, "name"]))].sort_values(
        [column, "name"], ascending=[not descending, True], na_position="last",
        kind="stable").index
    pages = max(1, ceil(len(frame) / per_page))
    page = min(max(page, 1), pages)
    chunk = frame.loc[order[(page - 1) * per_page: page * per_page]]
    return TablePage(_rows(chunk, sel), len(frame), page, pages)


def _need_frame(sel: Selection, frame: pd.DataFrame | None) -> pd.DataFrame:
    """The selection's municipality frame, with the real latest assessment (of any round or
    period) of each municipality that has none in the selection; `outside` marks those."""
    frame = (municipality_frame(sel) if frame is None else frame).copy(deep=False)
    frame["outside"] = False
    if not sel.narrowed:
        return frame
    ever = replace(sel, latest=sel.ever, previous=sel.ever_previous)
    fallback = municipality_frame(ever)
    fallback["outside"] = True
    swap = frame["id"].isna() & fallback["id"].notna()
    if not swap.any():
        return frame
    return pd.concat([frame[~swap], fallback[swap]]).sort_index()


def _last_scored(sel: Selection, frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` where an assessment has no overall score (too few answers): the municipality's
    last scored round before it instead; `unscored_round` and `unscored_on` name the round
    passed over (also where no scored round is left: that row keeps its unscored round)."""
    frame = frame.copy(deep=False)
    unscored = frame["id"].notna() & frame["overall"].isna()
    frame["unscored_round"] = frame["round"].where(unscored)
    frame["unscored_on"] = frame["conducted_on"].where(unscored)
    if not unscored.any() or sel.history is None or sel.wide is None:
        return frame
    before = frame.loc[unscored].set_index("municipality_id")["round"]
    a = sel.history[sel.history["municipality_id"].isin(before.index)]
    window = a[a["overall"].notna()
               & (a["round"] < a["municipality_id"].map(before).astype(float))]
    # only the municipalities concerned: both frames list them in `sel.municipalities` order
    places = sel.municipalities[sel.municipalities["id"].isin(before.index)]
    info = places.rename(columns={"id": "municipality_id",
                                  "public_id": "municipality_public_id"})
    latest, previous = latest_and_previous(sel.wide, a, window, info)
    fallback = municipality_frame(replace(sel, municipalities=places, latest=latest,
                                          previous=previous))
    fallback.index = frame.index[frame["municipality_id"].isin(before.index)]
    fallback = fallback[fallback["id"].notna()].copy()
    if fallback.empty:
        return frame
    for column in ("outside", "unscored_round", "unscored_on"):
        fallback[column] = frame.loc[fallback.index, column]
    return pd.concat([frame.drop(index=fallback.index), fallback]).sort_index()


@dataclass(frozen=True)
class NeedRow:
    """A municipality ranked by how much it needs a visit, with the reasons in words."""

    public_id: str
    name: str
    country: str
    region: str
    band: str
    need: float
    reasons: tuple[str, ...]
    overall: float | None
    conducted_on: date | None
    assessment_public_id: str | None


def need_weights(q: Questionnaire) -> dict[str, float]:
    """What `need_ranking` adds up, for the page that explains the need score: points per
    sign of need, and the thresholds they start from."""
    return {"weakness": WEAKNESS_WEIGHT, "concern": CONCERN_WEIGHT,
            "stale_after": float(q.doc.settings.reassess_after_months),
            "stale_per_month": STALE_POINTS_PER_MONTH, "stale_cap": STALE_CAP,
            "no_structure": NO_STRUCTURE_NEED["none"], "ad_hoc": NO_STRUCTURE_NEED["ad_hoc"],
            "decline": DECLINE_NEED, "decline_points": DECLINE_POINTS,
            "never_assessed": NEVER_ASSESSED_NEED,
            "most": 100 * WEAKNESS_WEIGHT + CONCERN_WEIGHT * len(q.doc.dimensions) + STALE_CAP
            + max(NO_STRUCTURE_NEED.values()) + DECLINE_NEED}


def _need_scores(frame: pd.DataFrame, dims: list[str], q: Questionnaire,
                 today: date) -> tuple[pd.Series, pd.Series]:
    """Each row's need score (`need_weights`) and its whole months since the round it is
    ranked on: scores and months are taken as printed (whole numbers), so the printed parts
    of a row add up to its printed need."""
    concern = q.doc.settings.concern_level
    scores = frame[[f"score:{d}" for d in dims]].to_numpy(dtype=float).round()
    ordered = np.sort(scores, axis=1)[:, :2]  # NaN last
    known = ~np.isnan(ordered)
    two_lowest = pd.Series(np.where(known.any(axis=1), np.nansum(ordered, axis=1)
                                    / np.maximum(known.sum(axis=1), 1), np.nan),
                           index=frame.index)
    weakness = (100 - two_lowest.fillna(50)) * WEAKNESS_WEIGHT
    concerns = pd.Series((frame[[f"level:{d}" for d in dims]].to_numpy(dtype=object)
                          == concern).sum(axis=1), index=frame.index) if dims else 0
    months = ((pd.Timestamp(today) - frame["conducted_on"]).dt.days / 30.44).round()
    stale = ((months - q.doc.settings.reassess_after_months).clip(lower=0)
             * STALE_POINTS_PER_MONTH).clip(upper=STALE_CAP).fillna(0)
    structure = frame["formality"].map(NO_STRUCTURE_NEED).fillna(0)
    decline = (frame["change"] <= -DECLINE_POINTS).astype(float) * DECLINE_NEED
    need = weakness + CONCERN_WEIGHT * concerns + stale + structure + decline
    # never assessed, or no round scored at all
    ranked = frame["id"].notna() & frame["overall"].notna()
    return need.where(ranked, NEVER_ASSESSED_NEED).astype("float64").round(1), months


def need_frame(sel: Selection, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """The rows "where to go next" ranks: each municipality on its latest scored assessment
    (see `need_ranking`); the same whatever the day or language, so callers may keep it.

    `frame` is `municipality_frame(sel)` when the caller has it already."""
    return _last_scored(sel, _need_frame(sel, frame))


def need_ranking(sel: Selection, q: Questionnaire, today: date, limit: int = 20,
                 frame: pd.DataFrame | None = None,
                 ranked: pd.DataFrame | None = None) -> list[NeedRow]:
    """Municipalities ranked by need: weakest dimensions, long unassessed, no structure yet.

    A municipality assessed only outside the chosen round or period is ranked on its real
    latest assessment (and says so), never as "never assessed"; one whose latest round had
    too few answers for a score, on its last scored round (or as never assessed when none
    was scored), and says so. `ranked` is `need_frame(sel, frame)` when the caller kept it."""
    frame = (need_frame(sel, frame) if ranked is None else ranked).copy(deep=False)
    dims = list(sel.dimensions)
    frame["need"], frame["months"] = _need_scores(frame, dims, q, today)
    # ranked on the two columns alone, then the top rows of the whole frame
    order = (frame[["need", "name"]].nlargest(limit, "need", keep="all")
             .sort_values(["need", "name"], ascending=[False, True]).head(limit))
    top = frame.loc[order.index]
    return [NeedRow(
        public_id=rec["municipality_public_id"], name=rec["name"], country=rec["country"],
        region=rec["region"], band=rec["band"], need=float(rec["need"]),
        reasons=_need_reasons(rec, dims, q), overall=rec["overall"],
        conducted_on=rec["conducted_on"].date() if rec["id"] is not None else None,
        assessment_public_id=rec["public_id"]) for rec in _records(top)]


def _passed_over(rec: dict[str, Any]) -> list[str]:
    """Why a row is ranked on another round than the selection's latest (or on none)."""
    reasons = []
    if rec["outside"]:
        reasons.append(_("Not in this selection: latest assessment round %(round)d, %(date)s",
                         round=int(rec["unscored_round"] or rec["round"]),
                         date=format_date((rec["unscored_on"] or rec["conducted_on"]).date())))
    if rec["unscored_round"] is None:
        return reasons
    passed = {"round": int(rec["unscored_round"]),
              "date": format_date(rec["unscored_on"].date())}
    if rec["overall"] is None:
        reasons.append(_("Round %(round)d (%(date)s) had too few answers for a score, and no "
                         "earlier round was scored: ranked as never assessed", **passed))
    else:
        reasons.append(_("Round %(round)d (%(date)s) had too few answers for a score: ranked "
                         "on round %(scored)d (%(scored_date)s)", **passed,
                         scored=int(rec["round"]),
                         scored_date=format_date(rec["conducted_on"].date())))
    return reasons


def _need_reasons(rec: dict[str, Any], dims: list[str], q: Questionnaire) -> tuple[str, ...]:
    """The signs of need of one ranked row, in words, with the figures the score used."""
    if rec["id"] is None:
        return (_("Never assessed: readiness unknown"),)
    reasons = _passed_over(rec)
    if rec["overall"] is None:
        return tuple(reasons)
    titles = {d.id: d.title for d in q.doc.dimensions}
    scored = sorted((round(rec[f"score:{d}"]), d) for d in dims
                    if rec[f"score:{d}"] is not None)
    if scored:
        reasons.append(_("Weakest: %(dimensions)s", dimensions=", ".join(
            f"{titles[d]} {s:d}" for s, d in scored[:2])))
    n_concern = sum(1 for d in dims if rec[f"level:{d}"] == q.doc.settings.concern_level)
    if n_concern:
        reasons.append(_("%(count)d of %(total)d dimensions at concern level",
                         count=n_concern, total=len(dims)))
    if rec["formality"] in NO_STRUCTURE_REASON:
        reasons.append(NO_STRUCTURE_REASON[rec["formality"]]())
    if rec["months"] is not None and rec["months"] > q.doc.settings.reassess_after_months:
        reasons.append(_("Last assessed %(months)s months ago", months=f"{rec['months']:.0f}")
                       if rec["unscored_round"] is None else
                       _("Last scored %(months)s months ago", months=f"{rec['months']:.0f}"))
    if rec["change"] is not None and rec["change"] <= -DECLINE_POINTS:
        reasons.append(_("Overall fell %(points)s points since the last round",
                         points=f"{-rec['change']:.0f}"))
    return tuple(reasons)


NO_STRUCTURE_REASON = {"none": lambda: _("No local cooperation structure yet"),
                       "ad_hoc": lambda: _("Only ad hoc cooperation")}


@dataclass(frozen=True)
class PeerPosition:
    """Where a municipality stands on one dimension among peers of its size band."""

    id: str
    title: str
    score: float | None
    peers: Cell
    peer_median: Cell
    peer_q1: Cell
    peer_q3: Cell
    below_share: Cell  # share of peers scoring lower


@dataclass(frozen=True)
class PeerBenchmark:
    """A municipality's latest scores against the other municipalities of its country and band."""

    country: str
    band: str
    peers: Cell
    dimensions: tuple[PeerPosition, ...]


def peer_benchmark(t: Tables, assessment_public_id: str, q: Questionnaire,
                   min_cell: int = MIN_CELL) -> PeerBenchmark | None:
    """An assessment's scores against the latest of the other municipalities of its country
    and size band (`t` may hold just those); None when the assessment is not in `t`."""
    own_rows = t.assessments[t.assessments["public_id"] == assessment_public_id]
    if own_rows.empty:
        return None
    own_assessment = own_rows.iloc[0]
    info = t.municipalities[t.municipalities["id"] == own_assessment["municipality_id"]].iloc[0]
    country, band = str(info["country"]), str(info["band"])
    sel = select(t, Filters(country=country, band=band))
    peers = sel.latest[sel.latest["municipality_id"] != own_assessment["municipality_id"]]
    own = t.wide.loc[own_assessment["id"]] if own_assessment["id"] in t.wide.index else None
    positions = []
    for dim in q.doc.dimensions:
        values = peers[f"score:{dim.id}"].dropna()
        n = len(values)
        raw = None if own is None else own[f"score:{dim.id}"]
        score = None if raw is None or pd.isna(raw) else float(raw)
        below = None if score is None or not n else float((values < score).mean())
        positions.append(PeerPosition(
            id=dim.id, title=dim.title, score=None if score is None else round(score, 1),
            peers=count_cell(n, min_cell),
            peer_median=stat_cell(values.median(), n, min_cell),
            peer_q1=stat_cell(values.quantile(0.25), n, min_cell),
            peer_q3=stat_cell(values.quantile(0.75), n, min_cell),
            below_share=share_cell(below, n, min_cell)))
    n_peers = len(peers)
    return PeerBenchmark(country, band, count_cell(n_peers, min_cell), tuple(positions))


def _number(value: object) -> float | None:
    """A stored figure as a float, or None where the frame holds NaN or nothing."""
    return None if value is None or value != value else float(value)  # type: ignore[arg-type]


def municipality_rounds(t: Tables, municipality_id: int,
                        dimensions: Sequence[str]) -> list[dict[str, object]]:
    """Every closed round of one municipality, oldest first, as plain values: date, overall,
    stage, each dimension's score, level and gap flag, the barriers found, and why it does not
    compare with the round before (`published.Difference`s, worded by the reader)."""
    mine = t.assessments[t.assessments["municipality_id"] == municipality_id].sort_values("round")
    rounds: list[dict[str, object]] = []
    before: dict[str, Any] | None = None
    for rec in mine.to_dict("records"):
        wide = t.wide.loc[rec["id"]] if rec["id"] in t.wide.index else None
        rounds.append({
            "assessment_id": rec["public_id"], "round": int(rec["round"]),
            "conducted_on": rec["conducted_on"].date(), "overall": _number(rec["overall"]),
            "stage": rec["stage"],
            "dimensions": [{"id": d,
                            "score": None if wide is None else _number(wide[f"score:{d}"]),
                            "level": None if wide is None else str(wide[f"level:{d}"]),
                            "divergent": bool(wide is not None and wide[f"divergent:{d}"])}
                           for d in dimensions],
            "barriers": sorted(t.barriers.get(rec["id"], ())),
            "not_comparable": [] if before is None else list(
                not_comparable(t.rules, before, rec))})
        before = rec
    return rounds
