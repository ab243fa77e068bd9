"""Recording a workshop: the answers each agency agreed, and (consensus mode) how many
participants gave each rating first. Routes on the `assessments` blueprint.

All statements are on one page, with a Save button after each dimension. Every button saves
every answer given on the page so far, so saving one section never drops what was chosen in
another. With script (`static/js/workshop.js`) the page also saves each answer as it is given
(`workshop_autosave`), warns before leaving with unsaved changes, and fetches a fresh form
token when the old one expired. Like the survey pages, these forms check their CSRF token
themselves: an expired token brings the page back with the answers as they were sent, so an
hour-long workshop loses nothing.

Two people may record the same agency at once (a facilitator's laptop, a co-facilitator's
tablet). The page carries the version of the answers it was opened on (`workshop_version`); a
save, by button or autosave, over answers someone else saved since is refused and writes
nothing: the page shows theirs and yours to compare, the autosave answers 409 and its script
says so in an alert and stops saving by itself.
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

VERSION_FIELD = "workshop_version"  # the fingerprint of the answers the page was opened on


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
    None when there is nothing to store. Answers someone else saved after the page was opened
    (its `workshop_version`) are not overwritten: `EditConflict`, nothing stored."""
    answers = {**(recorded.answers if recorded else {}), **given_answers(statement_fields(form))}
    comments = _comments(r, form, recorded)
    if not (answers or any(comments.values()) or any(ratings.values())
            or (recorded is not None and recorded.ratings)):
        return None
    db = get_session()
    saved = survey.save_workshop(db, r.q, r.assessment, r.agency, answers, comments, ratings,
                                 version=request.form.get(VERSION_FIELD))
    services.record_audit(db, auth.current_user(), "workshop_answers_saved", r.assessment,
                          r.assessment.municipality, detail=r.agency)
    return saved


def _comments(r: Round, form: FlaskForm, recorded: Response | None) -> dict[str, str]:
    """{dimension: comment} as the page sent them (a comment not valid: the one recorded)."""
    return {d: (form[comment_field(d)].data or "") if not form[comment_field(d)].errors
            else (recorded.comments if recorded else {}).get(d, "") for d in r.dimensions}


def _conflict(r: Round, form: FlaskForm, ratings: Mapping[str, Mapping[str, int]]
              ) -> list[tuple[str, str, str]]:
    """After a refused save: (statement or comment, saved by someone else, yours) for each
    that differs, read as saved now. The caller rolls back first."""
    theirs = survey.workshop_response(get_session(), r.assessment, r.agency)
    if theirs is not None:
        get_session().refresh(theirs)
    answered, given = (theirs.answers if theirs else {}), given_answers(statement_fields(form))
    rated = dict(theirs.ratings) if theirs else {}
    rows: list[tuple[str, str, str]] = []
    for number, item_id in enumerate(r.item_ids, start=1):
        labels = dict(rating_values(r.q, item_id))
        label = f"{number}. {r.q.items_by_id[item_id].text}"
        if item_id in given and given[item_id] != answered.get(item_id):
            rows.append((label, labels.get(answered.get(item_id, ""), ""),
                         labels[given[item_id]]))
        if item_id in ratings and dict(ratings[item_id]) != rated.get(item_id, {}):
            rows.append((_("Ratings of statement %(number)d", number=number),
                         _counts(labels, rated.get(item_id, {})),
                         _counts(labels, ratings[item_id])))
    said = theirs.comments if theirs else {}
    titles = {d.id: d.title for d in r.q.doc.dimensions}
    rows += [(_("Comment on %(section)s", section=titles[d]), said.get(d, ""), text)
             for d, text in _comments(r, form, theirs).items()
             if text.strip() != said.get(d, "")]
    return rows


