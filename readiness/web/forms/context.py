"""The form of a round's context questions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import Field, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from readiness.core.questionnaire import Questionnaire
from readiness.core.schema import Option
from readiness.services.assessments import exclusive_values
from readiness.web.forms.fields import MultiCheckboxField
from readiness.web.forms.survey import item_field


def context_form(q: Questionnaire, context: dict[str, Any], formdata: Any = None) -> FlaskForm:
    """A form for the context questions (not scored; they tailor the roadmap). All optional."""
    attrs: dict[str, Any] = {}
    for item in q.doc.context:
        choices = [SelectChoice(o.value, o.label) for o in q.options(item)]
        field_class = MultiCheckboxField if item.multiple else RadioField
        validators: list[Any] = [Optional()]
        exclusive = [o for o in q.options(item) if o.value in exclusive_values(q, item)]
        if exclusive:
            validators.append(_alone(exclusive))
        attrs[item_field(item.id)] = field_class(
            item.text, choices=choices, description=item.help or "", validators=validators,
            invalid_choice_message=_("Choose one of the answers shown"))
    form_class = type("ContextForm", (FlaskForm,), attrs)
    data: dict[str, Any] = {}
    for item in q.doc.context:
        values = list(context.get(item.id, ()))
        data[item_field(item.id)] = values if item.multiple else (values[0] if values else None)
    form: FlaskForm = form_class(formdata=formdata, data=data)
    return form


def _alone(exclusive: Sequence[Option]) -> Any:
    """A validator: an answer like "None that I know of" cannot go with any other answer."""

    def check(_form: Any, field: Field) -> None:
        chosen = set(field.data or ())
        for option in exclusive:
            if option.value in chosen and len(chosen) > 1:
                raise ValidationError(_("“%(answer)s” cannot be chosen together with other "
                                        "answers: untick it, or untick the others",
                                        answer=option.label))

    return check
