"""The living roadmap's pages: a municipality's action plan, editing an action, the progress
report (PDF) and due-date calendar (.ics), and read-only share links for partners.

Access: everything goes through `auth` (`load_municipality`, `load_plan_action`,
`load_share_link`): managers of a municipality edit, viewers read. A share link's holder needs
no account and sees one closed round's headline results and the plan, never per-agency figures,
comments, notes or the history.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as HttpResponse
from wtforms import IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import HiddenInput

from readiness import auth
from readiness.auth import Access
from readiness.core import plans as rules
from readiness.core.questionnaire import get_questionnaire
from readiness.db import begin_write, get_session
from readiness.models import ActionStatus, Assessment, Municipality, PlanAction, Status
from readiness.services import assessments as services
from readiness.services import plans as plan_services
from readiness.translate import format_date
from readiness.web.forms import IsoDateField, MultiCheckboxField, SelectField, safe_text
from readiness.web.links import public_url
from readiness.web.plan_history import history_lines

bp = Blueprint("plans", __name__)
FRESH_SHARE = "fresh_share_link"


def status_labels() -> dict[str, str]:
    """The statuses of a tracked action, in the user's language."""
    return {ActionStatus.PLANNED: _("Planned"), ActionStatus.IN_PROGRESS: _("In progress"),
            ActionStatus.DONE: _("Done"), ActionStatus.DROPPED: _("Dropped")}


class ActionForm(FlaskForm):
    """Edit one tracked action."""

    status = RadioField(_l("Status"), validators=[InputRequired()])
    drop_reason = StringField(_l("Why is it dropped?"), validators=[Optional(), safe_text],
                              description=_l("Needed when the action is dropped."))
    lead = SelectField(_l("Lead agency"), validators=[Optional()])
    partners = MultiCheckboxField(_l("Partner agencies"), validators=[Optional()])
    contact_role = StringField(_l("Contact role (optional)"), validators=[Optional(), safe_text],
                               description=_l("A role, such as 'prevention officer'; never a "
                                              "person's name or contact details."))
    due_on = IsoDateField(_l("Due date"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), safe_text])
    links = TextAreaField(_l("Evidence links"), validators=[Optional()],
                          description=_l("One http or https address a line."))
    # the version the form was opened on (`plans.version_of`): a save over a newer one is caught
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class ShareForm(FlaskForm):
    """Make a share link lasting some days."""

    days = IntegerField(_l("Days the link works"), default=plan_services.SHARE_DAYS_DEFAULT,
                        validators=[InputRequired(),
                                    NumberRange(1, plan_services.SHARE_DAYS_MAX)])


class ConfirmForm(FlaskForm):
    """A button with CSRF protection."""


def _today() -> date:
    return datetime.now(UTC).date()


def _agency_titles(municipality: Municipality) -> dict[str, str]:
    q = get_questionnaire()
    return {a.id: a.title for a in q.doc.agencies}


def _plan_values(municipality: Municipality) -> dict[str, object]:
    db = get_session()
    actions = plan_services.plan_of(db, municipality)
    today = _today()
    dimensions = {d.id: d.title for d in get_questionnaire().doc.dimensions}
    return {"actions": actions, "titles": plan_services.titles_of(actions), "today": today,
            "overdue": {
        a.id for a in actions if rules.is_overdue(a.status, a.due_on, today)},
        "labels": status_labels(), "agencies": _agency_titles(municipality),
        "dimensions": dimensions,
        "totals": rules.tally((("all", a.status, a.due_on) for a in actions), today).get("all"),
        "by_phase": sorted(rules.tally(((str(a.phase or "-"), a.status, a.due_on)
                                        for a in actions), today).values(), key=lambda t: t.key),
        "by_dimension": sorted(rules.tally(((a.dimension or "-", a.status, a.due_on)
                                            for a in actions), today).values(),
                               key=lambda t: t.key)}


def latest_closed(municipality: Municipality) -> Assessment | None:
    """The municipality's most recent closed round."""
    closed = [a for a in municipality.assessments if a.status == Status.CLOSED]
    return closed[-1] if closed else None


