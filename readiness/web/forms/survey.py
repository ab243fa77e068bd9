"""The survey forms, built at run time from the questionnaire, and their answers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import Field, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from readiness.core.questionnaire import Questionnaire
from readiness.core.schema import DONT_KNOW
from readiness.web.forms.fields import _one_value, _strip, safe_text

ITEM_PREFIX = "q_"
COMMENT_PREFIX = "comment_"


def item_field(item_id: str) -> str:
    """The form field name of a statement."""
    return ITEM_PREFIX + item_id


def comment_field(dimension_id: str) -> str:
    """The form field name of a page's comment."""
    return COMMENT_PREFIX + dimension_id


def survey_form(q: Questionnaire, dimensions: Sequence[str], comment_max: int,
                formdata: Any = None, answers: dict[str, Any] | None = None,
                comments: dict[str, Any] | None = None, required: bool = True) -> FlaskForm:
    """A form for the statements of `dimensions`, each with don't know, and a comment each.

    Statements are numbered in the form. Every statement needs an answer ("don't know" is one)
    unless not `required` (a workshop saved part by part); comments are optional and capped.
    The form class is built once per questionnaire version, language and page (see
    `survey_form_class`); only the instance, with this request's data, is new.
    """
    form_class = survey_form_class(q, tuple(dimensions), comment_max, required)
    form: FlaskForm = form_class(formdata=formdata,
                                 data=survey_form_data(form_class, answers, comments))
    return form


def survey_form_data(form_class: type[FlaskForm], answers: dict[str, Any] | None,
                     comments: dict[str, Any] | None) -> dict[str, Any]:
    """{field name: value} of a survey form holding these answers and comments, with every
    field of the form named (None: no answer yet)."""
    # WTForms finds a field's default (None here) by calling it and catching the TypeError,
    # which was a third of building the form: naming every field spares that
    data: dict[str, Any] = dict.fromkeys(form_class.survey_fields)
    data.update({item_field(k): v for k, v in (answers or {}).items()})
    data.update({comment_field(k): v for k, v in (comments or {}).items()})
    return data


_FORM_CLASSES: dict[tuple[Any, ...], type[FlaskForm]] = {}
_FORM_CLASSES_MAX = 512


def survey_form_class(q: Questionnaire, dimensions: tuple[str, ...], comment_max: int,
                      required: bool) -> type[FlaskForm]:
    """The survey form class of these pages, made once and kept.

    Everything in it depends only on the key: the questionnaire (id, version and the hash of
    all its language files), the language of its texts and of the page's messages (which can
    differ when a page asks for ?lang=), the pages, the comment cap and whether answers are
    required. A questionnaire edited on disk has another hash, so never gets a stale class.
    """
    key = (q.id, q.version, q.full_hash, q.language, str(get_locale()), dimensions,
           comment_max, required)
    form_class = _FORM_CLASSES.get(key)
    if form_class is None:
        if len(_FORM_CLASSES) >= _FORM_CLASSES_MAX:
            _FORM_CLASSES.clear()
        form_class = _FORM_CLASSES[key] = _build_survey_form_class(q, dimensions, comment_max,
                                                                   required)
    return form_class


def _build_survey_form_class(q: Questionnaire, dimensions: tuple[str, ...], comment_max: int,
                             required: bool) -> type[FlaskForm]:
    attrs: dict[str, Any] = {}
    number = 0
    for dimension in dimensions:
        for item in q.items_of(dimension):
            number += 1
            choices = [SelectChoice(o.value, o.label) for o in q.options(item)]
            choices.append(SelectChoice(DONT_KNOW, _("Don't know")))
            attrs[item_field(item.id)] = RadioField(
                f"{number}. {item.text}", choices=choices, description=item.help or "",
                invalid_choice_message=_("Statement %(number)d: choose one of the answers shown",
                                         number=number),
                validators=[InputRequired(_("Statement %(number)d: choose an answer, or Don't "
                                            "know", number=number)) if required else Optional(),
                            _one_value])
        title = next(d.title for d in q.doc.dimensions if d.id == dimension)
        attrs[comment_field(dimension)] = TextAreaField(
            _("Comment on %(dimension)s (optional)", dimension=title.lower()), filters=[_strip],
            validators=[Optional(), Length(max=comment_max, message=_(
                "Comment must be %(max)d characters or fewer", max=comment_max)),
                        safe_text])
    attrs["survey_fields"] = tuple(attrs)  # not a field: WTForms binds only fields
    return type("SurveyForm", (FlaskForm,), attrs)


def statement_fields(form: FlaskForm) -> Iterable[Field]:
    """The statement fields of a survey form."""
    return (field for field in form if field.name.startswith(ITEM_PREFIX))


def given_answers(fields: Iterable[Field]) -> dict[str, str]:
    """{item id: value} of the statement fields answered with a valid value."""
    return {field.name.removeprefix(ITEM_PREFIX): field.data for field in fields
            if field.data and not field.errors}
