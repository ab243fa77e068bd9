"""Questionnaire 1.1's citations: inside the bundled paper, printed with their section heading,
and every cited range explained in the reviewed evidence table."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from readiness.core.evidence import cited, cited_in_library, source_text_problem
from readiness.core.questionnaire import QuestionnaireError, get_questionnaire, load_questionnaire
from readiness.core.schema import Evidence
from readiness.report.text import cite
from readiness.resources import questionnaires_dir

FOLDER = questionnaires_dir() / "maw-readiness"
TABLE = yaml.safe_load((FOLDER / "evidence-1.1.yaml").read_text(encoding="utf-8"))
PAPER = (FOLDER / "sources" / "ran-hsc-2018-maw.txt").read_text(encoding="utf-8").split("\n")


def _key(source: str | None, lines: object) -> tuple[str | None, tuple[int, ...] | None]:
    return source, tuple(lines) if lines else None  # type: ignore[arg-type]


def test_every_citation_of_1_1_is_explained_in_the_evidence_table():
    q = get_questionnaire(version="1.1")
    table = {_key(row["source"], row.get("lines")) for row in TABLE["ranges"]}
    missing = sorted({(owner, ev.source, ev.lines) for owner, ev in cited(q.doc)
                      if ev.kind == "source" and _key(ev.source, ev.lines) not in table},
                     key=str)
    assert not missing, missing


def test_every_row_of_the_evidence_table_lies_inside_the_paper_and_says_something():
    for row in TABLE["ranges"]:
        assert len(row["says"].split()) >= 5, row
        if row["source"] == "ran2018":
            first, last = row["lines"]
            assert 1 <= first <= last <= len(PAPER), row
            assert "".join(PAPER[first - 1:last]).strip(), row


def test_every_range_version_1_0_cited_has_a_verdict():
    q10 = get_questionnaire(version="1.0")
    ranges = {ev.lines for _, ev in cited(q10.doc) if ev.lines is not None}
    audited = {tuple(row["lines"]) for row in TABLE["audit_1_0"]}
    assert ranges == audited
    verdicts = {row["verdict"] for row in TABLE["audit_1_0"]}
    assert verdicts <= {"exact", "corrected", "moved", "practice", "retired"}


def test_the_bundled_paper_matches_its_line_count_and_section_headings():
    (paper,) = [s for s in get_questionnaire(version="1.1").doc.sources if s.id == "ran2018"]
    assert paper.line_count == len(PAPER)  # the text ends without a newline
    assert source_text_problem(FOLDER, paper) is None
    assert paper.section_of(95) == "Experiences in establishing MAW"
    assert paper.section_of(472) == "Recommendations"


def test_practice_advice_makes_no_claim_on_a_source_and_says_what_it_rests_on():
    practice = [ev for _, ev in cited(get_questionnaire(version="1.1").doc)
                if ev.kind == "practice"]
    assert practice
    assert all(ev.source is None and ev.lines is None and ev.note for ev in practice)
    with pytest.raises(ValueError, match="practice advice"):
        Evidence.model_validate({"kind": "practice", "source": "ran2018", "note": "x"})


def test_a_citation_prints_its_section_heading_and_practice_advice_reads_as_such():
    q = get_questionnaire(version="1.1")
    text = cite(q, [Evidence(source="ran2018", lines=(96, 97)),
                    Evidence(kind="practice", note="ours")])
    assert text == ("[1] \u201cExperiences in establishing MAW\u201d, lines 96-97; "
                    "practice advice (no published source)")
    # 1.0 has no headings: its reports print as before
    assert cite(get_questionnaire(version="1.0"),
                [Evidence(source="ran2018", lines=(96, 97))]) == "[1] lines 96-97"


def test_sources_print_their_public_address_where_one_is_known():
    sources = {s.id: s for s in get_questionnaire(version="1.1").doc.sources}
    assert sources["scirocco"].reference.endswith("https://www.scirocco-project.eu/maturitymodel/")
    assert sources["ran2018"].reference == sources["ran2018"].citation  # no address invented


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "maw-readiness"
    shutil.copytree(FOLDER, target)
    return target


def test_a_range_beyond_the_end_of_the_paper_is_refused(tmp_path: Path):
    folder = _copy(tmp_path)
    path = folder / "1.1.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("lines: [96, 97]}", "lines: [96, 970]}", 1), encoding="utf-8")
    with pytest.raises(QuestionnaireError, match="outside 'ran2018', which has 493 lines"):
        load_questionnaire(path)


def test_a_heading_that_does_not_match_the_bundled_text_is_refused(tmp_path: Path):
    folder = _copy(tmp_path)
    path = folder / "1.1.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("{line: 242, title: Belgium}", "{line: 243, title: Belgium}"),
                    encoding="utf-8")
    with pytest.raises(QuestionnaireError, match="line 243 .* does not read 'Belgium'"):
        load_questionnaire(path)


def test_every_citation_of_the_1_1_action_library_is_explained_in_the_evidence_table():
    q = get_questionnaire(version="1.1")
    table = {_key(row["source"], row.get("lines")) for row in TABLE["ranges"]}
    found = list(cited_in_library(q.library))
    assert any(owner == "co_design_changes" for owner, _ in found)
    missing = sorted({(owner, ev.source, ev.lines) for owner, ev in found
                      if ev.kind == "source" and _key(ev.source, ev.lines) not in table}, key=str)
    assert not missing, missing


def test_no_action_still_cites_a_range_the_review_corrected_or_moved_away():
    library = get_questionnaire(version="1.1").library
    cites: dict[tuple[str, str | None], set[tuple[int, int]]] = {}
    for action in library.actions:
        cites[(action.id, None)] = {ev.lines for ev in action.evidence if ev.lines}
        for insp in action.inspiration:
            if insp.evidence.lines:
                cites.setdefault((action.id, insp.country), set()).add(insp.evidence.lines)
    for model in library.models:
        cites[(model.id, None)] = {ev.lines for ev in model.evidence if ev.lines}
    moved = [row for row in [*TABLE["actions_audit"]["models"], *TABLE["actions_audit"]["actions"]]
             if row["verdict"] in ("corrected", "moved", "practice")
             and isinstance(row["cites"], list) and not str(row.get("now", "")).startswith(
                 f"[{row['cites'][0]}, {row['cites'][1]}]")]
    assert len(moved) > 20
    for row in moved:
        owner = (row.get("action") or row["model"], row.get("insp"))
        assert tuple(row["cites"]) not in cites[owner], row


def test_the_threat_assessment_tool_cites_weak_risk_indicators_only_as_a_caution():
    tool = next(a for a in get_questionnaire(version="1.1").library.actions
                if a.id == "threat_assessment_tool")
    (caution,) = [ev for ev in tool.evidence if ev.lines == (118, 120)]
    assert (caution.note or "").startswith("A caution")
    assert "never replace" in tool.what
