"""The national coordinators' dashboard and its downloads: CSV, XLSX, respondents, summary PDF.

Only admins and national coordinators get in (`auth.require_national`); the respondent-level
export is for admins only. Filters, sort order and page live in the URL and are checked against
an allow-list: anything else answers 400 with a message. Views and exports are audited by name,
never with their content.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, Response, current_app, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from readiness import auth
from readiness.core.legal import Profile, age_days, profiles_in_use
from readiness.core.published import differences_text
from readiness.core.questionnaire import Questionnaire, get_questionnaire
from readiness.db import begin_write, get_session
from readiness.models import POPULATION_BANDS, User
from readiness.national import aggregate, exports
from readiness.national import query as national_query
from readiness.national.charts import national_charts
from readiness.national.params import ParamError, RegionNotInCountry, ViewParams, parse_params
from readiness.national.query import (
    closed_versions,
    load_roadmap_actions,
)
from readiness.national.report import empty_breakdowns
from readiness.services.national import (
    audit,
    disclosed_responses,
    national_dashboard,
    national_tables,
)
from readiness.web.forms import population_labels

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


def short_title(title: str) -> str:
    """A dimension title short enough for a table column ("Legal basis for ..." -> 2 words)."""
    return title if len(title) <= 14 else " ".join(title.split()[:2])


class BadParams(Exception):
    """Parameters refused by the allow-list (answered with a 400 page)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def min_cell() -> int:
    """The smallest group a breakdown shows (READINESS_MIN_CELL)."""
    return int(current_app.config["MIN_CELL"])


def places() -> dict[str, list[str]]:
    """Each country municipalities are stored with, and its regions (both by name)."""
    found = national_query.places(get_session())
    return {c: aggregate.by_name(found[c]) for c in aggregate.by_name(found)}


def known_rounds() -> tuple[int, ...]:
    """The rounds that have a closed assessment (the only ones the round filter offers), read
    once per request (checking the parameters and showing the filter both ask)."""
    if "national_rounds" not in g:
        g.national_rounds = national_query.closed_rounds(get_session())
    rounds: tuple[int, ...] = g.national_rounds
    return rounds


def _parse(args: dict[str, list[str]], known: dict[str, list[str]],
           extra: tuple[str, ...] = ()) -> ViewParams:
    """Check `args` against the allow-list, or ParamError."""
    return parse_params(args, countries=set(known),
                        regions={r for regions in known.values() for r in regions},
                        regions_by_country=known, dimensions=get_questionnaire().dimension_ids,
                        extra=extra, rounds=known_rounds(),
                        languages=current_app.config["LANGUAGES"])


def view_params(extra: tuple[str, ...] = ()) -> ViewParams:
    """The request's checked query parameters, or BadParams (a region must be one of the
    chosen country's)."""
    try:
        return _parse(request.args.to_dict(flat=False), places(), extra)
    except ParamError as exc:
        raise BadParams(str(exc)) from None


def dashboard_params(known: dict[str, list[str]]) -> tuple[ViewParams, str | None]:
    """The dashboard's checked parameters, or BadParams; a region of another country than the
    one chosen is dropped with a notice, as the form lists every region until a country is
    applied. Downloads refuse it instead (400): a saved link must not quietly change."""
    args = request.args.to_dict(flat=False)
    try:
        try:
            return _parse(args, known), None
        except RegionNotInCountry:
            region = args["region"][0].strip()
            country = args["country"][0].strip().upper()
            kept = {k: v for k, v in args.items() if k not in ("region", "page")}
            return _parse(kept, known), _(
                "%(region)s is not a region of %(country)s: all regions of %(country)s are "
                "shown.", region=region[:40], country=country)
    except ParamError as exc:
        raise BadParams(str(exc)) from None


@bp.errorhandler(BadParams)
def _bad_params(error: BadParams) -> ResponseReturnValue:
    return render_template("dashboard/bad_request.html", message=error.message), 400


def _record(user: User, action: str, object_type: str, object_id: str = "") -> None:
    """Audit a view or export (a writing transaction started after the reading is done)."""
    db = begin_write()
    audit(db, user, action, object_type, object_id)


def _today() -> date:
    return datetime.now(UTC).date()


def dashboard_data(q: Questionnaire, params: ViewParams) -> aggregate.Dashboard:
    """The dashboard figures for checked parameters."""
    return national_dashboard(get_session(), q, params.filters, today=_today(),
                              sort=params.sort, descending=params.descending,
                              page=params.page, per_page=params.per_page, min_cell=min_cell())


@bp.route("/")
@auth.login_required
def index() -> ResponseReturnValue:
    """The national overview with filters, charts and tables, and where to go next."""
    user = auth.require_national()
    known = places()
    params, notice = dashboard_params(known)
    q = get_questionnaire()
    data = dashboard_data(q, params)
    country = params.filters.country
    # with a country chosen, only its regions are offered (and accepted, see `view_params`)
    regions = (known.get(country, []) if country else
               aggregate.by_name({r for rs in known.values() for r in rs}))
    _record(user, "view", "national_dashboard")
    return render_template(
        "dashboard/index.html", data=data, params=params, q=q, charts=national_charts(data),
        empty=empty_breakdowns(data),
        countries=list(known), regions=regions, rounds=known_rounds(),
        bands=aggregate.by_size(POPULATION_BANDS),
        band_titles=population_labels(), dimensions=q.doc.dimensions,
        short_titles={d.id: short_title(d.title) for d in q.doc.dimensions},
        level_titles={lv.id: lv.title for lv in q.doc.levels},
        barrier_titles={b.id: b.title for b in q.doc.barriers},
        not_comparable_text=lambda found: differences_text(found, q),
        sort_keys=aggregate.sort_keys(q.dimension_ids), is_admin=auth.can_see_national(
            user, admin_only=True), can_manage_tokens=auth.can_manage_users(user),
        suppressed=aggregate.suppressed_text(data.min_cell),
        need_weights=aggregate.need_weights(q), notice=notice,
        stale_legal=stale_legal_profiles(known), versions=closed_versions(get_session()))


