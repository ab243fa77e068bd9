"""Accounts in the browser: the admins' Users area (`users`) and everyone's own password
(`account`).

Every `users` page is for active admins only: signed-out visitors go to the sign-in page, other
roles get 403. One-time passwords are rendered in the response to the POST that made them and
kept nowhere else (not in the session cookie either), so they are shown exactly once.
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
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from readiness import auth
from readiness.db import get_session, keep_writes
from readiness.models import Municipality, Role, User
from readiness.services import people
from readiness.services import users as accounts
from readiness.services.assessments import PASSWORD_MIN_LENGTH, EditConflict, ServiceError
from readiness.services.national import list_api_tokens
from readiness.services.paging import page_number
from readiness.services.users import Reason, UserRefused
from readiness.tokens import is_public_id
from readiness.web.auth import device_for
from readiness.web.forms import (
    AssignForm,
    ConfirmForm,
    NewTokenForm,
    PasswordChangeForm,
    RoleForm,
    municipality_label,
    role_labels,
)
from readiness.web.people_forms import (
    ManyAssignForm,
    NewPersonForm,
    ProfileForm,
    RegionAssignForm,
)

bp = Blueprint("users", __name__, url_prefix="/users")
account = Blueprint("account", __name__, url_prefix="/account")


@bp.before_request
@auth.login_required
def _admins_only() -> None:
    """Signed-out visitors go to the sign-in page (login_required); other roles get 403."""
    auth.require_user_manager()


def _refusal(reason: Reason) -> str:
    """The message shown for a refusal."""
    return {
        Reason.USERNAME_LENGTH: lambda: _("Enter a username of 1 to 64 characters"),
        Reason.USERNAME_TAKEN: lambda: _("This username is taken: choose another one"),
        Reason.UNKNOWN_ROLE: lambda: _("Choose a role"),
        Reason.NEEDS_MUNICIPALITY: lambda: _(
            "Choose the municipality this coordinator works for"),
        Reason.NOT_ADVISOR: lambda: _("Only advisors are assigned to municipalities"),
        Reason.YOURSELF: lambda: _(
            "You cannot do this to your own account. Ask another administrator, or change "
            "your password on the Change your password page."),
        Reason.LAST_ADMIN: lambda: _(
            "This is the last active administrator. Make another user an administrator first."),
        Reason.ALREADY_ACTIVE: lambda: _("This account is already active"),
        Reason.PASSWORD_TOO_SHORT: lambda: _(
            "The new password needs at least %(min)d characters", min=PASSWORD_MIN_LENGTH),
        Reason.PASSWORD_UNCHANGED: lambda: _(
            "The new password is your current one: choose a different password"),
        Reason.UNKNOWN_TOKEN: lambda: _("There is no such API token"),
        Reason.NOT_A_TOKEN_HOLDER: lambda: _(
            "Choose an active administrator or national coordinator"),
    }[reason]()


def _method() -> str:
    return str(current_app.config["PASSWORD_HASH_METHOD"])


def _load(public_id: str) -> User:
    """The user with this public id, else 404."""
    found = accounts.find_user(get_session(), public_id) \
        if is_public_id(public_id) else None
    if found is None:
        abort(404)
    return found


def _municipality(public_id: str | None) -> Municipality | None:
    """The municipality a form chose (its choices hold existing public ids only)."""
    if not public_id:
        return None
    return get_session().scalar(select(Municipality).where(Municipality.public_id == public_id))


def _password_page(user: User, password: str, event: str) -> ResponseReturnValue:
    return render_template("users/one_time_password.html", user=user, password=password,
                           event=event, roles=role_labels())


# ---------------------------------------------------------------- list and create


@bp.route("/")
def index() -> ResponseReturnValue:
    """Every user, 50 to a page, optionally those whose username contains a text."""
    search = request.args.get("q", "").strip()[:64]
    listing = accounts.list_users(get_session(), page_number(request.args.get("page")), search)
    return render_template("users/index.html", listing=listing, search=search,
                           roles=role_labels())


@bp.route("/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    """Create an account; its one-time password is shown once, on the page this POST returns."""
    db = get_session()
    form = NewPersonForm(accounts.all_municipalities(db))
    if form.validate_on_submit():
        try:
            user, password = accounts.create_account(
                db, auth.require_user(), form.username.data or "", form.role.data or "",
                _municipality(form.municipality.data), password_method=_method())
        except UserRefused as refused:
            target = form.municipality if refused.reason == Reason.NEEDS_MUNICIPALITY \
                else form.username
            target.errors.append(_refusal(refused.reason))
        else:
            try:
                people.update_profile(db, auth.require_user(), user,
                                      form.display_name.data or "",
                                      form.organisation.data or "", form.email.data or "")
            except ServiceError as refused:
                db.rollback()
                form.email.errors = [str(refused)]
            else:
                return _password_page(user, password, "created")
    return render_template("users/new.html", form=form), 400 if form.errors else 200


# ---------------------------------------------------------------- one user


def _user_page(user: User, failed: FlaskForm | None = None,
               status: int = 400) -> ResponseReturnValue:
    """A user's page; `failed` is the form whose errors to show (with `status`)."""
    municipalities = accounts.all_municipalities(get_session())
    own = user.municipality.public_id if user.municipality else ""
    role_form = failed if isinstance(failed, RoleForm) else RoleForm(
        municipalities, formdata=None, role=user.role, municipality=own, was_role=user.role,
        was_municipality=own)
    profile_form = failed if isinstance(failed, ProfileForm) else ProfileForm(
        formdata=None, obj=user)
    return render_template(
        "users/user.html", user=user, roles=role_labels(), failed=failed, role_form=role_form,
        confirm=ConfirmForm(), Role=Role, is_self=user.id == auth.require_user().id,
        profile_form=profile_form, **_assign_forms(user, failed),
        municipality_label=municipality_label), status if failed is not None else 200


