"""The national XLSX files hold every text exactly as typed: a string cell, no added quote, no
formula; the CSV alone marks a formula-like start with one leading apostrophe."""

from __future__ import annotations

import csv
import io
import zipfile

from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from readiness.models import Municipality
from tests.national_web import make_country
from tests.web_helpers import login

HOSTILE = '=HYPERLINK("http://x") ;@SUM(1)'


def _rename_first(session: Session) -> None:
    make_country(session)
    first = session.scalars(select(Municipality).order_by(Municipality.id)).first()
    assert first is not None
    session.execute(update(Municipality).where(Municipality.id == first.id)
                    .values(name=HOSTILE))
    session.commit()


def _hostile_cells(data: bytes) -> list[tuple[str, str, object, str]]:
    book = load_workbook(io.BytesIO(data))
    return [(ws.title, c.coordinate, c.value, c.data_type) for ws in book for row in
            ws.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]


def test_a_formula_like_name_is_stored_exactly_as_text_in_both_workbooks(
        client: FlaskClient, session: Session):
    _rename_first(session)
    login(client, "admin")
    for page, sheets in (("/dashboard/export.xlsx", {"Municipalities", "Barriers"}),
                         ("/dashboard/respondents.xlsx", set())):
        data = client.get(page).data
        cells = _hostile_cells(data)
        assert cells, page
        assert sheets <= {sheet for sheet, *_ in cells}, page
        for sheet, where, value, kind in cells:
            assert (value, kind) == (HOSTILE, "s"), (page, sheet, where)
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            for name in book.namelist():
                if name.startswith("xl/worksheets/"):
                    assert b"<f>" not in book.read(name), (page, name)
    names = [row[0] for row in csv.reader(io.StringIO(
        client.get("/dashboard/export.csv").get_data(as_text=True).lstrip("\ufeff")))]
    assert "'" + HOSTILE in names  # CSV: one apostrophe at the start, nothing else changed
