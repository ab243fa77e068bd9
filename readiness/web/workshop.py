"""Recording a workshop: the answers each agency agreed, and (consensus mode) how many
participants gave each rating first. Routes on the `assessments` blueprint.

All statements are on one page, with a Save button after each dimension. Every button saves
every answer given on the page so far, so saving one section never drops what was chosen in
another. With script (`static/js/workshop.js`) the page also saves each answer as it is given
(`workshop_autosave`), warns before leaving with unsaved changes, and fetches a fresh form
token when the old one expired. Like the survey pages, these forms check their CSRF token
themselves: an expired token brings the page back with the answers as they were sent, so an
hour-long workshop loses nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf

from readiness import auth
from readiness.core import consensus
from readiness.core.questionnaire import Questionnaire
from readiness.db import get_session
from readiness.models import Assessment, Response
from readiness.services import assessments as services
from readiness.services import survey
from readiness.web.assessments import _agency_title, _open, bp
from readiness.web.forms import (
    comment_field,
    given_answers,
    given_ratings,
    item_field,
    rating_field,
    rating_values,
    statement_fields,
    survey_form,
)


@dataclass(frozen=True)
class Round:
    """An open round, one of its agencies recorded in the workshop, and its questionnaire."""

    assessment: Assessment
    agency: str
    q: Questionnaire
    dimensions: list[str]

    @property
    def item_ids(self) -> list[str]:
        """The statements in the order the page numbers them."""
        return [item.id for d in self.dimensions for item in self.q.items_of(d)]


def _round(public_id: str, agency: str) -> Round:
    """The round and agency of a workshop page (404 unless the agency is recorded there)."""
    found = _open(public_id)
    if not services.records_in_workshop(found, agency):
        abort(404)
    q = services.questionnaire_of(found)
    return Round(found, agency, q, [d.id for d in survey.pages(q)])


def _form(r: Round, recorded: Response | None = None) -> FlaskForm:
    max_comment = current_app.config["COMMENT_MAX_LENGTH"]
    if request.method == "POST":
        return survey_form(r.q, r.dimensions, max_comment, formdata=request.form, required=False)
    return survey_form(r.q, r.dimensions, max_comment,
                       answers=recorded.answers if recorded else None,
                       comments=recorded.comments if recorded else None, required=False)


def _csrf_failed(form: FlaskForm) -> bool:
    return bool(getattr(form, "csrf_token", None) is not None and form.csrf_token.errors)


def _save(r: Round, form: FlaskForm, ratings: Mapping[str, Mapping[str, int]],
          recorded: Response | None) -> Response | None:
    """Store the valid answers of the page over those recorded, its comments and ratings;
    None when there is nothing to store."""
    answers = {**(recorded.answers if recorded else {}), **given_answers(statement_fields(form))}
    comments = {d: (form[comment_field(d)].data or "") if not form[comment_field(d)].errors
                else (recorded.comments if recorded else {}).get(d, "") for d in r.dimensions}
    if not (answers or any(comments.values()) or any(ratings.values())
            or (recorded is not None and recorded.ratings)):
        return None
    db = get_session()
    saved = survey.save_workshop(db, r.q, r.assessment, r.agency, answers, comments, ratings)
    services.record_audit(db, auth.current_user(), "workshop_answers_saved", r.assessment,
                          r.assessment.municipality, detail=r.agency)
    return saved


def spread_texts(q: Questionnaire, agency: str, ratings: Mapping[str, Mapping[str, int]]
                 ) -> dict[str, dict[str, Any]]:
    """{item id: {text, hard}}: the spread of each rated statement, as the page shows it."""
    return {item: {"text": consensus.describe(q, found), "hard": found.hard}
            for item, found in consensus.spreads(q, agency, ratings).items()}


@bp.route("/assessments/<public_id>/workshop/<agency>", methods=["GET", "POST"])
@auth.login_required
def workshop(public_id: str, agency: str) -> ResponseReturnValue:
    """Record the answers one agency agreed in the facilitated workshop (see the module)."""
    r = _round(public_id, agency)
    recorded = survey.workshop_response(get_session(), r.assessment, agency)
    form = _form(r, recorded)
    if request.method == "GET":
        return _render(r, form, dict(recorded.ratings) if recorded else {}, recorded)
    form.validate()
    ratings, rating_errors = given_ratings(r.q, r.item_ids, request.form)
    if _csrf_failed(form):
        form.form_errors.append(_(
            "This page was open for a long time, so for your security it needs sending again. "
            "Your answers are filled in below and not lost: check them and press Save again."))
        return _render(r, form, ratings, recorded), 400
    if form.errors or rating_errors:
        form.form_errors.extend(rating_errors)
        return _render(r, form, ratings, recorded), 400  # malformed: nothing stored
    saved = _save(r, form, ratings, recorded) is not None
    section = request.form.get("section", "")
    if section in r.dimensions:
        return redirect(url_for(".workshop", public_id=public_id, agency=agency,
                                saved=section if saved else None) + f"#save-{section}")
    if saved:
        flash(_("The answers agreed by %(agency)s are saved.",
                agency=_agency_title(r.q, agency)))
    return redirect(url_for(".assessment", public_id=public_id))


@bp.route("/assessments/<public_id>/workshop/<agency>/autosave", methods=["POST"])
@auth.login_required
def workshop_autosave(public_id: str, agency: str) -> ResponseReturnValue:
    """Save what the page holds now, answer by answer as it is given (the page's script).

    Answers: {"saved": true, "recorded": statements recorded, "left_out": values not valid
    (not saved: the page's Save button shows why), "spreads": {item: {text, hard}}};
    an expired form token: 400 {"expired": true}, and the script asks `workshop_token` for a
    fresh one. Values that are not valid are left out; the rest is saved.
    """
    r = _round(public_id, agency)
    form = _form(r)
    form.validate()
    if _csrf_failed(form):
        return jsonify(expired=True), 400
    ratings, rating_errors = given_ratings(r.q, r.item_ids, request.form)
    recorded = survey.workshop_response(get_session(), r.assessment, agency)
    saved = _save(r, form, ratings, recorded)
    stored = dict(saved.ratings) if saved else {}
    left_out = len([f for f in form.errors if f != "csrf_token"]) + len(rating_errors)
    return jsonify(saved=True, recorded=len(saved.answers) if saved else 0, left_out=left_out,
                   spreads=spread_texts(r.q, agency, stored))


@bp.route("/assessments/<public_id>/workshop/<agency>/token")
@auth.login_required
def workshop_token(public_id: str, agency: str) -> ResponseReturnValue:
    """A fresh form token for a workshop page left open longer than a token lives."""
    _round(public_id, agency)
    return jsonify(csrf_token=generate_csrf())


def _render(r: Round, form: FlaskForm, ratings: Mapping[str, Mapping[str, Any]],
            recorded: Response | None) -> str:
    rows = {item_id: [(value, label, rating_field(item_id, value),
                       ratings.get(item_id, {}).get(value, ""))
                      for value, label in rating_values(r.q, item_id)]
            for item_id in r.item_ids}
    if request.method == "POST":  # as sent, so that nothing typed is lost
        rows = {item_id: [(v, label, name, request.form.get(name, ""))
                          for v, label, name, _n in row] for item_id, row in rows.items()}
    stored = dict(recorded.ratings) if recorded else {}
    sections = [(d, [(item, form[item_field(item.id)], rows[item.id])
                     for item in r.q.items_of(d.id)], form[comment_field(d.id)])
                for d in survey.pages(r.q)]
    return render_template(
        "assessments/workshop.html", assessment=r.assessment, form=form, agency=r.agency,
        agency_title=_agency_title(r.q, r.agency), sections=sections,
        saved=request.args.get("saved"), max_comment=current_app.config["COMMENT_MAX_LENGTH"],
        recorded=len(recorded.answers) if recorded else 0, statements=len(r.q.doc.items),
        spreads=spread_texts(r.q, r.agency, stored),
        numbers={item_id: n for n, item_id in enumerate(r.item_ids, start=1)})
