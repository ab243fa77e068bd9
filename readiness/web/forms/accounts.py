"""Signing in, accounts, their roles and municipalities, API tokens and passwords."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, ValidationError
from wtforms.widgets import HiddenInput

from readiness.models import Municipality, Role, User
from readiness.services.assessments import PASSWORD_MIN_LENGTH
from readiness.web.forms.fields import _safe_name, _strip, safe_text
from readiness.web.forms.labels import municipality_label, role_choice_labels


class LoginForm(FlaskForm):
    """Sign in with a username and password."""

    username = StringField(_l("Username"), filters=[_strip],
                           validators=[DataRequired(_l("Enter your username")), Length(max=64),
                                       safe_text, _safe_name])
    password = PasswordField(_l("Password"),
                             validators=[DataRequired(_l("Enter your password")),
                                         Length(max=256)])


def _role_field() -> RadioField:
    return RadioField(_l("Role"), choices=[SelectChoice(r.value) for r in Role],
                      validators=[InputRequired(_l("Choose a role"))])


def _municipality_field() -> SelectField:
    return SelectField(
        _l("Municipality"), default="",
        description=_l("Needed for a municipality coordinator: the municipality they work for. "
                       "For an advisor, a first municipality to work with (optional). Other "
                       "roles see every municipality."))


class _RoleChoices(FlaskForm):
    """Shared by the forms that choose a role and maybe a municipality."""

    role: RadioField
    municipality: SelectField

    def __init__(self, municipalities: Sequence[Municipality], *args: Any,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = role_choice_labels()
        self.role.choices = [SelectChoice(r.value, labels[r]) for r in Role]
        self.municipality.choices = [SelectChoice("", _("None"))] + [
            SelectChoice(m.public_id, municipality_label(m)) for m in municipalities]

    def validate_municipality(self, field: Field) -> None:
        """A municipality coordinator needs their municipality."""
        if self.role.data == Role.MUNICIPALITY_COORDINATOR and not field.data:
            raise ValidationError(_("Choose the municipality this coordinator works for"))


class NewUserForm(_RoleChoices):
    """A new account: username, role and municipality; the password is made, not typed."""

    username = StringField(
        _l("Username"), filters=[_strip],
        description=_l("They sign in with it. Upper and lower case count as the same."),
        validators=[DataRequired(_l("Enter a username")),
                    Length(max=64, message=_l("Username must be %(max)d characters or fewer")),
                    _safe_name])
    role = _role_field()
    municipality = _municipality_field()


class RoleForm(_RoleChoices):
    """Another role for a user, or another municipality for a coordinator; it carries the role
    and municipality it was opened on, so a save over someone else's newer change is caught."""

    role = _role_field()
    municipality = _municipality_field()
    was_role = StringField(widget=HiddenInput())
    was_municipality = StringField(widget=HiddenInput())


class AssignForm(FlaskForm):
    """One more municipality for an advisor."""

    assign_to = SelectField(_l("Municipality to assign"), default="",
                            validators=[DataRequired(_l("Choose a municipality to assign"))])

    def __init__(self, municipalities: Sequence[Municipality], *args: Any,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.assign_to.choices = [SelectChoice("", _("Choose a municipality"))] + [
            SelectChoice(m.public_id, municipality_label(m)) for m in municipalities]


class NewTokenForm(FlaskForm):
    """Who a new API token is for, and a name saying what it is used for."""

    holder = SelectField(_l("For"), default="",
                         validators=[DataRequired(_l("Choose who the token is for"))])
    name = StringField(_l("What it is for (optional)"),
                       description=_l("For example the tool or report that will use it."),
                       validators=[Length(max=120, message=_l("Use at most 120 characters")),
                                   _safe_name])

    def __init__(self, holders: Sequence[User], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.holder.choices = [SelectChoice("", _("Choose a user"))] + [
            SelectChoice(u.public_id, u.username) for u in holders]


class PasswordChangeForm(FlaskForm):
    """The signed-in user's new password, typed twice, after their current one."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password")), Length(max=256)])
    new_password = PasswordField(
        _l("New password"),
        description=_l("At least %(min)d characters. A few unrelated words are easy to remember "
                       "and hard to guess.", min=PASSWORD_MIN_LENGTH),
        validators=[DataRequired(_l("Enter a new password")),
                    Length(min=PASSWORD_MIN_LENGTH, max=256,
                           message=_l("The new password needs %(min)d to %(max)d characters"))])
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[DataRequired(_l("Enter the new password again")),
                    EqualTo("new_password", _l("The two new passwords are not the same"))])
