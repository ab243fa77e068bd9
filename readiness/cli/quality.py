"""`readiness questionnaire stats`: internal consistency per dimension over the stored data."""

from __future__ import annotations

import json

import click

# Customary reading of alpha (George & Mallery): 0.7 or more acceptable, 0.8 good, 0.9 excellent.
ALPHA_BANDS = ((0.9, "excellent"), (0.8, "good"), (0.7, "acceptable"), (0.6, "questionable"),
               (0.5, "poor"))


def alpha_reading(alpha: float | None) -> str:
    """The customary word for an alpha value ("unacceptable" below 0.5; "-" when undefined)."""
    if alpha is None:
        return "-"
    return next((word for floor, word in ALPHA_BANDS if alpha >= floor), "unacceptable")


@click.command("stats")
@click.option("--version", "version", default=None, help="A version other than the newest.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def questionnaire_stats(version: str | None, as_json: bool) -> None:
    """Internal consistency (Cronbach's alpha) per dimension over the stored answers."""
    from readiness.cli.app import command_app
    from readiness.core.questionnaire import QuestionnaireError, get_questionnaire
    from readiness.db import get_db
    from readiness.services.quality import consistency

    try:
        q = get_questionnaire(version=version)
    except QuestionnaireError as exc:
        raise click.ClickException(str(exc)) from None
    with command_app() as app, get_db(app).sessions() as session:
        alphas, assessments = consistency(session, q)
    titles = {d.id: d.title for d in q.doc.dimensions}
    if as_json:
        click.echo(json.dumps({"questionnaire": {"id": q.id, "version": q.version},
                               "assessments": assessments,
                               "dimensions": [{"id": a.dimension, "alpha": a.alpha,
                                               "respondents": a.respondents, "items": a.items}
                                              for a in alphas]}, indent=2))
        return
    click.echo(f"{q.id} {q.version}: {assessments} closed assessments. Cronbach's alpha over "
               "respondents who answered every statement of a dimension.")
    click.echo(f"\n{'Dimension':<38}{'Items':>6}{'Respondents':>13}{'Alpha':>8}  Reading")
    for a in alphas:
        value = "-" if a.alpha is None else f"{a.alpha:.2f}"
        click.echo(f"{titles[a.dimension]:<38}{a.items:>6}{a.respondents:>13}{value:>8}  "
                   f"{alpha_reading(a.alpha)}")
