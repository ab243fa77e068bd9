"""WTForms for every page, including the survey forms built at run time from the questionnaire.

Survey and context forms are made from the questionnaire the assessment was created on, so a
new questionnaire version (more items, other options) needs no code change. Statement fields are
named `q_<item id>` and comment fields `comment_<dimension id>`, so no item id can clash with a
form attribute.

One module per kind of page: `accounts`, `municipalities`, `rounds`, `links`, `confirmations`,
`codes` (join and resume codes), `survey`, `context`, `ratings`; with the `fields` and `labels`
they share. Every public name is importable from this package.
"""

from wtforms import SelectField

from readiness.web.forms.accounts import (
    AssignForm,
    LoginForm,
    NewTokenForm,
    NewUserForm,
    PasswordChangeForm,
    RoleForm,
)
from readiness.web.forms.codes import JoinForm, ResumeForm
from readiness.web.forms.confirmations import (
    CancelForm,
    ConfirmForm,
    DeleteByNameForm,
    DeleteUserForm,
)
from readiness.web.forms.context import context_form
from readiness.web.forms.fields import (
    EARLIEST_DATE,
    LATEST_DATE,
    NAME_MAX,
    IsoDateField,
    MultiCheckboxField,
    safe_text,
)
from readiness.web.forms.labels import (
    MIXED,
    mode_labels,
    municipality_label,
    population_labels,
    role_choice_labels,
    role_labels,
)
from readiness.web.forms.links import ALL_LINKS, CapacityForm, InvitationForm, InvitationMailForm
from readiness.web.forms.municipalities import MunicipalityEditForm, MunicipalityForm
from readiness.web.forms.ratings import RATING_PREFIX, given_ratings, rating_field, rating_values
from readiness.web.forms.rounds import RECOMMENDED_AGENCIES, AssessmentForm, ClosingDateForm
from readiness.web.forms.survey import (
    COMMENT_PREFIX,
    ITEM_PREFIX,
    comment_field,
    given_answers,
    item_field,
    statement_fields,
    survey_form,
    survey_form_class,
    survey_form_data,
)

__all__ = [
    "ALL_LINKS",
    "AssessmentForm",
    "AssignForm",
    "COMMENT_PREFIX",
    "CancelForm",
    "CapacityForm",
    "ClosingDateForm",
    "ConfirmForm",
    "DeleteByNameForm",
    "DeleteUserForm",
    "EARLIEST_DATE",
    "ITEM_PREFIX",
    "InvitationForm",
    "InvitationMailForm",
    "IsoDateField",
    "JoinForm",
    "LATEST_DATE",
    "LoginForm",
    "MIXED",
    "MultiCheckboxField",
    "MunicipalityEditForm",
    "MunicipalityForm",
    "NAME_MAX",
    "NewTokenForm",
    "NewUserForm",
    "PasswordChangeForm",
    "RATING_PREFIX",
    "RECOMMENDED_AGENCIES",
    "ResumeForm",
    "RoleForm",
    "SelectField",
    "comment_field",
    "context_form",
    "given_answers",
    "given_ratings",
    "item_field",
    "mode_labels",
    "municipality_label",
    "population_labels",
    "rating_field",
    "rating_values",
    "role_choice_labels",
    "role_labels",
    "safe_text",
    "statement_fields",
    "survey_form",
    "survey_form_class",
    "survey_form_data",
]
