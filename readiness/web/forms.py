"""WTForms for every page, including the survey forms built at run time from the questionnaire.

Survey and context forms are made from the questionnaire the assessment was created on, so a
new questionnaire version (more items, other options) needs no code change. Statement fields are
named `q_<item id>` and comment fields `comment_<dimension id>`, so no item id can clash with a
form attribute.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Field,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from readiness.core import names
from readiness.core.questionnaire import Questionnaire
from readiness.core.schema import DONT_KNOW, Option
from readiness.models import POPULATION_BANDS, Mode, Municipality, Role, User
from readiness.services.assessments import MAX_CAPACITY, PASSWORD_MIN_LENGTH, exclusive_values
from readiness.services.survey import MAX_PARTICIPANTS

ITEM_PREFIX = "q_"
COMMENT_PREFIX = "comment_"
NAME_MAX = 120
# An assessment date outside these is a typing error (and year 9999 leaves no room for the
# roadmap's dates after it).
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)
# Fewer agencies than this in a round is allowed, but is hardly multi-agency working.
RECOMMENDED_AGENCIES = 3
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def population_labels() -> dict[str, str]:
    """Readable labels of the population bands."""
    return {
        "under_10k": _("Under 10,000 inhabitants"),
        "10k_50k": _("10,000 to 50,000"),
        "50k_100k": _("50,000 to 100,000"),
        "100k_250k": _("100,000 to 250,000"),
        "over_250k": _("Over 250,000"),
    }


def mode_labels() -> dict[str, str]:
    """Readable labels of the assessment modes."""
    return {
        Mode.SURVEY: _("Survey: each agency's practitioners answer through a link"),
        Mode.WORKSHOP: _("Facilitated workshop: you record the answers each agency agreed on"),
        MIXED: _("Mixed: some agencies answer through a link, you record the others in a "
                 "workshop"),
    }


def role_labels() -> dict[str, str]:
    """Readable titles of the roles."""
    return {
        Role.ADMIN: _("Administrator"),
        Role.NATIONAL_COORDINATOR: _("National coordinator"),
        Role.ADVISOR: _("Advisor (mobile team)"),
        Role.MUNICIPALITY_COORDINATOR: _("Municipality coordinator"),
    }


def role_choice_labels() -> dict[str, str]:
    """The roles with what each may do, for choosing one."""
    return {
        Role.ADMIN: _("Administrator: manages users and every municipality"),
        Role.NATIONAL_COORDINATOR: _("National coordinator: reads every municipality and the "
                                     "national dashboard, changes nothing"),
        Role.ADVISOR: _("Advisor (mobile team): works with the municipalities assigned to them"),
        Role.MUNICIPALITY_COORDINATOR: _("Municipality coordinator: works with their own "
                                         "municipality only"),
    }


def municipality_label(municipality: Municipality) -> str:
    """A municipality named so that namesakes differ: name, region and country."""
    where = ", ".join(p for p in (municipality.region, municipality.country) if p)
    return f"{municipality.name} ({where})"


def _no_control_characters(_form: Any, field: Field) -> None:
    if isinstance(field.data, str) and _CONTROL.search(field.data):
        raise ValidationError(_("Remove the invisible control characters from this text"))


def _safe_name(_form: Any, field: Field) -> None:
    """Refuse a name holding control or text-direction characters (`readiness.core.names`)."""
    if isinstance(field.data, str) and names.unsafe_characters(field.data):
        raise ValidationError(_("Remove the invisible control or text-direction characters "
                                "from this name"))


def _one_value(_form: Any, field: Field) -> None:
    if field.raw_data and len(field.raw_data) > 1:
        raise ValidationError(_("Choose only one answer"))


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class IsoDateField(DateField):
    """A date from the browser's date picker (sent as YYYY-MM-DD whatever the local format
    shown), or typed where there is no picker; a typed text that is no date gets an example."""

    def pre_validate(self, form: Any) -> None:
        if self.data is not None and not EARLIEST_DATE <= self.data <= LATEST_DATE:
            raise ValidationError(_("Enter a date from %(first)s to %(last)s",
                                    first=EARLIEST_DATE.isoformat(),
                                    last=LATEST_DATE.isoformat()))

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_("Enter a date, for example 2026-04-01")) from error


class MultiCheckboxField(SelectMultipleField):
    """Several choices shown as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(FlaskForm):
    """Sign in with a username and password."""

    username = StringField(_l("Username"), filters=[_strip],
                           validators=[DataRequired(_l("Enter your username")), Length(max=64),
                                       _no_control_characters, _safe_name])
    password = PasswordField(_l("Password"),
                             validators=[DataRequired(_l("Enter your password")),
                                         Length(max=256)])


