"""Buttons that change something, and the deletions confirmed by typing a name."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired

from readiness.web.forms.fields import _strip


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token is posted."""


class DeleteUserForm(FlaskForm):
    """Erase an account: typing its username confirms."""

    confirm_username = StringField(
        _l("Type the username to confirm"), filters=[_strip],
        validators=[DataRequired(_l("Type the username to confirm"))])


class DeleteByNameForm(FlaskForm):
    """Delete a round or a municipality for good: typing the municipality's name confirms."""

    confirm_name = StringField(
        _l("Type the municipality's name to confirm"), filters=[_strip],
        validators=[DataRequired(_l("Type the municipality's name to confirm"))])


class CancelForm(FlaskForm):
    """Cancel a round; deleting answers already sent needs the box ticked (administrators)."""

    discard_sent = BooleanField(_l("Yes, delete the answers already sent in this round too. "
                                   "They cannot be recovered."))
