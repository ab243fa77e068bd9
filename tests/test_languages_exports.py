"""Exports in the reader's language: a German user's CSV and XLSX have German sheet names,
headers and labels, with the codes beside them so the files stay machine-readable."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import update
from sqlalchemy.orm import Session

from readiness.models import User
from tests.national_web import Country, make_country
from tests.web_helpers import login

pytestmark = pytest.mark.db

CODE = re.compile(r"^[a-z0-9_;.]+$")
LABELLED = re.compile(r"^(?P<label>.+) \((?P<code>[a-z0-9_]+)\)$")
# columns that hold names and places (data, the same in every language)
NAME_COLUMNS = ("municipality", "country", "region")


@pytest.fixture
def country(session: Session) -> Country:
    """The demo country of the dashboard tests."""
    return make_country(session)


def _speak(db: Session, username: str, language: str | None) -> None:
    db.rollback()  # end the read transaction the fixture left open (SQLite would lock)
    db.execute(update(User).where(User.username == username).values(language=language))
    db.commit()


def _sheets(body: bytes) -> dict[str, list[list[Any]]]:
    book = load_workbook(io.BytesIO(body))
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def _texts(rows: list[list[Any]]) -> set[str]:
    """The sheet's text cells that are neither names nor bare codes."""
    codes = [(LABELLED.match(str(h)) or re.match(r"(?P<code>.*)", str(h)))["code"]
             for h in rows[0]]
    found = set()
    for row in rows[1:]:
        for code, value in zip(codes, row, strict=True):
            if isinstance(value, str) and code not in NAME_COLUMNS and not CODE.match(value):
                found.add(value)
    return found


def _both(client: FlaskClient, db: Session, user: str, url: str) -> tuple[bytes, bytes]:
    login(client, user)
    english = client.get(url).data
    _speak(db, user, "de")
    german = client.get(url).data
    return english, german


def _assert_german(english: dict[str, list[list[Any]]], german: dict[str, list[list[Any]]]):
    assert len(german) == len(english)
    assert not set(german) & set(english), set(german) & set(english)  # sheet names
    for (en_rows, de_rows) in zip(english.values(), german.values(), strict=True):
        assert len(de_rows[0]) == len(en_rows[0])
        for en, de in zip(en_rows[0], de_rows[0], strict=True):
            # a German label with the English column code beside it
            match = LABELLED.match(de)
            assert match is not None, (en, de)
            assert match["code"] == en, (en, de)
        left = _texts(de_rows) & _texts(en_rows)
        assert not left, sorted(left)[:10]


def test_a_german_users_national_export_has_german_sheets_headers_and_labels(
        client: FlaskClient, session: Session, country: Country):
    english, german = _both(client, session, "national", "/dashboard/export.xlsx")
    en, de = _sheets(english), _sheets(german)
    assert list(de)[0] == "Kommunen"
    _assert_german(en, de)
    header = de["Kommunen"][0]
    assert "Einwohnerzahl (population_band)" in header
    # the labels beside codes: bands, statuses, levels and stages
    cells = {c for row in de["Kommunen"][1:] for c in row if isinstance(c, str)}
    assert any(c.endswith("(assessed)") and not c.startswith("Assessed") for c in cells)


def test_a_german_users_csv_header_is_german_with_the_codes_beside(
        client: FlaskClient, session: Session, country: Country):
    english, german = _both(client, session, "national", "/dashboard/export-semicolon.csv")
    en = next(csv.reader(io.StringIO(english.decode("utf-8-sig")), delimiter=";"))
    de = next(csv.reader(io.StringIO(german.decode("utf-8-sig")), delimiter=";"))
    assert en[:3] == ["municipality", "country", "region"]
    assert de[:3] == ["Kommune (municipality)", "Land (country)", "Region (region)"]
    assert [LABELLED.match(h)["code"] for h in de] == en  # type: ignore[index]


def test_a_german_admins_respondent_export_is_german_apart_from_codes_and_names(
        client: FlaskClient, session: Session, country: Country):
    english, german = _both(client, session, "admin", "/dashboard/respondents.xlsx")
    en, de = _sheets(english), _sheets(german)
    _assert_german(en, de)
    about = de[list(de)[1]]
    assert not {str(r[0]) for r in about[1:]} & {str(r[0]) for r in en[list(en)[1]][1:]}


def test_a_german_admins_audit_export_has_german_headers_with_the_codes_beside(
        client: FlaskClient, session: Session):
    from tests.web_helpers import make_user

    make_user(session, "root")
    login(client, "root")
    english = next(csv.reader(io.StringIO(client.get("/audit/export.csv").get_data(
        as_text=True))))
    _speak(session, "root", "de")
    german = next(csv.reader(io.StringIO(client.get("/audit/export.csv").get_data(
        as_text=True))))
    assert english[:3] == ["at", "actor", "source"]
    assert german[:2] == ["Wann (UTC) (at)", "Wer (actor)"]
    assert [LABELLED.match(h)["code"] for h in german] == english  # type: ignore[index]
