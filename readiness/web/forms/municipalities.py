"""A new municipality, or corrections to one."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, IntegerField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from readiness.core.names import country_problem
from readiness.models import POPULATION_BANDS
from readiness.web.forms.fields import NAME_MAX, _safe_name, _strip
from readiness.web.forms.labels import population_labels


def _known_country(_form: Any, field: Field) -> None:
    """Refuse two letters that are no country's code, such as ZZ (`core.names.country_problem`,
    the rule the offline CLI and the services read too)."""
    two_letters = isinstance(field.data, str) and len(field.data) == 2 and field.data.isalpha()
    if two_letters and country_problem(field.data):
        raise ValidationError(_l("%(code)s is not a country code: enter the country's two "
                                 "letters, like BE", code=field.data))


class MunicipalityForm(FlaskForm):
    """A new municipality, or corrections to one (`MunicipalityEditForm`)."""

    name = StringField(
        _l("Name of the municipality"), filters=[_strip],
        validators=[DataRequired(_l("Enter the name of the municipality")),
                    Length(max=NAME_MAX, message=_l("Name must be %(max)d characters or fewer")),
                    _safe_name])
    country = StringField(
        _l("Country code"), description=_l("Two letters, for example BE, FR or FI"),
        filters=[_strip, lambda v: v.upper() if isinstance(v, str) else v],
        validators=[DataRequired(_l("Enter the country code")),
                    Regexp(r"^[A-Z]{2}$", message=_l("Enter the country as two letters, like BE")),
                    _known_country])
    region = StringField(
        _l("Region (optional)"), filters=[_strip],
        description=_l("Choose a region already in use when it is the same one, so that it is "
                       "written the same way everywhere."),
        validators=[Optional(), Length(max=NAME_MAX,
                                       message=_l("Region must be %(max)d characters or fewer")),
                    _safe_name])
    population_band = RadioField(
        _l("Number of inhabitants"), choices=[SelectChoice(band) for band in POPULATION_BANDS],
        validators=[InputRequired(_l("Choose the number of inhabitants"))])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = population_labels()
        self.population_band.choices = [SelectChoice(band, labels[band])
                                       for band in POPULATION_BANDS]


class MunicipalityEditForm(MunicipalityForm):
    """Corrections to a municipality, carrying the revision they were made on, so a save over
    someone else's newer one is caught instead of silently undoing it."""

    revision = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
