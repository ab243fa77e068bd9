"""Compiled parts of a survey page: a statement's answer choices, rendered once and kept.

A question page is mostly its statements' radio groups, and without an error message a radio
group's HTML depends only on the form class (questionnaire version, language and page: see
`forms.survey_form_class`), the statement and the answer chosen. So it is rendered by the same
`choices` macro as every other radio group the first time and kept; a statement with an error
is rendered afresh every time.
"""

from __future__ import annotations

from typing import Any

from flask import get_template_attribute
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import Field

_PARTS: dict[tuple[type[Any], str, str | None], Markup] = {}
_PARTS_MAX = 10_000


def statement_html(form: FlaskForm, field: Field) -> Markup:
    """The statement's radio group, as `{{ choices(field, inline=true) }}` renders it."""
    data = field.data
    if field.errors or not (data is None or isinstance(data, str)):
        return _render(field)
    key = (type(form), field.name, data)
    part = _PARTS.get(key)
    if part is None:
        if len(_PARTS) >= _PARTS_MAX:
            _PARTS.clear()
        part = _PARTS[key] = _render(field)
    return part


def _render(field: Field) -> Markup:
    return Markup(get_template_attribute("macros/forms.html", "choices")(field, inline=True))
