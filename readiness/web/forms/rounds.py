"""A new assessment round, and its closing date."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional

from readiness.core.questionnaire import Questionnaire
from readiness.models import Mode
from readiness.web.forms.fields import IsoDateField, MultiCheckboxField
from readiness.web.forms.labels import MIXED, mode_labels

# Fewer agencies than this in a round is allowed, but is hardly multi-agency working.
RECOMMENDED_AGENCIES = 3


class AssessmentForm(FlaskForm):
    """A new assessment round: date, mode (survey, workshop, or mixed: per agency), agencies."""

    conducted_on = IsoDateField(
        _l("Date of the assessment"),
        description=_l("The day the survey opens, or the day the workshop takes place."),
        validators=[InputRequired(_l("Enter the date of the assessment"))])
    mode = RadioField(_l("How will answers be collected?"),
                      choices=[SelectChoice(m.value) for m in Mode],
                      validators=[InputRequired(_l("Choose how answers will be collected"))])
    closes_on = IsoDateField(
        _l("Closing date (optional)"),
        description=_l("The last day the links take answers. The survey shows it, and after "
                       "that day the links say the survey is closed. You can change it later."),
        validators=[Optional()])
    agencies = MultiCheckboxField(
        _l("Agencies taking part"),
        description=_l("Multi-agency working is about several agencies working together: choose "
                       "at least %(num)d if you can.", num=RECOMMENDED_AGENCIES),
        validators=[DataRequired(_l("Choose at least one agency taking part"))])
    in_workshop = MultiCheckboxField(
        _l("Mixed round: agencies recorded in the workshop"),
        description=_l("Only for a mixed round: tick the agencies whose answers you record in "
                       "the room. The other agencies taking part get survey links."),
        validators=[Optional()])

    def __init__(self, q: Questionnaire, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = mode_labels()
        self.mode.choices = [SelectChoice(m, labels[m]) for m in (*Mode, MIXED)]
        self.agencies.choices = [SelectChoice(a.id, a.title) for a in q.doc.agencies]
        self.in_workshop.choices = [SelectChoice(a.id, a.title) for a in q.doc.agencies]

    def chosen(self) -> tuple[str, list[str]]:
        """(stored mode, agencies recorded in a workshop) of the choice made."""
        if self.mode.data == MIXED:
            return Mode.SURVEY, list(self.in_workshop.data or [])
        return self.mode.data or "", []


class ClosingDateForm(FlaskForm):
    """Set, move or (left empty) remove a round's closing date."""

    closes_on = IsoDateField(_l("Closing date"), validators=[Optional()])
