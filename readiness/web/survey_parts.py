"""Compiled parts of a survey page: a statement's answer choices, rendered once and kept.

A question page is mostly its statements' radio groups, and without an error message a radio
group's HTML depends only on the form class (questionnaire version, language and page: see
`forms.survey_form_class`), the statement and the answer chosen. So it is rendered by the same
`choices` macro as every other radio group the first time and kept; a statement with an error
is rendered afresh every time.

A page shown afresh (GET: no errors, nothing posted) needs nothing else of its form but the
comment box's label and id, so once its parts are kept it is shown without building a form:
`kept_page` gives the statements' HTML and a `CommentBox` the `textarea` macro reads like the
comment field. Anything not kept yet, or an answer that is no plain value, builds the form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import get_template_attribute
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import Field
from wtforms.fields import Label

_PARTS: dict[tuple[type[Any], str, str | None], Markup] = {}
_BOXES: dict[tuple[type[Any], str], tuple[str, str, Label]] = {}
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


@dataclass(frozen=True)
class CommentBox:
    """A page's comment box with no error, as the `textarea` macro reads the comment field."""

    id: str
    name: str
    label: Label
    data: str | None
    errors: tuple[str, ...] = ()

    def _value(self) -> str:
        """The comment as the field shows it."""
        return str(self.data) if self.data is not None else ""


def page_parts(form: FlaskForm, statements: Sequence[str], comment: str
               ) -> tuple[list[Markup], Field]:
    """The statements' HTML and the comment field of a built form; keeps the comment box's
    label and id for `kept_page`."""
    field = form[comment]
    if len(_BOXES) >= _PARTS_MAX:
        _BOXES.clear()
    _BOXES.setdefault((type(form), comment), (field.id, field.name, field.label))
    return [statement_html(form, form[name]) for name in statements], field


def kept_page(form_class: type[FlaskForm], statements: Sequence[str], comment: str,
              data: Mapping[str, Any], build: Callable[[], FlaskForm]
              ) -> tuple[list[Markup], Field | CommentBox]:
    """What `page_parts` gives for a form of `form_class` holding `data` (field name: value)
    with no errors, from what was kept; the form is built (`build`) only when something is
    not kept yet or an answer is no plain value."""
    box = _BOXES.get((form_class, comment))
    parts = [_PARTS.get((form_class, name, data.get(name))) for name in statements]
    text = data.get(comment)
    plain = all(data.get(name) is None or isinstance(data.get(name), str) for name in statements)
    if box is None or not plain or any(part is None for part in parts):
        return page_parts(build(), statements, comment)
    # as the field's filter leaves it (forms._strip)
    return [part for part in parts if part is not None], CommentBox(
        *box, data=text.strip() if isinstance(text, str) else text)
