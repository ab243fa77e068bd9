"""A round where no dimension could be scored (only "don't know") gets no tailored roadmap: it
says there is too little to tailor one, and proposes only the steps that need no score."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from readiness.cli.main import main
from readiness.cli.offline import score_file
from readiness.core.published import publish
from readiness.core.questionnaire import get_questionnaire
from readiness.core.roadmap import UNTAILORED
from readiness.report.context import ReportMeta, build_report_context
from tests.test_cli import _write_responses

NEED_NO_SCORE = {"bring_in_agencies", "involve_health_social", "reassess_readiness"}


def _dont_know(path: Path, agencies: list[str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["respondent", "agency", "item", "value"])
        for n, agency in enumerate(agencies):
            for item in get_questionnaire().doc.items:
                writer.writerow([f"r{n}", agency, item.id, "dont_know"])
    return path


def test_only_dont_know_proposes_only_steps_that_need_no_score(tmp_path: Path):
    _, result, roadmap = score_file(_dont_know(tmp_path / "one.csv", ["police"]))
    assert all(d.score is None for d in result.dimensions)
    assert not roadmap.tailored
    assert [a.id for a in roadmap.actions] == ["bring_in_agencies", "involve_health_social",
                                               "reassess_readiness"]
    everyone = ["local_authority", "police", "health", "social_services", "education", "police"]
    _, _, full = score_file(_dont_know(tmp_path / "all.csv", everyone))
    assert {a.id for a in full.actions} <= NEED_NO_SCORE
    assert "reassess_readiness" in {a.id for a in full.actions}


def test_a_scored_round_keeps_its_tailored_roadmap(tmp_path: Path):
    _, _, roadmap = score_file(_write_responses(tmp_path / "ok.csv"))
    assert roadmap.tailored
    assert {a.id for a in roadmap.actions} - NEED_NO_SCORE


def test_the_command_and_the_report_say_there_is_too_little_to_tailor_a_roadmap(
        tmp_path: Path):
    path = _dont_know(tmp_path / "dk.csv", ["local_authority", "police", "health",
                                            "social_services", "education", "police"])
    output = CliRunner().invoke(main, ["score", str(path)]).output
    assert str(UNTAILORED) in output
    assert "Suggested model" not in output
    assert "Agree indicators" not in output
    q, result, _ = score_file(path)
    day = date(2026, 1, 5)
    published = publish(q, result, workshop=False, assessed_on=day)
    assert published.roadmap is not None  # enough respondents: not withheld for privacy
    ctx = build_report_context(q, published, ReportMeta(municipality="X", assessed_on=day))
    assert str(UNTAILORED) in ctx.summary
    assert all("suggests a" not in paragraph for paragraph in ctx.summary)
    assert [a.title for a in ctx.first_actions] == [a.title for a in published.roadmap.actions]
