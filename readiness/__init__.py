"""MAW Readiness: how ready a municipality is for multi-agency working, and what to do next.

`create_app` builds the web app: defaults, then environment variables READINESS_* (for example
READINESS_DATABASE_URL, READINESS_SECRET_KEY), then the `test_config` mapping. Configuration is
read here, at start, never at import; Flask itself is imported only when an app is built.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readiness.resources import resource_dir

if TYPE_CHECKING:  # Flask is imported when an app is built, so the pure CLI starts quickly
    from flask import Flask

DEFAULTS: dict[str, Any] = {
    "SECRET_KEY": None,  # required outside debug and testing (or SECRET_KEY_FILE)
    "SECRET_KEY_FILE": None,  # a file holding the key, made on first start (instance-relative)
    "DATABASE_URL": None,  # None: SQLite file readiness.sqlite in the instance folder
    "SQLITE_BUSY_TIMEOUT_MS": 10_000,
    "SQL_ECHO": False,
    "SESSION_COOKIE_NAME": "readiness_session",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,  # set True behind TLS
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
    "WTF_CSRF_TIME_LIMIT": 3600,
    "MAX_CONTENT_LENGTH": 128 * 1024,  # the longest survey page is far below this
    "MAX_FORM_PARTS": 400,
    "BABEL_DEFAULT_LOCALE": "en",
    "LANGUAGES": ["en", "nl", "fr", "de"],  # codes with a catalogue in readiness/translations
    "PASSWORD_HASH_METHOD": "scrypt",
    # Sign-in throttling (readiness.auth.authenticate): an account's failures from any address
    # start a back-off at LOGIN_MAX_FAILURES (LOGIN_BACKOFF_SECONDS, doubling, at most the
    # window); an address past its limit may only try accounts without recent failures; a
    # browser that signed in to an account before counts only its own failures.
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_BACKOFF_SECONDS": 30,
    "LOGIN_MAX_FAILURES_PER_ADDRESS": 20,
    "LOGIN_WINDOW_SECONDS": 15 * 60,
    # survey starts per address: a team behind one office address fits; hundreds do not
    "SURVEY_STARTS_PER_ADDRESS": 30,
    "SURVEY_START_WINDOW_SECONDS": 60 * 60,
    # wrong resume codes ("Continue with a code") within that window, per address and per link
    "SURVEY_RESUME_FAILURES_PER_ADDRESS": 10,
    "SURVEY_RESUME_FAILURES_PER_LINK": 50,
    # wrong join codes (the short address /j on the invitation pack) per address and window
    "JOIN_CODE_FAILURES_PER_ADDRESS": 10,
    "LOGIN_DEVICE_COOKIE_DAYS": 180,
    "SURVEY_COOKIE_DAYS": 30,  # a respondent's browser resumes their answers this long
    "COMMENT_MAX_LENGTH": 2000,
    "PUBLIC_BASE_URL": None,  # e.g. https://maw.example.gov: the address in invitation links
    # Host names the app answers to (Flask refuses others with 400), e.g. ["maw.example.gov"];
    # outside debug and testing one of PUBLIC_BASE_URL and TRUSTED_HOSTS must be set, so a
    # forged Host header never reaches an invitation link
    "TRUSTED_HOSTS": None,
    "PROXY_FIX": 0,  # trusted reverse proxies in front of the app (X-Forwarded-* headers)
    "REPORT_TIMEOUT": 60.0,  # seconds one roadmap PDF may take to render for a download
    "MIN_CELL": 5,  # national breakdowns show no group of fewer municipalities than this
    # Background tasks (readiness.tasks): None = a SQLite queue in the instance folder;
    # redis://host:6379/0 for several app servers. Workers default to one per core.
    "TASK_QUEUE_URL": None,
    "TASK_IMMEDIATE": None,  # run tasks at once, in the request (None: only when testing)
    "TASK_WORKERS": None,
    "RENDER_ON_CLOSE": None,  # queue the roadmap PDF when a round closes (None: not in testing)
    # queue working out the national dashboard's first page when a round closes or a
    # municipality is added or edited (None: not in testing), so nobody waits for it
    "WARM_NATIONAL": None,
    "AUDIT_RETENTION_DAYS": None,  # `readiness audit --purge` removes older events; None keeps all
    # `readiness retention apply` removes the responses (comments, answers as records) of rounds
    # closed longer ago than this; their results, roadmap and PDF stay. None: kept until a round
    # is deleted. Off by default: how long is each data controller's own rule to set, and the
    # privacy notice states the number once it is set.
    "RETENTION_RESPONSES_DAYS": None,
    "REPORT_CACHE_MAX_MB": 512,  # rendered roadmaps kept in the instance folder, LRU beyond
    "REPORT_CACHE_MAX_AGE_DAYS": 90,  # a kept PDF unused this long is removed
    # The national dashboard's frames kept in the instance folder (signed with SECRET_KEY), so
    # the first dashboard after a restart does not read every stored score again.
    "NATIONAL_FRAMES_CACHE": True,
    # A legal profile (questionnaires/legal/profiles) last checked longer ago than this is
    # flagged on the national dashboard, so the national coordinator has it re-checked.
    "LEGAL_PROFILE_MAX_AGE_DAYS": 365,
    # The privacy notice on the survey start page (GDPR Art. 13), plain text. Where one is None
    # or blank, the page says the organisation that sent the link is responsible, or to ask it.
    "PRIVACY_CONTROLLER": None,  # the organisation responsible for the answers
    "PRIVACY_CONTACT": None,  # e-mail (shown as a link) or address for questions, e.g. the DPO
    "PRIVACY_RETENTION": None,  # how long answers are kept, e.g. "two years after the round"
    "PRIVACY_NOTICE_URL": None,  # the full privacy notice: an http(s) address, else not shown
    # An e-mail server (readiness.services.mailer). Without MAIL_SERVER nothing is sent and the
    # self-service password reset is hidden (its pages answer 404).
    "MAIL_SERVER": None,  # e.g. smtp.example.gov
    "MAIL_PORT": 25,  # 587 with MAIL_USE_TLS for most providers
    "MAIL_USE_TLS": False,  # STARTTLS before signing in
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_FROM": None,  # the sender address; None: readiness@MAIL_SERVER
    # invitation links sent by e-mail from a round's links page: addresses per send, and
    # messages per organiser within the window (the addresses are never stored)
    "INVITATION_MAIL_MAX_ADDRESSES": 200,
    "INVITATION_MAIL_PER_USER": 400,
    "INVITATION_MAIL_WINDOW_SECONDS": 60 * 60,
    # a reset link works once, this long; requests are throttled per address and per e-mail
    "PASSWORD_RESET_MINUTES": 30,
    "PASSWORD_RESET_REQUESTS_PER_ADDRESS": 5,
    "PASSWORD_RESET_REQUESTS_PER_ACCOUNT": 3,
    "PASSWORD_RESET_WINDOW_SECONDS": 60 * 60,
    # The zone a round's closing date is read in (an IANA name, e.g. Europe/Brussels): its
    # links take answers until the end of that day there. UTC unless set.
    "TIMEZONE": "UTC",
}


class ConfigError(RuntimeError):
    """The app cannot start with this configuration."""


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the web app: defaults, then READINESS_* environment variables, then `test_config`."""
    from flask import Flask

    overrides = dict(test_config or {})
    instance_path = overrides.pop("INSTANCE_PATH", None) or os.environ.get(
        "READINESS_INSTANCE_PATH")
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True,
                template_folder=str(resource_dir("templates")))
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env(prefix="READINESS")
    app.config.from_mapping(overrides)
    _finish_config(app)

    from readiness import auth, db, i18n, tasks, web

    db.init_app(app)
    tasks.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    web.init_app(app)
    from readiness.web.links import trust_proxies

    trust_proxies(app)
    return app


