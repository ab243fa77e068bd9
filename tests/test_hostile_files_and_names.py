"""Hostile files and names: YAML alias bombs and oversized files are refused quickly; names
refuse control and text-direction characters at every entrance (forms, services, CLI)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from readiness.cli.main import main as cli
from readiness.core.names import forbidden_in_name
from readiness.core.questionnaire import QuestionnaireError, load_questionnaire
from readiness.models import Municipality, Role
from readiness.services import assessments as services
from tests.web_helpers import login, make_user, post_form

RLO = "\u202e"


def billion_laughs() -> str:
    """A ~1 KB YAML document whose nine nested aliases expand to 10**9 strings."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level, name in enumerate("bcdefghi"):
        previous = "abcdefghi"[level]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 10) + "]")
    lines.append("id: *i")
    return "\n".join(lines) + "\n"


def test_a_one_kilobyte_alias_bomb_is_refused_in_well_under_a_second(tmp_path: Path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(billion_laughs(), encoding="utf-8")
    assert bomb.stat().st_size < 1200
    started = time.monotonic()
    with pytest.raises(QuestionnaireError, match="aliases"):
        load_questionnaire(bomb)
    assert time.monotonic() - started < 0.5


def test_questionnaire_validate_refuses_the_bomb_with_a_one_line_error(tmp_path: Path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(billion_laughs(), encoding="utf-8")
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["questionnaire", "validate", str(bomb)])
    assert result.exit_code != 0
    assert "aliases" in result.output
    assert time.monotonic() - started < 1


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path: Path):
    big = tmp_path / "big.yaml"
    big.write_text("id: x\n" + "# padding\n" * 200_000, encoding="utf-8")
    with pytest.raises(QuestionnaireError, match="larger than"):
        load_questionnaire(big)


@pytest.mark.parametrize("name", [f"Gent{RLO}tnomeirF", "Ge\u2066nt", "Gent\x1b[31m", "A\u200fB"])
def test_names_with_control_or_direction_characters_are_recognised(name: str):
    assert forbidden_in_name(name) is not None


@pytest.mark.parametrize("name", ["Gent", "Łódź", "Zürich", "القدس", "דימונה", "Saint-Étienne"])
def test_names_in_every_script_are_allowed(name: str):
    assert forbidden_in_name(name) is None


def test_the_municipality_form_refuses_a_direction_override_and_stores_nothing(
        client: FlaskClient, session: Session):
    make_user(session, "adv", Role.ADVISOR)
    login(client, "adv")
    reply = post_form(client, "/municipalities/new", {
        "name": f"Gent{RLO}gnilleh", "country": "BE", "population_band": "under_10k"})
    assert reply.status_code == 400
    assert "text-direction characters" in reply.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Municipality)) == 0


def test_services_refuse_direction_characters_in_names_and_usernames(session: Session):
    with pytest.raises(services.ServiceError, match="U\\+202E"):
        services.create_municipality(session, name=f"Gent{RLO}", country="BE",
                                     population_band="under_10k")
    with pytest.raises(services.ServiceError, match="U\\+2066"):
        services.create_municipality(session, name="Gent", country="BE", region="Oost\u2066",
                                     population_band="under_10k")
    with pytest.raises(services.ServiceError, match="U\\+202E"):
        services.create_user(session, f"ada{RLO}", "a long enough password", Role.ADMIN)
