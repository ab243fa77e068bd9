"""Organisers' pages: municipalities, assessments, invitation links, progress, context, workshop
answers and closing. Every object is loaded through `auth.load_*`, which checks access.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from readiness import auth, tasks
from readiness.auth import Access
from readiness.core import privacy
from readiness.core.questionnaire import Questionnaire, get_questionnaire
from readiness.core.screening import BURST, NEAR_IDENTICAL, STRAIGHT_LINED
from readiness.db import after_commit, get_session
from readiness.models import (
    Assessment,
    Invitation,
    InvitationState,
    Mode,
    Municipality,
    Status,
)
from readiness.services import assessments as services
from readiness.services import link_places, plans, rounds
from readiness.services import screening as screening_service
from readiness.services.paging import page_number, paginate
from readiness.web.forms import (
    RECOMMENDED_AGENCIES,
    CancelForm,
    CapacityForm,
    ConfirmForm,
    InvitationForm,
    MunicipalityEditForm,
    MunicipalityForm,
    context_form,
    item_field,
    mode_labels,
    population_labels,
)
from readiness.web.links import link_key, not_open_yet, past_closing, today
from readiness.web.round_form import new_round_form

bp = Blueprint("assessments", __name__)
MUNICIPALITIES_PER_PAGE = 50
MAX_SEARCH = 120  # a municipality name is at most this long


@bp.route("/")
@auth.login_required
def index() -> ResponseReturnValue:
    """The municipalities the signed-in user may see, with their latest assessment: 50 to a
    page, optionally those whose name contains a text."""
    user = auth.require_user()
    search = request.args.get("q", "").strip()[:MAX_SEARCH]
    found = select(Municipality).where(auth.municipality_filter(user))
    if search:
        found = found.where(Municipality.name.icontains(search, autoescape=True))
    listing = paginate(get_session(), found.options(selectinload(Municipality.assessments))
                       .order_by(Municipality.country, Municipality.name, Municipality.id),
                       page_number(request.args.get("page")), MUNICIPALITIES_PER_PAGE)
    return render_template("assessments/index.html", listing=listing, search=search,
                           populations=population_labels())


@bp.route("/municipalities/new", methods=["GET", "POST"])
@auth.login_required
def new_municipality() -> ResponseReturnValue:
    """Create a municipality (admins and advisors)."""
    user = auth.require_user()
    if not auth.can_create_municipality(user):
        abort(403)
    form = MunicipalityForm()
    db = get_session()
    namesake = None
    if form.validate_on_submit():
        try:
            municipality = services.create_municipality(
                db, name=form.name.data or "", country=form.country.data or "",
                region=form.region.data or "", population_band=form.population_band.data or "",
                creator=user)
        except services.DuplicateMunicipality as error:
            namesake = _refuse_namesake(form, error.existing)
        except services.ServiceError as error:
            form.name.errors.append(str(error))
        else:
            _warm_national()
            return redirect(url_for(".municipality", public_id=municipality.public_id))
    return render_template(
        "assessments/municipality_new.html", form=form, namesake=namesake,
        regions=services.known_regions(db, auth.municipality_filter(user))), (
        400 if form.errors else 200)


@bp.route("/municipalities/<public_id>/edit", methods=["GET", "POST"])
@auth.login_required
def edit_municipality(public_id: str) -> ResponseReturnValue:
    """Correct a municipality's name, country, region or number of inhabitants."""
    found = auth.load_municipality(public_id, Access.MANAGE)
    user = auth.require_user()
    form = MunicipalityEditForm(obj=found)
    db = get_session()
    namesake, conflict = None, None
    if form.validate_on_submit():
        try:
            services.update_municipality(
                db, found, name=form.name.data or "", country=form.country.data or "",
                region=form.region.data or "", population_band=form.population_band.data or "",
                editor=user, revision=form.revision.data)
        except services.EditConflict:
            db.rollback()
            conflict = _conflict(form, found)
        except services.DuplicateMunicipality as error:
            db.rollback()
            namesake = _refuse_namesake(form, error.existing)
        except services.ServiceError as error:
            db.rollback()
            form.name.errors.append(str(error))
        else:
            _warm_national()
            flash(_("The details of %(name)s are saved.", name=found.name))
            return redirect(url_for(".municipality", public_id=found.public_id))
    return render_template(
        "assessments/municipality_edit.html", form=form, municipality=found, namesake=namesake,
        conflict=conflict, regions=services.known_regions(db, auth.municipality_filter(user),
                                                          form.country.data or found.country)), (
        409 if conflict else 400 if form.errors else 200)


