"""`readiness legal show|validate`, and `score`/`roadmap` with --country."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from readiness.cli.main import main
from readiness.core.legal import profiles_dir
from tests.test_cli import _write_responses


def test_legal_show_json_lists_the_sources_with_their_addresses():
    result = CliRunner().invoke(main, ["legal", "show", "be", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["id"] == "be"
    assert data["case_sharing"]["basis"] == "statutory"
    urls = {s["id"]: s.get("url") for s in data["sources"]}
    assert urls["lisc_act"].startswith("http://www.ejustice.just.fgov.be/eli/")
    assert urls["gdpr"] == "https://eur-lex.europa.eu/eli/reg/2016/679/oj"
    assert data["last_checked"]


def test_legal_show_picks_the_region_and_says_it_is_no_legal_advice():
    result = CliRunner().invoke(main, ["legal", "show", "DE", "--region", "Bavaria"])
    assert result.exit_code == 0, result.output
    assert "Legal position in Bavaria (Germany) [de-by]" in result.output
    assert "not legal advice" in result.output
    generic = CliRunner().invoke(main, ["legal", "show", "SE"])
    assert "generic: no profile for this country" in generic.output


def test_legal_validate_checks_every_profile_and_refuses_a_broken_one(tmp_path: Path):
    ok = CliRunner().invoke(main, ["legal", "validate"])
    assert ok.exit_code == 0, ok.output
    assert ok.output.count("OK: ") >= 9
    folder = tmp_path / "profiles"
    shutil.copytree(profiles_dir(), folder)
    path = folder / "dk.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("[rpl_115]", "[rpl_116]"),
                    encoding="utf-8")
    broken = CliRunner().invoke(main, ["legal", "validate", str(folder)])
    assert broken.exit_code != 0
    assert f"{path}:" in broken.output
    assert "case_sharing.instruments[0]" in broken.output
    assert "Traceback" not in broken.output


def _score(path: Path, *extra: str) -> dict:
    result = CliRunner().invoke(main, ["score", str(path), "--json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_score_with_a_country_uses_its_profile_and_without_one_the_generic(tmp_path: Path):
    path = _write_responses(tmp_path / "responses.csv")
    belgium = _score(path, "--country", "BE")
    germany = _score(path, "--country", "DE", "--region", "Bayern")
    generic = _score(path)
    assert belgium["legal"]["profile"] == "be"
    assert germany["legal"]["profile"] == "de-by"
    assert generic["legal"]["profile"] == "eu"
    ids = {name: [a["id"] for a in data["actions"]]
           for name, data in (("be", belgium), ("by", germany), ("eu", generic))}
    assert "information_sharing_protocol" in ids["be"]
    assert "information_sharing_protocol" not in ids["by"] + ids["eu"]
    assert "legal_routes_without_basis" in ids["by"]
    assert all(s.get("url") or s["kind"] == "paper" for s in belgium["legal"]["sources"])


def test_roadmap_with_a_country_prints_the_legal_position(tmp_path: Path):
    path = _write_responses(tmp_path / "responses.csv")
    html = tmp_path / "roadmap.html"
    result = CliRunner().invoke(main, [
        "roadmap", str(path), "--municipality", "Kupiskis", "--country", "LT",
        "--out", str(tmp_path / "roadmap.pdf"), "--html", str(html)])
    assert result.exit_code == 0, result.output
    text = html.read_text(encoding="utf-8")
    assert "Legal position in Lithuania" in text
    assert "This is an orientation, not legal advice" in text
    assert "https://e-seimas.lrs.lt/" in text
    assert "Work within the law where it gives no basis for sharing" in text
    assert (tmp_path / "roadmap.pdf").read_bytes().startswith(b"%PDF")
