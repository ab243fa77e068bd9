"""CLI commands that render PDF reports: `roadmap` (no server) and `reports build` (all closed).

WeasyPrint is imported only when a command runs, so `readiness score` stays quick.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from readiness.core.schema import RUN_BY
from readiness.translate import (
    LANGUAGES,
    SOURCE_LANGUAGE,
    country_name,
    ngettext,
    use_language,
)


def _parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2025-03-07") from None


@click.command("roadmap")
@click.argument("responses", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--municipality", required=True, help="The municipality's name, for the cover.")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Where to write the PDF.")
@click.option("--html", "html_out", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the report as one self-contained HTML file.")
@click.option("--country", default="", help="Country code (e.g. BE), printed on the cover; its "
              "legal profile tailors the legal actions (the generic EU profile without it).")
@click.option("--region", default="", help="Region or province, printed on the cover (and "
              "selecting a regional legal profile such as Bavaria).")
@click.option("--date", "assessed_on", callback=_parse_date, help="Assessment date (YYYY-MM-DD); "
              "today by default.")
@click.option("--round", "round_", default=1, show_default=True, type=click.IntRange(min=1),
              help="Which assessment round this is.")
@click.option("--facilitator", default="", help="Who facilitated, e.g. the mobile team.")
@click.option("--workshop", is_flag=True, help="Answers are one agreed answer per agency, "
              "given in a facilitated workshop (every agency's view is shown).")
@click.option("--run-by", "run_by", type=click.Choice(RUN_BY), default=None,
              help="Who ran the round: a mobile team's roadmap plans its follow-up visit "
              "instead of advising to call one.")
@click.option("--timeout", default=60.0, show_default=True, type=click.FloatRange(min=1),
              help="Seconds the PDF rendering may take.")
@click.option("--lang", "language", type=click.Choice(LANGUAGES), default=SOURCE_LANGUAGE,
              show_default=True, help="The language of the report.")
def roadmap_command(responses: Path, municipality: str, out: Path, html_out: Path | None,
                    country: str, region: str, assessed_on: date, round_: int,
                    facilitator: str, workshop: bool, run_by: str | None,
                    timeout: float, language: str) -> None:
    """Write the tailored roadmap of RESPONSES.csv as a PDF (and HTML), without a server."""
    with use_language(language):
        _roadmap(responses, municipality, out, html_out, country, region, assessed_on, round_,
                 facilitator, workshop, run_by, timeout)


def _roadmap(responses: Path, municipality: str, out: Path, html_out: Path | None,
             country: str, region: str, assessed_on: date, round_: int,
             facilitator: str, workshop: bool, run_by: str | None, timeout: float) -> None:
    from readiness.cli.legal import profile_or_fail
    from readiness.cli.offline import check_place, score_file
    from readiness.core.published import publish
    from readiness.report.context import ReportMeta, build_report_context
    from readiness.report.render import ReportError, render_pdf, render_roadmap_html

    check_place(country, region, municipality=municipality, facilitator=facilitator)
    municipality, region, facilitator = municipality.strip(), region.strip(), facilitator.strip()
    country = country.strip().upper()
    if not municipality:
        raise click.ClickException("--municipality: give the municipality's name")
    profile = profile_or_fail(country or None, region or None)
    q, result, _ = score_file(responses, country or None, region or None, run_by)
    # the cover names the country as the web's does (Belgique, Deutschland), not by its code
    meta = ReportMeta(municipality=municipality, assessed_on=assessed_on,
                      country=country_name(country) if country else "",
                      region=region, round=round_, facilitator=facilitator, workshop=workshop,
                      legal=profile)
    published = publish(q, result, workshop=workshop, assessed_on=assessed_on, profile=profile,
                        run_by=run_by)
    html = render_roadmap_html(build_report_context(q, published, meta))
    if html_out is not None:
        _write(html_out, html.encode("utf-8"))
        click.echo(f"Wrote {html_out}")
    try:
        pdf = render_pdf(html, timeout=timeout, isolate=False)
    except ReportError as exc:
        raise click.ClickException(str(exc)) from None
    _write(out, pdf)
    actions = len(published.roadmap.actions) if published.roadmap else 0
    click.echo(f"Wrote {out} ({len(pdf) // 1024} KB, "
               + ngettext("%(num)d action", "%(num)d actions", actions) + ")")


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot write ({exc.strerror})") from None


@click.group("reports")
def reports_group() -> None:
    """Render the reports of stored assessments."""


@reports_group.command("build")
@click.option("--out", "out_dir", required=True,
              type=click.Path(path_type=Path, file_okay=False), help="Folder for the PDFs.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes rendering at once; all cores by default.")
@click.option("--timeout", default=120.0, show_default=True, type=click.FloatRange(min=1),
              help="Seconds one PDF may take.")
@click.option("--lang", "language", type=click.Choice(LANGUAGES), default=SOURCE_LANGUAGE,
              show_default=True, help="The language of the reports (file names end in "
              "-<lang> unless English).")
def reports_build(out_dir: Path, workers: int | None, timeout: float, language: str) -> None:
    """Render the roadmap PDF of every closed assessment into --out, using all cores."""
    from readiness.cli.app import command_app
    from readiness.cli.report_batch import closed_assessment_jobs
    from readiness.report.render import render_batch

    out_dir.mkdir(parents=True, exist_ok=True)
    # the jobs are made lazily while rendering: the language holds for the whole batch
    with command_app() as app, app.app_context(), use_language(language):
        results = render_batch(closed_assessment_jobs(out_dir, language), workers=workers,
                               timeout=timeout)
    failed = [r for r in results if not r.ok]
    for result in failed:
        click.echo(f"FAILED {result.path.name}: {result.message}", err=True)
    click.echo(f"Wrote {len(results) - len(failed)} of {len(results)} roadmaps to {out_dir}")
    if failed:
        raise SystemExit(1)


def register(group: click.Group) -> None:
    """Add the report commands to the `readiness` group."""
    group.add_command(roadmap_command)
    group.add_command(reports_group)
