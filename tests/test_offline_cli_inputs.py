"""The offline commands (`readiness roadmap`, `readiness score`) take names and places by the
web's rules (`readiness.core.names`): no invisible characters, a real country code; and they
count respondents and agencies in proper singular and plural."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from readiness.cli.main import main
from readiness.core.names import country_problem
from readiness.models import Municipality, Role
from readiness.services import assessments as services
from tests.test_cli import _write_responses
from tests.web_helpers import login, make_user, post_form


def _roadmap(tmp_path: Path, *options: str) -> tuple[int, str, Path]:
    out = tmp_path / "r.pdf"
    result = CliRunner().invoke(main, ["roadmap", str(_write_responses(tmp_path / "ok.csv")),
                                       "--out", str(out), *options])
    return result.exit_code, result.output, out


@pytest.mark.parametrize(("options", "message"), [
    (["--municipality", "Evil\u202eTown", "--country", "BE"],
     "--municipality: the municipality name holds a text-direction control (U+202E)"),
    (["--municipality", "Town", "--country", "ZZ"],
     "--country: 'ZZ' is not a country's two-letter ISO code"),
    (["--municipality", "Town", "--country", "EU"], "not a country's two-letter ISO code"),
    (["--municipality", "Town", "--country", "DE", "--region", "Bay\x1b[31mern"],
     "--region: the region holds a control character (U+001B)"),
    (["--municipality", "Town", "--facilitator", "Team\u2066 A"],
     "--facilitator: the facilitator holds a text-direction control (U+2066)"),
    (["--municipality", "T" * 121], "longer than 120 characters"),
])
def test_roadmap_refuses_what_the_web_form_refuses_and_writes_nothing(
        tmp_path: Path, options: list[str], message: str):
    code, output, out = _roadmap(tmp_path, *options)
    assert code == 1
    assert message in output
    assert len(output.strip().splitlines()) == 1  # one line naming the problem
    assert not out.exists()


def test_roadmap_accepts_a_region_as_typed_like_the_web_and_names_the_country(tmp_path: Path):
    code, output, out = _roadmap(tmp_path, "--municipality", "Town", "--country", "de",
                                 "--region", "Atlantis", "--html", str(tmp_path / "r.html"))
    assert code == 0, output
    assert out.exists()
    assert "Atlantis, Germany" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_the_web_and_the_command_line_read_one_country_rule():
    assert country_problem("be") is None
    assert all(country_problem(code) for code in ("ZZ", "XA", "B", "EU"))


def test_the_municipality_form_and_service_refuse_an_unknown_country_and_store_nothing(
        client: FlaskClient, session: Session):
    make_user(session, "advisor", Role.ADVISOR)
    login(client, "advisor")
    reply = post_form(client, "/municipalities/new", {
        "name": "Gent", "country": "ZZ", "region": "", "population_band": "10k_50k"})
    assert reply.status_code == 400
    assert "ZZ is not a country code" in reply.get_data(as_text=True)
    with pytest.raises(services.ServiceError, match="not a country's two-letter ISO code"):
        services.create_municipality(session, name="Gent", country="XA",
                                     population_band="10k_50k")
    assert session.scalar(select(func.count()).select_from(Municipality)) == 0


def test_score_refuses_an_unknown_country_naming_the_known_profiles(tmp_path: Path):
    path = _write_responses(tmp_path / "ok.csv")
    result = CliRunner().invoke(main, ["score", str(path), "--country", "ZZ"])
    assert result.exit_code == 1
    assert "legal profiles for BE, DE" in result.output


@pytest.mark.parametrize("respondent", ["r\x1b[2J1", "r\x07", "r\u202e1"])
def test_a_respondent_id_with_invisible_characters_is_refused(tmp_path: Path, respondent: str):
    path = tmp_path / "bad.csv"
    path.write_text("respondent,agency,item,value\n"
                    f"{respondent},police,trust_share_concerns,agree\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["score", str(path)])
    assert result.exit_code == 1
    assert "row 2: the respondent id holds" in result.output
    assert "type it again without invisible characters" in result.output


def test_score_counts_one_respondent_and_one_agency_in_the_singular(tmp_path: Path):
    path = tmp_path / "one.csv"
    path.write_text("respondent,agency,item,value\nr1,police,trust_share_concerns,agree\n",
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["score", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("1 respondent from 1 agency. Stage:")
    both = CliRunner().invoke(main, ["score", str(_write_responses(tmp_path / "ok.csv"))])
    assert both.output.startswith("5 respondents from 5 agencies. Stage:")
