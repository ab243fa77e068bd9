"""The web blueprints, one per audience, plus what every response shares: CSRF, headers, errors.

Blueprints: `auth` (sign in/out), `assessments` (organisers set up and follow assessments),
`survey` (respondents, no account, only an invitation link), `results` (results pages; other
modules may add routes to it, e.g. the PDF download), `users` (admins manage accounts) and
`account` (everyone's own password), `plans` (the living roadmap: action plan, progress
report, calendar, share links for partners). Blueprints are imported here, inside
`init_app`, when an app is built.
"""

from __future__ import annotations

from flask import Flask, current_app, make_response, render_template, request
from flask.globals import request_ctx
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
))


def init_app(app: Flask) -> None:
    """Register the blueprints, CSRF protection, security headers and error pages."""
    import readiness.web.deletion  # noqa: F401 - adds round and municipality deletion
    import readiness.web.erasure  # noqa: F401 - adds account deletion to users
    import readiness.web.invitation_mail  # noqa: F401 - adds sending links by e-mail
    import readiness.web.invitations  # noqa: F401 - adds the links page and pack to assessments
    import readiness.web.people  # noqa: F401 - adds names, bulk assignment, password reset
    import readiness.web.report_download  # noqa: F401 - adds the PDF route to results.bp
    import readiness.web.sessions  # noqa: F401 - adds session routes to account and users
    from readiness import i18n
    from readiness.web import assessments, auth, results, survey, users, workshop

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    csrf = CSRFProtect(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(assessments.bp)
    app.register_blueprint(survey.bp)
    i18n.blueprint_language(survey.bp.name, survey.respondent_language)
    from readiness.web import join

    app.register_blueprint(join.bp)
    app.register_blueprint(results.bp)
    from readiness.web import api, dashboard, plans

    app.register_blueprint(dashboard.bp)
    app.register_blueprint(api.bp)
    i18n.blueprint_language(api.bp.name, api.api_language)
    app.register_blueprint(plans.bp)
    app.register_blueprint(users.bp)
    app.register_blueprint(users.account)
    from readiness.web import audit, health, language

    app.register_blueprint(audit.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(language.bp)
    # Survey forms check their CSRF token themselves, so an expired token keeps the answers.
    csrf.exempt(survey.bp)
    # So do the workshop's: an hour-long workshop keeps its answers when the token expires.
    csrf.exempt(workshop.workshop)
    csrf.exempt(workshop.workshop_autosave)
    # The join form works without a session (a printed invitation's first page); posting a code
    # does nothing a link to /j/<code> would not.
    csrf.exempt(join.typed)
    app.before_request(_audit_context)
    app.after_request(_security_headers)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)


def _audit_context() -> None:
    """Events of this request come from the web (or the API) and the client's address."""
    from readiness.services import audit

    audit.set_context("api" if request.path.startswith("/api/") else "web",
                      request.remote_addr or "")


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.endpoint != "static":
        # Every page may show answers, results or links: never keep a copy in a cache.
        headers["Cache-Control"] = "no-store"
    if current_app.config["SESSION_COOKIE_SECURE"]:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


_MESSAGES = {
    400: lambda: _("The request could not be understood. Go back, check the form and try again."),
    401: lambda: _("Sign in to see this page."),
    403: lambda: _("Your account may not do this."),
    404: lambda: _("There is nothing at this address, or your account may not see it."),
    405: lambda: _("This page cannot be used this way."),
    409: lambda: _("This assessment is closed, so it can no longer change."),
    410: lambda: _("This link is no longer in use."),
    413: lambda: _("What you sent is too large. Shorten your comments and try again; nothing "
                   "was saved."),
    429: lambda: _("Too many attempts. Wait a few minutes and try again."),
}


# Page headings: werkzeug's names ("Not Found") are English whatever the reader's language.
_TITLES = {
    400: lambda: _("Bad request"),
    401: lambda: _("Sign-in needed"),
    403: lambda: _("Not allowed"),
    404: lambda: _("Page not found"),
    405: lambda: _("Not possible here"),
    409: lambda: _("No longer possible"),
    410: lambda: _("Link no longer in use"),
    413: lambda: _("Too large"),
    429: lambda: _("Too many attempts"),
}


def error_title(code: int) -> str:
    """The heading of an error page in the reader's language (never werkzeug's English name)."""
    return _TITLES.get(code, lambda: _("Something went wrong"))()


def _http_error(error: HTTPException) -> ResponseReturnValue:
    code = error.code or 500
    if request_ctx.url_adapter is None:  # a Host not in TRUSTED_HOSTS: no page can link
        return Response(_("This site does not answer to that host name."), code,
                        mimetype="text/plain")
    if request.path.startswith("/api/"):  # the JSON API answers errors in JSON
        from readiness.web.api import http_message, json_error

        response = json_error(code, error.name, http_message(code, error.name))
    else:
        message = _MESSAGES.get(code, lambda: _("Something went wrong. Try again later."))()
        response = make_response(render_template("errors/error.html", code=code,
                                                 title=error_title(code), message=message),
                                 code)
    # keep the error's own headers, e.g. Allow on a 405 (RFC 9110)
    response.headers.extend((k, v) for k, v in error.get_headers() if k.lower() != "content-type")
    return response


def _csrf_error(error: CSRFError) -> ResponseReturnValue:
    message = _("This form has expired or was sent from elsewhere. Go back, reload the page and "
                "send it again; nothing was saved.")
    return render_template("errors/error.html", code=400, title=_("Form expired"),
                           message=message), 400
