"""Forms of people and places: how an account is named, assigning many municipalities at once,
and the self-service password reset."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, Field, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from readiness.core import names
from readiness.services.people import ALL_REGIONS, EMAIL_MAX, NAME_MAX, Region
from readiness.web.forms import MultiCheckboxField, NewUserForm, PasswordChangeForm


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _safe_name(_form: Any, field: Field) -> None:
    """Refuse a name holding control or text-direction characters (`readiness.core.names`)."""
    if isinstance(field.data, str) and names.unsafe_characters(field.data):
        raise ValidationError(_("Remove the invisible control or text-direction characters "
                                "from this name"))


def _length(most: int) -> Length:
    return Length(max=most, message=_l("Use at most %(max)d characters", max=most))


class ProfileForm(FlaskForm):
    """How a person is named on report covers and in lists, and their e-mail address."""

    display_name = StringField(
        _l("Display name (optional)"), filters=[_strip],
        description=_l("As it should appear on report covers, e.g. Anna Peeters. Without one, "
                       "the username is shown."),
        validators=[_length(NAME_MAX), _safe_name])
    organisation = StringField(
        _l("Organisation (optional)"), filters=[_strip],
        description=_l("E.g. Regional prevention team North."),
        validators=[_length(NAME_MAX), _safe_name])
    email = EmailField(
        _l("E-mail address (optional)"), filters=[_strip],
        description=_l("Used only to send a link to choose a new password, where this site "
                       "sends e-mail."),
        validators=[_length(EMAIL_MAX), _safe_name])


class NewPersonForm(NewUserForm, ProfileForm):
    """A new account with, optionally, how the person is named and their e-mail address."""


class RegionAssignForm(FlaskForm):
    """Every municipality of one region (or of a country without regions) for an advisor."""

    region = SelectField(_l("Region"), default="",
                         validators=[DataRequired(_l("Choose a region"))])

    def __init__(self, regions: Sequence[Region], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.region.choices = [SelectChoice("", _("Choose a region"))] + [
            SelectChoice(r.key, _region_label(r)) for r in regions]


def _region_label(region: Region) -> str:
    if region.region == ALL_REGIONS:
        return _("All of %(country)s: %(count)d municipalities", country=region.country,
                 count=region.count)
    return _("%(region)s, %(country)s: %(count)d municipalities",
             region=region.region or _("no region"), country=region.country, count=region.count)


class ManyAssignForm(FlaskForm):
    """The municipalities ticked in a search's results, or all that the search finds."""

    chosen = MultiCheckboxField(_l("Municipalities found"), choices=[])
    find = StringField(filters=[_strip], validators=[Length(max=120)])


class ResetRequestForm(FlaskForm):
    """The e-mail address to send a password-reset link to."""

    email = EmailField(_l("Your e-mail address"), filters=[_strip],
                       validators=[DataRequired(_l("Enter your e-mail address")),
                                   _length(EMAIL_MAX)])


class ResetForm(FlaskForm):
    """A new password, typed twice, from a reset link (the fields of a password change)."""

    new_password = PasswordChangeForm.new_password
    confirm_password = PasswordChangeForm.confirm_password