def _counts(labels: Mapping[str, str], counts: Mapping[str, int]) -> str:
    return ", ".join(f"{labels.get(value, value)}: {n}" for value, n in counts.items() if n)


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
    try:
        saved = _save(r, form, ratings, recorded) is not None
    except services.EditConflict:
        get_session().rollback()
        conflict = _conflict(r, form, ratings)
        return _render(r, form, ratings, recorded, conflict=conflict), 409
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
    (not saved: the page's Save button shows why), "spreads": {item: {text, hard}},
    "version": the answers' fingerprint now, for the next save}; an expired form token:
    400 {"expired": true}, and the script asks `workshop_token` for a fresh one; answers
    someone else saved since the page's version: 409 {"conflict": true, "message": ...,
    "changed": [what differs]}, nothing saved. Values that are not valid are left out; the
    rest is saved.
    """
    r = _round(public_id, agency)
    form = _form(r)
    form.validate()
    if _csrf_failed(form):
        return jsonify(expired=True), 400
    ratings, rating_errors = given_ratings(r.q, r.item_ids, request.form)
    recorded = survey.workshop_response(get_session(), r.assessment, agency)
    try:
        saved = _save(r, form, ratings, recorded)
    except services.EditConflict:
        get_session().rollback()
        changed = [label for label, _theirs, _yours in _conflict(r, form, ratings)]
        return jsonify(conflict=True, changed=changed, message=_(
            "Not saved: another person saved answers of %(agency)s after you opened this page. "
            "Your answers are still on this page. Press Save to compare theirs and yours.",
            agency=_agency_title(r.q, agency))), 409
    stored = dict(saved.ratings) if saved else {}
    left_out = len([f for f in form.errors if f != "csrf_token"]) + len(rating_errors)
    return jsonify(saved=True, recorded=len(saved.answers) if saved else 0, left_out=left_out,
                   spreads=spread_texts(r.q, agency, stored),
                   version=survey.workshop_version(saved or recorded))


@bp.route("/assessments/<public_id>/workshop/<agency>/token")
@auth.login_required
def workshop_token(public_id: str, agency: str) -> ResponseReturnValue:
    """A fresh form token for a workshop page left open longer than a token lives."""
    _round(public_id, agency)
    return jsonify(csrf_token=generate_csrf())


def _render(r: Round, form: FlaskForm, ratings: Mapping[str, Mapping[str, Any]],
            recorded: Response | None,
            conflict: list[tuple[str, str, str]] | None = None) -> str:
    """The page; after a conflict it carries the version saved now (saving again replaces
    theirs on purpose), after other refusals the version it was sent with."""
    rows = {item_id: [(value, label, rating_field(item_id, value),
                       ratings.get(item_id, {}).get(value, ""))
                      for value, label in rating_values(r.q, item_id)]
            for item_id in r.item_ids}
    if request.method == "POST":  # as sent, so that nothing typed is lost
        rows = {item_id: [(v, label, name, request.form.get(name, ""))
                          for v, label, name, _n in row] for item_id, row in rows.items()}
    if conflict is not None:
        recorded = survey.workshop_response(get_session(), r.assessment, r.agency)
    version = survey.workshop_version(recorded)
    if request.method == "POST" and conflict is None and VERSION_FIELD in request.form:
        version = request.form.get(VERSION_FIELD, "")
    stored = dict(recorded.ratings) if recorded else {}
    sections = [(d, [(item, form[item_field(item.id)], rows[item.id])
                     for item in r.q.items_of(d.id)], form[comment_field(d.id)])
                for d in survey.pages(r.q)]
    return render_template(
        "assessments/workshop.html", assessment=r.assessment, form=form, agency=r.agency,
        agency_title=_agency_title(r.q, r.agency), sections=sections,
        saved=request.args.get("saved"), max_comment=current_app.config["COMMENT_MAX_LENGTH"],
        recorded=len(recorded.answers) if recorded else 0, statements=len(r.q.doc.items),
        spreads=spread_texts(r.q, r.agency, stored), conflict=conflict,
        version_field=VERSION_FIELD, version=version,
        numbers={item_id: n for n, item_id in enumerate(r.item_ids, start=1)})
