"""CSV and XLSX exports of the national views: the only module that imports openpyxl.

Pure: sheets of plain values in, file bytes out. A text cell that a spreadsheet could take for a
formula (starting with = + - @, a tab or a carriage return) gets a leading single quote; numbers
stay numeric cells. Suppressed breakdown cells arrive as the text "fewer than 5" and stay text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from readiness.core.questionnaire import Questionnaire
from readiness.national.aggregate import (
    BarrierCount,
    DimensionProgress,
    DimensionSummary,
    MunicipalityRow,
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SheetValue = str | int | float | date | None


def neutralise(value: Any) -> SheetValue:
    """A cell value that no spreadsheet runs as a formula; numbers and dates pass unchanged."""
    if value is None or isinstance(value, bool):
        return None if value is None else ("yes" if value else "no")
    if isinstance(value, int | float | date | datetime):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@dataclass(frozen=True)
class Sheet:
    """A named table: a header row and data rows."""

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Any]]


def csv_bytes(sheet: Sheet) -> bytes:
    """The sheet as UTF-8 CSV (with a byte-order mark, so spreadsheets read the accents)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in sheet.header])
    for row in sheet.rows:
        writer.writerow(["" if (v := neutralise(value)) is None else v for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(sheets: Iterable[Sheet]) -> bytes:
    """The sheets as one XLSX workbook, header rows bold-free and frozen."""
    book = Workbook(write_only=True)
    for sheet in sheets:
        ws = book.create_sheet(title=sheet.title[:31])
        ws.freeze_panes = "A2"
        for index, header in enumerate(sheet.header, start=1):
            ws.column_dimensions[get_column_letter(index)].width = min(max(len(header), 10), 40)
        ws.append([neutralise(h) for h in sheet.header])
        for row in sheet.rows:
            ws.append([neutralise(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def municipality_sheet(rows: Sequence[MunicipalityRow], q: Questionnaire,
                       actions: Mapping[str, Sequence[Mapping[str, Any]]]) -> Sheet:
    """One row per municipality: latest scores and levels per dimension, barriers, actions.

    `actions` maps an assessment's public id to its roadmap actions (dicts with a title).
    """
    barrier_titles = {b.id: b.title for b in q.doc.barriers}
    dim_titles = {d.id: d.title for d in q.doc.dimensions}
    header = ["municipality", "country", "region", "population_band", "round", "assessed_on",
              "overall", "stage"]
    for dim in q.dimension_ids:
        header += [f"{dim}_score", f"{dim}_level"]
    header += ["perception_gaps", "barriers", "first_actions"]
    out = []
    for row in rows:
        values: list[Any] = [row.name, row.country, row.region, row.band, row.round,
                             row.conducted_on, _round(row.overall), row.stage]
        for dim in q.dimension_ids:
            values += [_round(row.scores.get(dim)), row.levels.get(dim)]
        values.append("; ".join(dim_titles.get(d, d) for d in row.gaps))
        values.append("; ".join(barrier_titles.get(b, b) for b in row.barriers))
        first = actions.get(row.assessment_public_id or "", ())
        values.append("; ".join(str(a.get("title", "")) for a in first))
        out.append(values)
    return Sheet("Municipalities", header, out)


def barrier_sheet(rows: Sequence[MunicipalityRow], q: Questionnaire) -> Sheet:
    """One row per municipality and barrier found in its latest assessment."""
    titles = {b.id: b.title for b in q.doc.barriers}
    out = [[r.name, r.country, r.region, b, titles.get(b, b)] for r in rows for b in r.barriers]
    return Sheet("Barriers", ["municipality", "country", "region", "barrier", "title"], out)


def action_sheet(rows: Sequence[MunicipalityRow],
                 actions: Mapping[str, Sequence[Mapping[str, Any]]]) -> Sheet:
    """One row per municipality and roadmap action (the first ones by priority)."""
    out = [[r.name, r.country, r.region, a.get("priority"), a.get("phase"), a.get("id"),
            a.get("title"), a.get("lead")]
           for r in rows for a in actions.get(r.assessment_public_id or "", ())]
    return Sheet("Actions", ["municipality", "country", "region", "priority", "phase", "action",
                             "title", "lead"], out)


def summary_sheet(dimensions: Sequence[DimensionSummary]) -> Sheet:
    """Per dimension: distribution and level counts (small cells as "fewer than 5")."""
    levels = [lv.id for lv in dimensions[0].levels] if dimensions else []
    header = ["dimension", "municipalities_scored", "mean", "median", "q1", "q3",
              "perception_gaps"] + [f"{lv}_count" for lv in levels]
    out = []
    for d in dimensions:
        counts = {lv.id: lv.count for lv in d.levels}
        out.append([d.title, d.scored, d.mean, d.median, d.q1, d.q3, d.divergent]
                   + [counts.get(lv, 0) for lv in levels])
    return Sheet("Dimensions", header, out)


def barrier_frequency_sheet(barriers: Sequence[BarrierCount]) -> Sheet:
    """How often each barrier was found (small counts as "fewer than 5")."""
    return Sheet("Barrier frequency", ["barrier", "title", "municipalities", "share"],
                 [[b.id, b.title, b.count, b.share] for b in barriers])


def progress_sheet(items: Sequence[DimensionProgress]) -> Sheet:
    """Per dimension, the move between previous and latest rounds."""
    return Sheet("Progress", ["dimension", "municipalities_with_two_rounds", "previous_mean",
                              "latest_mean", "mean_change", "improved", "stable", "declined"],
                 [[p.title, p.pairs, p.before, p.after, p.change, p.improved, p.stable,
                   p.declined] for p in items])


def respondent_sheet(q: Questionnaire, rows: Iterable[tuple[Sequence[Any], str,
                                                            Mapping[str, Any]]]) -> Sheet:
    """One row per submitted response: where and when, the agency and every answer; no identity.

    `rows` yields (leading values: municipality, country, region, round, date), agency, answers.
    """
    items = [i.id for i in (*q.doc.items, *q.doc.context)]
    header = ["municipality", "country", "region", "round", "assessed_on", "agency", *items]
    out = []
    for lead, agency, answers in rows:
        values = []
        for item in items:
            value = answers.get(item)
            values.append(";".join(map(str, value)) if isinstance(value, list) else value)
        out.append([*lead, agency, *values])
    return Sheet("Responses", header, out)
