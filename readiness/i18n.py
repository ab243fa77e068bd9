"""Translations: every user-facing string goes through gettext, so a language is a catalogue."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request
from flask_babel import Babel, get_locale


def _select_locale() -> str:
    languages: list[str] = current_app.config["LANGUAGES"]
    best = request.accept_languages.best_match(languages)
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    """Install Flask-Babel with a locale chosen from the browser's languages; give pages `lang`."""
    Babel(app, locale_selector=_select_locale)

    @app.context_processor
    def _language() -> dict[str, Any]:
        return {"html_lang": str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])}
