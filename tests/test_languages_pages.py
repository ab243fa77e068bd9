"""Every page type in Dutch, French and German: `lang` set, and no English sentence of the
catalogue left on it (names and data, such as questionnaire texts not yet translated, aside)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from readiness.core import translation
from readiness.core.questionnaire import get_questionnaire
from readiness.models import Role
from readiness.services import assessments as services
from tests.web_helpers import (
    add_responses,
    login,
    make_assessment,
    make_municipality,
    make_user,
    post_form,
)

pytestmark = pytest.mark.db

TRANSLATIONS = Path(__file__).resolve().parent.parent / "readiness" / "translations"
LANGUAGES = ("nl", "fr", "de")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%\([a-z_]+\)\.\d+f|%%|<[^>]+>|&[a-z]+;")


class _Visible(HTMLParser):
    """The text a reader meets: text nodes and aria-label, title, alt and placeholder."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        self.parts += [v for k, v in attrs if k in ("aria-label", "title", "alt", "placeholder")
                       and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def visible_text(page: str) -> str:
    """The visible text of a page, whitespace collapsed."""
    parser = _Visible()
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split())


def english_phrases(language: str) -> set[str]:
    """English phrases of three words or more that the language's catalogue translates
    differently: finding one on a page in that language means a string was missed."""
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    phrases = set()
    for message in catalog:
        if not message.id:
            continue
        source = message.id[0] if isinstance(message.id, tuple) else message.id
        target = message.string[0] if isinstance(message.string, tuple) else message.string
        for chunk in PLACEHOLDER.split(html.unescape(source)):
            chunk = " ".join(chunk.split()).strip(" .,:;()–-")
            if len(chunk.split()) >= 3 and chunk not in html.unescape(target or ""):
                phrases.add(chunk)
    return phrases


def _data_texts() -> list[str]:
    """The questionnaire's own texts in English: data, translated by language files (a version
    without one for a language shows them in English), longest first."""
    q = get_questionnaire(language="en")
    texts = {" ".join(html.unescape(t).split()) for t in translation.source_texts(*q.raw).values()}
    return sorted(texts, key=len, reverse=True)


def _leftovers(page: str, phrases: set[str]) -> list[str]:
    text = visible_text(page)
    for data in _data_texts():
        text = text.replace(data, " ")
    return sorted(p for p in phrases if p in text)


@pytest.fixture
def site(app: Flask, session: Session) -> dict[str, str]:
    """A closed round with results, an open round with a survey link, and an admin."""
    make_user(session, "admin", Role.ADMIN)
    municipality = make_municipality(session, name="Mechelen")
    closed, _ = make_assessment(session, municipality)
    for agency in ("police", "health", "education"):
        add_responses(session, closed, agency, 3, value="agree" if agency != "health" else
                      "disagree", comments={"trust": "Goed"})
    services.close_assessment(session, closed)
    session.commit()
    other = make_municipality(session, name="Namur", country="BE")
    open_round, tokens = make_assessment(session, other, ("police", "health"))
    return {"closed": closed.public_id, "open": open_round.public_id,
            "municipality": municipality.public_id, "token": tokens["police"]}


def _organiser_pages(site: dict[str, str]) -> list[str]:
    return ["/", "/municipalities/new", f"/municipalities/{site['municipality']}",
            f"/municipalities/{site['municipality']}/edit",
            f"/assessments/{site['open']}", f"/assessments/{site['open']}/context",
            f"/assessments/{site['open']}/close", f"/assessments/{site['open']}/cancel",
            f"/assessments/{site['closed']}/results", "/dashboard/", "/users/", "/users/new",
            "/users/tokens", "/account/password", "/no-such-page"]


def _survey_pages(client: FlaskClient, token: str, language: str) -> list[str]:
    link = f"/s/{token}"
    pages = [client.get(f"{link}?lang={language}").get_data(as_text=True)]
    post_form(client, f"{link}?lang={language}", {"language": language}, to=f"{link}/start")
    pages.append(client.get(f"{link}/page/1").get_data(as_text=True))
    pages.append(post_form(client, f"{link}/page/1", {"action": "continue"}).get_data(
        as_text=True))  # with errors
    pages.append(client.get(f"{link}/check").get_data(as_text=True))
    pages.append(client.get(f"{link}/saved").get_data(as_text=True))
    # a cut-off link opens no response: the browser's language decides
    pages.append(client.get(f"/s/{token[:10]}", headers={"Accept-Language": language})
                 .get_data(as_text=True))
    return pages


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_type_is_in_the_language_with_no_english_sentence_left(
        app: Flask, site: dict[str, str], language: str):
    phrases = english_phrases(language)
    organiser = app.test_client()
    assert f'<html lang="{language}">' in organiser.get(f"/login?lang={language}").get_data(
        as_text=True)
    found = {"/login": _leftovers(organiser.get(f"/login?lang={language}").get_data(
        as_text=True), phrases)}
    login(organiser, "admin")
    post_form(organiser, "/", {"language": language, "next": "/"}, to="/language")
    for path in _organiser_pages(site):
        page = organiser.get(path).get_data(as_text=True)
        assert f'<html lang="{language}">' in page, path
        found[path] = _leftovers(page, phrases)
    respondent = app.test_client()
    for number, page in enumerate(_survey_pages(respondent, site["token"], language)):
        assert f'<html lang="{language}">' in page, f"survey page {number}"
        found[f"survey page {number}"] = _leftovers(page, phrases)
    assert {path: left for path, left in found.items() if left} == {}


def test_the_check_finds_english_left_on_a_page():
    phrases = english_phrases("nl")
    page = "<main><p>Aanmelden</p><button>Start the survey</button></main>"
    assert _leftovers(page, phrases) == ["Start the survey"]
