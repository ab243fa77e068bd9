"""A round's invitation links: a new one, its size, and sending them by mail."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from readiness.core.questionnaire import Questionnaire
from readiness.services.assessments import MAX_CAPACITY


class InvitationForm(FlaskForm):
    """A new link for one agency."""

    agency = SelectField(_l("Agency"), validators=[InputRequired(_l("Choose an agency"))])
    capacity = IntegerField(_l("Sent to how many practitioners?"), validators=[
        InputRequired(_l("Say how many practitioners you will send the link to")),
        NumberRange(1, MAX_CAPACITY, _l("Give a number from %(min)s to %(max)s"))])

    def __init__(self, q: Questionnaire, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency.choices = [SelectChoice(a.id, a.title) for a in q.doc.agencies]


class CapacityForm(FlaskForm):
    """How many practitioners an existing link was sent to."""

    capacity = IntegerField(_l("Sent to"), validators=[
        InputRequired(_l("Say how many practitioners the link was sent to")),
        NumberRange(1, MAX_CAPACITY, _l("Give a number from %(min)s to %(max)s"))])


ALL_LINKS = "all"  # the invitation mail form's choice that sends every link


class InvitationMailForm(FlaskForm):
    """Send a round's invitation links to addresses typed one a line (never stored)."""

    link = SelectField(_l("Which link"), validators=[InputRequired(_l("Choose a link"))])
    language = SelectField(_l("Language of the message"))
    addresses = TextAreaField(
        _l("E-mail addresses, one a line"),
        description=_l("Each address gets a message of its own. The addresses are used to send "
                       "this message only and are not stored."),
        validators=[DataRequired(_l("Type at least one e-mail address")),
                    Length(max=64_000, message=_l("Too much text: send fewer addresses at "
                                                  "once"))])
