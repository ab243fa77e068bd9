"""CSV and XLSX exports of the national views: the only module that imports openpyxl.

Pure: sheets of plain values in, file bytes out. In XLSX every text cell is written as a string
cell (an inline string, never a formula), so "=HYPERLINK(...)" is stored and shown exactly as
typed and no spreadsheet evaluates it. In CSV, which has no cell types, a text field that a
spreadsheet could take for a formula (starting with = + - @, a tab or a carriage return) gets a
leading single quote, and every text field is quoted: a spreadsheet splits a line only outside
quotes, whatever its list separator, so a separator inside a name never starts a cell and
nothing is inserted in the middle of a value. Control and text-direction characters become
U+FFFD, so no name can break a file. Numbers stay numeric cells; codes are written with their
labels ("Borderline (borderline)"). Suppressed breakdown cells arrive as the text "fewer than 5"
and stay text. `SEMICOLON` CSV (decimal comma, with a byte-order mark) is what Excel opens by
double-click in BE, FR, DE and NL.

Files are written in the reader's language (`readiness.translate.current_language`): sheet names,
notes and labels through the catalogue, questionnaire titles in the questionnaire's language
file. Column codes stay machine-readable: in English a header is the code itself
(`population_band`), in another language its label with the code beside it
("Einwohnerzahl (population_band)"), as cells write "label (code)".
"""

from __future__ import annotations

import io
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from readiness.core.questionnaire import Questionnaire
from readiness.core.roadmap import is_first_action
from readiness.core.scoring import INSUFFICIENT, INSUFFICIENT_TITLE
from readiness.national.aggregate import (
    BarrierCount,
    DimensionProgress,
    DimensionSummary,
    MunicipalityRow,
)
from readiness.translate import SOURCE_LANGUAGE, current_language
from readiness.translate import gettext as _

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters an XLSX file cannot hold (openpyxl refuses them) or that turn text around
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
                     "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
REPLACEMENT = "\ufffd"
# Characters a worksheet's name may not hold (a translated name could bring one)
_SHEET_NAME_UNSAFE = re.compile(r"[\[\]:*?/\\]")
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SheetValue = str | int | float | date | None


def cell_value(value: Any) -> SheetValue:
    """A value as a cell holds it: numbers and dates unchanged, yes/no for a flag, text with
    control and text-direction characters (refused in names, but older rows may hold them) as
    U+FFFD, so no such character can break a file or turn a name around."""
    if value is None or isinstance(value, bool):
        return None if value is None else (_("yes") if value else _("no"))
    if isinstance(value, int | float | date | datetime):
        return value
    return _UNSAFE.sub(REPLACEMENT, str(value))


def neutralise(value: Any) -> SheetValue:
    """A value for a text file (CSV) that no spreadsheet runs as a formula: `cell_value`, with
    a leading single quote only when the text starts like a formula (nothing else changed)."""
    clean = cell_value(value)
    if isinstance(clean, str) and clean.startswith(FORMULA_STARTS):
        return "'" + clean
    return clean


@dataclass(frozen=True)
class Sheet:
    """A named table: a header row of column codes, data rows, and the columns' labels."""

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Any]]
    labels: Mapping[str, str] = field(default_factory=dict)


def header_cells(sheet: Sheet) -> list[str]:
    """The header row as written: the codes in English, "label (code)" in other languages."""
    if current_language() == SOURCE_LANGUAGE:
        return list(sheet.header)
    return [labelled(code, sheet.labels) or code for code in sheet.header]


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
    clean = neutralise(value)
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
             for row in [header_cells(sheet), *sheet.rows]]
    return ("\ufeff" + "".join(line + "\r\n" for line in lines)).encode("utf-8")


