"""The codes a practitioner types: an invitation's join code, a response's resume code."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from readiness.web.forms.fields import _strip


class ResumeForm(FlaskForm):
    """A resume code typed to continue a survey response begun in another browser."""

    code = StringField(
        _l("Your resume code"), filters=[_strip],
        description=_l("The code shown at the top of the survey pages where you began, such "
                       "as ABCDE-23456."),
        validators=[DataRequired(_l("Enter your resume code")), Length(max=40)])


class JoinForm(FlaskForm):
    """The join code printed on an invitation, typed at /j (posted, so the code stays out of
    the address and logs; no CSRF token: it changes nothing but the wrong-code count, and the
    page works without a session)."""

    class Meta:
        csrf = False

    code = StringField(
        _l("Code from your invitation"), filters=[_strip],
        description=_l("Eight letters and digits, as printed on your invitation, such as "
                       "ABCD-EFGH."),
        validators=[DataRequired(_l("Enter the code from your invitation")), Length(max=40)])
