"""Sending a round's invitation links by e-mail from its links page, only where an e-mail server
is configured (MAIL_SERVER; otherwise the form is hidden and the route answers 404).

The organiser types addresses one a line (checked, at most INVITATION_MAIL_MAX_ADDRESSES a
send, INVITATION_MAIL_PER_USER messages an hour); each address gets a message of its own with
the invitation: who asks, the agency, the closing date, the link and its short code, how long
the survey takes and how answers are used, in the language the organiser chooses. The addresses
are never stored: not in the database, not in the audit log (which records only how many
messages went), not in the session; they live in the request and the sending thread only.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import abort, current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from readiness import auth
from readiness.db import get_session, keep_writes
from readiness.models import Status, User
from readiness.report.pack import Pack, PackLink
from readiness.services import assessments as services
from readiness.services.mailer import mail_settings, send_all_later
from readiness.services.people import clean_email
from readiness.translate import format_date
from readiness.web.assessments import bp
from readiness.web.forms import ALL_LINKS
from readiness.web.invitations import (
    ShownLink,
    invitation_pack,
    links_page,
    mail_form_for,
    managed_survey,
    shown_links,
)
from readiness.web.links import public_url


def clean_addresses(text: str, most: int) -> list[str]:
    """The addresses typed one a line (blank lines skipped, repeats once); ServiceError naming
    the first line that is not an address, or when there are more than `most`."""
    addresses: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            address = clean_email(line)
        except services.ServiceError:
            raise services.ServiceError(_(
                "Line %(line)d is not an e-mail address. Type one address a line, such as "
                "name@example.org.", line=number)) from None
        if address is not None and address not in addresses:
            addresses.append(address)
    if len(addresses) > most:
        raise services.ServiceError(_("At most %(most)d addresses at a time: you typed "
                                      "%(count)d.", most=most, count=len(addresses)))
    return addresses


def _facts(pack: Pack) -> list[str]:
    """The paragraphs every invitation message ends with: closing date, time, who, privacy."""
    closes = (_("Answer by the end of %(date)s; after that day the link takes no answers.",
                date=format_date(pack.closes_on)) if pack.closes_on
              else _("No closing date is set; the organiser will say when the survey closes."))
    privacy = _("Your answers are anonymous: no name, e-mail or IP address is stored with "
                "them. Results are shown per agency, never per person, and an agency's own "
                "results only when at least %(count)d of its practitioners answered.",
                count=pack.min_group)
    if pack.notice.controller:
        privacy += " " + _("%(controller)s is the data controller.",
                           controller=pack.notice.controller)
    if pack.notice.contact:
        privacy += " " + _("Questions about your data: %(contact)s.",
                           contact=pack.notice.contact)
    if pack.notice.url:
        privacy += " " + _("The full privacy notice: %(url)s", url=pack.notice.url)
    return [closes,
            _("It takes about %(minutes)d minutes, and your answers are saved on every page.",
              minutes=pack.minutes),
            _("Who runs it: %(runner)s", runner=pack.runner or pack.municipality), privacy]


def _link_lines(pack: Pack, link: PackLink) -> str:
    """A link, and its short address where it has one."""
    lines = _("Link for %(agency)s: %(link)s", agency=link.agency, link=link.url)
    if link.code and pack.join_url:
        lines += "\n" + _("Or go to %(address)s and type %(code)s", address=pack.join_url,
                          code=link.code)
    return lines


def invitation_message(pack: Pack) -> tuple[str, str]:
    """The subject and plain-text body of the invitation for the pack's links (one link: that
    agency's invitation; several: every agency's link, to pass on)."""
    if len(pack.links) == 1:
        agency = pack.links[0].agency
        subject = _("Survey for %(agency)s: %(name)s asks for your view", agency=agency,
                    name=pack.municipality)
        opening = _("%(name)s asks the practitioners of %(agency)s to answer a short, anonymous "
                    "survey on how well agencies work together to prevent violent "
                    "radicalisation.", name=pack.municipality, agency=agency)
    else:
        subject = _("Survey links of %(name)s, round %(round)d", name=pack.municipality,
                    round=pack.round)
        opening = _("%(name)s asks the practitioners of these agencies to answer a short, "
                    "anonymous survey on how well agencies work together to prevent violent "
                    "radicalisation. Pass each agency its own link.", name=pack.municipality)
    body = "\n\n".join([opening, *(_link_lines(pack, link) for link in pack.links),
                        *_facts(pack)])
    return subject, body


def _chosen(shown: Sequence[ShownLink], choice: str) -> list[tuple[str, str, str | None]]:
    return [(link.invitation.agency, link.url, link.code) for link in shown
            if link.url and choice in (ALL_LINKS, link.invitation.public_id)]


@bp.route("/assessments/<public_id>/links/mail", methods=["POST"])
@auth.login_required
def mail_links(public_id: str) -> ResponseReturnValue:
    """Send the chosen link, or every link, to the typed addresses, each its own message."""
    settings = mail_settings(current_app.config)
    if settings is None:
        abort(404)
    found = managed_survey(public_id)
    if found.status != Status.OPEN:
        abort(404)
    shown = shown_links(found)
    form = mail_form_for(found, shown, formdata=request.form)
    if not form.validate_on_submit():
        return links_page(found, form, 400)
    user = auth.current_user()
    assert user is not None  # login_required
    try:
        addresses = clean_addresses(form.addresses.data or "",
                                    int(current_app.config["INVITATION_MAIL_MAX_ADDRESSES"]))
    except services.ServiceError as error:
        form.addresses.errors = [str(error)]
        return links_page(found, form, 400)
    if not addresses:
        form.addresses.errors = [_("Type at least one e-mail address")]
        return links_page(found, form, 400)
    db = get_session()
    if not auth.invitation_mail_allowed(db, user, len(addresses)):
        form.addresses.errors = [_("You have sent many invitations in the last hour. Wait an "
                                   "hour and send the rest, or copy the links into your own "
                                   "e-mail.")]
        keep_writes()
        return links_page(found, form, 429)
    chosen = _chosen(shown, form.link.data or "")
    if not chosen:
        form.link.errors = [_("No link of this round can be sent. Reissue the links first.")]
        return links_page(found, form, 400)
    creator = db.get(User, found.created_by_id) if found.created_by_id is not None else None
    pack = invitation_pack(found, chosen, current_app.config, creator,
                           join_url=public_url("join.join"))
    with force_locale(form.language.data):
        subject, body = invitation_message(pack)
    send_all_later(settings, [(address, subject, body) for address in addresses])
    services.record_audit(db, user, "invitations_emailed", found, found.municipality,
                          detail=f"{len(addresses)} messages")
    flash(ngettext("The invitation is being sent to %(num)d address. The address is not kept.",
                   "The invitation is being sent to %(num)d addresses. The addresses are not "
                   "kept.", len(addresses)))
    return redirect(url_for(".links", public_id=found.public_id) + "#mail")
