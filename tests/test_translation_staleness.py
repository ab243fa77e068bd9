"""A translation made from an English text that was reworded later is caught: each language
file keeps a hash of the English it was translated from, and the validator fails on a change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from readiness.cli.main import main
from readiness.core import translation
from readiness.core.questionnaire import get_questionnaire, questionnaire_path

LANGUAGES = ("nl", "fr", "de")
FOLDER = questionnaire_path(version="1.1").parent


def _data(language: str, folder: Path = FOLDER) -> dict:
    return yaml.safe_load((folder / f"1.1.{language}.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("version", ["1.0", "1.1"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_translation_is_recorded_as_made_from_the_current_english(language: str,
                                                                       version: str):
    source = translation.source_texts(*get_questionnaire(version=version, language="en").raw)
    data = yaml.safe_load((FOLDER / f"{version}.{language}.yaml").read_text(encoding="utf-8"))
    translated = {i for i in source if not translation.optional(i) or i in data["texts"]}
    assert set(data["source_hashes"]) == translated
    assert translation.stale_ids(source, data) == []


# the texts the citation audit reworded after they were translated, and what each now says
@pytest.mark.parametrize(("language", "ident", "now_says", "no_longer_says"), [
    ("nl", "actions.threat_assessment_tool.what", "Risico-indicatoren", None),
    ("fr", "actions.threat_assessment_tool.what", "indicateurs de risque", None),
    ("de", "actions.threat_assessment_tool.what", "Risikoindikatoren", None),
    ("nl", "actions.gatekeeper_training.inspiration.1.text", None, "daling"),
    ("fr", "actions.gatekeeper_training.inspiration.1.text", None, "baisse"),
    ("de", "actions.gatekeeper_training.inspiration.1.text", None, "Rückgang"),
    ("nl", "actions.single_points_of_contact.inspiration.1.text", None, "politie"),
    ("fr", "actions.single_points_of_contact.inspiration.1.text", None, "policiers"),
    ("de", "actions.single_points_of_contact.inspiration.1.text", None, "Polizei"),
    ("nl", "actions.steering_group.inspiration.1.text", "jeugdwerkers", None),
    ("fr", "actions.steering_group.inspiration.1.text", "motivation religieuse", None),
    ("de", "actions.steering_group.inspiration.1.text", "religiös begründeter", None),
])
def test_the_texts_reworded_by_the_citation_audit_are_retranslated(
        language: str, ident: str, now_says: str | None, no_longer_says: str | None):
    text = _data(language)["texts"][ident]
    assert now_says is None or now_says in text
    assert no_longer_says is None or no_longer_says not in text


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "maw-readiness"
    shutil.copytree(FOLDER, folder)
    return folder


def test_rewording_an_english_text_fails_validation_naming_the_id_until_it_is_recorded(
        tmp_path: Path):
    folder = _copy(tmp_path)
    actions = folder / "actions-1.1.yaml"
    english = actions.read_text(encoding="utf-8")
    old = "Quick access to expertise on a case prevents both overreaction and inaction."
    assert old in english
    actions.write_text(english.replace(old, "Quick access to experts prevents overreaction."),
                       encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["questionnaire", "validate", str(folder / "1.1.yaml")])
    assert result.exit_code == 1
    for language in LANGUAGES:
        assert f"1.1.{language}.yaml: 1 text(s)" in result.output
    assert "actions.expert_consultation.why" in result.output


def test_a_stale_hash_is_listed_and_recording_the_id_clears_it():
    source = translation.source_texts(*get_questionnaire(version="1.1", language="en").raw)
    data = _data("de")
    ident = "actions.expert_consultation.why"
    data["source_hashes"][ident] = "000000000000"  # translated from some older English
    assert translation.stale_ids(source, data) == [ident]
    data["source_hashes"] = translation.recorded_hashes(source, data, {ident})
    assert translation.stale_ids(source, data) == []
    # a file that records no hashes (1.0's) is not checked
    assert translation.stale_ids(source, {"texts": {}}) == []


def test_validate_without_a_path_checks_the_translations_of_older_versions_too(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from readiness.core import questionnaire as module

    folder = _copy(tmp_path)
    file = folder / "1.0.fr.yaml"
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    data["source_hashes"]["title"] = "000000000000"
    file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(module, "questionnaires_dir", lambda: tmp_path)
    result = CliRunner().invoke(main, ["questionnaire", "validate"])
    assert result.exit_code == 1
    assert "1.0.fr.yaml: 1 text(s) translated from an older English text, retranslate: title" in (
        result.output)
