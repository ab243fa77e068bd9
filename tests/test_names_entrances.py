"""Names with control or text-direction characters are refused at every entrance (web form,
command line, services) with a clear message, and a stored one cannot break an export."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from readiness.cli.main import main
from readiness.models import Municipality, Role, User
from readiness.services import assessments as services
from readiness.services.national import create_api_token
from tests.national_web import make_country
from tests.web_helpers import FAST_HASH, login, make_user, post_form

pytestmark = pytest.mark.db
BIDI = "Gent\u202eecnarf"
BELL = "Gent\x07"


@pytest.fixture
def cli(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner whose commands use the test app's database."""
    monkeypatch.setenv("READINESS_DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("READINESS_INSTANCE_PATH", str(tmp_path / "cli-instance"))
    monkeypatch.setenv("READINESS_PASSWORD_HASH_METHOD", FAST_HASH)
    return CliRunner()


@pytest.mark.parametrize("name", [BELL, BIDI])
def test_the_command_line_refuses_a_municipality_name_with_invisible_characters(
        cli: CliRunner, session: Session, name: str):
    result = cli.invoke(main, ["assessment", "create", "--municipality", name, "--agencies",
                               "police,health", "--country", "BE", "--population", "10k_50k"])
    assert result.exit_code != 0
    assert "municipality name holds" in result.output
    assert session.scalar(select(func.count()).select_from(Municipality)) == 0


def test_the_command_line_refuses_a_username_with_a_text_direction_control(
        cli: CliRunner, session: Session):
    result = cli.invoke(main, ["user", "create", "ad\u202emin", "--role", "admin",
                               "--password", "long enough pass"])
    assert result.exit_code != 0
    assert "username holds a text-direction control (U+202E)" in result.output
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_services_refuse_control_characters_in_regions_and_token_names(session: Session):
    with pytest.raises(services.ServiceError, match="region holds a control character"):
        services.create_municipality(session, name="Gent", country="BE",
                                     population_band="10k_50k", region="East\x1bFlanders")
    make_user(session, "national", Role.NATIONAL_COORDINATOR)
    with pytest.raises(services.ServiceError, match="token name holds"):
        create_api_token(session, "national", "report\u2066")


@pytest.mark.parametrize("name", [BIDI, "Gent\x1b[31m"])
def test_the_municipality_form_refuses_invisible_characters_and_stores_nothing(
        client: FlaskClient, session: Session, name: str):
    make_user(session, "advisor", Role.ADVISOR)
    login(client, "advisor")
    reply = post_form(client, "/municipalities/new", {
        "name": name, "country": "BE", "region": "", "population_band": "10k_50k"})
    assert reply.status_code == 400
    assert "Remove the invisible control or text-direction characters" in reply.get_data(
        as_text=True)
    assert session.scalar(select(func.count()).select_from(Municipality)) == 0


def test_a_stored_name_with_a_control_character_cannot_break_any_export(
        client: FlaskClient, session: Session):
    make_country(session)
    first = session.scalars(select(Municipality).order_by(Municipality.id)).first()
    assert first is not None
    session.execute(update(Municipality).where(Municipality.id == first.id)
                    .values(name="Old\x07row;=1+1", region="R\u202eR"))
    session.commit()
    login(client, "admin")
    for page in ("/dashboard/export.xlsx", "/dashboard/respondents.xlsx"):
        response = client.get(page)
        assert response.status_code == 200, page
        load_workbook(io.BytesIO(response.data))
    names = {row[0] for row in csv.reader(io.StringIO(
        client.get("/dashboard/export-semicolon.csv").get_data(as_text=True).lstrip("\ufeff")),
        delimiter=";")}
    assert "Old\ufffdrow;=1+1" in names  # quoted: kept exactly, no formula can start


def test_the_respondent_export_withholds_small_agency_groups_and_says_so(
        client: FlaskClient, session: Session):
    make_country(session)
    login(client, "admin")
    response = client.get("/dashboard/respondents.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    about = dict(book["About"].iter_rows(min_row=2, values_only=True))
    withheld = about["agency groups withheld (fewer than 3 responses, or hidden in the results)"]
    assert withheld > 0
    assert int(response.headers["X-Withheld-Agency-Groups"]) == withheld
    rows = list(book["Responses"].iter_rows(min_row=2, values_only=True))
    assert about["responses shown"] == len(rows)
    groups: dict[tuple[object, ...], int] = {}
    for row in rows:
        key = (row[0], row[3], row[5])  # municipality, round, agency
        groups[key] = groups.get(key, 0) + 1
    assert min(groups.values()) >= 3
