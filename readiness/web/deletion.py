"""Deleting a round or a municipality for good (routes added to `assessments.bp`).

A round: an admin or the municipality's own coordinator; a municipality: admins only. Typing
the municipality's name confirms, as typing the username does for an account
(`web.erasure`). The service deletes everything the round holds but the tracked actions it
proposed (they stay in the municipality's action plan) and audits it; this view then removes
its cached PDFs and stops its queued renders.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext

from readiness import auth, tasks
from readiness.auth import Access
from readiness.db import get_session
from readiness.services import erasure
from readiness.services.assessments import ServiceError
from readiness.web.assessments import bp
from readiness.web.forms import DeleteByNameForm
from readiness.web.report_download import report_cache_dir


def forget_pdfs(round_ids: list[str]) -> None:
    """Remove the cached PDFs of erased rounds; their queued renders will store nothing."""
    for round_id in round_ids:
        tasks.forget_round(current_app, report_cache_dir(), round_id)


def _typed(form: DeleteByNameForm, name: str) -> bool:
    """Whether the form was sent with `name` typed; else the form carries the error."""
    if not form.validate_on_submit():
        return False
    if not erasure.confirmed(form.confirm_name.data or "", name):
        form.confirm_name.errors = [_("Type %(name)s exactly to delete", name=name)]
        return False
    return True


@bp.route("/assessments/<public_id>/delete", methods=["GET", "POST"])
@auth.login_required
def delete_round(public_id: str) -> ResponseReturnValue:
    """Confirm, then delete a round, open or closed, with its answers and results; the tracked
    actions it proposed stay in the action plan (the page says so)."""
    found = auth.load_assessment(public_id, Access.VIEW)
    municipality = found.municipality
    if not auth.can_delete_round(auth.current_user(), municipality):
        abort(403)
    form = DeleteByNameForm()
    actions = erasure.tracked_actions(get_session(), found)
    if _typed(form, municipality.name):
        number = found.round
        forget_pdfs([erasure.delete_round(get_session(), auth.require_user(), found)])
        flash(_("Round %(round)d of %(name)s is deleted with its answers and results.",
                round=number, name=municipality.name))
        if actions:
            flash(ngettext("Its %(num)d tracked action stays in the action plan.",
                           "Its %(num)d tracked actions stay in the action plan.", actions))
        return redirect(url_for(".municipality", public_id=municipality.public_id))
    return render_template("assessments/delete_round.html", assessment=found, form=form,
                           actions=actions), 400 if form.errors else 200


@bp.route("/municipalities/<public_id>/delete", methods=["GET", "POST"])
@auth.login_required
def delete_municipality(public_id: str) -> ResponseReturnValue:
    """Confirm, then delete a municipality with every round and its plan (admins only)."""
    found = auth.load_municipality(public_id, Access.VIEW)
    if not auth.can_delete_municipality(auth.current_user()):
        abort(403)
    form = DeleteByNameForm()
    if _typed(form, found.name):
        name = found.name
        try:
            erased = erasure.delete_municipality(get_session(), auth.require_user(), found)
        except ServiceError as error:
            get_session().rollback()
            form.confirm_name.errors = [str(error)]
        else:
            forget_pdfs(erased)
            flash(_("%(name)s is deleted with all its rounds.", name=name))
            return redirect(url_for(".index"))
    return render_template("assessments/delete_municipality.html", municipality=found,
                           form=form), 400 if form.errors else 200