def _assign_forms(user: User, failed: FlaskForm | None) -> dict[str, object]:
    """The advisor's assignment forms: a whole region, or ticked results of a name search
    (never one list of every municipality)."""
    if user.role != Role.ADVISOR:
        return {}
    db = get_session()
    find = request.args.get("find", "").strip()[:120]
    found = people.find_municipalities(db, find, user.assigned) if find else []
    region_form = failed if isinstance(failed, RegionAssignForm) else RegionAssignForm(
        people.regions(db), formdata=None)
    many_form = failed if isinstance(failed, ManyAssignForm) else ManyAssignForm(
        formdata=None, find=find)
    many_form.chosen.choices = [SelectChoice(m.public_id, municipality_label(m)) for m in found]
    return {"region_form": region_form, "many_form": many_form, "find": find, "found": found,
            "found_max": people.FOUND_MAX}


def _refused(user: User, refused: UserRefused) -> ResponseReturnValue:
    get_session().rollback()
    form = ConfirmForm()
    form.form_errors.append(_refusal(refused.reason))
    return _user_page(user, form)


def describe(user: User) -> str:
    """The account as an admin sees it now: role (and municipality), active or not, and an
    advisor's municipalities, for the conflict message."""
    role = role_labels().get(user.role, user.role)
    if user.municipality is not None:
        role += f" ({user.municipality.name})"
    state = _("active") if user.active else _("deactivated")
    places = ", ".join(sorted(m.name for m in user.assigned))
    if user.role == Role.ADVISOR:
        return _("%(role)s, %(state)s, works with: %(places)s", role=role, state=state,
                 places=places or _("no municipality"))
    return _("%(role)s, %(state)s", role=role, state=state)


def stale(user: User, asked: str) -> ResponseReturnValue | None:
    """The conflict page (409) when the account changed since the page that sent this change
    was opened (its `revision` field); None when it did not, or the request carries none."""
    sent = request.form.get("revision", "")
    if not sent.isdigit():
        return None  # a hand-made request without it is not checked
    try:
        accounts.check_revision(get_session(), user, int(sent))
    except EditConflict:
        get_session().rollback()
        form = ConfirmForm()
        form.form_errors.append(_(
            "Someone else saved changes to this account first, after you opened this page. "
            "The account is now: %(now)s. You asked to: %(asked)s. Nothing of yours is saved; "
            "look at the account as it is now and choose again.", now=describe(user),
            asked=asked))
        return _user_page(user, form, status=409)
    return None


