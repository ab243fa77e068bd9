"""Organisers' pages: municipalities, assessments, invitation links, progress, context, workshop
answers and closing. Every object is loaded through `auth.load_*`, which checks access.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from readiness import auth, services
from readiness import services_survey as survey
from readiness.auth import Access
from readiness.db import get_session
from readiness.forms import (
    AssessmentForm,
    ConfirmForm,
    InvitationForm,
    MunicipalityForm,
    comment_field,
    context_form,
    given_answers,
    item_field,
    mode_labels,
    population_labels,
    statement_fields,
    survey_form,
)
from readiness.models import Assessment, InvitationState, Mode, Municipality, Status
from readiness.questionnaire import Questionnaire, get_questionnaire
from readiness.web.links import public_url

bp = Blueprint("assessments", __name__)
FRESH_LINKS = "fresh_links"


@bp.route("/")
@auth.login_required
def index() -> ResponseReturnValue:
    """The municipalities the signed-in user may see, with their latest assessment."""
    user = auth.require_user()
    municipalities = get_session().scalars(
        select(Municipality).where(auth.municipality_filter(user))
        .options(selectinload(Municipality.assessments))
        .order_by(Municipality.country, Municipality.name)).all()
    return render_template("assessments/index.html", municipalities=municipalities,
                           populations=population_labels())


@bp.route("/municipalities/new", methods=["GET", "POST"])
@auth.login_required
def new_municipality() -> ResponseReturnValue:
    """Create a municipality (admins and advisors)."""
    user = auth.require_user()
    if not auth.can_create_municipality(user):
        abort(403)
    form = MunicipalityForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            municipality = services.create_municipality(
                db, name=form.name.data or "", country=form.country.data or "",
                region=form.region.data or "", population_band=form.population_band.data or "",
                creator=user)
        except services.ServiceError as error:
            form.name.errors.append(str(error).capitalize())
        else:
            db.commit()
            return redirect(url_for(".municipality", public_id=municipality.public_id))
    return render_template("assessments/municipality_new.html", form=form), (
        400 if form.errors else 200)


@bp.route("/municipalities/<public_id>")
@auth.login_required
def municipality(public_id: str) -> ResponseReturnValue:
    """A municipality and its assessment rounds."""
    found = auth.load_municipality(public_id, Access.VIEW)
    return render_template("assessments/municipality.html", municipality=found,
                           populations=population_labels(), modes=mode_labels())


@bp.route("/municipalities/<public_id>/assessments/new", methods=["GET", "POST"])
@auth.login_required
def new_assessment(public_id: str) -> ResponseReturnValue:
    """Start an assessment round: date, mode, agencies; links are shown once, next page."""
    found = auth.load_municipality(public_id, Access.MANAGE)
    q = get_questionnaire()
    form = AssessmentForm(q)
    if form.validate_on_submit():
        db = get_session()
        try:
            assessment, tokens = services.create_assessment(
                db, found, q=q, agencies=form.agencies.data or [], mode=form.mode.data or "",
                conducted_on=form.conducted_on.data, creator=auth.require_user())
        except services.ServiceError as error:
            form.form_errors.append(str(error).capitalize())
        else:
            db.commit()
            session[FRESH_LINKS] = tokens
            return redirect(url_for(".assessment", public_id=assessment.public_id))
    return render_template("assessments/assessment_new.html", form=form, municipality=found), (
        400 if form.errors or form.form_errors else 200)


@bp.route("/assessments/<public_id>")
@auth.login_required
def assessment(public_id: str) -> ResponseReturnValue:
    """Progress per agency, the invitation links, and what to do next."""
    found = auth.load_assessment(public_id, Access.VIEW)
    q = services.questionnaire_of(found)
    fresh: dict[str, str] = session.pop(FRESH_LINKS, None) or {}
    links = {inv.public_id: public_url("survey.start", token=fresh[inv.public_id])
             for inv in found.invitations if inv.public_id in fresh}
    titles = {a.id: a.title for a in q.doc.agencies}
    return render_template(
        "assessments/assessment.html", assessment=found, q=q, titles=titles,
        progress=services.progress(get_session(), found), fresh_links=links,
        invitation_form=InvitationForm(q), confirm=ConfirmForm(), modes=mode_labels(),
        may_manage=auth.can(auth.current_user(), Access.MANAGE, found.municipality),
        Status=Status, Mode=Mode, InvitationState=InvitationState)


@bp.route("/assessments/<public_id>/invitations", methods=["POST"])
@auth.login_required
def new_invitation(public_id: str) -> ResponseReturnValue:
    """Another link for an agency; shown once on the assessment page."""
    found = auth.load_assessment(public_id, Access.MANAGE)
    form = InvitationForm(services.questionnaire_of(found))
    if not form.validate_on_submit():
        abort(400)
    db = get_session()
    try:
        invitation, token = services.new_invitation(db, found, form.agency.data or "")
    except services.ServiceError as error:
        flash(str(error).capitalize())
    else:
        db.commit()
        session[FRESH_LINKS] = {invitation.public_id: token}
    return redirect(url_for(".assessment", public_id=found.public_id) + "#links")


@bp.route("/invitations/<public_id>/revoke", methods=["POST"])
@auth.login_required
def revoke_invitation(public_id: str) -> ResponseReturnValue:
    """Withdraw a link: it opens nothing from now on; answers already sent stay."""
    invitation = auth.load_invitation(public_id, Access.MANAGE)
    services.revoke_invitation(invitation)
    get_session().commit()
    flash(_("The link was withdrawn. Answers already sent through it are kept."))
    return redirect(url_for(".assessment", public_id=invitation.assessment.public_id) + "#links")


@bp.route("/assessments/<public_id>/context", methods=["GET", "POST"])
@auth.login_required
def context(public_id: str) -> ResponseReturnValue:
    """The context questions: not scored, they tailor the roadmap."""
    found = _open(public_id)
    q = services.questionnaire_of(found)
    form = context_form(q, found.context,
                        formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        answers = {item.id: _as_list(form[item_field(item.id)].data) for item in q.doc.context}
        services.set_context(found, answers)
        get_session().commit()
        flash(_("The context answers are saved."))
        return redirect(url_for(".assessment", public_id=found.public_id))
    return render_template("assessments/context.html", assessment=found, form=form,
                           fields=[form[item_field(item.id)] for item in q.doc.context]), (
        400 if form.errors else 200)


def _as_list(value: object) -> list[str]:
    if value is None or value == "":
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


@bp.route("/assessments/<public_id>/workshop/<agency>", methods=["GET", "POST"])
@auth.login_required
def workshop(public_id: str, agency: str) -> ResponseReturnValue:
    """Record the answers one agency agreed in the facilitated workshop, all on one page."""
    found = _open(public_id)
    if found.mode != Mode.WORKSHOP or agency not in found.agencies:
        abort(404)
    q = services.questionnaire_of(found)
    dimensions = [d.id for d in survey.pages(q)]
    max_comment = current_app.config["COMMENT_MAX_LENGTH"]
    db = get_session()
    if request.method == "POST":
        form = survey_form(q, dimensions, max_comment, formdata=request.form)
        if form.validate():
            answers = given_answers(statement_fields(form))
            comments = {d: form[comment_field(d)].data or "" for d in dimensions}
            survey.save_workshop(db, q, found, agency, answers, comments)
            db.commit()
            flash(_("The answers agreed by %(agency)s are saved.",
                    agency=_agency_title(q, agency)))
            return redirect(url_for(".assessment", public_id=found.public_id))
    else:
        recorded = survey.workshop_response(db, found, agency)
        form = survey_form(q, dimensions, max_comment,
                           answers=recorded.answers if recorded else None,
                           comments=recorded.comments if recorded else None)
    sections = [(d, [(item, form[item_field(item.id)]) for item in q.items_of(d.id)],
                 form[comment_field(d.id)]) for d in survey.pages(q)]
    return render_template("assessments/workshop.html", assessment=found, form=form,
                           agency_title=_agency_title(q, agency), sections=sections,
                           max_comment=max_comment), (400 if form.errors else 200)


def _agency_title(q: Questionnaire, agency: str) -> str:
    return next((a.title for a in q.doc.agencies if a.id == agency), agency)


@bp.route("/assessments/<public_id>/close", methods=["GET", "POST"])
@auth.login_required
def close(public_id: str) -> ResponseReturnValue:
    """Confirm, then close the assessment: scores are computed and stored."""
    found = _open(public_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            services.close_assessment(db, found)
        except services.ServiceError as error:
            form.form_errors.append(str(error).capitalize())
        else:
            db.commit()
            flash(_("The assessment is closed and its results are ready."))
            return redirect(url_for("results.show", public_id=found.public_id))
    return render_template("assessments/close.html", assessment=found, form=form,
                           progress=services.progress(get_session(), found),
                           min_group=services.questionnaire_of(found).doc.settings.min_group_size
                           ), (
        400 if form.form_errors else 200)


def _open(public_id: str) -> Assessment:
    """An assessment the user may manage and that still collects answers (else 404/403/409)."""
    found = auth.load_assessment(public_id, Access.MANAGE)
    if found.status != Status.OPEN:
        abort(409)
    return found
