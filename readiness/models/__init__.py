"""The database tables as typed SQLAlchemy 2.0 models. No domain logic lives here.

The vocabularies (`Role`, `Mode`, `Status`, `InvitationState`, `ResponseStatus`,
`POPULATION_BANDS`) live in `readiness.vocabulary` and are importable from here too.

Model and field names, for code that builds on them (dashboard, reports, API):

- `User`: public_id, username (lower case), password_hash, role (a `Role`), municipality_id (the
  own municipality of a municipality coordinator, else None), active, must_change_password
  (holding a one-time password), created_at, display_name and organisation (blank: not given),
  email (optional, for a self-service password reset), revision (+1 on every change);
  `assigned`: the municipalities an advisor was assigned or created (table `advisor_assignment`).
- `Municipality`: public_id, name, country (ISO 3166 alpha-2), region, population_band (a
  `POPULATION_BANDS` id), created_at, revision (+1 on every update); `assessments` ordered by round.
- `Assessment`: public_id, municipality_id, round (1, 2, ... per municipality), conducted_on
  (date), mode (`Mode.SURVEY` or `Mode.WORKSHOP`), status (`Status.OPEN` / `Status.CLOSED`),
  questionnaire_id, questionnaire_version, questionnaire_hash, agencies (the questionnaire agency
  ids taking part, in questionnaire order), context ({context item id: [option values]} answered
  by the organisers), workshop_agencies (the agencies recorded in a workshop: all of a workshop
  round's, some of a mixed round's, whose mode stays `Mode.SURVEY`), created_at, created_by_id,
  closed_at; `invitations`,
  `responses`, `scores`, `result`.
- `Invitation`: public_id, assessment_id, agency (questionnaire agency id), token_hash (SHA-256 of
  the link's token; the token itself is never stored), state (`InvitationState`), created_at,
  revoked_at. Several practitioners of the agency may use one link.
- `Response`: one respondent's (or, in workshop mode, one agency's agreed) answers, with no
  personal data: public_id, assessment_id, invitation_id (None in workshop mode), agency,
  resume_hash (SHA-256 of the respondent's browser secret; None in workshop mode),
  resume_code_hash (SHA-256 of the short code that continues it in another browser), status
  (`ResponseStatus`), answers ({item id: option value or "dont_know"}), comments ({dimension id:
  text}), ratings (workshop only: {item id: {option value: participants}} before agreeing),
  created_at, updated_at, submitted_at (the day only, as UTC midnight). Only submitted
  responses are scored.
- `Score`: stored when an assessment is closed, one row per assessment x dimension: dimension,
  score (0..100 or None for insufficient data), level, answered_share, dont_know_share, spread,
  divergent. Aggregation reads these, never raw answers.
- `AssessmentResult`: one row per closed assessment: computed_at, respondents, overall, stage,
  result (`scoring.result_to_dict`), roadmap (`roadmap.roadmap_to_dict`), retained (None, or
  what `services.retention` kept when it removed the round's responses).
- `AuditEvent`: who did, viewed or exported what, without the content: at, user_id, action,
  object_type, object_id (a public id), municipality_id, actor (the username then), source
  (web, api, cli), address (the client's), detail (a short non-personal note). Append-only.
- `LoginThrottle`: failed-login counters per hashed (username, address) and per hashed address.
- `AssessmentFinding`: the barriers and facilitators a closed assessment found, one row each
  (assessment_id, kind `barrier`/`facilitator`, finding id), so national views count them in SQL.
- `PlanAction`: a tracked roadmap action of a municipality's plan (made when a round closes):
  public_id, municipality_id, assessment_id (the round that proposed it), action (library id),
  title, dimension, family, phase, due_on, lead and partners (agency ids), contact_role (a role,
  never a person), status (`ActionStatus`), drop_reason, notes, links (http/https URLs),
  created_at, updated_at; `events`: its history.
- `PlanEvent`: who changed which field of a tracked action, when, from what to what.
- `ShareLink`: a read-only link for partners to one closed round's results and the plan:
  public_id, assessment_id, token_hash (SHA-256; the token is shown once), created_at,
  created_by_id, expires_at, revoked_at.
- `ApiToken`: a user's token for the read-only API: public_id, user_id, name, token_hash (SHA-256;
  the token is shown once), created_at, last_used_at, revoked_at.
- `PasswordReset`: a self-service password reset by e-mail: user_id, token_hash (SHA-256),
  created_at, expires_at, used_at (single use).
- `UserSession`: a signed-in browser: public_id, key_hash (SHA-256 of the cookie's random key),
  user_id, created_at, last_seen_at, expires_at, user_agent (shortened, to recognise it).
"""

from readiness.models.audit import AuditEvent
from readiness.models.base import NAMING_CONVENTION, Base, UTCDateTime, day_stamp
from readiness.models.credentials import ApiToken, PasswordReset, UserSession
from readiness.models.people import User, advisor_assignment
from readiness.models.plans import PlanAction, PlanEvent, ShareLink
from readiness.models.rounds import (
    Assessment,
    AssessmentFinding,
    AssessmentResult,
    Invitation,
    Municipality,
    Response,
    Score,
)
from readiness.models.throttle import LoginThrottle
from readiness.vocabulary import (
    POPULATION_BANDS,
    ActionStatus,
    InvitationState,
    Mode,
    ResponseStatus,
    Role,
    Status,
)

__all__ = [
    "ActionStatus",
    "ApiToken",
    "Assessment",
    "AssessmentFinding",
    "AssessmentResult",
    "AuditEvent",
    "Base",
    "Invitation",
    "InvitationState",
    "LoginThrottle",
    "Mode",
    "Municipality",
    "NAMING_CONVENTION",
    "POPULATION_BANDS",
    "PasswordReset",
    "PlanAction",
    "PlanEvent",
    "Response",
    "ResponseStatus",
    "Role",
    "Score",
    "ShareLink",
    "Status",
    "UTCDateTime",
    "User",
    "UserSession",
    "advisor_assignment",
    "day_stamp",
]
