"""A workshop's participants' ratings of each statement, given before agreeing."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _

from readiness.core.questionnaire import Questionnaire
from readiness.core.schema import DONT_KNOW
from readiness.services.survey import MAX_PARTICIPANTS

RATING_PREFIX = "rate-"  # item and option ids hold no hyphen, so these names cannot clash


def rating_field(item_id: str, value: str) -> str:
    """The form field name of the number of participants who rated a statement `value`."""
    return f"{RATING_PREFIX}{item_id}-{value}"


def rating_values(q: Questionnaire, item_id: str) -> list[tuple[str, str]]:
    """(value, label) of the ratings a participant may give a statement, don't know last."""
    return [(o.value, o.label) for o in q.options(item_id)] + [(DONT_KNOW, _("Don't know"))]


def given_ratings(q: Questionnaire, item_ids: Iterable[str], formdata: Any
                  ) -> tuple[dict[str, dict[str, int]], list[str]]:
    """({item id: {value: participants}}, errors) of the rating fields posted: a statement
    whose fields were posted is named (all empty: its ratings are cleared); a count that is no
    whole number from 0 to 200 is an error naming the statement."""
    ratings: dict[str, dict[str, int]] = {}
    errors: list[str] = []
    for number, item_id in enumerate(item_ids, start=1):
        names = [(v, rating_field(item_id, v)) for v, _label in rating_values(q, item_id)]
        if not any(name in formdata for _v, name in names):
            continue
        texts = {value: str(formdata.get(name, "")).strip() for value, name in names}
        given = {value: text for value, text in texts.items() if text}
        if all(t.isdigit() and int(t) <= MAX_PARTICIPANTS for t in given.values()):
            ratings[item_id] = {value: int(text) for value, text in given.items()}
        else:
            errors.append(_("Statement %(number)d: give the number of participants as a whole "
                            "number from 0 to %(max)d", number=number, max=MAX_PARTICIPANTS))
    return ratings, errors
