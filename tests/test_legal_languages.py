"""Legal profile statements in the reader's language: a translation file per profile and language,
checked like the questionnaire's language files, inherited statements translated too, and an
English statement marked as such where no translation exists."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from readiness.cli.main import main
from readiness.core.legal import (
    LegalError,
    load_profiles,
    profile_for,
    profiles_dir,
    stale_translations,
)
from readiness.translate import use_language

ENGLISH = load_profiles()


def _statements(profile) -> list[str]:  # type: ignore[no-untyped-def]
    return [profile.framework.text, profile.case_sharing.text, profile.shared_secrecy.text,
            profile.consent.text, profile.dpia.text, profile.case_sharing.local_agreement_can,
            *(a.text for a in profile.agencies), *(s.text for s in profile.secrecy),
            *(n.text for n in profile.notes)]


@pytest.mark.parametrize(("ident", "language", "phrase"), [
    ("be", "nl", "LIVC-R"), ("be", "fr", "CSIL-R"), ("fr", "fr", "CPRAF"),
    ("de", "de", "Kindeswohlgefährdung"), ("de-by", "de", "Kompetenzzentrum"),
    ("nl", "nl", "Handvat"), ("eu", "nl", "AVG"), ("eu", "fr", "RGPD"), ("eu", "de", "DSGVO"),
])
def test_every_statement_of_a_translated_profile_is_in_the_language(ident: str, language: str,
                                                                    phrase: str):
    translated = load_profiles(language=language)[ident]
    english = ENGLISH[ident]
    pairs = list(zip(_statements(translated), _statements(english), strict=True))
    assert all(t != e and not t.startswith("(") for t, e in pairs), [
        e[:60] for t, e in pairs if t == e or t.startswith("(")]
    assert any(phrase in t for t, _e in pairs)
    # structure, bases and sources come from the English file only (a source's title is said
    # in the reader's language, its own name kept)
    assert translated.case_sharing.basis == english.case_sharing.basis
    assert [(s.id, s.url, s.kind) for s in translated.sources] == [
        (s.id, s.url, s.kind) for s in english.sources]


def test_a_regional_profile_inherits_translated_national_and_eu_statements():
    bavaria = load_profiles(language="de")["de-by"]
    assert bavaria.jurisdiction == "Bayern (Deutschland)"
    assert "StGB § 203" in bavaria.case_sharing.text
    assert "Es wurde" in bavaria.case_sharing.text
    assert bavaria.consent.text.startswith("Die Einwilligung der Person")


def test_the_shipped_profile_follows_the_current_language():
    with use_language("fr"):
        assert profile_for("BE").framework.text.startswith("Le Plan R")
    with use_language("nl"):
        assert profile_for("BE").framework.text.startswith("Plan R, het federale")
    assert profile_for("BE").framework.text.startswith("Plan R, the federal")


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "profiles"
    shutil.copytree(profiles_dir(), folder)
    return folder


def test_a_profile_without_a_translation_is_english_marked_in_the_readers_language(
        tmp_path: Path):
    folder = _copy(tmp_path)
    (folder / "be.fr.yaml").unlink()
    with use_language("en"):  # the marker is in the language asked for, whatever is current
        belgium = load_profiles(folder, language="fr")["be"]
    assert belgium.framework.text.startswith("(en anglais) Plan R, the federal")
    assert belgium.jurisdiction == "Belgium"  # a name, not marked
    # its inherited EU statements are still translated
    assert belgium.consent.text.startswith("Le consentement de la personne")


def _edit(file: Path, change) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    change(data["texts"])
    file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_a_translation_missing_a_statement_is_refused_with_the_id(tmp_path: Path):
    folder = _copy(tmp_path)
    _edit(folder / "be.nl.yaml", lambda texts: texts.pop("agencies.police.limits"))
    with pytest.raises(LegalError, match="no translation of 'agencies.police.limits'"):
        load_profiles(folder, language="nl")


def test_a_translation_with_an_unknown_id_is_refused(tmp_path: Path):
    folder = _copy(tmp_path)
    _edit(folder / "fr.fr.yaml", lambda texts: texts.update({"agencies.army.text": "Non."}))
    with pytest.raises(LegalError, match="unknown text id 'agencies.army.text'"):
        load_profiles(folder, language="fr")
    result = CliRunner().invoke(main, ["legal", "validate", str(folder)])
    assert result.exit_code == 1
    assert "agencies.army.text" in result.output


def test_legal_show_prints_the_profile_in_the_language_asked_for():
    result = CliRunner().invoke(main, ["legal", "show", "FR", "--lang", "fr"])
    assert result.exit_code == 0, result.output
    assert "cellule préfectorale de prévention de la radicalisation" in result.output
    assert "Since the Minister of the Interior's circular" not in result.output
    english = CliRunner().invoke(main, ["legal", "show", "FR"])
    assert "Since the Minister of the Interior's circular" in english.output


def test_every_legal_translation_is_recorded_as_made_from_the_current_english():
    assert stale_translations() == {}
    assert len(list(profiles_dir().glob("*.*.yaml"))) == 9 * 3  # every profile in nl, fr, de


def test_rewording_an_english_statement_makes_legal_validate_name_its_translations(
        tmp_path: Path):
    folder = _copy(tmp_path)
    english = folder / "dk.yaml"
    text = english.read_text(encoding="utf-8")
    old = "Schools are parties to the SSP cooperation and may share under Section 115 within it."
    assert old in text
    english.write_text(text.replace(old, "Schools take part in SSP and may share within it."),
                       encoding="utf-8")
    assert stale_translations(folder) == {f"dk.{code}.yaml": ["agencies.education.text"]
                                          for code in ("de", "fr", "nl")}
    result = CliRunner().invoke(main, ["legal", "validate", str(folder)])
    assert result.exit_code == 1
    assert "dk.fr.yaml: 1 text(s) translated from an older English text, retranslate: " \
        "agencies.education.text" in result.output


def test_legal_translations_lists_a_stale_statement_and_record_clears_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from readiness.core import legal

    folder = _copy(tmp_path)
    monkeypatch.setattr(legal, "profiles_dir", lambda: folder)
    english = folder / "nl.yaml"
    english.write_text(english.read_text(encoding="utf-8").replace(
        "contact: the steering group Zorg en Veiligheid",
        "contact: the national steering group Zorg en Veiligheid"), encoding="utf-8")
    runner = CliRunner()
    listed = runner.invoke(main, ["legal", "translations", "--lang", "fr", "--profile", "nl"])
    assert listed.exit_code == 1
    assert yaml.safe_load(listed.output.split("\n", 1)[1])["texts"] == {
        "framework.contact": "the national steering group Zorg en Veiligheid"}
    recorded = runner.invoke(main, ["legal", "translations", "--lang", "fr", "--profile", "nl",
                                    "--record", "framework.contact"])
    assert recorded.exit_code == 0, recorded.output
    assert "nl.fr.yaml" not in stale_translations(folder)
    assert load_profiles(folder, language="fr")["nl"].framework.contact == (
        "le comité de pilotage Zorg en Veiligheid")
