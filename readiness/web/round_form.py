"""The new-round form: the assessment form plus, per agency, how many practitioners its link is
sent to (the link's stated size, as the "Create another link" form asks).

Required for every agency answering through a link: a link without a size takes and counts
every response sent through it, which is what lets an organiser pad an agency past the group
threshold; a stated size caps the link and is published beside the agency's respondents.
Agencies not taking part, or recorded in the workshop, get no link, so their box is ignored.
A municipality's next round starts filled in as its last was run (`fill_from`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field, IntegerField
from wtforms.fields.core import Label
from wtforms.validators import NumberRange, Optional

from readiness.core.questionnaire import Questionnaire
from readiness.models import Assessment, Mode
from readiness.services.assessments import MAX_CAPACITY
from readiness.web.forms import AssessmentForm
from readiness.web.forms.labels import MIXED

SIZE_PREFIX = "size_"


def size_field(agency: str) -> str:
    """The name of the form field holding an agency's link size."""
    return SIZE_PREFIX + agency


class _NewRoundForm(AssessmentForm):
    """An assessment form with a link-size field per agency (added by `new_round_form`)."""

    def __init__(self, q: Questionnaire, *args: Any, **kwargs: Any) -> None:
        super().__init__(q, *args, **kwargs)
        self.q = q
        self.filled_from: int | None = None  # the round `fill_from` copied, if any
        for agency in q.doc.agencies:  # labelled in the reader's language, per agency
            field = self.size_fields_by_agency()[agency.id]
            field.label = Label(field.id, agency.title)

    def size_fields_by_agency(self) -> dict[str, Field]:
        """{agency id: its link-size field}, in questionnaire order."""
        return {name.removeprefix(SIZE_PREFIX): field for name, field in self._fields.items()
                if name.startswith(SIZE_PREFIX)}

    def linked_agencies(self) -> list[str]:
        """The chosen agencies that answer through a link (not recorded in the workshop)."""
        mode, in_workshop = self.chosen()
        if mode != Mode.SURVEY:
            return []
        return [a for a in self.agencies.data or [] if a not in in_workshop]

    def sizes(self) -> dict[str, int]:
        """{agency: practitioners its link is sent to} for the agencies that get a link."""
        fields = self.size_fields_by_agency()
        return {agency: fields[agency].data for agency in self.linked_agencies()
                if agency in fields and fields[agency].data is not None}

    def fill_from(self, previous: Assessment, sizes: Mapping[str, int]) -> None:
        """Fill the form as the municipality's previous round was run, for the organiser to
        change: its agencies, how answers were collected (which agencies were recorded in the
        workshop) and each link's size (`sizes`, from `link_places.stated_sizes`)."""
        known = {a.id for a in self.q.doc.agencies}
        self.agencies.data = [a for a in previous.agencies if a in known]
        in_workshop = [a for a in previous.workshop_agencies if a in known]
        if previous.mode == Mode.WORKSHOP:
            self.mode.data = Mode.WORKSHOP
        elif in_workshop:
            self.mode.data, self.in_workshop.data = MIXED, in_workshop
        else:
            self.mode.data = Mode.SURVEY
        fields = self.size_fields_by_agency()
        for agency, size in sizes.items():
            if agency in fields and agency not in in_workshop:
                fields[agency].data = size
        self.filled_from = previous.round

    def validate(self, extra_validators: Any = None) -> bool:
        """The usual checks, and a size for every agency answering through a link."""
        valid = super().validate(extra_validators)
        fields = self.size_fields_by_agency()
        for agency in self.linked_agencies():
            field = fields.get(agency)
            if field is not None and field.data is None and not field.errors:
                field.errors = [_("Say how many practitioners you will send the link for "
                                  "%(agency)s to", agency=field.label.text)]
                valid = False
        return valid


_FORM_CLASSES: dict[tuple[str, ...], type[_NewRoundForm]] = {}


def new_round_form(q: Questionnaire, *args: Any, **kwargs: Any) -> _NewRoundForm:
    """The new-round form for this questionnaire's agencies (its class made once and kept)."""
    key = tuple(a.id for a in q.doc.agencies)
    form_class = _FORM_CLASSES.get(key)
    if form_class is None:
        fields = {size_field(agency): IntegerField(agency, validators=[
            Optional(), NumberRange(1, MAX_CAPACITY, _l("Give a number from %(min)s to %(max)s"))])
            for agency in key}
        form_class = _FORM_CLASSES[key] = type("NewRoundForm", (_NewRoundForm,), fields)
    form = form_class(q, *args, **kwargs)
    assert isinstance(form, _NewRoundForm)
    return form
