"""National and regional views over stored scores: the only package that imports pandas.

Pure: rows in (`readiness.national.records.Records`), plain dataclasses out; no Flask or database.
`national` holds the breakdowns (every small cell suppressed), `municipal` the views that name
municipalities (the table, "where to go next", the peer benchmark). `dashboard` computes what
the coordinators' dashboard, the exports, the API and the national PDF show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from readiness.core.questionnaire import Questionnaire
from readiness.national.aggregate.cells import (
    MIN_CELL,
    SHARE_DIGITS,
    Cell,
    count_cell,
    count_cells,
    hidden,
    share_cell,
    stat_cell,
    suppressed_text,
)
from readiness.national.aggregate.frames import (
    FRAMES_FORMAT,
    NAMELESS,
    Filters,
    Rules,
    Selection,
    Tables,
    extend,
    select,
    tables,
    with_municipalities,
)
from readiness.national.aggregate.municipal import (
    MunicipalityRow,
    NeedRow,
    PeerBenchmark,
    PeerPosition,
    TablePage,
    municipality_frame,
    municipality_rounds,
    municipality_rows,
    municipality_table,
    need_frame,
    need_ranking,
    need_weights,
    peer_benchmark,
    sort_keys,
)
from readiness.national.aggregate.national import (
    CHANGE_POINTS,
    BarrierCount,
    DimensionProgress,
    DimensionSummary,
    GroupRow,
    LevelShare,
    Overview,
    barrier_frequency,
    breakdown,
    dimension_summaries,
    overview,
    progress,
)
from readiness.national.aggregate.order import band_order, by_name, by_size, place_order
from readiness.translate import current_language

__all__ = [
    "CHANGE_POINTS", "FRAMES_FORMAT", "MIN_CELL", "NAMELESS", "SHARE_DIGITS", "BarrierCount",
    "Rules", "Cell", "Dashboard", "DimensionProgress",
    "DimensionSummary", "Filters", "GroupRow", "LevelShare", "MunicipalityRow", "NeedRow",
    "Overview", "PeerBenchmark", "PeerPosition", "Selection", "TablePage", "Tables",
    "band_order", "barrier_frequency", "breakdown", "by_name", "by_size", "count_cell",
    "count_cells", "dashboard", "dashboard_key", "dimension_summaries", "extend", "hidden",
    "municipality_frame", "municipality_rounds", "municipality_rows", "municipality_table",
    "need_frame", "need_ranking", "need_weights", "overview", "peer_benchmark", "place_order",
    "progress", "select", "share_cell", "sort_keys", "stat_cell", "suppressed_text", "tables",
    "with_municipalities",
]


@dataclass(frozen=True)
class Dashboard:
    """Everything the national dashboard shows for one set of filters."""

    filters: Filters
    min_cell: int
    overview: Overview
    dimensions: list[DimensionSummary]
    barriers: list[BarrierCount]
    progress: list[DimensionProgress]
    regions: list[GroupRow]
    bands: list[GroupRow]
    table: TablePage
    need: list[NeedRow]


def dashboard(t: Tables, q: Questionnaire, filters: Filters, *, today: date,
              sort: str = "name", descending: bool = False, page: int = 1,
              per_page: int = 50, need_limit: int = 20, min_cell: int = MIN_CELL) -> Dashboard:
    """The dashboard's figures for the filters; worked out once per set of frames, language
    and arguments, so a dashboard over unchanged data costs no pandas at all."""
    key = dashboard_key(q, filters, today=today, sort=sort, descending=descending, page=page,
                        per_page=per_page, need_limit=need_limit, min_cell=min_cell)
    return t.remembered(key, lambda: _dashboard(t, q, filters, today, sort, descending, page,
                                                per_page, need_limit, min_cell))


def dashboard_key(q: Questionnaire, filters: Filters, *, today: date, sort: str = "name",
                  descending: bool = False, page: int = 1, per_page: int = 50,
                  need_limit: int = 20, min_cell: int = MIN_CELL) -> tuple[object, ...]:
    """What `dashboard` keeps its figures under: everything they depend on besides the data
    (the questionnaire, the reader's language, the arguments)."""
    return ("dashboard", q.id, q.version, q.content_hash, q.language, current_language(),
            filters, today, sort, descending, page, per_page, need_limit, min_cell)


@dataclass(frozen=True)
class _Figures:
    """The dashboard's figures that name no municipality (kept when one is only renamed)."""

    overview: Overview
    dimensions: list[DimensionSummary]
    barriers: list[BarrierCount]
    progress: list[DimensionProgress]
    regions: list[GroupRow]
    bands: list[GroupRow]


def _figures(sel: Selection, q: Questionnaire, min_cell: int) -> _Figures:
    return _Figures(overview(sel, q, min_cell), dimension_summaries(sel, q, min_cell),
                    barrier_frequency(sel, q, min_cell), progress(sel, q, min_cell),
                    breakdown(sel, "region", min_cell), breakdown(sel, "band", min_cell))


def _dashboard(t: Tables, q: Questionnaire, filters: Filters, today: date, sort: str,
               descending: bool, page: int, per_page: int, need_limit: int,
               min_cell: int) -> Dashboard:
    sel = select(t, filters)
    # "figures" is in frames.NAMELESS: kept across a rename, unlike the lists below
    key = ("figures", q.id, q.version, q.content_hash, q.language, current_language(),
           filters, min_cell)
    figures = t.remembered(key, lambda: _figures(sel, q, min_cell))
    frame = t.remembered(("municipality_frame", filters), lambda: municipality_frame(sel))
    return Dashboard(
        filters=filters, min_cell=min_cell, overview=figures.overview,
        dimensions=figures.dimensions, barriers=figures.barriers, progress=figures.progress,
        regions=figures.regions, bands=figures.bands,
        table=municipality_table(sel, sort, descending, page, per_page, frame),
        need=need_ranking(sel, q, today, need_limit, frame, ranked=t.remembered(
            ("need_frame", filters), lambda: need_frame(sel, frame))))
