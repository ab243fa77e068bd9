"""The respondent's journey: no account, only the invitation link /s/<token>.

Start page, one page per dimension, check your answers, submit once, thank you. Answers are
saved on every page; a long-lived cookie (scoped to the link's path) brings the same browser
back to its own response, and the short resume code shown on every page moves the response to
another browser ("Continue with a code" on the start page; wrong codes are throttled per
address and per link, and all get the same message). The forms check their CSRF token
themselves: when it has expired the page comes back with the answers as they were sent, so a
slow respondent loses nothing.

The start page carries the privacy notice (settings PRIVACY_*) and the time estimate. Any
address under /s/ that opens no survey, a mistyped or cut-off link, gets a page of its own
that tells a practitioner, who has no account, what to do.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    after_this_request,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from wtforms import Field

from readiness import auth
from readiness.core import privacy
from readiness.core.questionnaire import Questionnaire, get_questionnaire
from readiness.core.schema import DONT_KNOW, Dimension
from readiness.db import get_session, keep_writes
from readiness.models import Response, ResponseStatus
from readiness.services import survey
from readiness.services.assessments import ServiceError
from readiness.tokens import normalise_resume_code, show_resume_code
from readiness.web.forms import (
    ConfirmForm,
    ResumeForm,
    comment_field,
    given_answers,
    item_field,
    statement_fields,
    survey_form,
    survey_form_class,
    survey_form_data,
)
from readiness.web.links import not_open_yet, past_date
from readiness.web.survey_parts import CommentBox, kept_page, page_parts

bp = Blueprint("survey", __name__, url_prefix="/s")
COOKIE = "maw_response"
CODE_COOKIE = "maw_resume_code"  # the response's resume code, to show it on every page
_OPENED = "readiness.survey.opened"
SECONDS_PER_STATEMENT = 20
MIN_MINUTES = 5
Answered = Response | survey.OpenedResponse  # what says which statements have answers
_EMAIL = re.compile(r"[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+")


def estimated_minutes(statements: int) -> int:
    """How long the survey takes, as the start page says: 20 seconds a statement, rounded up to
    whole minutes, at least 5. The one source of this figure; other texts should quote it."""
    return max(MIN_MINUTES, math.ceil(statements * SECONDS_PER_STATEMENT / 60))


@dataclass(frozen=True)
class PrivacyNotice:
    """The configured parts of the start page's privacy notice; None where not configured."""

    controller: str | None
    contact: str | None
    retention: str | None
    url: str | None
    responses_days: int | None = None  # RETENTION_RESPONSES_DAYS, stated in words

    @property
    def contact_email(self) -> str | None:
        """The contact as an e-mail address for a mailto: link, if it is one."""
        return self.contact if self.contact and _EMAIL.fullmatch(self.contact) else None


def _setting(config: Mapping[str, Any], key: str) -> str | None:
    value = config.get(key)
    text = str(value).strip() if value is not None else ""
    return text or None


def privacy_notice(config: Mapping[str, Any]) -> PrivacyNotice:
    """The notice from the PRIVACY_* settings. Only an http(s) address is linked to."""
    url = _setting(config, "PRIVACY_NOTICE_URL")
    parts = urlsplit(url) if url else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        url = None
    return PrivacyNotice(controller=_setting(config, "PRIVACY_CONTROLLER"),
                         contact=_setting(config, "PRIVACY_CONTACT"),
                         retention=_setting(config, "PRIVACY_RETENTION"), url=url,
                         responses_days=_days(config.get("RETENTION_RESPONSES_DAYS")))


def _days(value: object) -> int | None:
    """The configured retention period of responses in days, or None (off or not a number:
    `readiness retention apply` refuses such a value and says why)."""
    try:
        days = int(str(value).strip()) if value is not None else None
    except ValueError:
        return None
    return days if days is not None and days > 0 else None


