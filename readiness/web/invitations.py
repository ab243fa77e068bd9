"""A round's links page: every active link shown again (copy one, copy all), the invitation
pack (one printable page per agency, the link as a QR code), reissuing links, reminder texts
and the closing date. Adds its routes to the assessments blueprint.

Links are never kept in the session cookie: a token is made again from the link's public id
and the app's secret key (`tokens.link_token`), and only its hash is stored. A link the app
cannot make again (made before this, or under another secret key) still opens the survey; the
page says so and offers to reissue it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import (
    Response as HttpResponse,
)
from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext

from readiness import auth
from readiness.auth import Access
from readiness.core import privacy
from readiness.db import get_session
from readiness.models import Assessment, Invitation, InvitationState, Mode, Status, User
from readiness.report.pack import Pack, PackLink, PackNotice
from readiness.services import assessments as services
from readiness.services import survey
from readiness.services.mailer import mail_settings
from readiness.services.users import runner_name
from readiness.tokens import show_join_code
from readiness.translate import NATIVE_NAMES, country_language, format_date
from readiness.web.assessments import bp
from readiness.web.forms import ALL_LINKS, ClosingDateForm, ConfirmForm, InvitationMailForm
from readiness.web.links import link_key, past_closing, public_url, today
from readiness.web.survey import estimated_minutes, privacy_notice


@dataclass(frozen=True)
class ShownLink:
    """An active link on the links page: its agency's title, number, and address if shown."""

    invitation: Invitation
    agency: str
    number: int
    url: str | None
    code: str | None = None  # the join code as printed (ABCD-EFGH)


def survey_minutes(assessment: Assessment) -> int:
    """How long the round's survey takes, as its start page says."""
    q = services.questionnaire_of(assessment)
    return estimated_minutes(sum(len(q.items_of(p.id)) for p in survey.pages(q)))


def invitation_pack(assessment: Assessment, links: Sequence[tuple[str, str, str | None]],
                    config: Mapping[str, Any], creator: User | None,
                    join_url: str = "") -> Pack:
    """The pack of a round for (agency id, address, join code) triples, one page each, in that
    order; `creator`, who opened the round, is named as who runs it; `join_url` is where the
    join codes are typed."""
    q = services.questionnaire_of(assessment)
    titles = {a.id: a.title for a in q.doc.agencies}
    notice = privacy_notice(config)
    return Pack(
        municipality=assessment.municipality.name, round=assessment.round, title=q.doc.title,
        closes_on=assessment.closes_on, runner=runner_name(creator),
        minutes=survey_minutes(assessment),
        min_group=privacy.group_size(q.doc.settings.min_group_size),
        notice=PackNotice(controller=notice.controller, contact=notice.contact,
                          retention=notice.retention, url=notice.url),
        links=[PackLink(titles.get(agency, agency), url, code) for agency, url, code in links],
        join_url=join_url.split("://", 1)[-1])


def shown_links(assessment: Assessment) -> list[ShownLink]:
    """The round's active links in agency order, each with its address when it can be shown."""
    q = services.questionnaire_of(assessment)
    titles = {a.id: a.title for a in q.doc.agencies}
    order = {agency: n for n, agency in enumerate(assessment.agencies)}
    key, made, shown = link_key(), dict[str, int](), list[ShownLink]()
    for inv in sorted(assessment.invitations,
                      key=lambda i: (order.get(i.agency, len(order)), i.id)):
        made[inv.agency] = made.get(inv.agency, 0) + 1
        if inv.state != InvitationState.ACTIVE:
            continue
        token, code = services.shown_token(inv, key), services.shown_join_code(inv, key)
        shown.append(ShownLink(inv, titles.get(inv.agency, inv.agency), made[inv.agency],
                               public_url("survey.start", token=token) if token else None,
                               show_join_code(code) if code else None))
    return shown


def managed_survey(public_id: str) -> Assessment:
    """The survey round `public_id` if the current user manages it; 404 for a workshop."""
    found = auth.load_assessment(public_id, Access.MANAGE)
    if found.mode != Mode.SURVEY:
        abort(404)
    return found


def _reminder(assessment: Assessment, link: ShownLink, minutes: int) -> str:
    """The text an organiser copies to remind an agency before the closing date."""
    parts = [_("Reminder: %(name)s asks the practitioners of %(agency)s to answer the survey on "
               "working together against violent radicalisation.",
               name=assessment.municipality.name, agency=link.agency)]
    if assessment.closes_on is not None:
        parts.append(_("The survey closes at the end of %(date)s.",
                       date=format_date(assessment.closes_on)))
    parts.append(_("It is anonymous and takes about %(minutes)d minutes. If you have answered "
                   "already, thank you.", minutes=minutes))
    parts.append(_("Your agency's link: %(link)s",
                   link=link.url or _("[the link you received]")))
    return " ".join(parts)


def mail_form_for(assessment: Assessment, shown: Sequence[ShownLink],
                  formdata: object = None) -> InvitationMailForm:
    """The e-mail form of a links page: one choice per link that can be shown, and every link;
    the round's country's language first."""
    form = InvitationMailForm(formdata=formdata) if formdata is not None \
        else InvitationMailForm(formdata=None)
    form.link.choices = [(ALL_LINKS, _("Every link (one message listing them all)"))] + [
        (link.invitation.public_id, _("Link %(number)d for %(agency)s", number=link.number,
                                      agency=link.agency)) for link in shown if link.url]
    languages = list(current_app.config["LANGUAGES"])
    form.language.choices = [(code, NATIVE_NAMES.get(code, code)) for code in languages]
    if formdata is None:
        form.link.data = ALL_LINKS
        round_language = country_language(assessment.municipality.country)
        form.language.data = round_language if round_language in languages else languages[0]
    return form


