"""The field types, filters and validators the forms share."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from wtforms import DateField, Field, SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from readiness.core import names

NAME_MAX = names.NAME_MAX
# An assessment date outside these is a typing error (and year 9999 leaves no room for the
# roadmap's dates after it).
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)


def safe_text(_form: Any, field: Field) -> None:
    """Refuse free text (a comment, a note) holding control or text-direction characters, by
    the names' rule (`readiness.core.names`) with line breaks and tabs allowed."""
    if isinstance(field.data, str) and names.unsafe_characters(field.data, free_text=True):
        raise ValidationError(_("Remove the invisible control characters or text-direction marks "
                                "from this text"))


def _safe_name(_form: Any, field: Field) -> None:
    """Refuse a name holding control or text-direction characters (`readiness.core.names`)."""
    if isinstance(field.data, str) and names.unsafe_characters(field.data):
        raise ValidationError(_("Remove the invisible control or text-direction characters "
                                "from this name"))


def _one_value(_form: Any, field: Field) -> None:
    if field.raw_data and len(field.raw_data) > 1:
        raise ValidationError(_("Choose only one answer"))


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class IsoDateField(DateField):
    """A date from the browser's date picker (sent as YYYY-MM-DD whatever the local format
    shown), or typed where there is no picker; a typed text that is no date gets an example."""

    def pre_validate(self, form: Any) -> None:
        if self.data is not None and not EARLIEST_DATE <= self.data <= LATEST_DATE:
            raise ValidationError(_("Enter a date from %(first)s to %(last)s",
                                    first=EARLIEST_DATE.isoformat(),
                                    last=LATEST_DATE.isoformat()))

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_("Enter a date, for example 2026-04-01")) from error


class MultiCheckboxField(SelectMultipleField):
    """Several choices shown as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