def stale_legal_profiles(known: dict[str, list[str]]) -> list[tuple[Profile, int]]:
    """Legal profiles in use here, with their age in days, last checked longer ago than
    LEGAL_PROFILE_MAX_AGE_DAYS: the roadmaps' legal advice may be out of date."""
    limit = int(current_app.config["LEGAL_PROFILE_MAX_AGE_DAYS"])
    today = _today()
    return [(p, age_days(p, today)) for p in profiles_in_use(known)
            if age_days(p, today) > limit]


def _download(body: bytes, media_type: str, name: str) -> Response:
    response = Response(body, mimetype=media_type.split(";")[0])
    response.headers["Content-Type"] = media_type
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def national_sheets(q: Questionnaire, params: ViewParams) -> list[exports.Sheet]:
    """The municipality, barrier, action and summary sheets for the filters."""
    db = get_session()
    t = national_tables(db, q)
    sel = aggregate.select(t, params.filters)
    rows = aggregate.municipality_rows(sel)
    ids = [int(i) for i in sel.latest["id"]]
    by_id = load_roadmap_actions(db, ids)
    public = dict(zip(sel.latest["id"], sel.latest["public_id"], strict=True))
    actions = {public[i]: a for i, a in by_id.items()}
    cell = min_cell()
    return [exports.municipality_sheet(rows, q, actions, population_labels()),
            exports.barrier_sheet(rows, q), exports.action_sheet(rows, actions, q),
            exports.summary_sheet(aggregate.dimension_summaries(sel, q, cell)),
            exports.barrier_frequency_sheet(aggregate.barrier_frequency(sel, q, cell)),
            exports.progress_sheet(aggregate.progress(sel, q, cell))]


CSV_STYLES = {"csv": exports.COMMA, "semicolon": exports.SEMICOLON}


def _file(sheets: list[exports.Sheet], fmt: str, name: str) -> Response:
    """The first sheet as CSV (comma, or semicolon with decimal commas), or every sheet as
    XLSX, named `name`-today."""
    stamp = _today().isoformat()
    if fmt in CSV_STYLES:
        suffix = "-semicolon" if fmt == "semicolon" else ""
        return _download(exports.csv_bytes(sheets[0], CSV_STYLES[fmt]), exports.CSV_MEDIA_TYPE,
                         f"{name}-{stamp}{suffix}.csv")
    return _download(exports.xlsx_bytes(sheets), exports.XLSX_MEDIA_TYPE,
                     f"{name}-{stamp}.xlsx")


@bp.route("/export.<any(csv, xlsx):fmt>")
@bp.route("/export-semicolon.csv", defaults={"fmt": "semicolon"})
@auth.login_required
def export(fmt: str) -> ResponseReturnValue:
    """Municipality x dimension scores, levels, barriers and actions, as CSV or XLSX."""
    user = auth.require_national()
    params = view_params()
    sheets = national_sheets(get_questionnaire(), params)
    _record(user, "export", "national_export", fmt)
    if fmt == "xlsx":
        return _file(sheets, fmt, "maw-readiness-national")
    return _file(sheets, fmt, "maw-readiness-municipalities")


@bp.route("/respondents.<any(csv, xlsx):fmt>")
@bp.route("/respondents-semicolon.csv", defaults={"fmt": "semicolon"})
@auth.login_required
def respondents(fmt: str) -> ResponseReturnValue:
    """Counted responses of the selected latest assessments: agency and answers only, in a
    shuffled order, only what the published results allow (`disclosed_responses`)."""
    user = auth.require_national(admin_only=True)
    params = view_params()
    q = get_questionnaire()
    db = get_session()
    sel = aggregate.select(national_tables(db, q), params.filters)
    lead: dict[int, list[Any]] = {
        int(r["id"]): [r["name"], r["country"], r["region"], int(r["round"]),
                       r["conducted_on"].date()]
        for r in sel.latest.to_dict("records")}
    minimum = q.doc.settings.min_group_size
    found = exports.safe_respondents(
        ((a, lead[a], agency, answers, workshop)
         for a, agency, answers, workshop in disclosed_responses(db, list(lead))),
        minimum)
    sheet = exports.respondent_sheet(q, found.rows)
    _record(user, "export", "respondent_export", fmt)
    response = _file([sheet, exports.about_respondents(found, minimum)], fmt,
                     "maw-readiness-responses")
    response.headers["X-Withheld-Agency-Groups"] = str(found.withheld_groups)
    return response


@bp.route("/national.pdf")
@auth.login_required
def national_pdf() -> ResponseReturnValue:
    """The national summary as a PDF, through the same report machinery as the roadmap."""
    from readiness.national.report import NationalReportError, national_report_pdf
    from readiness.services.plans import national_follow_through

    user = auth.require_national()
    params = view_params()
    q = get_questionnaire()
    t = national_tables(get_session(), q)
    try:
        pdf = national_report_pdf(t, q, params.filters, today=_today(), min_cell=min_cell(),
                                  follow_through=national_follow_through(
                                      get_session(), q, params.filters, min_cell=min_cell()))
    except NationalReportError as exc:
        return render_template("dashboard/bad_request.html", message=str(exc),
                               title=_("The PDF could not be made")), 503
    _record(user, "export", "national_report", "pdf")
    return _download(pdf, "application/pdf", f"maw-readiness-national-{_today()}.pdf")
