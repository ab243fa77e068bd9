"""CSV and XLSX exports: formula-like text neutralised, numbers kept as numbers."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from readiness.core.questionnaire import get_questionnaire
from readiness.national import aggregate as ag
from readiness.national.exports import (
    Sheet,
    csv_bytes,
    municipality_sheet,
    neutralise,
    respondent_sheet,
    summary_sheet,
    xlsx_bytes,
)
from tests.national_fixture import DIMENSIONS, records

DANGEROUS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR", "=HYPERLINK(\"x\")"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_that_looks_like_a_formula_gets_a_leading_quote(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", [0, -3, 2.5, -0.5, date(2026, 1, 2), "plain", "a=b", None])
def test_numbers_dates_and_ordinary_text_pass_unchanged(value):
    assert neutralise(value) == value


def test_csv_neutralises_cells_and_keeps_numbers_plain():
    sheet = Sheet("T", ["name", "score", "note"], [[t, -4.5, "fewer than 5"] for t in DANGEROUS])
    text = csv_bytes(sheet).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["name", "score", "note"]
    assert [r[0] for r in rows[1:]] == ["'" + t for t in DANGEROUS]
    assert {r[1] for r in rows[1:]} == {"-4.5"}
    assert {r[2] for r in rows[1:]} == {"fewer than 5"}


def test_xlsx_opens_with_openpyxl_without_formulas_and_with_numeric_cells():
    sheet = Sheet("Municipalities", ["name", "score", "day", "cell"],
                  [[t, 42.5, date(2026, 1, 2), "fewer than 5"] for t in DANGEROUS])
    book = load_workbook(io.BytesIO(xlsx_bytes([sheet])))
    ws = book["Municipalities"]
    for row, text in zip(ws.iter_rows(min_row=2), DANGEROUS, strict=True):
        name, score, _day, cell = row
        assert name.data_type == "s"
        # a string cell: stored as typed, no quote in front (XML reads a CR back as a LF)
        assert name.value == text.replace("\r", "\n")
        assert score.data_type == "n"
        assert score.value == 42.5
        assert cell.data_type == "s"
        assert cell.value == "fewer than 5"
    assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_municipality_sheet_has_scores_levels_barriers_and_actions():
    q = get_questionnaire()
    sel = ag.select(ag.tables(records(), DIMENSIONS), ag.Filters(region="R1"))
    rows = ag.municipality_rows(sel)
    sheet = municipality_sheet(rows, q, {"a2": [{"title": "=Agree roles", "priority": 1,
                                                 "phase": 1}]})
    header = list(sheet.header)
    a = dict(zip(header, sheet.rows[0], strict=True))
    assert a["municipality"] == "A"
    assert a["trust_score"] == 60.0
    assert a["trust_level"] == "Borderline (borderline)"
    assert a["round"] == 2
    assert "Lack of trust between agencies" in a["barriers"]
    book = load_workbook(io.BytesIO(xlsx_bytes([sheet])))
    cells = {c.value for row in book.active.iter_rows() for c in row}
    assert "=Agree roles" in cells


def test_summary_sheet_writes_suppressed_cells_as_text():
    q = get_questionnaire()
    sel = ag.select(ag.tables(records(), DIMENSIONS), ag.Filters())
    sheet = summary_sheet(ag.dimension_summaries(sel, q))
    book = load_workbook(io.BytesIO(xlsx_bytes([sheet])))
    ws = book.active
    header = [c.value for c in ws[1]]
    trust = {h: c for h, c in zip(header, ws[2], strict=True)}
    assert trust["mean"].value == 69.0
    assert trust["mean"].data_type == "n"
    assert trust["concern_count"].value == "fewer than 5"


def test_respondent_sheet_has_agency_and_answers_but_no_identity():
    q = get_questionnaire()
    item = q.doc.items[0].id
    sheet = respondent_sheet(q, [(["A", "BE", "R1", 1, date(2026, 1, 1)], "police",
                                  {item: "agree", "ctx_existing_structures": ["a", "b"]})])
    row = dict(zip(sheet.header, sheet.rows[0], strict=True))
    assert row["agency"] == "Police (police)"
    assert row[item] == "agree"
    assert row["ctx_existing_structures"] == "a;b"
    assert not {"respondent", "public_id", "resume_hash", "invitation"} & set(sheet.header)
