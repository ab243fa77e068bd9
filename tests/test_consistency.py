"""Quality of answers: Cronbach's alpha per dimension, agreement within an agency, and the
`readiness questionnaire stats` command over stored answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from readiness.cli.main import main
from readiness.core.consistency import (
    agency_agreement,
    agreement_band,
    cronbach_alpha,
    dimension_alphas,
)
from readiness.core.questionnaire import get_questionnaire
from readiness.core.scoring import Answer

Q = get_questionnaire(version="1.1")


def test_alpha_is_one_for_identical_items_and_zero_for_unrelated_ones():
    assert cronbach_alpha([[0, 0], [1, 1], [2, 2], [4, 4]]) == pytest.approx(1.0)
    assert cronbach_alpha([[0, 0], [0, 1], [1, 0], [1, 1]]) == pytest.approx(0.0)


def test_alpha_matches_a_hand_worked_example():
    rows = [[1, 2, 2], [2, 2, 3], [3, 4, 3], [4, 4, 5]]
    # item variances 5/3, 4/3 and 19/12 (sum 55/12); the totals 5, 7, 10, 13 have variance 49/4
    assert cronbach_alpha(rows) == pytest.approx(3 / 2 * (1 - (55 / 12) / (49 / 4)))


def test_alpha_is_undefined_for_fewer_than_three_respondents_or_no_spread():
    assert cronbach_alpha([[1, 2], [2, 3]]) is None
    assert cronbach_alpha([[1, 1], [1, 1], [1, 1]]) is None


def _respondent(name: str, agency: str, value: str) -> list[Answer]:
    return [Answer(name, agency, item.id, value) for item in Q.items_of("trust")]


def test_dimension_alpha_counts_only_respondents_who_answered_every_statement():
    rows = [a for n, v in enumerate(("agree", "disagree", "strongly_agree", "neither"))
            for a in _respondent(f"r{n}", "police", v)]
    rows[0] = Answer("r0", "police", rows[0].item, "dont_know")
    trust = next(a for a in dimension_alphas(Q, rows) if a.dimension == "trust")
    assert (trust.respondents, trust.items) == (3, len(Q.items_of("trust")))
    assert trust.alpha is not None


def test_agreement_is_a_band_only_for_three_or_more_respondents():
    assert agreement_band([0.5, 0.5]) is None
    assert agreement_band([0.5, 0.55, 0.6]) == "close"
    assert agreement_band([0.0, 1.0, 0.5]) == "little"
    rows = [a for n, v in enumerate(("agree", "agree", "neither"))
            for a in _respondent(f"p{n}", "police", v)]
    rows += _respondent("h0", "health", "agree") + _respondent("h1", "health", "disagree")
    found = agency_agreement(Q, rows, ["police", "health"])
    assert found["police"]["trust"] in {"close", "some"}
    assert found["health"]["trust"] is None  # two respondents: no band
    assert agency_agreement(Q, rows, ["health"]).keys() == {"health"}  # only agencies shown


@pytest.mark.db
def test_stats_command_reports_alpha_per_dimension_over_the_stored_demo_data(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    monkeypatch.setenv("READINESS_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("READINESS_DATABASE_URL", url)
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    built = runner.invoke(main, ["demo", "--municipalities", "12", "--seed", "4",
                                 "--database", url])
    assert built.exit_code == 0, built.output
    result = runner.invoke(main, ["questionnaire", "stats", "--json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    assert stats["questionnaire"]["version"] == Q.version
    assert stats["assessments"] > 0
    assert [d["id"] for d in stats["dimensions"]] == list(Q.dimension_ids)
    assert all(d["respondents"] > 0 and -1 < d["alpha"] <= 1 for d in stats["dimensions"])
    text = runner.invoke(main, ["questionnaire", "stats"]).output
    assert "Cronbach's alpha" in text
    assert "Legal basis for information sharing" in text
