"""The CLI contract: questionnaire show/validate and score, with bad input refused cleanly."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from readiness.cli.main import main
from readiness.core.questionnaire import get_questionnaire

DIMENSIONS = ["trust", "role_clarity", "legal_basis", "tools", "training"]


def _write_responses(path: Path, weak: str = "legal_basis") -> Path:
    q = get_questionnaire()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["respondent", "agency", "item", "value"])
        for n, agency in enumerate(["local_authority", "police", "health", "education",
                                    "social_services"]):
            for item in q.doc.items:
                options = sorted(q.options(item), key=lambda o: o.score or 0)
                pick = options[0] if item.dimension == weak else options[-2]
                writer.writerow([f"resp{n}", agency, item.id, pick.value])
        writer.writerow(["resp0", "local_authority", "ctx_formality", "ad_hoc"])
    return path


def test_questionnaire_show_json_follows_the_contract():
    result = CliRunner().invoke(main, ["questionnaire", "show", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["id"] == "maw-readiness"
    assert data["version"]
    assert [d["id"] for d in data["dimensions"]] == DIMENSIONS
    assert all({"id", "title"} <= set(a) for a in data["agencies"])
    for item in data["items"]:
        assert {"id", "dimension", "text", "options"} <= set(item)
        for option in item["options"]:
            assert {"value", "label", "score"} <= set(option)
            if item["dimension"] is not None:
                assert 0 <= option["score"] <= 1


def test_questionnaire_validate_passes_on_the_shipped_questionnaire():
    result = CliRunner().invoke(main, ["questionnaire", "validate"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK:")


def test_questionnaire_validate_fails_with_file_key_and_line(tmp_path: Path):
    source = get_questionnaire().path
    for file in source.parent.glob("*.yaml"):
        (tmp_path / file.name).write_text(file.read_text())
    broken = tmp_path / source.name
    broken.write_text(broken.read_text().replace("dimension: trust\n", "dimension: trsut\n", 1))
    result = CliRunner().invoke(main, ["questionnaire", "validate", str(broken)])
    assert result.exit_code != 0
    assert f"{broken}:" in result.output
    assert "unknown dimension 'trsut'" in result.output
    assert "Traceback" not in result.output


def test_score_json_follows_the_contract(tmp_path: Path):
    path = _write_responses(tmp_path / "responses.csv")
    result = CliRunner().invoke(main, ["score", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [d["id"] for d in data["dimensions"]] == DIMENSIONS
    for dim in data["dimensions"]:
        assert {"id", "score", "level", "answered_share", "by_agency", "divergent"} <= set(dim)
        assert 0 <= dim["score"] <= 100
        assert set(dim["by_agency"]) == {"local_authority", "police", "health", "education",
                                         "social_services"}
    legal = next(d for d in data["dimensions"] if d["id"] == "legal_basis")
    assert legal["score"] == 0
    assert legal["level"] == "concern"
    assert all({"id", "title"} <= set(b) for b in data["barriers"] + data["facilitators"])
    assert data["actions"][0]["priority"] == 1
    # cross-cutting steps (bringing a missing agency in) may come first; then the weakest
    assert next(a for a in data["actions"] if a["dimension"])["dimension"] == "legal_basis"
    assert all({"id", "title", "dimension", "priority"} <= set(a) for a in data["actions"])


def test_score_without_json_prints_a_readable_table(tmp_path: Path):
    path = _write_responses(tmp_path / "responses.csv")
    result = CliRunner().invoke(main, ["score", str(path)])
    assert result.exit_code == 0, result.output
    assert "Legal basis for information sharing" in result.output
    assert "First actions:" in result.output


HEADER = "respondent,agency,item,value\n"
BAD_INPUT = [
    ("missing column", b"respondent,agency,item\nr1,police,trust_share_concerns\n",
     "row 1: missing column(s) value"),
    ("empty file", b"", "the file is empty"),
    ("header only", HEADER.encode(), "no answers after the header"),
    ("wrong encoding", (HEADER + "r1,police,trust_share_concerns,agree\nr\xe9,police,"
                        "trust_competition,agree\n").encode("latin-1"), "not UTF-8"),
    ("unknown item", (HEADER + "r1,police,no_such_item,agree\n").encode(),
     "row 2: unknown item 'no_such_item'"),
    ("unknown agency", (HEADER + "r1,firefighters,trust_share_concerns,agree\n").encode(),
     "row 2: unknown agency 'firefighters'"),
    ("value not an option", (HEADER + "r1,police,trust_share_concerns,7\n").encode(),
     "row 2: '7' is not an option of 'trust_share_concerns'"),
    ("duplicate answer", (HEADER + "r1,police,trust_share_concerns,agree\n"
                          "r1,police,trust_share_concerns,disagree\n").encode(),
     "row 3: respondent 'r1' already answered 'trust_share_concerns' on row 2"),
    ("two agencies", (HEADER + "r1,police,trust_share_concerns,agree\n"
                      "r1,health,trust_competition,agree\n").encode(),
     "row 3: respondent 'r1' is in agency 'police' on row 2"),
    ("short row", (HEADER + "r1,police,trust_share_concerns\n").encode(),
     "row 2: expected 4 fields, found 3"),
    ("empty value", (HEADER + "r1,police,trust_share_concerns,\n").encode(), "row 2: empty value"),
    ("NUL bytes", (HEADER + "r1,police,trust_share_concerns,agree\x00\n").encode(), "NUL bytes"),
    ("oversized field", (HEADER + "r1,police,trust_share_concerns," + "a" * 500 + "\n").encode(),
     "row 2: value is longer than 200 characters"),
    ("extra column", b"respondent,agency,item,value,name\nr1,police,trust_share_concerns,agree,x\n",
     "unexpected column(s) name"),
]


@pytest.mark.parametrize(("content", "message"), [case[1:] for case in BAD_INPUT],
                         ids=[case[0] for case in BAD_INPUT])
def test_bad_responses_exit_non_zero_with_one_line_naming_the_problem(
        tmp_path: Path, content: bytes, message: str):
    path = tmp_path / "responses.csv"
    path.write_bytes(content)
    result = CliRunner().invoke(main, ["score", str(path), "--json"])
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert message in lines[0]
    assert "Traceback" not in result.output


def test_missing_responses_file_is_a_clear_error(tmp_path: Path):
    result = CliRunner().invoke(main, ["score", str(tmp_path / "nope.csv")])
    assert result.exit_code != 0
    assert "nope.csv" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("aim", ["decision_making", "service_delivery", "operational_team"])
def test_context_rows_in_the_csv_tailor_the_suggested_model(tmp_path: Path, aim: str):
    path = _write_responses(tmp_path / "responses.csv")
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"resp1,police,ctx_model_aim,{aim}\n")
    result = CliRunner().invoke(main, ["score", str(path), "--json"])
    data = json.loads(result.output)
    assert data["model"]["id"] == aim
    assert data["model"]["reasons"]


def test_roadmap_of_a_round_run_by_a_mobile_team_plans_the_follow_up(tmp_path: Path):
    from readiness.cli.offline import score_file

    path = _write_responses(tmp_path / "responses.csv")
    _, _, by_team = score_file(path, run_by="mobile_team")
    _, _, unknown = score_file(path)
    assert "mobile_team_follow_up" in [a.id for a in by_team.actions]
    assert "mobile_team_follow_up" not in [a.id for a in unknown.actions]
    refused = CliRunner().invoke(main, ["roadmap", str(path), "--municipality", "X", "--out",
                                        str(tmp_path / "x.pdf"), "--run-by", "tourists"])
    assert refused.exit_code == 2
    assert "mobile_team" in refused.output