@dataclass(frozen=True)
class Link:
    """What a survey link opens: the invitation (as read), its questionnaire and pages, the
    agency."""

    token: str
    invitation: survey.OpenedLink
    q: Questionnaire
    pages: list[Dimension]
    agency_title: str

    @property
    def statements(self) -> int:
        """How many statements the survey has."""
        return sum(len(self.q.items_of(p.id)) for p in self.pages)


def _opened(token: str) -> tuple[survey.OpenedLink, survey.OpenedResponse | None] | None:
    """The link's invitation and this browser's response, read once per request (the language
    choice and the view both ask) in one query."""
    key = (token, request.cookies.get(COOKIE))
    cached = request.environ.get(_OPENED)  # this request's only, never another's
    if cached is None or cached[0] != key:
        cached = request.environ[_OPENED] = (key, survey.open_link(get_session(), *key))
    opened: tuple[survey.OpenedLink, survey.OpenedResponse | None] | None = cached[1]
    return opened


def _link(token: str) -> Link:
    opened = _opened(token)
    if opened is None:
        abort(404)
    invitation = opened[0]
    q = get_questionnaire(invitation.questionnaire_id, invitation.questionnaire_version)
    titles = {a.id: a.title for a in q.doc.agencies}
    return Link(token, invitation, q, survey.pages(q),
                titles.get(invitation.agency, invitation.agency))


def respondent_language() -> str | None:
    """A survey page's language: the response's, else the browser's, else the country's."""
    from readiness.i18n import browser_language, shipped
    from readiness.translate import country_language

    token = (request.view_args or {}).get("token")
    opened = _opened(token) if token else None
    if opened is None:
        return browser_language()
    invitation, response = opened
    if request.endpoint != "survey.begin" and response is not None and shipped(response.language):
        return response.language
    return (shipped(request.form.get("language")) or browser_language()
            or shipped(country_language(invitation.country)))


def _refuse_if_closed(link: Link) -> None:
    """Stop here with the "survey closed" page if the link takes no answers: withdrawn, the
    round closed, or its closing date passed (then nothing sent is written either); and with
    "opens on" before the round's date, as the new-round form promises ("the day the survey
    opens"): nothing is started or stored before it."""
    if not link.invitation.accepts_answers or past_date(link.invitation.closes_on):
        abort(make_response(render_template("survey/closed.html", link=link), 410))
    if not_open_yet(link.invitation.opens_on):
        abort(make_response(render_template("survey/not_open.html", link=link), 403))


def _refuse(link: Link, title: str, message: str, status: int) -> None:
    """Stop here with a page saying why this browser may not answer now."""
    abort(make_response(render_template("survey/refused.html", link=link, title=title,
                                        message=message), status))


def _refuse_organisers(link: Link) -> None:
    """A browser signed in to the app (an organiser, advisor or coordinator) cannot answer:
    whoever can close the round must not be able to add answers to it."""
    if auth.current_user() is not None:
        _refuse(link, _("Signed in: you cannot answer"), _(
            "This browser is signed in to MAW Readiness. Practitioners answer the survey; the "
            "people who organise or view the assessment do not. Sign out, or open the link in "
            "the browser of the practitioner it was sent to."), 403)


def _own_response(link: Link) -> survey.OpenedResponse | None:
    opened = _opened(link.token)
    return opened[1] if opened is not None else None


def _csrf_failed(form: FlaskForm) -> bool:
    return bool(getattr(form, "csrf_token", None) is not None and form.csrf_token.errors)


def _first_incomplete(link: Link, response: Answered) -> int | None:
    for number, page in enumerate(link.pages, start=1):
        if survey.missing(link.q, response, page.id):
            return number
    return None


@bp.route("/<token>")
def start(token: str) -> ResponseReturnValue:
    """What the survey is for, how long it takes, that it is anonymous; start or continue."""
    link = _link(token)
    _refuse_if_closed(link)
    response = _own_response(link)
    if response is not None and response.status == ResponseStatus.IN_PROGRESS:
        _note_resume_code(link, response)
    return _start_page(link, response)