def _conflict(form: MunicipalityEditForm, found: Municipality) -> list[tuple[str, str, str]]:
    """(field, saved by someone else, yours) for each field that differs; the form now carries
    the current revision, so saving it again replaces theirs on purpose."""
    labels = dict(population_labels())
    rows = [(str(form.name.label.text), found.name, form.name.data or ""),
            (str(form.country.label.text), found.country, form.country.data or ""),
            (str(form.region.label.text), found.region, form.region.data or ""),
            (str(form.population_band.label.text), labels.get(found.population_band, ""),
             labels.get(form.population_band.data or "", ""))]
    form.revision.data, form.revision.raw_data = found.revision, [str(found.revision)]
    return [row for row in rows if row[1] != row[2]]


def _refuse_namesake(form: MunicipalityForm, existing: Municipality) -> Municipality | None:
    """Say a municipality of this name exists in the country; return it only if the user may
    see it (to offer a link), so the page tells nobody else more than that it exists."""
    form.name.errors.append(_(
        "A municipality named “%(name)s” already exists in %(country)s. If it is the one you "
        "mean, ask an administrator to give you access to it.",
        name=form.name.data, country=form.country.data))
    return existing if auth.can(auth.current_user(), Access.VIEW, existing) else None


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
    """Start an assessment round: date, closing date, mode, agencies; then its links page."""
    found = auth.load_municipality(public_id, Access.MANAGE)
    q = get_questionnaire()
    form = new_round_form(q)
    if request.method == "GET" and found.assessments:
        # the next round knows the last: its agencies, workshop agencies and link sizes
        last = found.assessments[-1]
        form.fill_from(last, link_places.stated_sizes(get_session(), last))
    valid = form.validate_on_submit()
    if valid and form.closes_on.data is not None and form.closes_on.data < today():
        form.closes_on.errors = [_("The closing date cannot be in the past")]
        valid = False
    if valid:
        db = get_session()
        try:
            mode, in_workshop = form.chosen()
            assessment, _tokens = services.create_assessment(
                db, found, q=q, agencies=form.agencies.data or [], mode=mode,
                conducted_on=form.conducted_on.data, closes_on=form.closes_on.data,
                creator=auth.require_user(), link_key=link_key(), in_workshop=in_workshop,
                capacities=form.sizes())
        except services.ServiceError as error:
            form.form_errors.append(str(error))
        else:
            if len(assessment.agencies) < RECOMMENDED_AGENCIES:
                flash(ngettext(
                    "Only %(num)d agency takes part. Multi-agency working is about several "
                    "agencies working together: add agencies if you can.",
                    "Only %(num)d agencies take part. Multi-agency working is about several "
                    "agencies working together: add agencies if you can.",
                    len(assessment.agencies)))
            if assessment.mode == Mode.SURVEY:
                return redirect(url_for(".links", public_id=assessment.public_id))
            return redirect(url_for(".assessment", public_id=assessment.public_id))
    return render_template("assessments/assessment_new.html", form=form, municipality=found,
                           size_fields=form.size_fields_by_agency()), (
        400 if form.errors or form.form_errors else 200)


@bp.route("/assessments/<public_id>")
@auth.login_required
def assessment(public_id: str) -> ResponseReturnValue:
    """Progress per agency, the invitation links, and what to do next."""
    found = auth.load_assessment(public_id, Access.VIEW)
    q = services.questionnaire_of(found)
    titles = {a.id: a.title for a in q.doc.agencies}
    invitation_form = InvitationForm(q)
    in_workshop = services.workshop_agencies(found)  # recorded in the room: no links for them
    invitation_form.agency.choices = [c for c in invitation_form.agency.choices or ()
                                      if c.value not in in_workshop]
    return render_template(
        "assessments/assessment.html", assessment=found, q=q, titles=titles,
        progress=services.progress(get_session(), found), past_closing=past_closing(found),
        opens_later=not_open_yet(found.conducted_on),
        links_in_order=_links_in_order(found), link_numbers=_link_numbers(found),
        statements=len(q.doc.items),
        min_group=privacy.group_size(q.doc.settings.min_group_size),
        invitation_form=invitation_form, confirm=ConfirmForm(), modes=mode_labels(),
        capacity_form=CapacityForm(), in_workshop=in_workshop,
        may_manage=auth.can(auth.current_user(), Access.MANAGE, found.municipality),
        Status=Status, Mode=Mode, InvitationState=InvitationState)


