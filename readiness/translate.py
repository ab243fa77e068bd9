"""Languages and gettext outside Flask: the PDF reports, the CLI and `ServiceError` messages.

The web pages use Flask-Babel; everything else asks `current_language()`, which is the language
forced by `use_language(...)` (e.g. `readiness roadmap --lang nl`, a PDF asked for in French),
else what the web app installed with `set_language_source` (the request's locale), else
English. Catalogues are `readiness/translations/<lang>/LC_MESSAGES/messages.mo`, the same ones
Flask-Babel reads. No Flask import here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from babel import dates, numbers
from babel.core import Locale
from babel.support import LazyProxy, NullTranslations, Translations
from markupsafe import Markup

# The languages shipped: English (the source) first. Adding one: docs/adding-a-language.md.
LANGUAGES: tuple[str, ...] = ("en", "nl", "fr", "de")
SOURCE_LANGUAGE = "en"
# Each language's name in itself, for pickers (never translated: a reader finds their own).
NATIVE_NAMES: dict[str, str] = {"en": "English", "nl": "Nederlands", "fr": "Français",
                                "de": "Deutsch"}
# The language a municipality's country most likely speaks, when nothing better is known.
# Belgium is bilingual: Dutch is the larger language community; respondents can change it.
COUNTRY_LANGUAGE: dict[str, str] = {"NL": "nl", "BE": "nl", "FR": "fr", "LU": "fr", "DE": "de",
                                    "AT": "de", "CH": "de", "GB": "en", "IE": "en", "MT": "en"}
TRANSLATIONS_DIR = Path(__file__).parent / "translations"

_forced: ContextVar[str | None] = ContextVar("readiness_language", default=None)
_source: list[Callable[[], str | None]] = []


def supported(language: str | None) -> str | None:
    """`language` if it is one of LANGUAGES (case-insensitive, `nl-BE` counts as `nl`)."""
    if not language:
        return None
    code = language.strip().replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else None


def country_language(country: str | None) -> str | None:
    """The language most likely spoken in a country (ISO 3166 alpha-2), if shipped."""
    return COUNTRY_LANGUAGE.get((country or "").upper())


def set_language_source(source: Callable[[], str | None]) -> None:
    """Install where the language comes from when none is forced (the web app's locale)."""
    _source[:] = [source]


def current_language() -> str:
    """The language to write in now: forced, else the installed source's, else English."""
    forced = _forced.get()
    if forced:
        return forced
    if _source:
        found = supported(_source[0]())
        if found:
            return found
    return SOURCE_LANGUAGE


@contextmanager
def use_language(language: str | None) -> Iterator[str]:
    """Write in `language` (a shipped one, else English) inside the block."""
    code = supported(language) or SOURCE_LANGUAGE
    token = _forced.set(code)
    try:
        yield code
    finally:
        _forced.reset(token)


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalogue of a language (nothing to translate for English)."""
    if language == SOURCE_LANGUAGE:
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS_DIR), [language])


def gettext(message: str, **variables: Any) -> str:
    """`message` in the current language, with %(name)s variables filled in."""
    text = translations(current_language()).ugettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """The singular or plural form for `num` in the current language; %(num)d is filled in."""
    text = translations(current_language()).ungettext(singular, plural, num)
    return text % {"num": num, **variables}


def lazy_gettext(message: str, **variables: Any) -> LazyProxy:
    """`gettext` when the text is shown, in the language of whoever reads it then."""
    return LazyProxy(gettext, message, enable_cache=False, **variables)


def locale(language: str | None = None) -> Locale:
    """The Babel locale for formatting dates and numbers in a language (current by default);
    English is written the British way (7 March 2025), as the texts are."""
    code = supported(language) or current_language()
    return Locale.parse("en_GB" if code == SOURCE_LANGUAGE else code)


def format_date(day: date, language: str | None = None) -> str:
    """A date written out in a language: 7 March 2025, 7 maart 2025, 7. März 2025."""
    return dates.format_date(day, format="long", locale=locale(language))


def format_number(value: float, digits: int = 0, language: str | None = None, *,
                  signed: bool = False) -> str:
    """A number with the language's decimal mark: 12.5 in English, 12,5 in French; `signed`
    writes the plus sign of a change too (+6.5)."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    if signed:
        pattern = f"+{pattern};-{pattern}"
    return numbers.format_decimal(value, format=pattern, locale=locale(language))


def format_figure(value: float, language: str | None = None, *, signed: bool = False) -> str:
    """A figure as few decimals as it has (up to three), with the language's decimal mark:
    0.6 in English, 0,6 in German; `signed` writes +6,5 as well as -6,5."""
    pattern = "#,##0.###"
    if signed:
        pattern = f"+{pattern};-{pattern}"
    return numbers.format_decimal(value, format=pattern, locale=locale(language))


def country_name(code: str, language: str | None = None) -> str:
    """A country's name (ISO 3166 alpha-2) in a language, from Babel's data: Belgium, België,
    Belgique, Belgien; the code itself when Babel knows no such country."""
    return str(locale(language).territories.get((code or "").upper(), code))


def in_sentence(title: str, whole: bool = True) -> str:
    """A title as it reads inside a sentence: lower case in English (all of it when `whole`),
    the first letter lowered in French and Dutch unless it starts an acronym, unchanged in
    German, whose nouns keep their capital."""
    language = current_language()
    if language == SOURCE_LANGUAGE:
        return title.lower() if whole else lower_first(title)
    if language == "de":
        return title
    return lower_first(title)


def upper_first(text: str) -> str:
    """The first letter raised and the rest left as written: a sentence's start in every
    language (Jinja's `capitalize` lowers the rest, which breaks German nouns:
    "24 Fachkräfte aus 6 Einrichtungen")."""
    raised = text[:1].upper() + text[1:]
    return Markup(raised) if isinstance(text, Markup) else raised


def join_words(words: list[str]) -> str:
    """Words joined as a list in a sentence: `a`, `a and b`, `a, b and c` (translated)."""
    if len(words) <= 1:
        return "".join(words)
    return gettext("%(first)s and %(last)s", first=", ".join(words[:-1]), last=words[-1])


def lower_first(text: str) -> str:
    """The first letter lowered, unless the second is a capital too (an acronym)."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def template_gettext(message: str) -> str:
    """gettext for Jinja's newstyle i18n, which fills in the variables itself."""
    return translations(current_language()).ugettext(message)


def template_ngettext(singular: str, plural: str, num: int) -> str:
    """ngettext for Jinja's newstyle i18n, which fills in the variables itself."""
    return translations(current_language()).ungettext(singular, plural, num)


# Keys of the legal roadmap wording (questionnaires/legal/roadmap.yaml) whose values are sentences
# for the reader; ids, action references and evidence are not.
_WORDING_KEYS = frozenset({"statutory", "conditional", "consent_only", "none_found", "finding",
                           "agreement_note", "agency_note", "map_what", "title", "what", "why",
                           "indicator"})


def extract_yaml_wording(fileobj: Any, keywords: Any, comment_tags: Any,
                         options: Any) -> Iterator[tuple[int, str, str, list[str]]]:
    """A Babel extractor (babel.cfg) for the sentences of a YAML wording file, so that they are
    translated in the catalogues like the code's strings."""
    import yaml

    def walk(node: Any) -> Iterator[tuple[int, str, str, list[str]]]:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if (isinstance(value, yaml.ScalarNode) and key.value in _WORDING_KEYS
                        and value.value.strip()):
                    yield value.start_mark.line + 1, "_", value.value, []
                else:
                    yield from walk(value)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                yield from walk(item)

    yield from walk(yaml.compose(fileobj.read().decode("utf-8")))