@bp.route("/<public_id>")
def show(public_id: str) -> ResponseReturnValue:
    """A user's details, role, assignments and the actions on their account."""
    return _user_page(_load(public_id))


@bp.route("/<public_id>/role", methods=["POST"])
def change_role(public_id: str) -> ResponseReturnValue:
    """Give the user another role (a coordinator, maybe another municipality)."""
    user = _load(public_id)
    db = get_session()
    form = RoleForm(accounts.all_municipalities(db))
    if not form.validate_on_submit():
        return _user_page(user, form)
    own = user.municipality.public_id if user.municipality else ""
    chosen = _municipality(form.municipality.data)
    asked = _("make it %(role)s", role=role_labels().get(form.role.data or "", "")
              + (f" ({chosen.name})" if chosen is not None else ""))
    if (conflict := stale(user, asked)) is not None:
        return conflict
    # the page always sends what it was opened on; a hand-made request without it is not checked
    if form.was_role.data and (form.was_role.data, form.was_municipality.data or "") != (
            user.role, own):
        return _role_conflict(user, form, own)
    try:
        accounts.change_role(db, auth.require_user(), user, form.role.data or "",
                             _municipality(form.municipality.data))
    except UserRefused as refused:
        return _refused(user, refused)
    flash(_("%(name)s is now: %(role)s.", name=user.username, role=role_labels()[user.role]))
    return redirect(url_for(".show", public_id=user.public_id))


def _role_conflict(user: User, form: RoleForm, own: str) -> ResponseReturnValue:
    """Someone changed the role since this page was opened: say what it is now and what was
    chosen, change nothing, and let the admin choose again from the current state (409)."""
    labels = role_labels()
    now = labels.get(user.role, user.role) + (f" ({user.municipality.name})"
                                              if user.municipality else "")
    chosen = labels.get(form.role.data or "", form.role.data or "")
    form.form_errors.append(_(
        "Someone else changed this account while you were looking: its role is now %(now)s. "
        "You chose %(chosen)s. Nothing is saved; choose again.", now=now, chosen=chosen))
    for field, value in ((form.was_role, user.role), (form.was_municipality, own)):
        field.data, field.raw_data = value, [value]
    return _user_page(user, form, status=409)


@bp.route("/<public_id>/assignments", methods=["POST"])
def assign(public_id: str) -> ResponseReturnValue:
    """Let an advisor work with one more municipality."""
    user = _load(public_id)
    db = get_session()
    form = AssignForm(accounts.all_municipalities(db))
    municipality = _municipality(form.assign_to.data) if form.validate_on_submit() else None
    if municipality is None:
        return _user_page(user, form)
    if (conflict := stale(user, _("assign %(municipality)s", municipality=municipality.name))):
        return conflict
    try:
        accounts.assign(db, auth.require_user(), user, municipality)
    except UserRefused as refused:
        return _refused(user, refused)
    flash(_("%(name)s now works with %(municipality)s.", name=user.username,
            municipality=municipality.name))
    return redirect(url_for(".show", public_id=user.public_id))


@bp.route("/<public_id>/assignments/<municipality_id>/remove", methods=["POST"])
def unassign(public_id: str, municipality_id: str) -> ResponseReturnValue:
    """Take a municipality away from an advisor."""
    user = _load(public_id)
    municipality = next((m for m in user.assigned if m.public_id == municipality_id), None)
    if municipality is None:
        abort(404)
    if (conflict := stale(user, _("remove %(municipality)s", municipality=municipality.name))):
        return conflict
    db = get_session()
    accounts.unassign(db, auth.require_user(), user, municipality)
    flash(_("%(name)s no longer works with %(municipality)s.", name=user.username,
            municipality=municipality.name))
    return redirect(url_for(".show", public_id=user.public_id))


