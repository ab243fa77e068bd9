"""What the review found left in English (or in the wrong grammar) on translated pages: tracked
action titles, error page headings, the round status badge and the closing date."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from readiness.core.legal_roadmap import action_title, legal_wording
from readiness.core.questionnaire import get_questionnaire
from readiness.models import Municipality, PlanAction, Role
from readiness.services import plans
from readiness.translate import use_language
from tests.test_languages_pages import visible_text
from tests.web_helpers import (
    add_responses,
    link_sizes,
    login,
    make_assessment,
    make_municipality,
    make_user,
    post_form,
)

pytestmark = pytest.mark.db

LANGUAGES = ("nl", "fr", "de")


def _closed_with_plan(db: Session, municipality: Municipality) -> list[PlanAction]:
    """A round closed in English (outside any request), so its plan stores English titles."""
    assessment, _ = make_assessment(db, municipality, ("police", "health"))
    add_responses(db, assessment, "police", 3, "disagree")
    add_responses(db, assessment, "health", 3, "disagree")
    plans.close_with_plan(db, assessment)
    db.commit()
    return plans.plan_of(db, municipality)


def _translated_titles(language: str) -> dict[str, tuple[str, str]]:
    """{action id: (English title, title in `language`)} where the two differ."""
    english = {a.id: a.title for a in get_questionnaire(language="en").library.actions}
    other = {a.id: a.title for a in get_questionnaire(language=language).library.actions}
    return {i: (english[i], other[i]) for i in english if english[i] != other[i]}


@pytest.fixture
def planned(app: Flask, session: Session) -> tuple[Municipality, list[PlanAction]]:
    """An admin and a municipality whose plan was made in English."""
    make_user(session, "admin", Role.ADMIN)
    municipality = make_municipality(session, name="Valmont", country="FR")
    actions = _closed_with_plan(session, municipality)
    assert actions
    return municipality, actions


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_plan_and_an_action_page_show_action_titles_in_the_readers_language(
        client: FlaskClient, planned: tuple[Municipality, list[PlanAction]], language: str):
    municipality, actions = planned
    titles = _translated_titles(language)
    login(client, "admin")
    page = visible_text(client.get(
        f"/municipalities/{municipality.public_id}/plan?lang={language}").get_data(as_text=True))
    checked = [a for a in actions if a.action in titles and a.title == titles[a.action][0]]
    assert checked
    for action in checked:
        english, translated = titles[action.action]
        assert translated in page
        assert english not in page
    action = checked[0]
    edit = visible_text(client.get(f"/plan-actions/{action.public_id}?lang={language}")
                        .get_data(as_text=True))
    assert titles[action.action][1] in edit
    assert titles[action.action][0] not in edit


def test_the_plan_pdf_shows_action_titles_in_the_readers_language(
        client: FlaskClient, planned: tuple[Municipality, list[PlanAction]],
        monkeypatch: pytest.MonkeyPatch):
    from readiness.report import render

    municipality, actions = planned
    made: list[str] = []
    monkeypatch.setattr(render, "render_pdf", lambda html, **_kw: made.append(html) or b"%PDF")
    login(client, "admin")
    response = client.get(f"/municipalities/{municipality.public_id}/plan.pdf?lang=fr")
    assert response.status_code == 200
    text = visible_text(made[0])
    titles = _translated_titles("fr")
    shown = [a for a in actions[:10] if a.action in titles and a.title == titles[a.action][0]]
    assert shown
    for action in shown:
        assert titles[action.action][1] in text
        assert titles[action.action][0] not in text


def test_a_tracked_action_the_questionnaire_does_not_know_keeps_its_stored_title():
    q = get_questionnaire(language="fr")
    with use_language("fr"):
        assert action_title(q, "", "Une action ajoutée à la main") == "Une action ajoutée à la main"
        assert action_title(q, "no_such_action", "Kept as stored") == "Kept as stored"


def test_the_legal_actions_titles_follow_the_reader_too():
    words = legal_wording()
    q = get_questionnaire(language="fr")
    library = {a.id: a.title for a in q.library.actions}
    with use_language("fr"):
        reworded = action_title(q, words.protocol_action, words.protocol.title)
        added = action_title(q, words.dpia.id, words.dpia.title)
        plain = action_title(q, words.protocol_action, "Whatever the library called it")
    assert reworded not in (words.protocol.title, "")
    assert added != words.dpia.title
    assert plain == library[words.protocol_action]


@pytest.mark.parametrize(("language", "not_found", "forbidden"), [
    ("nl", "Pagina niet gevonden", "Niet toegestaan"),
    ("fr", "Page introuvable", "Accès refusé"),
    ("de", "Seite nicht gefunden", "Nicht erlaubt")])
def test_error_pages_are_headed_in_the_readers_language(
        app: Flask, session: Session, client: FlaskClient, language: str, not_found: str,
        forbidden: str):
    make_user(session, "admin", Role.ADMIN)
    page = client.get(f"/no-such-page?lang={language}")
    assert page.status_code == 404
    html = page.get_data(as_text=True)
    assert f"<h1>{not_found}</h1>" in html
    assert "Not Found" not in html
    make_user(session, "advisor", Role.ADVISOR)
    login(client, "advisor")
    page = client.get(f"/users/?lang={language}")
    assert page.status_code == 403
    html = page.get_data(as_text=True)
    assert f"<h1>{forbidden}</h1>" in html
    assert "Forbidden" not in html


@pytest.mark.parametrize(("language", "badge", "verb"), [
    ("fr", "Ouvert", "Ouvrir"), ("nl", "Open", "Openen"), ("de", "Offen", "Öffnen")])
def test_an_open_rounds_badge_says_it_is_open_not_to_open(
        client: FlaskClient, session: Session, language: str, badge: str, verb: str):
    make_user(session, "admin", Role.ADMIN)
    assessment, _ = make_assessment(session, make_municipality(session, name="Namur"))
    login(client, "admin")
    html = client.get(f"/assessments/{assessment.public_id}?lang={language}").get_data(
        as_text=True)
    assert f'<span class="tag tag--open">{badge}</span>' in html
    assert f">{verb}<" not in html


def test_a_round_with_no_closing_date_says_aucune_in_french(client: FlaskClient,
                                                             session: Session):
    make_user(session, "admin", Role.ADMIN)
    assessment, _ = make_assessment(session, make_municipality(session, name="Namur"))
    assessment.closes_on = None
    session.commit()
    login(client, "admin")
    text = visible_text(client.get(f"/assessments/{assessment.public_id}?lang=fr").get_data(
        as_text=True))
    assert "Aucune" in text
    assert "clôture Aucun " not in text + " "


@pytest.mark.parametrize(("language", "written", "english"), [
    ("de", "mal 0,6", "mal 0.6"), ("fr", "par 0,6", "par 0.6"), ("nl", "maal 0,6", "maal 0.6")])
def test_the_dashboards_figures_use_the_languages_decimal_mark(
        client: FlaskClient, session: Session, language: str, written: str, english: str):
    make_user(session, "admin", Role.ADMIN)
    make_municipality(session, name="Brunnhausen", country="DE")
    login(client, "admin")
    post_form(client, "/", {"language": language, "next": "/"}, to="/language")
    text = visible_text(client.get("/dashboard/").get_data(as_text=True))
    assert written in text
    assert english not in text


def _closed_by(db: Session, user_name: str, display_name: str | None, country: str = "BE"):
    from readiness.models import User

    user = make_user(db, user_name, Role.ADVISOR)
    if display_name:
        db.get(User, user.id).display_name = display_name
    municipality = make_municipality(db, name="Sint-Aldegonde", country=country)
    assessment, _ = make_assessment(db, municipality, ("police", "health"))
    assessment.created_by_id = user.id
    add_responses(db, assessment, "police", 3, "agree")
    add_responses(db, assessment, "health", 3, "agree")
    plans.close_with_plan(db, assessment)
    db.commit()
    return assessment


@pytest.mark.parametrize(("display_name", "expected"), [
    (None, "Begeleid door Het mobiele adviesteam"),
    ("An Peeters", "Begeleid door Het mobiele adviesteam (An Peeters)")])
def test_the_roadmap_cover_names_the_team_in_the_readers_language_never_the_login(
        app: Flask, session: Session, display_name: str | None, expected: str):
    from readiness.services import assessments as services
    from readiness.web.report_download import report_meta
    from readiness.web.results import ScoredAssessment

    assessment = _closed_by(session, "advisor", display_name)
    with app.test_request_context("/?lang=nl"):
        q, published = services.publish_assessment(session, assessment)
        meta = report_meta(session, ScoredAssessment(assessment, q, published))
    assert meta.country == "België"
    assert expected.removeprefix("Begeleid door ") == meta.facilitator
    assert "advisor" not in meta.facilitator
    assert "Advisory" not in meta.facilitator


@pytest.mark.parametrize(("display_name", "runner"), [
    (None, "Een adviseur van het mobiele team"), ("An Peeters", "An Peeters")])
def test_the_invitation_pack_names_the_organiser_never_by_login(
        client: FlaskClient, session: Session, monkeypatch: pytest.MonkeyPatch,
        display_name: str | None, runner: str):
    from readiness.models import User
    from readiness.report import render

    user = make_user(session, "advisor", Role.ADVISOR)
    if display_name:
        session.get(User, user.id).display_name = display_name
        session.commit()
    municipality = make_municipality(session, "Mechelen", advisor=user)
    login(client, "advisor")
    started = post_form(client, f"/municipalities/{municipality.public_id}/assessments/new", {
        "conducted_on": "2026-04-01", "closes_on": "", "mode": "survey",
        "agencies": ["police", "health"], **link_sizes("police", "health")})
    assert started.status_code == 302, started.get_data(as_text=True)
    links_page = str(started.headers["Location"])
    made: list[str] = []
    monkeypatch.setattr(render, "render_pdf", lambda html, **_kw: made.append(html) or b"%PDF")
    response = client.get(links_page.removesuffix("links") + "pack.pdf?lang=nl")
    assert response.status_code == 200
    text = visible_text(made[0])
    assert f"Wie organiseert de vragenlijst {runner}" in text
    assert "advisor" not in text.replace("adviseur", "")


@pytest.mark.parametrize(("language", "written"), [
    ("fr", "créé par la loi n° 2007-297 du 5 mars 2007"),
    ("nl", "ingevoerd bij wet 2007-297 van 5 maart 2007"),
    ("de", "eingeführt durch das Gesetz 2007-297 vom 5. März 2007")])
def test_legal_sources_say_what_they_are_in_the_readers_language(language: str, written: str):
    from readiness.core.legal import get_profiles

    english = get_profiles("en")["fr"]
    profile = get_profiles(language)["fr"]
    titles = " ".join(s.title for s in profile.sources)
    assert written in titles
    for said in ("created by Act", "as described in the National Assembly's debate",
                 "ex post paper on multi-agency working"):
        assert said in " ".join(s.title for s in english.sources)
        assert said not in titles


def test_a_later_rounds_follow_up_is_in_the_readers_language_with_its_sentences_apart(
        client: FlaskClient, session: Session):
    from readiness.models import ActionStatus

    make_user(session, "admin", Role.ADMIN)
    municipality = make_municipality(session, name="Valmont", country="FR")
    tracked = _closed_with_plan(session, municipality)
    dimensions = [a.dimension for a in tracked if a.dimension is not None]
    dimension = max(dimensions, key=dimensions.count)
    same = [a for a in tracked if a.dimension == dimension]
    assert len(same) >= 2
    plans.update_action(session, same[0], plans.ActionEdit(status=ActionStatus.DONE), None)
    session.commit()
    second, _ = make_assessment(session, municipality, ("police", "health"))
    add_responses(session, second, "police", 3, "agree")
    add_responses(session, second, "health", 3, "agree")
    plans.close_with_plan(session, second)
    session.commit()
    login(client, "admin")
    html = client.get(f"/assessments/{second.public_id}/results?lang=fr").get_data(as_text=True)
    text = visible_text(html)
    titles = _translated_titles("fr")
    done_title = titles[same[0].action][1] if same[0].action in titles else None
    assert "Actions antérieures réalisées sur ce point" in text
    assert "Encore ouvertes" in text
    assert re.search(r"\.(Encore|Still)", text) is None
    # not "Construction: global 53 sur 100"
    assert re.search(r"</strong>\u202f: score global de \d+ sur 100", html)
    assert "Obstacles levés depuis le cycle 1" in text
    assert "Lack of trust between agencies" not in text  # the first round's, stored in English
    if done_title is not None:
        assert done_title in text
        assert titles[same[0].action][0] not in text


def test_an_absent_agency_reads_right_whatever_its_gender_or_number_in_french():
    from readiness.translate import gettext

    with use_language("fr"):
        said = [gettext("%(agency)s (%(absence)s)", agency="Enseignement et écoles",
                        absence=gettext(absence))
                for absence in ("invited, no answers", "not invited", "no answers")]
    assert said == ["Enseignement et écoles (invitation envoyée, aucune réponse)",
                    "Enseignement et écoles (sans invitation)",
                    "Enseignement et écoles (aucune réponse)"]
