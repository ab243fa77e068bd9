"""Exports safe in every locale: text quoted, formula triggers neutralised where a spreadsheet
would evaluate them (a cell's start) and nothing inserted inside a value, XLSX text as string
cells, a semicolon CSV for continental Excel, labels beside codes, and no name (control or
text-direction characters) able to break a file or get in."""

from __future__ import annotations

import csv
import io
import random
import re
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook

from readiness.core.names import name_problem, unsafe_characters
from readiness.core.questionnaire import get_questionnaire
from readiness.national import aggregate as ag
from readiness.national.exports import (
    SEMICOLON,
    Sheet,
    csv_bytes,
    municipality_sheet,
    respondent_sheet,
    safe_respondents,
    xlsx_bytes,
)
from tests.national_fixture import DIMENSIONS, records

Q = get_questionnaire()
SPLIT_NAME = "X;=1+1;x"
# a cell a spreadsheet would evaluate (one starting with a quote is text)
TRIGGER = re.compile(r"^[\s\"]*[=+\-@]")


HOSTILE = [SPLIT_NAME, "X,=1+1,x", "A; @SUM(1)", "B\t+1", "C|-2+3", "Ville ;'@SUM(1) x",
           '=HYPERLINK("http://example.invalid","click")', "-Antwerp+1", 'Say "=1"; then']


@pytest.mark.parametrize("name", HOSTILE)
def test_a_name_comes_back_exactly_and_no_cell_starts_a_formula_in_either_csv(name: str):
    sheet = Sheet("T", ["name", "score"], [[name, 42.5]])
    expected = "'" + name if name[0] in "=+-@" else name
    for style, separator in ((None, ","), (SEMICOLON, ";")):
        raw = (csv_bytes(sheet) if style is None else csv_bytes(sheet, style)).decode("utf-8-sig")
        line = raw.splitlines()[1]
        assert line.startswith('"')  # a quoted field: no separator inside it starts a cell
        assert next(csv.reader(io.StringIO(line), delimiter=separator))[0] == expected
        for split in (",", ";", "\t", "|"):  # opened with whatever list separator
            cells = next(csv.reader(io.StringIO(line), delimiter=split))
            assert not [c for c in cells if TRIGGER.match(c)], (name, separator, split, cells)


def test_every_text_field_is_quoted_and_numbers_stay_bare():
    sheet = Sheet("T", ["name", "score", "day", "cell"],
                  [[SPLIT_NAME, 42.5, date(2026, 1, 2), "fewer than 5"]])
    raw = csv_bytes(sheet).decode("utf-8-sig")
    assert raw.splitlines()[1] == '"X;=1+1;x",42.5,2026-01-02,"fewer than 5"'
    assert next(csv.reader(io.StringIO(raw.splitlines()[1])))[0] == SPLIT_NAME


@pytest.mark.parametrize("name", HOSTILE)
def test_an_xlsx_keeps_hostile_names_exactly_as_string_cells_without_formulas(name: str):
    body = xlsx_bytes([Sheet("T", ["name", "region"], [[name, "-Antwerp+1"]])])
    cell, region = load_workbook(io.BytesIO(body)).active["A2":"B2"][0]
    assert (cell.value, cell.data_type) == (name, "s")
    assert (region.value, region.data_type) == ("-Antwerp+1", "s")
    with zipfile.ZipFile(io.BytesIO(body)) as files:
        sheets = [n for n in files.namelist() if n.startswith("xl/worksheets/")]
        xml = "".join(files.read(n).decode("utf-8") for n in sheets)
    assert "<f>" not in xml
    assert "<f " not in xml


def test_the_semicolon_csv_has_a_bom_semicolons_and_decimal_commas():
    body = csv_bytes(Sheet("T", ["name", "score"], [["Liège", 42.5], ["Gent", 7]]), SEMICOLON)
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows == [["name", "score"], ["Liège", "42,5"], ["Gent", "7"]]


def test_an_xlsx_with_a_control_character_in_a_name_opens():
    sheet = Sheet("T", ["name"], [["Bad\x07name"], ["Turn\u202eed"]])
    book = load_workbook(io.BytesIO(xlsx_bytes([sheet])))
    assert [r[0] for r in book.active.iter_rows(min_row=2, values_only=True)] == [
        "Bad\ufffdname", "Turn\ufffded"]


def test_codes_have_their_labels_beside_them():
    sel = ag.select(ag.tables(records(), DIMENSIONS), ag.Filters(region="R1"))
    sheet = municipality_sheet(ag.municipality_rows(sel), Q, {},
                               {"10k_50k": "10,000 to 50,000"})
    a = dict(zip(sheet.header, sheet.rows[0], strict=True))
    assert a["population_band"] == "10,000 to 50,000 (10k_50k)"
    assert a["trust_level"] == "Borderline (borderline)"
    assert a["stage"] == "Building (building)"
    item = Q.doc.items[0].id
    row = respondent_sheet(Q, [(["A", "BE", "R1", 1, date(2026, 1, 1)], "police",
                                {item: "agree"})]).rows[0]
    assert "Police (police)" in row


@pytest.mark.parametrize("text", ["A\x07B", "Tab\there", "new\nline", "esc\x1b", "C1\x85",
                                  "gpj\u202eexe", "iso\u2066late", "mark\u200f"])
def test_names_with_control_or_bidi_characters_are_refused_with_a_message(text: str):
    assert unsafe_characters(text)
    problem = name_problem(text, "municipality name")
    assert problem is not None
    assert "municipality name" in problem
    assert "U+" in problem


@pytest.mark.parametrize("text", ["Liège", "Sint-Jans-Molenbeek", "Ålesund", "القدس",
                                  "Zürich (ZH)"])
def test_ordinary_names_in_any_script_are_accepted(text: str):
    assert name_problem(text) is None


def test_small_agency_groups_are_withheld_and_the_rest_shuffled():
    rows = ([(1, ["A"], "police", {"n": i}, False) for i in range(5)]
            + [(1, ["A"], "health", {"n": 9}, False)]
            + [(2, ["B"], "police", {"n": 7}, True)])
    found = safe_respondents(rows, 3, random.Random(4))
    assert (found.withheld_groups, found.withheld_responses) == (1, 1)
    assert sorted(r[2]["n"] for r in found.rows) == [0, 1, 2, 3, 4, 7]  # workshop kept
    orders = {tuple(r[2]["n"] for r in safe_respondents(rows, 3, random.Random(seed)).rows)
              for seed in range(10)}
    assert len(orders) > 1