def _links_in_order(assessment: Assessment) -> list[Invitation]:
    """The round's links, agency by agency in questionnaire order, oldest first."""
    order = {agency: n for n, agency in enumerate(assessment.agencies)}
    return sorted(assessment.invitations, key=lambda i: (order.get(i.agency, len(order)), i.id))


def _link_numbers(assessment: Assessment) -> dict[str, int]:
    """{invitation public id: 1, 2, ...}: each agency's links numbered in the order made."""
    numbers: dict[str, int] = {}
    made: dict[str, int] = {}
    for invitation in _links_in_order(assessment):
        made[invitation.agency] = made.get(invitation.agency, 0) + 1
        numbers[invitation.public_id] = made[invitation.agency]
    return numbers


@bp.route("/assessments/<public_id>/invitations", methods=["POST"])
@auth.login_required
def new_invitation(public_id: str) -> ResponseReturnValue:
    """Another link for an agency; shown on the links page."""
    found = auth.load_assessment(public_id, Access.MANAGE)
    form = InvitationForm(services.questionnaire_of(found))
    if not form.validate_on_submit():
        abort(400)
    db = get_session()
    try:
        invitation, _token = services.new_invitation(db, found, form.agency.data or "",
                                                     capacity=form.capacity.data,
                                                     link_key=link_key())
    except services.ServiceError as error:
        db.rollback()  # refused, though the answer is a redirect: nothing of it is kept
        flash(str(error))
    else:
        # the stated size goes in the log: who said a link reached how many practitioners
        size = "" if invitation.capacity is None else f", sent to {invitation.capacity}"
        services.record_audit(db, auth.current_user(), "invitation_created", invitation,
                              found.municipality, detail=invitation.agency + size)
        return redirect(url_for(".links", public_id=found.public_id)
                        + f"#link-{invitation.public_id}")
    return redirect(url_for(".assessment", public_id=found.public_id) + "#links")


@bp.route("/invitations/<public_id>/capacity", methods=["POST"])
@auth.login_required
def set_capacity(public_id: str) -> ResponseReturnValue:
    """State how many practitioners a link was sent to: it takes no more responses than that."""
    invitation = auth.load_invitation(public_id, Access.MANAGE)
    form = CapacityForm()
    if not form.validate_on_submit() or form.capacity.data is None:
        flash(_("Give the number of practitioners the link was sent to, from 1 to %(max)d.",
                max=services.MAX_CAPACITY))
    else:
        db = get_session()
        try:
            services.set_capacity(db, invitation, form.capacity.data,
                                  shown=request.form.get("was_capacity"))
        except services.EditConflict:
            db.rollback()
            flash(_("Someone else set this link to %(theirs)s after you opened the page; you "
                    "entered %(yours)d. Nothing is saved: enter your number again to replace "
                    "theirs.", theirs=invitation.capacity or _("not stated"),
                    yours=form.capacity.data))
        except services.ServiceError as error:
            db.rollback()  # refused, though the answer is a redirect: nothing of it is kept
            flash(str(error))
        else:
            services.record_audit(db, auth.current_user(), "link_size_set", invitation,
                                  invitation.assessment.municipality,
                                  detail=f"{invitation.agency}, sent to {invitation.capacity}")
    return redirect(url_for(".assessment", public_id=invitation.assessment.public_id) + "#links")


@bp.route("/invitations/<public_id>/revoke", methods=["POST"])
@auth.login_required
def revoke_invitation(public_id: str) -> ResponseReturnValue:
    """Withdraw a link: it opens nothing from now on; answers already sent stay."""
    invitation = auth.load_invitation(public_id, Access.MANAGE)
    services.revoke_invitation(invitation)
    services.record_audit(get_session(), auth.current_user(), "invitation_revoked", invitation,
                          invitation.assessment.municipality, detail=invitation.agency)
    flash(_("The link was withdrawn. Answers already sent through it are kept."))
    return redirect(url_for(".assessment", public_id=invitation.assessment.public_id) + "#links")


