"""People and places in the browser: how accounts are named (by an admin on the user's page, by
everyone on their own account page), advisors assigned to a region or to many municipalities at
once, and the self-service password reset, offered only where an e-mail server is configured.

Routes are added to `users.bp` (admins only) and `users.account`.
"""

from __future__ import annotations

from typing import Any

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
from readiness.db import get_session, keep_writes
from readiness.models import Municipality, User
from readiness.services import password_reset, people
from readiness.services.assessments import ServiceError
from readiness.services.mailer import MailSettings, mail_settings, send_later
from readiness.web.links import public_url
from readiness.web.people_forms import (
    ManyAssignForm,
    ProfileForm,
    RegionAssignForm,
    ResetForm,
    ResetRequestForm,
)
from readiness.web.users import _load, _user_page, account, bp, stale


@account.app_context_processor
def _offers() -> dict[str, Any]:
    return {"password_reset_offered": mail_settings(current_app.config) is not None}


def _save_profile(form: ProfileForm, user: User) -> bool:
    """Store the form's names; False (with the reason at the field) if refused."""
    try:
        people.update_profile(get_session(), auth.require_user(), user,
                              form.display_name.data or "", form.organisation.data or "",
                              form.email.data or "")
    except ServiceError as refused:
        form.email.errors = [str(refused)]
        return False
    return True


# ---------------------------------------------------------------- admins: one user


@bp.route("/<public_id>/profile", methods=["POST"])
def edit_profile(public_id: str) -> ResponseReturnValue:
    """Set the user's display name, organisation and e-mail address."""
    user = _load(public_id)
    form = ProfileForm()
    if not form.validate_on_submit() or not _save_profile(form, user):
        return _user_page(user, form)
    flash(_("The name and e-mail address of %(name)s are saved.", name=user.username))
    return redirect(url_for(".show", public_id=user.public_id))


def _assigned(user: User, municipalities: list[Municipality]) -> ResponseReturnValue:
    asked = ngettext("assign %(num)d municipality", "assign %(num)d municipalities",
                     len(municipalities))
    if (conflict := stale(user, asked)):
        return conflict
    added = people.assign_many(get_session(), auth.require_user(), user, municipalities)
    flash(ngettext("%(name)s now works with %(num)d more municipality.",
                   "%(name)s now works with %(num)d more municipalities.", added,
                   name=user.username))
    return redirect(url_for(".show", public_id=user.public_id) + "#municipalities")


@bp.route("/<public_id>/assignments/region", methods=["POST"])
def assign_region(public_id: str) -> ResponseReturnValue:
    """Let an advisor work with every municipality of one region."""
    user = _load(public_id)
    db = get_session()
    form = RegionAssignForm(people.regions(db))
    if not form.validate_on_submit():
        return _user_page(user, form)
    return _assigned(user, people.in_region(db, form.region.data or ""))


@bp.route("/<public_id>/assignments/many", methods=["POST"])
def assign_many(public_id: str) -> ResponseReturnValue:
    """Let an advisor work with the municipalities ticked in a search's results, or with all
    that the search finds ("all")."""
    user = _load(public_id)
    db = get_session()
    form = ManyAssignForm()
    find = (form.find.data or "").strip()
    found = people.find_municipalities(db, find, user.assigned, limit=None) if find else []
    form.chosen.choices = [(m.public_id, m.name) for m in found]
    if not form.validate_on_submit() or not found:
        return _user_page(user, form)
    if request.form.get("action") == "all":
        return _assigned(user, found)
    chosen = set(form.chosen.data or [])
    if not chosen:
        form.chosen.errors = [_("Tick the municipalities to assign, or assign all found")]
        return _user_page(user, form)
    return _assigned(user, [m for m in found if m.public_id in chosen])


# ---------------------------------------------------------------- everyone: own account


@account.route("/profile", methods=["GET", "POST"])
@auth.login_required
def profile() -> ResponseReturnValue:
    """Your display name, organisation and e-mail address."""
    user = auth.require_user()
    form = ProfileForm(obj=user)
    if form.validate_on_submit() and _save_profile(form, user):
        flash(_("Your name and e-mail address are saved."))
        return redirect(url_for(".profile"))
    return render_template("users/profile.html", form=form,
                           offered=mail_settings(current_app.config) is not None), (
        400 if form.errors else 200)


# ---------------------------------------------------------------- password reset by e-mail


def _mailer() -> MailSettings:
    """The e-mail server's settings; 404 where none is configured (the feature is hidden)."""
    settings = mail_settings(current_app.config)
    if settings is None:
        abort(404)
    return settings


def _send_reset(settings: MailSettings, user: User, token: str) -> None:
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    body = _("Someone, probably you, asked to choose a new password for your MAW Readiness "
             "account %(name)s. Open this link within %(minutes)d minutes to choose one:\n\n"
             "%(link)s\n\nIf it was not you, ignore this message: your password stays as it "
             "is.", name=user.username, minutes=minutes,
             link=public_url("account.reset", token=token))
    # from a thread: the page answers alike, and as fast, whether or not an account has the
    # address; a failure is logged there, never shown
    send_later(settings, user.email or "", _("Choose a new password for MAW Readiness"), body)


@account.route("/forgot", methods=["GET", "POST"])
def forgot() -> ResponseReturnValue:
    """Ask for a link to choose a new password; the answer never says whether an account has
    the address."""
    settings = _mailer()
    form = ResetRequestForm()
    if not form.validate_on_submit():
        return render_template("users/forgot.html", form=form, sent=False), (
            400 if form.errors else 200)
    db = get_session()
    email = form.email.data or ""
    if not auth.password_reset_allowed(db, request.remote_addr or "", email):
        keep_writes()
        form.email.errors = [_("Too many requests. Wait an hour and try again, or ask an "
                               "administrator.")]
        return render_template("users/forgot.html", form=form, sent=False), 429
    for user, token in password_reset.request_reset(
            db, email, current_app.config["PASSWORD_RESET_MINUTES"]):
        _send_reset(settings, user, token)
    return render_template("users/forgot.html", form=form, sent=True)


@account.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> ResponseReturnValue:
    """Choose a new password from an e-mailed link: once, in time; every session then ends."""
    _mailer()
    db = get_session()
    found = password_reset.find_reset(db, token)
    if found is None:
        return render_template("users/reset_gone.html"), 410
    form = ResetForm()
    if form.validate_on_submit():
        try:
            password_reset.complete_reset(
                db, found, form.new_password.data or "",
                password_method=current_app.config["PASSWORD_HASH_METHOD"])
        except ServiceError as refused:
            form.new_password.errors = [str(refused)]
        else:
            auth.logout_user()
            flash(_("Your password is changed and you are signed out everywhere. Sign in with "
                    "the new password."))
            return redirect(url_for("auth.login"))
    return render_template("users/reset.html", form=form, username=found.user.username), (
        400 if form.errors else 200)