class MunicipalityForm(FlaskForm):
    """A new municipality, or corrections to one (`MunicipalityEditForm`)."""

    name = StringField(
        _l("Name of the municipality"), filters=[_strip],
        validators=[DataRequired(_l("Enter the name of the municipality")),
                    Length(max=NAME_MAX, message=_l("Name must be %(max)d characters or fewer")),
                    _safe_name])
    country = StringField(
        _l("Country code"), description=_l("Two letters, for example BE, FR or FI"),
        filters=[_strip, lambda v: v.upper() if isinstance(v, str) else v],
        validators=[DataRequired(_l("Enter the country code")),
                    Regexp(r"^[A-Z]{2}$", message=_l("Enter the country as two letters, like BE"))])
    region = StringField(
        _l("Region (optional)"), filters=[_strip],
        description=_l("Choose a region already in use when it is the same one, so that it is "
                       "written the same way everywhere."),
        validators=[Optional(), Length(max=NAME_MAX,
                                       message=_l("Region must be %(max)d characters or fewer")),
                    _safe_name])
    population_band = RadioField(
        _l("Number of inhabitants"), choices=[SelectChoice(band) for band in POPULATION_BANDS],
        validators=[InputRequired(_l("Choose the number of inhabitants"))])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = population_labels()
        self.population_band.choices = [SelectChoice(band, labels[band])
                                       for band in POPULATION_BANDS]


class MunicipalityEditForm(MunicipalityForm):
    """Corrections to a municipality, carrying the revision they were made on, so a save over
    someone else's newer one is caught instead of silently undoing it."""

    revision = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


MIXED = "mixed"  # a form choice, stored as a survey round with some agencies in a workshop


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