@bp.route("/assessments/<public_id>/links")
@auth.login_required
def links(public_id: str) -> ResponseReturnValue:
    """Every active link of the round, to copy, print as a pack, reissue, or remind with."""
    return links_page(managed_survey(public_id))


def links_page(found: Assessment, mail_form: InvitationMailForm | None = None,
               status: int = 200) -> ResponseReturnValue:
    """The links page of a survey round; the e-mail form only where a mail server is set."""
    shown = shown_links(found)
    minutes = survey_minutes(found)
    closing_form = ClosingDateForm(closes_on=found.closes_on)
    if mail_form is None and mail_settings(current_app.config) is not None:
        mail_form = mail_form_for(found, shown)
    return render_template(
        "assessments/links.html", assessment=found, links=shown, mail_form=mail_form,
        all_links="\n".join(f"{link.agency}: {link.url}" for link in shown if link.url),
        hidden=[link for link in shown if link.url is None],
        reminders=[(link, _reminder(found, link, minutes)) for link in shown],
        closing_form=closing_form, confirm=ConfirmForm(), past_closing=past_closing(found),
        join_url=public_url("join.join"),
        is_open=found.status == Status.OPEN), status


@bp.route("/assessments/<public_id>/pack.pdf")
@auth.login_required
def pack(public_id: str) -> ResponseReturnValue:
    """The invitation pack: one printable page per active link that can be shown."""
    from readiness.report.pack import pack_html
    from readiness.report.render import ReportError, render_pdf

    found = managed_survey(public_id)
    shown = [(link.invitation.agency, link.url, link.code) for link in shown_links(found)
             if link.url]
    if not shown:
        flash(_("No link of this round can be printed. Reissue the links first."))
        return redirect(url_for(".links", public_id=found.public_id))
    creator = (get_session().get(User, found.created_by_id)
               if found.created_by_id is not None else None)
    html = pack_html(invitation_pack(found, shown, current_app.config, creator,
                                     join_url=public_url("join.join")))
    try:
        pdf = render_pdf(html, timeout=float(current_app.config["REPORT_TIMEOUT"]))
    except ReportError as exc:
        return render_template("errors/error.html", code=503,
                               title=_("The PDF could not be made"), message=str(exc)), 503
    services.record_audit(get_session(), auth.current_user(), "invitation_pack_downloaded",
                          found, found.municipality, detail=f"{len(shown)} links")
    response = HttpResponse(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="invitations-round-{found.round}.pdf"')
    return response


@bp.route("/invitations/<public_id>/reissue", methods=["POST"])
@auth.login_required
def reissue_invitation(public_id: str) -> ResponseReturnValue:
    """Withdraw one link and make its agency a new one, shown on the links page."""
    invitation = auth.load_invitation(public_id, Access.MANAGE)
    assessment = invitation.assessment
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_session()
    try:
        new, _token = services.reissue_invitation(db, invitation, link_key())
    except services.ServiceError as error:
        db.rollback()  # refused, though the answer is a redirect: nothing of it is kept
        flash(str(error))
        return redirect(url_for(".links", public_id=assessment.public_id))
    services.record_audit(db, auth.current_user(), "invitation_reissued", new,
                          assessment.municipality, detail=new.agency)
    flash(_("A new link was made and the old one withdrawn. Answers already sent are kept."))
    return redirect(url_for(".links", public_id=assessment.public_id) + f"#link-{new.public_id}")


@bp.route("/assessments/<public_id>/links/reissue", methods=["POST"])
@auth.login_required
def reissue_all(public_id: str) -> ResponseReturnValue:
    """Withdraw every active link of the round and make each agency a new one."""
    found = managed_survey(public_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if request.form.get("withdraw_all") != "yes":
        flash(_("Tick the box to confirm that every link sent so far is withdrawn."))
        return redirect(url_for(".links", public_id=found.public_id) + "#reissue-all")
    db = get_session()
    try:
        reissued, left = services.reissue_all(db, found, link_key())
    except services.ServiceError as error:
        db.rollback()
        flash(str(error))
        return redirect(url_for(".links", public_id=found.public_id))
    services.record_audit(db, auth.current_user(), "invitations_reissued", found,
                          found.municipality, detail=f"{reissued} links")
    if left:
        flash(ngettext("%(num)d link took all its answers and was left as it is.",
                       "%(num)d links took all their answers and were left as they are.", left))
    flash(_("Every link was made new and the old ones withdrawn. Print the new pack and send "
            "the new links."))
    return redirect(url_for(".links", public_id=found.public_id))


@bp.route("/assessments/<public_id>/closing", methods=["POST"])
@auth.login_required
def set_closing(public_id: str) -> ResponseReturnValue:
    """Set, move or remove the round's closing date."""
    found = managed_survey(public_id)
    form = ClosingDateForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error))
        return redirect(url_for(".links", public_id=found.public_id) + "#closing")
    db = get_session()
    try:
        services.set_closing_date(found, form.closes_on.data, today())
    except services.ServiceError as error:
        db.rollback()
        flash(str(error))
    else:
        services.record_audit(db, auth.current_user(), "closing_date_set", found,
                              found.municipality,
                              detail=found.closes_on.isoformat() if found.closes_on else "none")
        flash(_("The closing date is saved.") if found.closes_on
              else _("The round has no closing date now."))
    return redirect(url_for(".links", public_id=found.public_id) + "#closing")