@bp.route("/municipalities/<public_id>/plan")
@auth.login_required
def plan(public_id: str) -> ResponseReturnValue:
    """The municipality's action plan: every tracked action, overdue ones marked."""
    municipality = auth.load_municipality(public_id, Access.VIEW)
    user = auth.require_user()
    latest = latest_closed(municipality)
    manage = auth.can(user, Access.MANAGE, municipality)
    links = plan_services.share_links_of(get_session(), latest) if latest and manage else []
    fresh = session.pop(FRESH_SHARE, None)
    return render_template("plans/plan.html", municipality=municipality, manage=manage,
                           latest=latest, share_links=links, share_form=ShareForm(),
                           revoke_form=ConfirmForm(), now=datetime.now(UTC),
                           fresh=public_url("plans.shared", token=fresh) if fresh else None,
                           **_plan_values(municipality))


def _action_form(action: PlanAction, municipality: Municipality) -> ActionForm:
    titles = _agency_titles(municipality)
    form = ActionForm(obj=None if request.method == "POST" else action)
    form.status.choices = list(status_labels().items())
    form.lead.choices = [("", _("No lead agency yet"))] + list(titles.items())
    form.partners.choices = list(titles.items())
    if request.method != "POST":
        form.links.data = "\n".join(action.links)
        form.version.data = plan_services.version_of(get_session(), action)
    return form


def _action_conflict(form: ActionForm, action: PlanAction) -> list[tuple[str, str, str]]:
    """(field, saved by someone else, yours) for each field that differs; the form now carries
    the current version, so saving it again replaces theirs on purpose."""
    labels, agencies = status_labels(), dict(form.partners.choices or [])

    def names(ids: Sequence[str]) -> str:
        return ", ".join(str(agencies.get(a, a)) for a in ids)

    due = format_date(form.due_on.data) if form.due_on.data else ""
    rows = [(form.status.label.text, labels.get(action.status, ""),
             labels.get(form.status.data or "", "")),
            (form.drop_reason.label.text, action.drop_reason, form.drop_reason.data or ""),
            (form.lead.label.text, str(agencies.get(action.lead, "")),
             str(agencies.get(form.lead.data or "", ""))),
            (form.partners.label.text, names(action.partners), names(form.partners.data or [])),
            (form.contact_role.label.text, action.contact_role, form.contact_role.data or ""),
            (form.due_on.label.text, format_date(action.due_on) if action.due_on else "", due),
            (form.notes.label.text, action.notes, (form.notes.data or "").strip()),
            (form.links.label.text, "\n".join(action.links),
             "\n".join(x.strip() for x in (form.links.data or "").splitlines() if x.strip()))]
    version = plan_services.version_of(get_session(), action)
    form.version.data, form.version.raw_data = version, [str(version)]
    return [(str(label), theirs, yours) for label, theirs, yours in rows if theirs != yours]


@bp.route("/plan-actions/<public_id>", methods=["GET", "POST"])
@auth.login_required
def edit_action(public_id: str) -> ResponseReturnValue:
    """Change a tracked action's status, people, date, notes and links; its history below."""
    action = auth.load_plan_action(public_id, Access.MANAGE)
    municipality = get_session().get(Municipality, action.municipality_id)
    if municipality is None:
        abort(404)
    form = _action_form(action, municipality)
    conflict = None
    if form.validate_on_submit():
        edit = plan_services.ActionEdit(
            status=form.status.data or "", drop_reason=form.drop_reason.data or "",
            lead=form.lead.data or "", partners=tuple(form.partners.data or ()),
            contact_role=form.contact_role.data or "", due_on=form.due_on.data,
            notes=form.notes.data or "", links=tuple((form.links.data or "").splitlines()))
        try:
            plan_services.update_action(get_session(), action, edit, auth.require_user(),
                                        version=form.version.data)
        except services.EditConflict:
            get_session().rollback()
            conflict = _action_conflict(form, action)
        except services.ServiceError as error:
            get_session().rollback()
            form.form_errors.append(str(error).capitalize())
        else:
            flash(_("The action is saved."))
            return redirect(url_for(".plan", public_id=municipality.public_id)
                            + f"#action-{action.public_id}")
    return render_template("plans/action.html", action=action, municipality=municipality,
                           title=plan_services.titles_of([action])[action.id], form=form,
                           labels=status_labels(), conflict=conflict,
                           history=history_lines(action.events, status_labels(),
                                                 _agency_titles(municipality))), (
        409 if conflict is not None else 400 if form.errors or form.form_errors else 200)