@bp.route("/assessments/<public_id>/context", methods=["GET", "POST"])
@auth.login_required
def context(public_id: str) -> ResponseReturnValue:
    """The context questions: not scored, they tailor the roadmap."""
    found = _open(public_id)
    q = services.questionnaire_of(found)
    answers_now = services.round_context(found)  # the size: the municipality's record
    population = services.population_answer(q, found.municipality.population_band)
    form = context_form(q, answers_now,
                        formdata=request.form if request.method == "POST" else None)
    if population is not None:
        field = form[item_field(population[0])]
        field.description = " ".join(filter(None, (field.description, _(
            "Filled in from the number of inhabitants recorded for %(name)s. If it is not "
            "right, change it here: the record of %(name)s changes with it.",
            name=found.municipality.name))))
    conflict = None
    if request.method == "POST" and form.validate():
        answers = {item.id: _as_list(form[item_field(item.id)].data) for item in q.doc.context}
        try:
            services.check_context_version(get_session(), found,
                                           request.form.get("context_version"))
        except services.EditConflict:
            get_session().rollback()
            conflict = _context_conflict(q, found, answers)
        else:
            before = services.set_context(found, answers)
            services.record_audit(get_session(), auth.current_user(), "context_saved", found,
                                  found.municipality)
            if before is not None:
                services.record_audit(get_session(), auth.current_user(), "municipality_edited",
                                      found.municipality, found.municipality,
                                      detail=f"population_band {before} -> "
                                             f"{found.municipality.population_band}")
            flash(_("The context answers are saved."))
            return redirect(url_for(".assessment", public_id=found.public_id))
    return render_template("assessments/context.html", assessment=found, form=form,
                           fields=[form[item_field(item.id)] for item in q.doc.context],
                           conflict=conflict, version=services.context_version(found)), (
        409 if conflict is not None else 400 if form.errors else 200)


def _context_conflict(q: Questionnaire, found: Assessment,
                      yours: dict[str, list[str]]) -> list[tuple[str, str, str]]:
    """(question, saved by someone else, yours) for each context question that differs; the
    page then carries the current version, so saving again replaces theirs on purpose."""
    rows = []
    for item in q.doc.context:
        labels = {o.value: o.label for o in q.options(item)}
        theirs = [labels.get(v, v) for v in (found.context or {}).get(item.id, [])]
        mine = [labels.get(v, v) for v in yours.get(item.id, [])]
        if theirs != mine:
            rows.append((item.text, ", ".join(theirs), ", ".join(mine)))
    return rows


def _as_list(value: object) -> list[str]:
    if value is None or value == "":
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _warm_national() -> None:
    """Once this request's close or municipality edit is committed, queue the national
    dashboard's first page with it (WARM_NATIONAL; off in testing); a queue that cannot take
    it leaves it to the next view (`after_commit` logs the failure)."""
    if _wanted("WARM_NATIONAL"):
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        after_commit(lambda: tasks.request_national_warm_up(app))


def _wanted(setting: str) -> bool:
    """Whether work queued after a change is wanted: the setting, or by default everywhere
    but in testing."""
    wanted = current_app.config.get(setting)
    return (not current_app.testing) if wanted is None else bool(wanted)


def _prepare_roadmap(found: Assessment) -> None:
    """Queue the roadmap PDF of a round just closed (RENDER_ON_CLOSE; off in testing); a queue
    that cannot take it leaves the PDF to be made on first download."""
    if not _wanted("RENDER_ON_CLOSE"):
        return
    from readiness.web.report_download import prepare_roadmap

    try:
        prepare_roadmap(found.public_id)
    except Exception:  # noqa: BLE001 - the round is closed; the PDF can still come later
        current_app.logger.exception("could not queue the roadmap PDF of %s", found.public_id)


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
            plans.close_with_plan(db, found)
        except services.ServiceError as error:
            form.form_errors.append(str(error))
        else:
            services.record_audit(db, auth.current_user(), "assessment_closed", found,
                                  found.municipality)
            _prepare_roadmap(found)
            _warm_national()
            flash(_("The assessment is closed and its results are ready."))
            return redirect(url_for("results.show", public_id=found.public_id))
    q = services.questionnaire_of(found)
    db = get_session()
    settings = q.doc.settings
    return render_template("assessments/close.html", assessment=found, form=form,
                           progress=services.progress(db, found), Mode=Mode,
                           in_workshop=services.workshop_agencies(found),
                           statements=len(q.doc.items),
                           min_group=privacy.group_size(settings.min_group_size),
                           min_respondents=settings.min_respondents,
                           min_agencies=settings.min_agencies,
                           flagged=_flagged(found, q), exclude_form=ConfirmForm(),
                           uncapped=[i for i in found.invitations if i.capacity is None
                                     and i.state == InvitationState.ACTIVE]), (
        400 if form.form_errors else 200)