@bp.route("/<public_id>/deactivate", methods=["POST"])
def deactivate(public_id: str) -> ResponseReturnValue:
    """Stop the account: sessions end at once, API tokens are revoked."""
    user = _load(public_id)
    if (conflict := stale(user, _("deactivate the account"))) is not None:
        return conflict
    db = get_session()
    try:
        accounts.deactivate(db, auth.require_user(), user)
    except UserRefused as refused:
        return _refused(user, refused)
    flash(_("%(name)s is deactivated: they are signed out and can no longer sign in.",
            name=user.username))
    return redirect(url_for(".show", public_id=user.public_id))


@bp.route("/<public_id>/reactivate", methods=["POST"])
def reactivate(public_id: str) -> ResponseReturnValue:
    """Let the account sign in again, with a one-time password shown once."""
    user = _load(public_id)
    if (conflict := stale(user, _("reactivate the account"))) is not None:
        return conflict
    db = get_session()
    try:
        password = accounts.reactivate(db, auth.require_user(), user, password_method=_method())
    except UserRefused as refused:
        return _refused(user, refused)
    return _password_page(user, password, "reactivated")


@bp.route("/<public_id>/password", methods=["POST"])
def reset_password(public_id: str) -> ResponseReturnValue:
    """A new one-time password, shown once; the user's open sessions end."""
    user = _load(public_id)
    db = get_session()
    try:
        password = accounts.reset_password(db, auth.require_user(), user,
                                           password_method=_method())
    except UserRefused as refused:
        return _refused(user, refused)
    return _password_page(user, password, "reset")


# ---------------------------------------------------------------- API tokens


@bp.route("/tokens", methods=["GET", "POST"])
def tokens() -> ResponseReturnValue:
    """Every API token, with a button to revoke those still working, and a form that makes a
    new one for an admin or national coordinator (shown once, on the page the POST returns)."""
    db = get_session()
    form = NewTokenForm(accounts.api_token_holders(db))
    if form.validate_on_submit():
        try:
            token, secret = accounts.issue_token(db, auth.require_user(), form.holder.data or "",
                                                 form.name.data or "")
        except UserRefused as refused:
            form.holder.errors = [_refusal(refused.reason)]
        else:
            return render_template("users/new_token.html", token=token, secret=secret)
    return render_template("users/tokens.html", tokens=list_api_tokens(db),
                           confirm=ConfirmForm(), form=form), 400 if form.errors else 200


@bp.route("/tokens/<public_id>/revoke", methods=["POST"])
def revoke_token(public_id: str) -> ResponseReturnValue:
    """Stop an API token from working."""
    if not is_public_id(public_id):
        abort(404)
    db = get_session()
    try:
        accounts.revoke_token(db, auth.require_user(), public_id)
    except UserRefused:
        abort(404)
    flash(_("The API token is revoked: it no longer opens the API."))
    return redirect(url_for(".tokens"))


# ---------------------------------------------------------------- everyone's own password


@account.route("/password", methods=["GET", "POST"])
@auth.login_required
def change_password() -> ResponseReturnValue:
    """Change your own password: current one, then the new one twice; other sessions end."""
    user = auth.require_user()
    form = PasswordChangeForm()
    if form.validate_on_submit():
        db = get_session()
        checked = auth.authenticate(db, user.username, form.current_password.data or "",
                                    request.remote_addr or "", device=device_for(user.username))
        if checked.user is None:
            keep_writes()  # keep the failure count: this form cannot be used to guess
            form.current_password.errors = [
                _("Too many failed attempts. Wait a few minutes and try again.")
                if checked.locked else _("Your current password is not right")]
            return render_template("users/change_password.html", form=form), (
                429 if checked.locked else 400)
        try:
            accounts.change_own_password(db, user, form.new_password.data or "",
                                         password_method=_method())
        except UserRefused as refused:
            form.new_password.errors.append(_refusal(refused.reason))
        else:
            auth.login_user(user)  # this browser gets a new session; every other one has ended
            flash(_("Your password is changed. You are signed out everywhere else."))
            return redirect(url_for("assessments.index"))
    return render_template("users/change_password.html", form=form), (
        400 if form.errors else 200)