def _start_page(link: Link, response: survey.OpenedResponse | None,
                resume_form: ResumeForm | None = None) -> str:
    resume_page = _first_incomplete(link, response) if response else None
    # Survey links are never workshops, so an agency needs the questionnaire's group size.
    min_group = privacy.group_size(link.q.doc.settings.min_group_size)
    min_comment = max(link.q.doc.settings.min_comment_group, min_group)  # as `publish` quotes
    return render_template("survey/start.html", link=link, response=response,
                           resume_page=resume_page, minutes=estimated_minutes(link.statements),
                           notice=privacy_notice(current_app.config), min_group=min_group,
                           min_comment=min_comment,
                           form=ConfirmForm(), resume_form=resume_form or ResumeForm())


def _set_cookies(reply: Any, link: Link, secret: str | None, code: str | None) -> Any:
    """Set this browser's response secret and resume code, scoped to the link's path."""
    for name, value in ((COOKIE, secret), (CODE_COOKIE, code)):
        if value is not None:
            reply.set_cookie(name, value,
                             max_age=current_app.config["SURVEY_COOKIE_DAYS"] * 86400,
                             path=url_for(".start", token=link.token), httponly=True,
                             samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    return reply


def _note_resume_code(link: Link, response: survey.OpenedResponse) -> None:
    """Make the response's resume code shown on this page: the browser's copy when it is the
    current one, else (a response begun before codes, or a lost cookie) a new one."""
    code = normalise_resume_code(request.cookies.get(CODE_COOKIE))
    if not survey.code_matches(response, code):
        db = get_session()
        code = survey.issue_resume_code(db, survey.response_by_id(db, response.id))
        after_this_request(lambda reply: _set_cookies(reply, link, None, code))
    g.resume_code = code


@bp.context_processor
def _resume_code() -> dict[str, Any]:
    code = g.get("resume_code")
    return {"resume_code": show_resume_code(code) if code else None}


@bp.route("/<token>/start", methods=["POST"])
def begin(token: str) -> ResponseReturnValue:
    """Start a new response for this browser and set its resume cookie."""
    link = _link(token)
    _refuse_if_closed(link)
    _refuse_organisers(link)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(".start", token=token))
    db = get_session()
    if not auth.survey_start_allowed(db, request.remote_addr or ""):
        keep_writes()  # the start counts towards the address's limit
        _refuse(link, _("Too many starts"), _(
            "Many surveys were started from this network address in the last hour. Wait an "
            "hour and try again, or ask the person who sent you the link."), 429)
    try:
        response, secret = survey.start_response(
            db, survey.invitation_by_id(db, link.invitation.invitation_id),
            language=str(get_locale()))
    except survey.LinkFull:
        _refuse(link, _("This link has taken all its answers"), _(
            "This link has taken as many answers as the number of practitioners it was sent "
            "to. If you have not answered yet, ask the person who sent you the link for a new "
            "one."), 410)
    code = survey.issue_resume_code(db, response)
    return _set_cookies(make_response(redirect(url_for(".page", token=token, number=1))), link,
                        secret, code)


@bp.route("/<token>/resume", methods=["POST"])
def resume(token: str) -> ResponseReturnValue:
    """Continue with a code: the response begun in another browser moves to this one.

    Wrong codes are counted per address and per link; every wrong code gets the same message,
    whether or not it continues a response of another link.
    """
    link = _link(token)
    _refuse_if_closed(link)
    _refuse_organisers(link)
    form = ResumeForm()
    if not form.validate_on_submit():
        return _start_page(link, None, form), 400
    db = get_session()
    address = request.remote_addr or ""
    if not auth.survey_resume_allowed(db, address, link.invitation.public_id):
        keep_writes()
        _refuse(link, _("Too many wrong codes"), _(
            "Too many wrong resume codes were typed here in the last hour. Wait an hour and "
            "try again, or start a new response from the link."), 429)
    found = survey.resume_with_code(db, survey.invitation_by_id(db, link.invitation.invitation_id),
                                    form.code.data)
    if found is None:
        auth.count_resume_failure(db, address, link.invitation.public_id)
        keep_writes()  # the wrong try counts
        form.code.errors = [_("This code does not continue a response on this link. Check it "
                              "against the code shown on your survey pages, or start again.")]
        return _start_page(link, None, form), 400
    response, secret = found
    target = url_for(".thanks", token=token) if response.status == ResponseStatus.SUBMITTED \
        else _continue_at(link, response)
    return _set_cookies(make_response(redirect(target, code=303)), link, secret,
                        normalise_resume_code(form.code.data))


