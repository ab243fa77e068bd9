"""Translations: every user-facing string goes through gettext, so a language is a catalogue.

The language of a page: `?lang=xx` when a reader picks one; on the survey, the language the
respondent chose for their response, else the browser's, else the municipality's country's;
for everyone else their user preference, else the one picked in this session, else the
browser's, else English. PDFs and questionnaire texts follow it through `readiness.translate`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from babel.support import Translations
from flask import Flask, current_app, g, has_app_context, has_request_context, request, session
from flask_babel import Babel, get_locale, get_translations

from readiness import translate


def shipped(language: str | None) -> str | None:
    """`language` if the app offers it (setting LANGUAGES), else None."""
    code = translate.supported(language)
    return code if code in current_app.config["LANGUAGES"] else None


def browser_language() -> str | None:
    """The best of the app's languages by the browser's Accept-Language, if any fits."""
    best = request.accept_languages.best_match(current_app.config["LANGUAGES"])
    return shipped(best)


# Blueprints whose pages choose their own language (the survey: the respondent's), registered by
# the web layer so that this module does not import it.
_BLUEPRINT_LANGUAGE: dict[str, Callable[[], str | None]] = {}


def blueprint_language(blueprint: str, chooser: Callable[[], str | None]) -> None:
    """Let `chooser` pick the language of `blueprint`'s pages (before the user's and browser's)."""
    _BLUEPRINT_LANGUAGE[blueprint] = chooser


def _select_locale() -> str | None:
    if not has_request_context():
        return None
    asked = shipped(request.args.get("lang"))
    if asked:
        return asked
    chooser = _BLUEPRINT_LANGUAGE.get(request.blueprint or "")
    if chooser is not None:
        return chooser()
    from readiness.auth import current_user

    user = current_user()
    return (shipped(user.language if user else None) or shipped(session.get("language"))
            or browser_language())


def _page_language() -> str | None:
    return str(get_locale()) if has_request_context() else None


def _catalogue() -> Translations:
    """Flask-Babel's translations for the locale in force now (forced ones included), found
    once per locale: its own look-up re-reads the context and spells the locale out on every
    string, which was a quarter of a survey page's time in templates."""
    # Flask-Babel's namespace in `g`, read directly: through the `g` proxy three times, as
    # `_get_current_context` does, it was a third of each string's time on a survey page
    ctx = vars(g._get_current_object()).get("_flask_babel") if has_app_context() else None
    locale = getattr(ctx, "babel_locale", None)
    if ctx is None or locale is None:  # the request's first string: Flask-Babel picks it
        return get_translations()
    this_request = getattr(ctx, "maw_catalogue", None)  # (locale, catalogue) found last
    if this_request is not None and this_request[0] is locale:  # not a forced locale since
        return cast(Translations, this_request[1])
    kept: dict[tuple[Any, ...], Translations] = current_app.extensions["maw_catalogues"]
    key = (locale.language, locale.territory, locale.script, locale.variant)
    found = kept.get(key)
    if found is None:  # per app: each app has its own catalogue folders
        found = kept[key] = get_translations()
    ctx.maw_catalogue = (locale, found)
    return found


def init_app(app: Flask) -> None:
    """Install Flask-Babel with the locale chosen as above; give pages `lang` and a picker."""
    Babel(app, locale_selector=_select_locale)
    app.extensions["maw_catalogues"] = {}
    # as Flask-Babel's own callables, with the catalogue found once per locale (`_catalogue`)
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _catalogue().ugettext(s),
        ngettext=lambda s, p, n: _catalogue().ungettext(s, p, n), newstyle=True,
        pgettext=lambda c, s: _catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalogue().unpgettext(c, s, p, n))
    translate.set_language_source(_page_language)
    # dates and numbers as the page's language writes them: {{ day|local_date }} is
    # "1 March 2026", "1 maart 2026", "1 mars 2026", "1. März 2026"
    # and figures such as weights: {{ 0.6|local_figure }} is "0,6" in German and French
    app.jinja_env.filters.update(local_date=lambda day: translate.format_date(day),
                                 local_number=lambda value, digits=0, signed=False:
                                 translate.format_number(value, digits, signed=signed),
                                 local_figure=lambda value, signed=False:
                                 translate.format_figure(value, signed=signed),
                                 # the first letter raised, the rest kept (German nouns)
                                 capitalize=translate.upper_first)

    @app.context_processor
    def _language() -> dict[str, Any]:
        languages = [(code, translate.NATIVE_NAMES.get(code, code))
                     for code in app.config["LANGUAGES"]]
        return {"html_lang": str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
                "languages": languages}