@bp.route("/municipalities/<public_id>/plan.ics")
@auth.login_required
def calendar(public_id: str) -> ResponseReturnValue:
    """The open actions' due dates as an iCalendar feed."""
    municipality = auth.load_municipality(public_id, Access.VIEW)
    actions = plan_services.plan_of(get_session(), municipality)
    titles = plan_services.titles_of(actions)
    events = [rules.DueEvent(a.public_id, a.due_on, titles[a.id], _("Status: %(status)s",
                                                                   status=status_labels()[a.status]))
              for a in actions if a.due_on is not None and a.status in rules.OPEN_STATUSES]
    body = rules.ics_calendar(_("Action plan – %(name)s", name=municipality.name), events,
                              datetime.now(UTC))
    response = HttpResponse(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'attachment; filename="action-plan.ics"'
    return response


@bp.route("/assessments/<public_id>/share", methods=["POST"])
@auth.login_required
def share(public_id: str) -> ResponseReturnValue:
    """Make a read-only link to this round's results and the plan; shown once."""
    assessment = auth.load_assessment(public_id, Access.MANAGE)
    form = ShareForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        _link, token = plan_services.create_share_link(
            get_session(), assessment, auth.require_user(), int(form.days.data or 0))
    except services.ServiceError:
        abort(409)
    session[FRESH_SHARE] = token
    return redirect(url_for(".plan", public_id=assessment.municipality.public_id) + "#share")


@bp.route("/share-links/<public_id>/revoke", methods=["POST"])
@auth.login_required
def revoke(public_id: str) -> ResponseReturnValue:
    """Stop a share link from working."""
    link = auth.load_share_link(public_id, Access.MANAGE)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    plan_services.revoke_share_link(get_session(), link, auth.require_user())
    flash(_("The link no longer works."))
    return redirect(url_for(".plan", public_id=link.assessment.municipality.public_id) + "#share")


@bp.route("/shared/<token>")
def shared(token: str) -> ResponseReturnValue:
    """A partner's read-only view of one round's headline results and the plan."""
    db = begin_write()
    link = plan_services.open_share_link(db, token)
    if link is None:
        db.rollback()
        abort(410)
    assessment = link.assessment
    # the round's published view, the one the results page, PDF, API and exports read: never
    # the raw scores, which hold what the privacy rules withhold (a small round, a hidden agency)
    _q, published = services.publish_assessment(db, assessment)
    response = make_response(render_template(
        "plans/shared.html", assessment=assessment, published=published,
        result=published.result,
        municipality=assessment.municipality, expires=link.expires_at,
        **_plan_values(assessment.municipality)))
    response.headers["X-Robots-Tag"] = "noindex, nofollow"  # a link passed on stays unlisted
    return response


@bp.route("/municipalities/<public_id>/plan.pdf")
@auth.login_required
def progress_pdf(public_id: str) -> ResponseReturnValue:
    """The one-page progress report of the plan, as a PDF."""
    from readiness.report.render import ReportError, render_document_html, render_pdf

    municipality = auth.load_municipality(public_id, Access.VIEW)
    values = _plan_values(municipality)
    html = render_document_html("progress.html", municipality=municipality.name,
                                generated_on=format_date(_today()), **values)
    try:
        pdf = render_pdf(html, timeout=float(current_app.config["REPORT_TIMEOUT"]))
    except ReportError as exc:
        return render_template("errors/error.html", code=503,
                               title=_("The PDF could not be made"), message=str(exc)), 503
    db = begin_write()
    services.record_audit(db, auth.current_user(), "download_progress_pdf", municipality,
                          municipality)
    response = HttpResponse(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'attachment; filename="action-plan-progress.pdf"'
    return response
