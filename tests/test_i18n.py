"""Every page's text goes through gettext: a language is a catalogue, not a rewrite."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask import Flask

from readiness import create_app
from readiness.db import get_db


def _catalogue(folder: Path, language: str, messages: dict[str, str]) -> None:
    catalog = Catalog(locale=language)
    for source, translation in messages.items():
        catalog.add(source, translation)
    target = folder / language / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)


def test_a_catalogue_translates_the_pages_for_browsers_asking_for_its_language(
        app: Flask, tmp_path: Path):
    _catalogue(tmp_path, "fr", {"Sign in": "Se connecter", "Username": "Identifiant",
                                "Skip to main content": "Aller au contenu"})
    translated = create_app({**app.config, "INSTANCE_PATH": app.instance_path,
                             "LANGUAGES": ["en", "fr"],
                             "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path)})
    client = translated.test_client()
    french = client.get("/login", headers={"Accept-Language": "fr-BE,fr;q=0.9"})
    html = french.get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "<title>Se connecter – MAW Readiness</title>" in html
    assert ">Identifiant</label>" in html
    assert "Aller au contenu" in html
    english = client.get("/login", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="en">' in english
    assert "<title>Sign in – MAW Readiness</title>" in english
    get_db(translated).dispose()


def test_templates_follow_a_locale_forced_inside_a_request_and_back(app: Flask):
    from flask import render_template_string
    from flask_babel import force_locale

    page = "{{ _('Sign in') }}"
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert render_template_string(page) == "Se connecter"
        with force_locale("de"):
            assert render_template_string(page) == "Anmelden"
        assert render_template_string(page) == "Se connecter"
    with app.test_request_context(headers={"Accept-Language": "de"}):
        assert render_template_string(page) == "Anmelden"


def test_the_catalogue_kept_for_a_request_gives_way_to_a_forced_locale_and_comes_back(
        app: Flask):
    from flask import render_template_string
    from flask_babel import force_locale

    page = "{{ _('Sign in') }} {{ _('Sign in') }}"  # the second from the request's catalogue
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        for _ in range(2):
            assert render_template_string(page) == "Se connecter Se connecter"
            with force_locale("de"):
                assert render_template_string(page) == "Anmelden Anmelden"
                with force_locale("nl"):
                    assert render_template_string(page) == "Aanmelden Aanmelden"
                assert render_template_string(page) == "Anmelden Anmelden"
            assert render_template_string(page) == "Se connecter Se connecter"


def test_each_app_reads_its_own_catalogues(app: Flask, tmp_path: Path):
    from flask import render_template_string

    _catalogue(tmp_path, "fr", {"Sign in": "Entrer"})
    other = create_app({**app.config, "INSTANCE_PATH": app.instance_path,
                        "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path)})
    page = "{{ _('Sign in') }}"
    for first, second in ((other, app), (app, other)):
        for which in (first, second):
            with which.test_request_context(headers={"Accept-Language": "fr"}):
                expected = "Entrer" if which is other else "Se connecter"
                assert render_template_string(page) == expected
    get_db(other).dispose()