class InvitationForm(FlaskForm):
    """A new link for one agency."""

    agency = SelectField(_l("Agency"), validators=[InputRequired(_l("Choose an agency"))])
    capacity = IntegerField(_l("Sent to how many practitioners?"), validators=[
        InputRequired(_l("Say how many practitioners you will send the link to")),
        NumberRange(1, MAX_CAPACITY, _l("Give a number from %(min)s to %(max)s"))])

    def __init__(self, q: Questionnaire, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency.choices = [SelectChoice(a.id, a.title) for a in q.doc.agencies]


class ClosingDateForm(FlaskForm):
    """Set, move or (left empty) remove a round's closing date."""

    closes_on = IsoDateField(_l("Closing date"), validators=[Optional()])


class CapacityForm(FlaskForm):
    """How many practitioners an existing link was sent to."""

    capacity = IntegerField(_l("Sent to"), validators=[
        InputRequired(_l("Say how many practitioners the link was sent to")),
        NumberRange(1, MAX_CAPACITY, _l("Give a number from %(min)s to %(max)s"))])


def _role_field() -> RadioField:
    return RadioField(_l("Role"), choices=[SelectChoice(r.value) for r in Role],
                      validators=[InputRequired(_l("Choose a role"))])


def _municipality_field() -> SelectField:
    return SelectField(
        _l("Municipality"), default="",
        description=_l("Needed for a municipality coordinator: the municipality they work for. "
                       "For an advisor, a first municipality to work with (optional). Other "
                       "roles see every municipality."))


class _RoleChoices(FlaskForm):
    """Shared by the forms that choose a role and maybe a municipality."""

    role: RadioField
    municipality: SelectField

    def __init__(self, municipalities: Sequence[Municipality], *args: Any,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = role_choice_labels()
        self.role.choices = [SelectChoice(r.value, labels[r]) for r in Role]
        self.municipality.choices = [SelectChoice("", _("None"))] + [
            SelectChoice(m.public_id, municipality_label(m)) for m in municipalities]

    def validate_municipality(self, field: Field) -> None:
        """A municipality coordinator needs their municipality."""
        if self.role.data == Role.MUNICIPALITY_COORDINATOR and not field.data:
            raise ValidationError(_("Choose the municipality this coordinator works for"))


class NewUserForm(_RoleChoices):
    """A new account: username, role and municipality; the password is made, not typed."""

    username = StringField(
        _l("Username"), filters=[_strip],
        description=_l("They sign in with it. Upper and lower case count as the same."),
        validators=[DataRequired(_l("Enter a username")),
                    Length(max=64, message=_l("Username must be %(max)d characters or fewer")),
                    _safe_name])
    role = _role_field()
    municipality = _municipality_field()


class RoleForm(_RoleChoices):
    """Another role for a user, or another municipality for a coordinator; it carries the role
    and municipality it was opened on, so a save over someone else's newer change is caught."""

    role = _role_field()
    municipality = _municipality_field()
    was_role = StringField(widget=HiddenInput())
    was_municipality = StringField(widget=HiddenInput())


class AssignForm(FlaskForm):
    """One more municipality for an advisor."""

    assign_to = SelectField(_l("Municipality to assign"), default="",
                            validators=[DataRequired(_l("Choose a municipality to assign"))])

    def __init__(self, municipalities: Sequence[Municipality], *args: Any,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.assign_to.choices = [SelectChoice("", _("Choose a municipality"))] + [
            SelectChoice(m.public_id, municipality_label(m)) for m in municipalities]


class NewTokenForm(FlaskForm):
    """Who a new API token is for, and a name saying what it is used for."""

    holder = SelectField(_l("For"), default="",
                         validators=[DataRequired(_l("Choose who the token is for"))])
    name = StringField(_l("What it is for (optional)"),
                       description=_l("For example the tool or report that will use it."),
                       validators=[Length(max=120, message=_l("Use at most 120 characters")),
                                   _safe_name])

    def __init__(self, holders: Sequence[User], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.holder.choices = [SelectChoice("", _("Choose a user"))] + [
            SelectChoice(u.public_id, u.username) for u in holders]


class PasswordChangeForm(FlaskForm):
    """The signed-in user's new password, typed twice, after their current one."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password")), Length(max=256)])
    new_password = PasswordField(
        _l("New password"),
        description=_l("At least %(min)d characters. A few unrelated words are easy to remember "
                       "and hard to guess.", min=PASSWORD_MIN_LENGTH),
        validators=[DataRequired(_l("Enter a new password")),
                    Length(min=PASSWORD_MIN_LENGTH, max=256,
                           message=_l("The new password needs %(min)d to %(max)d characters"))])
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[DataRequired(_l("Enter the new password again")),
                    EqualTo("new_password", _l("The two new passwords are not the same"))])


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token is posted."""


class ResumeForm(FlaskForm):
    """A resume code typed to continue a survey response begun in another browser."""

    code = StringField(
        _l("Your resume code"), filters=[_strip],
        description=_l("The code shown at the top of the survey pages where you began, such "
                       "as ABCDE-23456."),
        validators=[DataRequired(_l("Enter your resume code")), Length(max=40)])


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
                        _no_control_characters])
    attrs["survey_fields"] = tuple(attrs)  # not a field: WTForms binds only fields
    return type("SurveyForm", (FlaskForm,), attrs)


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


def statement_fields(form: FlaskForm) -> Iterable[Field]:
    """The statement fields of a survey form."""
    return (field for field in form if field.name.startswith(ITEM_PREFIX))


def given_answers(fields: Iterable[Field]) -> dict[str, str]:
    """{item id: value} of the statement fields answered with a valid value."""
    return {field.name.removeprefix(ITEM_PREFIX): field.data for field in fields
            if field.data and not field.errors}


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


class JoinForm(FlaskForm):
    """The join code printed on an invitation, typed at /j (a GET form: it changes nothing but
    the wrong-code count, and needs no session)."""

    class Meta:
        csrf = False

    code = StringField(
        _l("Code from your invitation"), filters=[_strip],
        description=_l("Eight letters and digits, as printed on your invitation, such as "
                       "ABCD-EFGH."),
        validators=[DataRequired(_l("Enter the code from your invitation")), Length(max=40)])


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
