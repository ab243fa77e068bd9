"""The questionnaire loader: the shipped questionnaire is valid and broken files are refused."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from readiness.core.questionnaire import (
    QuestionnaireError,
    available_versions,
    get_questionnaire,
    load_questionnaire,
)
from tests.core_helpers import MINI

DIMENSIONS = ["trust", "role_clarity", "legal_basis", "tools", "training"]
AGENCIES = ["local_authority", "police", "health", "social_services", "youth_work", "education",
            "civil_society"]


def test_shipped_questionnaire_has_the_five_dimensions_and_required_agencies():
    q = get_questionnaire()
    assert list(q.dimension_ids) == DIMENSIONS
    assert set(AGENCIES) <= set(q.agency_ids)


def test_shipped_questionnaire_has_at_least_six_items_per_dimension():
    q = get_questionnaire()
    for dimension in DIMENSIONS:
        assert len(q.items_of(dimension)) >= 6, dimension


def test_every_scored_option_carries_a_score_between_zero_and_one():
    q = get_questionnaire()
    for item in q.doc.items:
        scores = [o.score for o in q.options(item)]
        assert all(s is not None and 0 <= s <= 1 for s in scores), item.id
        assert min(s for s in scores if s is not None) == 0
        assert max(s for s in scores if s is not None) == 1


def test_reverse_worded_items_are_reversed_in_the_data():
    q = get_questionnaire()
    reversed_items = [i for i in q.doc.items
                      if any(o.value == "strongly_agree" and o.score == 0.0 for o in q.options(i))]
    assert reversed_items, "expected at least one reverse-worded statement"


def test_every_item_and_action_names_its_evidence_in_a_known_source():
    q = get_questionnaire()
    sources = {s.id for s in q.doc.sources}
    for thing in (*q.doc.items, *q.doc.context, *q.doc.barriers, *q.doc.facilitators,
                  *q.library.actions):
        assert thing.evidence, thing.id
        assert all(e.kind == "practice" or e.source in sources for e in thing.evidence), thing.id


def test_action_library_covers_every_family_and_dimension():
    q = get_questionnaire()
    assert len(q.library.actions) >= 25
    assert {a.family for a in q.library.actions} == {f.id for f in q.library.families}
    assert {a.dimension for a in q.library.actions} >= set(DIMENSIONS)
    assert len(q.library.families) == 8


def test_context_questions_cover_the_tailoring_topics():
    q = get_questionnaire()
    text = " ".join(i.text.lower() for i in q.doc.context)
    for topic in ("inhabitants", "structures", "organised", "aim", "extremism", "resources",
                  "monitored"):
        assert topic in text, topic


def test_public_form_lists_dont_know_separately_from_scored_options():
    data = get_questionnaire().to_public_dict()
    scored = [i for i in data["items"] if i["dimension"] is not None]
    assert all(i["dont_know"]["value"] == "dont_know" for i in data["items"])
    assert all(o["value"] != "dont_know" for i in scored for o in i["options"])
    context = [i for i in data["items"] if i["dimension"] is None]
    assert context
    assert all(o["score"] is None for i in context for o in i["options"])


def test_versions_are_listed_and_an_unknown_version_is_refused():
    assert "1.0" in available_versions()
    with pytest.raises(QuestionnaireError, match="unknown version '9.9'"):
        get_questionnaire(version="9.9")


def test_content_hash_changes_with_content_but_not_with_formatting(tmp_path: Path):
    original = load_questionnaire(MINI)
    copy = _copy_mini(tmp_path)
    text = copy.read_text().replace("title: Mini questionnaire", "title:   Mini questionnaire  ")
    copy.write_text("# a comment\n" + text)
    assert load_questionnaire(copy).content_hash == original.content_hash
    copy.write_text(text.replace("Mini questionnaire", "Other questionnaire"))
    assert load_questionnaire(copy).content_hash != original.content_hash


def _copy_mini(tmp_path: Path) -> Path:
    for file in MINI.parent.iterdir():
        shutil.copy(file, tmp_path / file.name)
    return tmp_path / "1.0.yaml"


# (file, text to replace, replacement, key path expected, message expected)
BROKEN = [
    ("1.0.yaml", "    dimension: trust\n    text: Statement t1",
     "    dimension: trusty\n    text: Statement t1", "items[0].dimension", "unknown dimension"),
    ("1.0.yaml", "label: Strongly agree, score: 1.0}", "label: Strongly agree, score: 1.5}",
     "scales.agree5.options[4].score", "less than or equal to 1"),
    ("1.0.yaml", "  - id: l2\n", "  - id: l1\n", "items[3].id", "duplicate id 'l1'"),
    ("1.0.yaml", "measures: [low_trust]", "measures: [no_such_barrier]", "items[0].measures[0]",
     "unknown barrier or facilitator"),
    ("1.0.yaml", "in: [domestic_violence, child_protection]}", "in: [domestic_abuse]}",
     "facilitators[0].detect.in[0]", "'domestic_abuse' is not an option"),
    ("1.0.yaml", "evidence: [{source: paper, lines: [3, 3]}]\n  - id: l2",
     "evidence: [{source: papr, lines: [3, 3]}]\n  - id: l2", "items[2].evidence[0].source",
     "unknown source 'papr'"),
    ("1.0.yaml", "title: Mini questionnaire\n", "title: Mini questionnaire\ntitle: Twice\n",
     "title", "duplicate key"),
    ("1.0.yaml", "    dimension: trust\n    detect: {dimension: trust, below: 50}",
     "    dimension: trust\n    detect: {dimension: trust, below: 150}", "barriers[0].detect",
     "outside 0..100"),
    ("1.0.yaml", "{value: none, label: None}", "{value: dont_know, label: None}",
     "context[0].options[0].value", "reserved"),
    ("1.0.yaml", "actions_file: actions-1.0.yaml", "actions_file: missing.yaml", "(document)",
     "file not found"),
    ("actions-1.0.yaml", "    indicator: Signed.", "    indicater: Signed.",
     "actions[1].indicater", "Extra inputs are not permitted"),
    ("actions-1.0.yaml", "depends_on: [legal_map]", "depends_on: [legal_mapp]",
     "actions[1].depends_on[0]", "unknown action 'legal_mapp'"),
    ("actions-1.0.yaml", "    effort: low\n    indicator: A map exists.",
     "    effort: low\n    depends_on: [case_work]\n    indicator: A map exists.",
     "actions[0].depends_on", "dependency cycle"),
    ("actions-1.0.yaml", "    lead: health\n", "    lead: firefighters\n", "actions[2].lead",
     "unknown agency 'firefighters'"),
    ("actions-1.0.yaml", "    phase: 1\n    effort: low\n    indicator: Sessions held.",
     "    phase: 1\n    effort: low\n    indicator: Sessions held.\n    depends_on: [monitor]",
     "actions[3].depends_on[0]", "later phase"),
    # the roadmap's ordering rules, plan and signals are data too (issue 10)
    ("actions-1.0.yaml", "    depends_on: [legal_map]\n",
     "    depends_on: [legal_map]\n    after: [{action: legal_mapp, when: {gap: trust}}]\n",
     "actions[1].after[0].action", "unknown action 'legal_mapp'"),
    ("actions-1.0.yaml", "    effort: low\n    indicator: A map exists.",
     "    effort: low\n    after: [{action: case_work}]\n    indicator: A map exists.",
     "actions[0].depends_on", "dependency cycle"),
    ("actions-1.0.yaml", "    depends_on: [legal_map]\n",
     "    depends_on: [legal_map]\n    after: [{action: legal_map, when: {gap: trustt}}]\n",
     "actions[1].after[0].when.gap", "unknown dimension 'trustt'"),
    ("actions-1.0.yaml", "    lead: health\n", "    lead: health\n    needs: [firefighters]\n",
     "actions[2].needs[0]", "unknown agency 'firefighters'"),
    ("actions-1.0.yaml", "    lead: health\n", "    lead: health\n    aimed_at_outlier: true\n",
     "actions[2].aimed_at_outlier", "needs an 'outlier' condition"),
    ("actions-1.0.yaml", "    when: {dimension: legal_basis, below: 75}",
     "    when: {run_by: [tourists]}", "actions[0].when", "'run_by' takes values among"),
    ("actions-1.0.yaml", "    when: {dimension: legal_basis, below: 75}",
     "    when: {outlier: trustt}", "actions[0].when.outlier", "unknown dimension 'trustt'"),
    ("actions-1.0.yaml", "actions:\n",
     "plan:\n  convenor: police\n  capacity:\n    - {when: {gap: trust}, phase_one: 2, total: 4,"
     " label: x}\nactions:\n", "plan", "must catch all"),
    ("actions-1.0.yaml", "actions:\n",
     "plan:\n  convenor: mayor\n  capacity:\n    - {phase_one: 2, total: 4, label: x}\n"
     "actions:\n", "plan.convenor", "unknown agency 'mayor'"),
    ("actions-1.0.yaml", "actions:\n",
     "plan:\n  convenor: police\n  capacity:\n    - {phase_one: 5, total: 4, label: x}\n"
     "actions:\n", "plan.capacity[0]", "phase_one cannot exceed total"),
    ("1.0.yaml", "{value: indicators, label: With indicators}",
     "{value: indicators, label: With indicators, exclusive: true}",
     "context[1].options[1].exclusive", "only a several-answer question"),
]


@pytest.mark.parametrize(("file", "old", "new", "key_path", "message"), BROKEN,
                         ids=[case[3] + ":" + case[4] for case in BROKEN])
def test_broken_questionnaire_error_names_file_key_path_and_line(
        tmp_path: Path, file: str, old: str, new: str, key_path: str, message: str):
    main = _copy_mini(tmp_path)
    target = tmp_path / file
    text = target.read_text()
    assert old in text, "the fixture changed; update the broken case"
    target.write_text(text.replace(old, new, 1))
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(main)
    error = caught.value
    assert message in error.message
    assert error.key_path == ("" if key_path == "(document)" else key_path)
    if key_path != "(document)":
        assert error.file == str(target)
        assert error.line is not None
        assert re.search(rf"{re.escape(str(target))}:{error.line}: ", str(error))
        changed_line = target.read_text().splitlines()[error.line - 1]
        assert changed_line.strip(), "the line named must not be blank"


def test_yaml_syntax_error_names_the_line(tmp_path: Path):
    main = _copy_mini(tmp_path)
    lines = main.read_text().splitlines()
    lines.insert(9, "sources: [unclosed")
    main.write_text("\n".join(lines))
    with pytest.raises(QuestionnaireError, match="YAML syntax") as caught:
        load_questionnaire(main)
    assert caught.value.line is not None
    assert caught.value.line >= 10


def test_not_utf8_file_is_refused_with_a_message(tmp_path: Path):
    main = _copy_mini(tmp_path)
    main.write_bytes(main.read_bytes().replace(b"Mini questionnaire", b"Mini \xe9"))
    with pytest.raises(QuestionnaireError, match="not UTF-8"):
        load_questionnaire(main)


def test_exclusive_options_are_marked_in_the_data_or_found_by_value(tmp_path: Path):
    main = _copy_mini(tmp_path)
    assert load_questionnaire(main).exclusive("ctx_structures") == ("none",)
    text = main.read_text().replace("{value: child_protection, label: Child protection}",
                                    "{value: child_protection, label: Child protection, "
                                    "exclusive: true}")
    main.write_text(text)
    marked = load_questionnaire(main)
    assert marked.exclusive("ctx_structures") == ("child_protection",)
    assert marked.exclusive("ctx_monitoring") == ()