def _finish_config(app: Flask) -> None:
    if not app.config["SECRET_KEY"] and app.config["SECRET_KEY_FILE"]:
        app.config["SECRET_KEY"] = _key_from_file(Path(app.instance_path)
                                                  / app.config["SECRET_KEY_FILE"])
    if not app.config["SECRET_KEY"]:
        if not (app.debug or app.testing):
            raise ConfigError("READINESS_SECRET_KEY must be set (a long random string); only "
                              "debug and testing run without one")
        app.config["SECRET_KEY"] = secrets.token_urlsafe(32)
    if isinstance(app.config["TRUSTED_HOSTS"], str):  # READINESS_TRUSTED_HOSTS=a.gov,b.gov
        app.config["TRUSTED_HOSTS"] = [h.strip() for h in app.config["TRUSTED_HOSTS"].split(",")
                                       if h.strip()]
    if not (app.debug or app.testing or app.config["PUBLIC_BASE_URL"]
            or app.config["TRUSTED_HOSTS"]):
        raise ConfigError("Set READINESS_PUBLIC_BASE_URL (the site's address in invitation "
                          "links) or READINESS_TRUSTED_HOSTS (the host names it answers to)")
    from readiness.core.closing import zone

    try:
        zone(app.config["TIMEZONE"])
    except ValueError as error:
        raise ConfigError(f"READINESS_TIMEZONE: {error}") from None
    if not app.config["DATABASE_URL"]:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'readiness.sqlite'}"


def _key_from_file(path: Path) -> str:
    """The key stored in `path`, written there (readable by its owner only) if missing."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(48))
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise ConfigError(f"{path}: the secret key is too short (32 characters at least)")
    return key
