"""CSV and XLSX exports of the national views: the only module that imports openpyxl.

Pure: sheets of plain values in, file bytes out. A text cell that a spreadsheet could take for a
formula (starting with = + - @, a tab or a carriage return) gets a leading single quote; in CSV,
so does every formula trigger after a separator (a spreadsheet with another list separator, or
one that ignores quotes, could split the field there), and every text field is quoted. Control
and text-direction characters become U+FFFD, so no name can break a file. Numbers stay numeric
cells; codes are written with their labels ("Borderline (borderline)"). Suppressed breakdown
cells arrive as the text "fewer than 5" and stay text. `SEMICOLON` CSV (decimal comma, with a
byte-order mark) is what Excel opens by double-click in BE, FR, DE and NL.
"""

from __future__ import annotations

import io
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from readiness.core.questionnaire import Questionnaire
from readiness.core.scoring import INSUFFICIENT, INSUFFICIENT_TITLE
from readiness.national.aggregate import (
    BarrierCount,
    DimensionProgress,
    DimensionSummary,
    MunicipalityRow,
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Where a spreadsheet could split a text field into cells: a list separator (comma in English
# locales, semicolon in most continental ones), a tab, a pipe or a line break. A formula trigger
# right after one (spaces and quotes aside) would start a cell of its own.
_SPLIT_TRIGGER = re.compile(r"(?<=[,;\t|\r\n])([\s\"']*)(?=[=+\-@])")
# Characters an XLSX file cannot hold (openpyxl refuses them) or that turn text around
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
                     "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
REPLACEMENT = "\ufffd"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SheetValue = str | int | float | date | None


def neutralise(value: Any) -> SheetValue:
    """A cell value that no spreadsheet runs as a formula; numbers and dates pass unchanged.

    Control and text-direction characters (refused in names, but older rows may hold them)
    become U+FFFD, so no such character can break a file or turn a name around."""
    if value is None or isinstance(value, bool):
        return None if value is None else ("yes" if value else "no")
    if isinstance(value, int | float | date | datetime):
        return value
    text = _UNSAFE.sub(REPLACEMENT, str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def neutralise_split(value: Any) -> SheetValue:
    """`neutralise`, and a quote before every formula trigger that follows a separator, for
    text files a spreadsheet may split however it likes (`X;=1+1;x` -> `X;'=1+1;x`)."""
    clean = neutralise(value)
    return _SPLIT_TRIGGER.sub(r"\1'", clean) if isinstance(clean, str) else clean


@dataclass(frozen=True)
class Sheet:
    """A named table: a header row and data rows."""

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Any]]


@dataclass(frozen=True)
class CsvStyle:
    """How a CSV file separates fields and writes decimals."""

    delimiter: str
    decimal: str


COMMA = CsvStyle(",", ".")
# What Excel reads by double-click where the list separator is ";" (BE, FR, DE, NL...)
SEMICOLON = CsvStyle(";", ",")


def csv_field(value: Any, style: CsvStyle = COMMA) -> str:
    """One CSV field: text always quoted (and neutralised), numbers and dates bare, an
    empty value empty."""
    clean = neutralise_split(value)
    if clean is None:
        return ""
    if isinstance(clean, int):
        return str(clean)
    if isinstance(clean, float):
        return repr(clean).replace(".", style.decimal)
    if isinstance(clean, date):
        return clean.isoformat()
    return '"' + clean.replace('"', '""') + '"'


def csv_bytes(sheet: Sheet, style: CsvStyle = COMMA) -> bytes:
    """The sheet as UTF-8 CSV with a byte-order mark (so spreadsheets read the accents), every
    text field quoted and numbers bare; `SEMICOLON` for continental spreadsheets."""
    lines = [style.delimiter.join(csv_field(v, style) for v in row)
             for row in [sheet.header, *sheet.rows]]
    return ("\ufeff" + "".join(line + "\r\n" for line in lines)).encode("utf-8")


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


def labelled(code: str | None, labels: Mapping[str, str]) -> str | None:
    """A code with its label in front ("50,000 to 100,000 (50k_100k)"), or the code alone."""
    if code is None:
        return None
    return f"{labels[code]} ({code})" if code in labels else code


def code_labels(q: Questionnaire) -> dict[str, str]:
    """The titles of the questionnaire's levels, stages and agencies, by id."""
    labels = {INSUFFICIENT: str(INSUFFICIENT_TITLE)}
    for kind in (q.doc.levels, q.doc.stages, q.doc.agencies):
        labels.update({x.id: x.title for x in kind})
    return labels


def municipality_sheet(rows: Sequence[MunicipalityRow], q: Questionnaire,
                       actions: Mapping[str, Sequence[Mapping[str, Any]]],
                       band_labels: Mapping[str, str] | None = None) -> Sheet:
    """One row per municipality: latest scores and levels per dimension, barriers, actions.

    `actions` maps an assessment's public id to its roadmap actions (dicts with a title);
    bands, stages and levels are written as labels with their codes beside them, and
    `in_selection` says "no" for a municipality assessed only outside the round or period.
    """
    labels = code_labels(q)
    bands = band_labels or {}
    barrier_titles = {b.id: b.title for b in q.doc.barriers}
    dim_titles = {d.id: d.title for d in q.doc.dimensions}
    header = ["municipality", "country", "region", "population_band", "status", "round",
              "assessed_on", "overall", "stage"]
    for dim in q.dimension_ids:
        header += [f"{dim}_score", f"{dim}_level"]
    header += ["perception_gaps", "barriers", "first_actions"]
    out = []
    for row in rows:
        values: list[Any] = [row.name, row.country, row.region, labelled(row.band, bands),
                             labelled(row.status, STATUS_LABELS), row.round, row.conducted_on,
                             _round(row.overall), labelled(row.stage, labels)]
        for dim in q.dimension_ids:
            values += [_round(row.scores.get(dim)), labelled(row.levels.get(dim), labels)]
        values.append("; ".join(dim_titles.get(d, d) for d in row.gaps))
        values.append("; ".join(barrier_titles.get(b, b) for b in row.barriers))
        first = actions.get(row.assessment_public_id or "", ())
        values.append("; ".join(str(a.get("title", "")) for a in first))
        out.append(values)
    return Sheet("Municipalities", header, out)


STATUS_LABELS = {"assessed": "Assessed in this selection",
                 "outside": "Not in this selection (assessed in another round or period)",
                 "never": "Never assessed"}


def barrier_sheet(rows: Sequence[MunicipalityRow], q: Questionnaire) -> Sheet:
    """One row per municipality and barrier found in its latest assessment."""
    titles = {b.id: b.title for b in q.doc.barriers}
    out = [[r.name, r.country, r.region, b, titles.get(b, b)] for r in rows for b in r.barriers]
    return Sheet("Barriers", ["municipality", "country", "region", "barrier", "title"], out)


def action_sheet(rows: Sequence[MunicipalityRow],
                 actions: Mapping[str, Sequence[Mapping[str, Any]]],
                 q: Questionnaire | None = None) -> Sheet:
    """One row per municipality and roadmap action (the first ones by priority); the lead
    agency as its title with its code."""
    labels = code_labels(q) if q is not None else {}
    out = [[r.name, r.country, r.region, a.get("priority"), a.get("phase"), a.get("id"),
            a.get("title"), labelled(a.get("lead"), labels)]
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
                              "latest_mean", "mean_change", "improved", "stable", "declined",
                              "not_comparable"],
                 [[p.title, p.pairs, p.before, p.after, p.change, p.improved, p.stable,
                   p.declined, p.not_comparable] for p in items])