def _flagged(assessment: Assessment, q: Questionnaire) -> list[tuple[str, str, bool, str]]:
    """(response public id, label, excluded, why) of the responses that look like padding;
    labelled by agency and a number in the order sent, never by anything a person wrote.
    Workshop answers are agreed, not individual, so they are not screened."""
    if assessment.mode == Mode.WORKSHOP:
        return []  # a mixed round's agreed answers are left out by the screening itself
    reasons = {STRAIGHT_LINED: _("every statement given the same answer"),
               NEAR_IDENTICAL: _("nearly the same answers as another response of this agency"),
               BURST: _("sent through the same link on the same day as several others, more "
                        "than the link was sent to or mostly alike")}
    rows, numbers = [], dict[str, int]()
    for response, why in screening_service.flagged_responses(get_session(), assessment):
        numbers[response.agency] = numbers.get(response.agency, 0) + 1
        label = _("%(agency)s, flagged response %(number)d",
                  agency=_agency_title(q, response.agency), number=numbers[response.agency])
        rows.append((response.public_id, label, response.excluded,
                     "; ".join(reasons.get(w, w) for w in why)))
    return rows


@bp.route("/assessments/<public_id>/exclude", methods=["POST"])
@auth.login_required
def exclude(public_id: str) -> ResponseReturnValue:
    """Leave the ticked flagged responses out of the scores (and the unticked ones in)."""
    found = _open(public_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_session()
    screening_service.set_excluded(db, found, request.form.getlist("exclude"))
    flash(_("The responses you ticked are left out of the scores."))
    return redirect(url_for(".close", public_id=found.public_id))


@bp.route("/assessments/<public_id>/cancel", methods=["GET", "POST"])
@auth.login_required
def cancel(public_id: str) -> ResponseReturnValue:
    """Confirm, then delete an open round made by mistake, with its links and answers.

    With no answers sent, whoever manages the municipality may; with answers sent, only an
    administrator, who ticks that they will be deleted too (403 for anyone else).
    """
    found = _open(public_id)
    user = auth.require_user()
    db = get_session()
    sent = rounds.sent_responses(db, found)
    allowed = not sent or rounds.may_discard_sent_answers(user)
    form = CancelForm()
    status = 200
    if form.validate_on_submit():
        if not allowed:
            status = 403
        elif sent and not form.discard_sent.data:
            form.discard_sent.errors.append(_(
                "Tick the box to confirm that the answers already sent will be deleted"))
        else:
            municipality, number = found.municipality, found.round
            try:
                rounds.cancel_assessment(db, found, user, discard_sent=bool(form.discard_sent.data))
            except services.ServiceError:
                db.rollback()  # answers sent meanwhile: show the page again with them counted
                return redirect(url_for(".cancel", public_id=public_id))
            flash(_("Round %(round)d was cancelled: its links open nothing and its answers are "
                    "deleted. You can start a new round.", round=number))
            return redirect(url_for(".municipality", public_id=municipality.public_id))
    return render_template("assessments/cancel.html", assessment=found, form=form, sent=sent,
                           allowed=allowed, Mode=Mode), (
        status if status != 200 else 400 if form.errors else 200)


def _open(public_id: str) -> Assessment:
    """An assessment the user may manage and that still collects answers (else 404/403, or 409
    with a page saying the round is closed)."""
    found = auth.load_assessment(public_id, Access.MANAGE)
    if found.status != Status.OPEN:
        abort(make_response(render_template("assessments/closed.html", assessment=found), 409))
    return found
