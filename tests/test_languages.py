"""Languages: questionnaire texts as per-language data, the language a page, a response or a PDF
is in, and answers given in different languages scoring together."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from readiness.cli.main import main
from readiness.core import translation
from readiness.core.questionnaire import (
    QuestionnaireError,
    get_questionnaire,
    load_questionnaire,
    questionnaire_path,
)
from readiness.models import Response, User
from readiness.services import assessments as services
from readiness.services import survey as services_survey
from readiness.translate import current_language, use_language
from tests.web_helpers import (
    answer_all,
    fresh,
    login,
    make_assessment,
    make_municipality,
    make_user,
    post_form,
)

ROOT = Path(__file__).resolve().parent.parent


def _folder_with_language(tmp_path: Path, texts: dict[str, str] | None = None,
                          language: str = "nl") -> Path:
    """A copy of questionnaire 1.0 with a language file: every text prefixed with the code."""
    source = questionnaire_path(version="1.0").parent
    folder = tmp_path / "maw-readiness"
    folder.mkdir()
    for name in ("1.0.yaml", "actions-1.0.yaml"):
        shutil.copy(source / name, folder / name)
    base = load_questionnaire(folder / "1.0.yaml")
    if texts is None:
        texts = {k: f"[{language}] {v}" for k, v in translation.source_texts(*base.raw).items()}
    document = {"questionnaire": "maw-readiness", "version": "1.0", "language": language,
                "texts": texts}
    (folder / f"1.0.{language}.yaml").write_text(yaml.safe_dump(document, allow_unicode=True),
                                                 encoding="utf-8")
    return folder


def test_a_language_file_puts_every_text_of_the_questionnaire_and_roadmap_in_its_language(
        tmp_path: Path):
    q = load_questionnaire(_folder_with_language(tmp_path) / "1.0.yaml")
    dutch = q.in_language("nl")
    assert q.languages == ("en", "nl")
    assert dutch.doc.items[0].text.startswith("[nl] ")
    assert all(o.label.startswith("[nl] ") for o in dutch.options(dutch.doc.items[0]))
    assert all(a.what.startswith("[nl] ") for a in dutch.library.actions)
    assert dutch.doc.agencies[0].title.startswith("[nl] ")
    assert not q.doc.items[0].text.startswith("[")  # the English stays English
    assert dutch.to_public_dict()["language"] == "nl"


def test_adding_a_language_keeps_the_hash_old_assessments_stored_but_changes_the_full_hash(
        tmp_path: Path):
    shipped = get_questionnaire("maw-readiness", "1.0", language="en")
    q = load_questionnaire(_folder_with_language(tmp_path) / "1.0.yaml")
    assert q.content_hash == shipped.content_hash == q.in_language("nl").content_hash
    assert q.full_hash != shipped.full_hash


def test_a_language_file_missing_a_text_is_refused_with_the_id(tmp_path: Path):
    base = get_questionnaire("maw-readiness", "1.0", language="en")
    texts = translation.source_texts(*base.raw)
    gone = next(iter(k for k in texts if k.startswith("items.")))
    del texts[gone]
    folder = _folder_with_language(tmp_path, texts)
    with pytest.raises(QuestionnaireError, match="no translation of") as caught:
        load_questionnaire(folder / "1.0.yaml")
    assert gone in str(caught.value)


def test_a_language_file_with_an_unknown_text_id_is_refused(tmp_path: Path):
    base = get_questionnaire("maw-readiness", "1.0", language="en")
    texts = {**translation.source_texts(*base.raw), "items.no_such_item.text": "Geen"}
    with pytest.raises(QuestionnaireError, match="unknown text id 'items.no_such_item.text'"):
        load_questionnaire(_folder_with_language(tmp_path, texts) / "1.0.yaml")


def test_the_cli_lists_the_texts_a_language_still_lacks_as_yaml_to_fill_in():
    result = CliRunner().invoke(main, ["questionnaire", "translations", "--lang", "da",
                                       "--version", "1.0"])
    assert result.exit_code == 1
    header, body = result.output.split("\n", 1)
    assert "0 of" in header
    assert "missing" in header
    listed = yaml.safe_load(body)["texts"]
    assert listed["items." + get_questionnaire(version="1.0").doc.items[0].id + ".text"] == (
        get_questionnaire(version="1.0", language="en").doc.items[0].text)


def test_answers_given_in_different_languages_score_as_one_round(app: Flask, session: Session,
                                                                 tmp_path: Path):
    municipality = make_municipality(session)
    assessment, _ = make_assessment(session, municipality)
    q = get_questionnaire(assessment.questionnaire_id, assessment.questionnaire_version)
    for agency, language in (("police", "nl"), ("health", "fr"), ("education", "de")):
        invitation, _token = services.new_invitation(session, assessment, agency)
        for n in range(3):
            response, _secret = services_survey.start_response(session, invitation, language)
            value = "agree" if n else "disagree"
            services_survey.save_answers(q, response, answer_all(q, value), {})
            services_survey.submit_response(session, response)
    session.commit()
    mixed = services.close_assessment(session, assessment)
    languages = {r.language for r in session.query(Response).all()}
    assert languages == {"nl", "fr", "de"}
    assert mixed.respondents == 9
    assert set(mixed.respondents_by_agency) == {"police", "health", "education"}
    dimension = mixed.dimensions[0]
    assert dimension.score is not None
    assert 0 < dimension.score < 100


def _survey_start(client: FlaskClient, token: str, **headers: str) -> str:
    return client.get(f"/s/{token}", headers=headers).get_data(as_text=True)


def test_the_survey_opens_in_the_browsers_language_else_the_municipalitys_country(
        app: Flask, session: Session):
    french, _ = make_assessment(session, make_municipality(session, "Liège", "FR"))
    token = make_assessment(session, make_municipality(session, "Lyon", "FR"))[1]["police"]
    client = app.test_client()
    assert '<html lang="de">' in _survey_start(client, token, **{"Accept-Language": "de-DE"})
    assert '<html lang="fr">' in _survey_start(client, token, **{"Accept-Language": ""})
    assert french.municipality.country == "FR"


def test_the_language_a_respondent_picks_sticks_to_their_response(app: Flask,
                                                                   session: Session):
    _, tokens = make_assessment(session, make_municipality(session))
    token = tokens["police"]
    client = app.test_client()
    picked = _survey_start(client, token + "?lang=nl", **{"Accept-Language": "en"})
    assert '<html lang="nl">' in picked
    assert 'name="language" value="nl"' in picked
    post_form(client, f"/s/{token}?lang=nl", {"language": "nl"}, to=f"/s/{token}/start",
              headers={"Accept-Language": "en"})
    fresh(session)
    assert session.query(Response).one().language == "nl"
    page = client.get(f"/s/{token}/page/1", headers={"Accept-Language": "en"})
    assert '<html lang="nl">' in page.get_data(as_text=True)


def test_a_signed_in_user_keeps_the_language_they_pick(app: Flask, session: Session):
    make_user(session, "org")
    client = app.test_client()
    login(client, "org")
    post_form(client, "/", {"language": "de", "next": "/"}, to="/language")
    fresh(session)
    assert session.query(User).filter_by(username="org").one().language == "de"
    other_browser = app.test_client()
    login(other_browser, "org")
    home = other_browser.get("/", headers={"Accept-Language": "fr"}, follow_redirects=True)
    assert '<html lang="de">' in home.get_data(as_text=True)


def test_a_page_can_be_asked_for_in_a_language_and_unknown_languages_are_ignored(app: Flask):
    client = app.test_client()
    assert '<html lang="fr">' in client.get("/login?lang=fr").get_data(as_text=True)
    assert '<html lang="en">' in client.get("/login?lang=xx").get_data(as_text=True)


def test_outside_a_page_the_language_is_english_unless_forced():
    assert current_language() == "en"
    with use_language("de-AT") as code:
        assert code == "de"
        assert current_language() == "de"
    with use_language("tlh"):
        assert current_language() == "en"


def test_the_questionnaire_show_command_prints_texts_in_the_asked_language():
    result = CliRunner().invoke(main, ["questionnaire", "show", "--json", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert '"language": "en"' in result.output
    assert '"full_hash"' in result.output


def _catalogue(folder: Path, language: str, entries: list[tuple[str, str, bool]]) -> None:
    catalog = Catalog(locale=language, fuzzy=False)
    for source, translated, fuzzy in entries:
        catalog.add(source, translated, flags=("fuzzy",) if fuzzy else ())
    target = folder / language / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.po").open("wb") as handle:
        write_po(handle, catalog)


def _check(folder: Path, language: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / ".ci" / "check_translations.py"),
                           "--dir", str(folder), "--lang", language, "--no-extract"],
                          capture_output=True, text=True, cwd=ROOT)


def test_the_catalogue_check_fails_on_fuzzy_untranslated_and_uncompiled_strings(tmp_path: Path):
    _catalogue(tmp_path, "nl", [("Sign in", "Aanmelden", True), ("Username", "", False)])
    result = _check(tmp_path, "nl")
    assert result.returncode == 1
    assert "fuzzy: 'Sign in'" in result.stdout
    assert "untranslated: 'Username'" in result.stdout
    assert "missing or stale" in result.stdout


def test_the_catalogue_check_passes_a_complete_compiled_catalogue(tmp_path: Path):
    _catalogue(tmp_path, "fr", [("Sign in", "Se connecter", False)])
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "compile", "-d",
                    str(tmp_path), "-l", "fr"], check=True, capture_output=True)
    result = _check(tmp_path, "fr")
    assert result.returncode == 0, result.stdout
