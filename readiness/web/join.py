"""The short address on an invitation: /j, "Type the code from your invitation", and /j/<code>.

A practitioner with a printed pack and no camera types HOST/j and the eight-character code
printed under the QR code; a right code leads to that link's survey start page (/s/<token>,
which says "closed" for a closed round). Every wrong code, mistyped, made up, or of a withdrawn
or reissued link, gets the same message and counts against the address (the survey throttle's
table), so the page never tells whether a code exists.
"""

from __future__ import annotations

from flask import Blueprint, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from readiness import auth
from readiness.db import get_session, keep_writes
from readiness.models import Invitation
from readiness.services import survey
from readiness.tokens import hash_token, link_token, normalise_join_code
from readiness.web.forms import JoinForm
from readiness.web.links import link_key

bp = Blueprint("join", __name__, url_prefix="/j")


def _page(form: JoinForm, status: int = 200) -> ResponseReturnValue:
    return make_response(render_template("survey/join.html", form=form), status)


@bp.get("", strict_slashes=False, endpoint="join")
def form() -> ResponseReturnValue:
    """The form for the code on a printed invitation. A code in the query string (the old GET
    form's) is not opened but sent back to the bare address, so it stays out of the history."""
    if "code" in request.args:
        return redirect(url_for("join.join"), code=303)
    return _page(JoinForm(formdata=None))


@bp.post("", strict_slashes=False)
def typed() -> ResponseReturnValue:
    """Where a typed code leads: posted, so the code is not in the address, history or logs."""
    return _open(request.form.get("code"))


@bp.route("/<code>")
def by_code(code: str) -> ResponseReturnValue:
    """Where the code in a short link (/j/<code>) leads."""
    return _open(code)


def _open(typed: str | None) -> ResponseReturnValue:
    """The survey start page of the link a code names, or the form with why not."""
    form = JoinForm(formdata=None, code=typed)
    if not form.validate():
        return _page(form, 400)
    db = get_session()
    address = request.remote_addr or ""
    if not auth.join_code_allowed(db, address):
        form.code.errors = [_("Too many wrong codes were typed here in the last hour. Wait an "
                              "hour and try again, or scan the QR code on your invitation.")]
        keep_writes()
        return _page(form, 429)
    normal = normalise_join_code(form.code.data)
    invitation = survey.find_by_join_code(db, normal) if normal else None
    token = _token_of(invitation)
    if token is None:
        auth.count_join_failure(db, address)
        keep_writes()  # the wrong try counts
        form.code.errors = [_("This code opens no survey. Check it against your invitation: "
                              "eight letters and digits, such as ABCD-EFGH.")]
        return _page(form, 400)
    return redirect(url_for("survey.start", token=token), code=303)


def _token_of(invitation: Invitation | None) -> str | None:
    """The survey token of the link a join code found, made again from the link key (also in
    a closed round, whose start page then says closed); None for no link."""
    if invitation is None:
        return None
    token = link_token(link_key(), invitation.public_id)
    return token if hash_token(token) == invitation.token_hash else None