def _continue_at(link: Link, response: Answered) -> str:
    number = _first_incomplete(link, response)
    return url_for(".page", token=link.token, number=number) if number \
        else url_for(".check", token=link.token)


def _respondent(token: str) -> tuple[Link, survey.OpenedResponse]:
    """The link and this browser's response in progress; else stop with where to go instead."""
    link = _link(token)
    _refuse_if_closed(link)
    _refuse_organisers(link)
    response = _own_response(link)
    if response is None:
        abort(redirect(url_for(".start", token=token)))
    if response.status == ResponseStatus.SUBMITTED:
        abort(redirect(url_for(".thanks", token=token)))
    _note_resume_code(link, response)
    return link, response


@bp.route("/<token>/page/<int:number>", methods=["GET", "POST"])
def page(token: str, number: int) -> ResponseReturnValue:
    """One dimension's statements, each with don't know, and an optional comment."""
    link, response = _respondent(token)
    if not 1 <= number <= len(link.pages):
        abort(404)
    dimension = link.pages[number - 1]
    max_comment = current_app.config["COMMENT_MAX_LENGTH"]
    returning = request.args.get("return") == "check"
    if request.method == "GET":
        return _fresh_page(link, number, response, returning)

    form = survey_form(link.q, [dimension.id], max_comment, formdata=request.form)
    form.validate()
    if _csrf_failed(form):
        notice = _("This page was open for a long time, so for your security it needs sending "
                   "again. Your answers are filled in below: check them and press the button "
                   "again.")
        form.form_errors.append(notice)
        return _render_page(link, number, form, returning), 400
    statements = list(statement_fields(form))
    comment = form[comment_field(dimension.id)]
    if comment.errors or any(f.errors and f.raw_data for f in statements):
        return _render_page(link, number, form, returning), 400  # malformed: nothing stored
    answers = given_answers(statements)
    try:
        survey.save_page(get_session(), link.q, response.id, answers,
                         {dimension.id: comment.data or ""})
    except ServiceError:
        abort(400)
    keep_writes()  # what was valid is saved, even when the page comes back to fix the rest
    if request.form.get("action") == "later":
        return redirect(url_for(".saved", token=token))
    if any(f.errors for f in statements):
        return _render_page(link, number, form, returning), 400
    if returning or number == len(link.pages):
        return redirect(url_for(".check", token=token))
    return redirect(url_for(".page", token=token, number=number + 1))


def _fresh_page(link: Link, number: int, response: survey.OpenedResponse,
                returning: bool) -> str:
    """A question page with the answers saved so far and no errors, from the page's kept parts
    (see `survey_parts`): no form is built once they are kept."""
    dimension = link.pages[number - 1]
    max_comment = current_app.config["COMMENT_MAX_LENGTH"]
    form_class = survey_form_class(link.q, (dimension.id,), max_comment, True)
    statements, comment = kept_page(
        form_class, _statement_names(link, dimension), comment_field(dimension.id),
        survey_form_data(form_class, response.answers, response.comments),
        lambda: survey_form(link.q, [dimension.id], max_comment, answers=response.answers,
                            comments=response.comments))
    return _page_template(link, number, None, generate_csrf(), statements, comment, returning)


def _statement_names(link: Link, dimension: Dimension) -> list[str]:
    return [item_field(item.id) for item in link.q.items_of(dimension.id)]


