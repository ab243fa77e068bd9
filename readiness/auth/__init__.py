"""Sign-in, roles and every access check, in one place.

Who sees what:
- admin: every municipality, and may manage all of them;
- national coordinator: reads every municipality, manages none;
- advisor (mobile team): reads and manages the municipalities assigned to them or created by them;
- municipality coordinator: reads and manages their own municipality only;
- tracked plan actions and share links follow their municipality: managers edit, viewers read;
  a share link's holder reads one round's results and the plan without an account;
- only admins open the Users area (accounts, roles, advisors' municipalities, API tokens).

Objects a user may not see answer 404, as if they did not exist; objects a user may see but not
change answer 403. Views load municipalities, assessments and invitations only through the
`load_*` functions here.
"""

from readiness.auth.loaders import (
    load_assessment,
    load_invitation,
    load_municipality,
    load_plan_action,
    load_share_link,
)
from readiness.auth.permissions import (
    Access,
    can,
    can_create_municipality,
    can_delete_municipality,
    can_delete_round,
    can_manage_users,
    can_see_national,
    init_app,
    municipality_filter,
    require_national,
    require_user_manager,
)
from readiness.auth.sessions import (
    PASSWORD_CHANGE_ENDPOINTS,
    current_session,
    current_user,
    login_required,
    login_user,
    logout_user,
    require_user,
    safe_next,
    session_stamp,
)
from readiness.auth.signin import SignIn, authenticate
from readiness.auth.throttles import (
    count_join_failure,
    count_resume_failure,
    invitation_mail_allowed,
    join_code_allowed,
    password_reset_allowed,
    survey_resume_allowed,
    survey_start_allowed,
)

__all__ = [
    "Access",
    "PASSWORD_CHANGE_ENDPOINTS",
    "SignIn",
    "authenticate",
    "can",
    "can_create_municipality",
    "can_delete_municipality",
    "can_delete_round",
    "can_manage_users",
    "can_see_national",
    "count_join_failure",
    "count_resume_failure",
    "current_session",
    "current_user",
    "init_app",
    "invitation_mail_allowed",
    "join_code_allowed",
    "load_assessment",
    "load_invitation",
    "load_municipality",
    "load_plan_action",
    "load_share_link",
    "login_required",
    "login_user",
    "logout_user",
    "municipality_filter",
    "password_reset_allowed",
    "require_national",
    "require_user",
    "require_user_manager",
    "safe_next",
    "session_stamp",
    "survey_resume_allowed",
    "survey_start_allowed",
]