def xlsx_bytes(sheets: Iterable[Sheet]) -> bytes:
    """The sheets as one XLSX workbook, header rows bold-free and frozen."""
    book = Workbook(write_only=True)
    for sheet in sheets:
        ws = book.create_sheet(title=_SHEET_NAME_UNSAFE.sub(" ", sheet.title)[:31])
        ws.freeze_panes = "A2"
        header = header_cells(sheet)
        for index, cell in enumerate(header, start=1):
            ws.column_dimensions[get_column_letter(index)].width = min(max(len(cell), 10), 40)
        ws.append([_xlsx_cell(ws, h) for h in header])
        for row in sheet.rows:
            ws.append([_xlsx_cell(ws, v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(ws: Any, value: Any) -> Any:
    """A worksheet cell: text as a string cell, typed explicitly (openpyxl would take text
    starting with "=" for a formula), so it is stored exactly and never evaluated."""
    clean = cell_value(value)
    if not isinstance(clean, str):
        return clean
    cell = WriteOnlyCell(ws, value=clean)
    cell.data_type = "s"
    return cell


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


def column_labels(q: Questionnaire | None = None) -> dict[str, str]:
    """The readable label of every column code the exports write, in the current language;
    with a questionnaire, its dimensions' score and level columns, level counts and items."""
    labels = {
        "municipality": _("Municipality"), "country": _("Country"), "region": _("Region"),
        "population_band": _("Population band"), "status": _("Status"), "round": _("Round"),
        "assessed_on": _("Assessed on"), "overall": _("Overall score"), "stage": _("Stage"),
        "perception_gaps": _("Perception gaps"), "barriers": _("Barriers"),
        "first_actions": _("First actions"), "barrier": _("Barrier"), "title": _("Title"),
        "priority": _("Priority"), "phase": _("Phase"), "action": _("Action"),
        "lead": _("Lead agency"), "dimension": _("Dimension"),
        "municipalities_scored": _("Municipalities scored"), "mean": _("Mean"),
        "median": _("Median"), "q1": _("First quartile"), "q3": _("Third quartile"),
        "municipalities": _("Municipalities"), "share": _("Share"),
        "municipalities_with_two_rounds": _("Municipalities with two rounds"),
        "previous_mean": _("Previous mean"), "latest_mean": _("Latest mean"),
        "mean_change": _("Change in mean"), "improved": _("Improved"), "stable": _("Stable"),
        "declined": _("Declined"), "not_comparable": _("Not comparable"), "agency": _("Agency"),
        "note": _("Note"),
        "value": _("Value")}
    if q is not None:
        for d in q.doc.dimensions:
            labels[f"{d.id}_score"] = _("%(dimension)s: score", dimension=d.title)
            labels[f"{d.id}_level"] = _("%(dimension)s: level", dimension=d.title)
        levels = [(lv.id, lv.title) for lv in q.doc.levels] + [
            (INSUFFICIENT, str(INSUFFICIENT_TITLE))]
        labels.update({f"{lv}_count": _("%(level)s: count", level=title)
                       for lv, title in levels})
        labels.update({i.id: i.text for i in (*q.doc.items, *q.doc.context)})
    return labels


def municipality_sheet(rows: Sequence[MunicipalityRow], q: Questionnaire,
                       actions: Mapping[str, Sequence[Mapping[str, Any]]],
                       band_labels: Mapping[str, str] | None = None) -> Sheet:
    """One row per municipality: latest scores and levels per dimension, barriers, actions.

    `actions` maps an assessment's public id to its roadmap actions (dicts with a title and
    a phase); first_actions lists the roadmap's first actions (`is_first_action`: its first
    three months, as its summary counts them), never the undated "later, if needed" ones;
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
    titles = action_titles(q)
    statuses = status_labels()
    out = []
    for row in rows:
        values: list[Any] = [row.name, row.country, row.region, labelled(row.band, bands),
                             labelled(row.status, statuses), row.round, row.conducted_on,
                             _round(row.overall), labelled(row.stage, labels)]
        for dim in q.dimension_ids:
            values += [_round(row.scores.get(dim)), labelled(row.levels.get(dim), labels)]
        values.append("; ".join(dim_titles.get(d, d) for d in row.gaps))
        values.append("; ".join(barrier_titles.get(b, b) for b in row.barriers))
        first = [a for a in actions.get(row.assessment_public_id or "", ())
                 if is_first_action(a.get("phase"))]
        values.append("; ".join(_action_title(a, titles) for a in first))
        out.append(values)
    return Sheet(_("Municipalities"), header, out, column_labels(q))


def action_titles(q: Questionnaire | None) -> dict[str, str]:
    """The action library's titles in the current language, by action id."""
    return {a.id: a.title for a in q.library.actions} if q is not None else {}


def _action_title(action: Mapping[str, Any], titles: Mapping[str, str]) -> str:
    """A stored roadmap action's title in the reader's language when the library has its id
    (roadmaps store the title in the language they were made in)."""
    return titles.get(str(action.get("id")), str(action.get("title") or ""))


def status_labels() -> dict[str, str]:
    """The readable labels of a municipality's status in the selection."""
    return {"assessed": _("Assessed in this selection"),
            "outside": _("Not in this selection (assessed in another round or period)"),
            "never": _("Never assessed")}


def barrier_sheet(rows: Sequence[MunicipalityRow], q: Questionnaire) -> Sheet:
    """One row per municipality and barrier found in its latest assessment."""
    titles = {b.id: b.title for b in q.doc.barriers}
    out = [[r.name, r.country, r.region, b, titles.get(b, b)] for r in rows for b in r.barriers]
    return Sheet(_("Barriers"), ["municipality", "country", "region", "barrier", "title"], out,
                 column_labels())


def action_sheet(rows: Sequence[MunicipalityRow],
                 actions: Mapping[str, Sequence[Mapping[str, Any]]],
                 q: Questionnaire | None = None) -> Sheet:
    """One row per municipality and roadmap action (the first ones by priority); the lead
    agency as its title with its code."""
    labels = code_labels(q) if q is not None else {}
    titles = action_titles(q)
    out = [[r.name, r.country, r.region, a.get("priority"), a.get("phase"), a.get("id"),
            _action_title(a, titles), labelled(a.get("lead"), labels)]
           for r in rows for a in actions.get(r.assessment_public_id or "", ())]
    return Sheet(_("Actions"), ["municipality", "country", "region", "priority", "phase",
                                "action", "title", "lead"], out, column_labels())


def summary_sheet(dimensions: Sequence[DimensionSummary]) -> Sheet:
    """Per dimension: distribution and level counts (small cells as "fewer than 5")."""
    levels = [(lv.id, lv.title) for lv in dimensions[0].levels] if dimensions else []
    header = ["dimension", "municipalities_scored", "mean", "median", "q1", "q3",
              "perception_gaps"] + [f"{lv}_count" for lv, _title in levels]
    out = []
    for d in dimensions:
        counts = {lv.id: lv.count for lv in d.levels}
        out.append([d.title, d.scored, d.mean, d.median, d.q1, d.q3, d.divergent]
                   + [counts.get(lv, 0) for lv, _title in levels])
    labels = column_labels()
    labels.update({f"{lv}_count": _("%(level)s: count", level=title) for lv, title in levels})
    return Sheet(_("Dimensions"), header, out, labels)


def barrier_frequency_sheet(barriers: Sequence[BarrierCount]) -> Sheet:
    """How often each barrier was found (small counts as "fewer than 5")."""
    return Sheet(_("Barrier frequency"), ["barrier", "title", "municipalities", "share"],
                 [[b.id, b.title, b.count, b.share] for b in barriers], column_labels())


def progress_sheet(items: Sequence[DimensionProgress]) -> Sheet:
    """Per dimension, the move between previous and latest rounds."""
    return Sheet(_("Progress"), ["dimension", "municipalities_with_two_rounds", "previous_mean",
                                 "latest_mean", "mean_change", "improved", "stable", "declined",
                                 "not_comparable"],
                 [[p.title, p.pairs, p.before, p.after, p.change, p.improved, p.stable,
                   p.declined, p.not_comparable] for p in items], column_labels())


def respondent_sheet(q: Questionnaire, rows: Iterable[tuple[Sequence[Any], str,
                                                            Mapping[str, Any]]]) -> Sheet:
    """One row per submitted response: where and when, the agency and every answer; no identity.

    `rows` yields (leading values: municipality, country, region, round, date), agency, answers.
    Answers stay codes (as stored); the columns are labelled with the statements.
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
    return Sheet(_("Responses"), header, out, column_labels(q))


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
    return Sheet(_("About"), ["note", "value"], [
        [_("responses shown"), len(respondents.rows)],
        [_("agency groups withheld (fewer than %(count)d responses, or hidden in the results)",
           count=min_group), respondents.withheld_groups],
        [_("responses withheld with them"), respondents.withheld_responses],
        [_("agencies"), _("only those whose own figures the results publish; an agency's answers "
                          "on a dimension only where its score on it was published; a statement "
                          "only one hidden agency scored is left blank")],
        [_("row order"), _("shuffled: it says nothing about who answered first")],
        [_("times"), _("none: responses keep only the day they were sent")]], column_labels())