def _render_page(link: Link, number: int, form: FlaskForm, returning: bool) -> str:
    dimension = link.pages[number - 1]
    statements, comment = page_parts(form, _statement_names(link, dimension),
                                     comment_field(dimension.id))
    return _page_template(link, number, form, form.csrf_token.current_token, statements,
                          comment, returning)


def _page_template(link: Link, number: int, form: FlaskForm | None, csrf: str,
                   statements: list[Markup], comment: Field | CommentBox,
                   returning: bool) -> str:
    """The question page; `form` None for one shown afresh, which has no errors to show."""
    return render_template(
        "survey/page.html", link=link, number=number, dimension=link.pages[number - 1],
        form=form, csrf=csrf, statements=statements, comment=comment, returning=returning,
        max_comment=current_app.config["COMMENT_MAX_LENGTH"])


def _summary(link: Link, response: Answered) -> list[dict[str, Any]]:
    sections = []
    for number, dimension in enumerate(link.pages, start=1):
        rows = []
        for item in link.q.items_of(dimension.id):
            value = response.answers.get(item.id)
            labels = {o.value: o.label for o in link.q.options(item)}
            labels[DONT_KNOW] = _("Don't know")
            rows.append({"text": item.text, "answer": labels.get(value) if value else None})
        sections.append({"number": number, "dimension": dimension, "rows": rows,
                         "comment": response.comments.get(dimension.id),
                         "missing": len(survey.missing(link.q, response, dimension.id))})
    return sections


@bp.route("/<token>/check", methods=["GET", "POST"])
def check(token: str) -> ResponseReturnValue:
    """Check your answers, then send them once."""
    link, response = _respondent(token)
    form = ConfirmForm()
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            form.form_errors.append(_("This page was open for a long time. Your answers are "
                                      "saved: press Send your answers again."))
            status = 400
        elif survey.missing(link.q, response):
            form.form_errors.append(_("Some statements have no answer yet. Answer them, or "
                                      "choose Don't know, then send your answers."))
            status = 400
        else:
            db = get_session()
            try:  # a repeat stores nothing
                survey.submit_response(db, survey.response_by_id(db, response.id))
            except survey.LinkFull as full:
                form.form_errors.append(_link_full_on_sending(full.sent))
                status = 409
            else:
                return redirect(url_for(".thanks", token=token), code=303)
    return render_template("survey/check.html", link=link, form=form,
                           sections=_summary(link, response)), status


def _link_full_on_sending(sent: int) -> str:
    """Why answers could not be sent through a link that is full: they are kept."""
    return ngettext(
        "This link was sent to %(num)d practitioner, who has already sent answers, so yours "
        "cannot be sent now. Your answers are kept: ask the person who sent you the link to "
        "raise the number of practitioners it was sent to, then send your answers again.",
        "This link was sent to %(num)d practitioners, who have already sent %(num)d answers, "
        "so yours cannot be sent now. Your answers are kept: ask the person who sent you the "
        "link to raise the number of practitioners it was sent to, then send your answers "
        "again.", sent)


@bp.route("/<token>/saved")
def saved(token: str) -> ResponseReturnValue:
    """Answers saved for later: how to come back."""
    link, response = _respondent(token)
    return render_template("survey/saved.html", link=link,
                           resume_page=_first_incomplete(link, response))


@bp.route("/<token>/thanks")
def thanks(token: str) -> ResponseReturnValue:
    """Thank you; a colleague on the same device starts their own response from the start page."""
    link = _link(token)
    response = _own_response(link)
    if response is None or response.status != ResponseStatus.SUBMITTED:
        return redirect(url_for(".start", token=token))
    return render_template("survey/thanks.html", link=link)


@bp.route("/", defaults={"rest": ""})
@bp.route("/<path:rest>")
def unknown(rest: str) -> ResponseReturnValue:
    """Any other address under /s/, such as a link cut off or mistyped after the token."""
    abort(404)


@bp.errorhandler(404)
def link_not_found(error: Exception) -> ResponseReturnValue:
    """A survey address that opens nothing: say what to do, without the account wording."""
    return render_template("survey/not_found.html"), 404