def respondent_sheet(q: Questionnaire, rows: Iterable[tuple[Sequence[Any], str,
                                                            Mapping[str, Any]]]) -> Sheet:
    """One row per submitted response: where and when, the agency and every answer; no identity.

    `rows` yields (leading values: municipality, country, region, round, date), agency, answers.
    """
    labels = code_labels(q)
    items = [i.id for i in (*q.doc.items, *q.doc.context)]
    header = ["municipality", "country", "region", "round", "assessed_on", "agency", *items]
    out = []
    for lead, agency, answers in rows:
        values = []
        for item in items:
            value = answers.get(item)
            values.append(";".join(map(str, value)) if isinstance(value, list) else value)
        out.append([*lead, labelled(agency, labels), *values])
    return Sheet("Responses", header, out)


@dataclass(frozen=True)
class Respondents:
    """The responses a respondent export may show, shuffled, and what it withheld."""

    rows: list[tuple[Sequence[Any], str, Mapping[str, Any]]]
    withheld_groups: int
    withheld_responses: int


def safe_respondents(rows: Iterable[tuple[int, Sequence[Any], str, Mapping[str, Any] | None,
                                         bool]],
                     min_group: int, rng: random.Random | None = None) -> Respondents:
    """Responses grouped by assessment and agency; a survey group of fewer than `min_group`
    responses is withheld whole (one agreed workshop answer is no person's), as is a group whose
    answers are None (an agency the published results hide), and the rest shuffled, so neither
    a small group nor the order of answering can point at a person.

    `rows` yields (assessment id, leading values, agency, answers, workshop?)."""
    groups: dict[tuple[int, str], list[tuple[Sequence[Any], str, Mapping[str, Any] | None]]] = {}
    workshop: dict[tuple[int, str], bool] = {}
    for assessment_id, lead, agency, answers, agreed in rows:
        groups.setdefault((assessment_id, agency), []).append((lead, agency, answers))
        workshop[(assessment_id, agency)] = agreed
    kept: list[tuple[Sequence[Any], str, Mapping[str, Any]]] = []
    withheld = small = 0
    for key, members in groups.items():
        if all(m[2] is not None for m in members) and (workshop[key]
                                                        or len(members) >= min_group):
            kept.extend((lead, agency, answers) for lead, agency, answers in members
                        if answers is not None)
        else:
            small += 1
            withheld += len(members)
    (rng or random.SystemRandom()).shuffle(kept)
    return Respondents(kept, small, withheld)


def about_respondents(respondents: Respondents, min_group: int) -> Sheet:
    """A sheet saying what the respondent export withheld and why its rows are shuffled."""
    return Sheet("About", ["note", "value"], [
        ["responses shown", len(respondents.rows)],
        [f"agency groups withheld (fewer than {min_group} responses, or hidden in the results)",
         respondents.withheld_groups],
        ["responses withheld with them", respondents.withheld_responses],
        ["agencies", "only those whose own figures the results publish; an agency's answers "
                     "on a dimension only where its score on it was published; a statement "
                     "only one hidden agency scored is left blank"],
        ["row order", "shuffled: it says nothing about who answered first"],
        ["times", "none: responses keep only the day they were sent"]])
