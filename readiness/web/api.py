"""Read-only JSON API for national coordinators' own tools, described by readiness/openapi.yaml.

Token authentication (`Authorization: Bearer <token>`, tokens from `readiness api-token create`);
only admins and national coordinators. Errors are JSON with a message: 400 for a parameter the
allow-list refuses, 401 without a valid token, 403 for other roles, 404 for unknown ids.
Suppressed cells are the text "fewer than 5", as everywhere.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from datetime import UTC, date, datetime
from functools import cache
from importlib.resources import files
from typing import Any

import yaml
from flask import Blueprint, Response, current_app, g, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from readiness import auth
from readiness.core.published import differences_text
from readiness.core.questionnaire import Questionnaire, get_questionnaire
from readiness.db import begin_write, get_session
from readiness.i18n import browser_language, shipped
from readiness.models import User
from readiness.national import aggregate
from readiness.national.aggregate import followthrough
from readiness.national.params import ParamError, ViewParams, parse_params
from readiness.national.query import closed_rounds, places
from readiness.services.national import (
    audit,
    municipality_by_public_id,
    municipality_history,
    national_tables,
    note_token_use,
    user_for_token,
)
from readiness.services.plans import national_follow_through
from readiness.tokens import is_public_id
from readiness.web.dashboard import min_cell

bp = Blueprint("api", __name__, url_prefix="/api/v1")
BREAKDOWNS = ("region", "band", "country")


class ApiError(Exception):
    """An error answered as JSON."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


# Shares (0 to 1) of the follow-through rows, whose names do not end in "share"
SHARE_FIELDS = frozenset({"done", "in_progress", "overdue"})
SCORE_DIGITS = 1


def _digits(key: str) -> int:
    """The precision of a figure, as readiness/openapi.yaml documents it and the pages print it:
    a share to a whole percent (`aggregate.SHARE_DIGITS`), every other figure (score, mean,
    median, quartile, change, need) to one decimal."""
    shared = key == "share" or key.endswith("_share") or key in SHARE_FIELDS
    return aggregate.SHARE_DIGITS if shared else SCORE_DIGITS


def _plain(value: Any, key: str = "") -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name), f.name)
                for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, key) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, _digits(key))
    return value


def _json(data: Any, status: int = 200) -> Response:
    body = json.dumps(_plain(data), ensure_ascii=False, allow_nan=False)
    return Response(body, status=status, mimetype="application/json")


def api_language() -> str | None:
    """The language of the API's messages: the best of Accept-Language, else the token user's
    (field names and error codes stay English)."""
    if request.headers.get("Accept-Language"):
        found = browser_language()
        if found:
            return found
    user = g.get("api_user")
    return shipped(user.language) if user is not None else None


def http_message(status: int, fallback: str) -> str:
    """What the API says for an HTTP error it did not raise itself (unknown address, wrong
    method, too many requests...), in the reader's language."""
    messages = {
        400: lambda: _("the request could not be understood"),
        401: lambda: _("send an API token as 'Authorization: Bearer <token>'"),
        403: lambda: _("this token may not do this"),
        404: lambda: _("there is nothing at this address of the API"),
        405: lambda: _("this address does not answer this method"),
        413: lambda: _("the request is too large"),
        429: lambda: _("too many requests: wait a little and try again"),
        500: lambda: _("something went wrong on the server; try again later"),
    }
    return messages[status]() if status in messages else fallback


def json_error(status: int, name: str, message: str) -> Response:
    """An error as the API answers it: {"error": "not_found", "message": "..."}."""
    response = _json({"error": name.lower().replace(" ", "_"), "message": message}, status)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="readiness"'
    return response


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> ResponseReturnValue:
    return json_error(error.status, error.error, error.message)


@cache
def openapi_document() -> dict[str, Any]:
    """The OpenAPI document shipped as readiness/openapi.yaml."""
    text = (files("readiness") / "openapi.yaml").read_text(encoding="utf-8")
    document: dict[str, Any] = yaml.safe_load(text)
    return document


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """The OpenAPI document of this API. Anyone may read it; sent with a valid token, country
    region and round also list the values stored here (so every value the document allows is
    one the API accepts), which the public document does not reveal."""
    document = copy.deepcopy(openapi_document())
    if _token_user() is not None:
        known = places(get_session())
        countries, regions = set(known), set().union(*known.values())
        parameters = document["components"]["parameters"]
        if countries:
            parameters["country"]["schema"] = {"type": "string", "enum": sorted(countries)}
        if regions:
            parameters["region"]["schema"] = {"type": "string", "enum": sorted(regions)}
        rounds = closed_rounds(get_session())
        if rounds:
            parameters["round"]["schema"] = {"type": "integer", "enum": list(rounds)}
    return _json(document)


def _bearer() -> str | None:
    """The token of the request's `Authorization: Bearer` header, if it has one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _token_user() -> tuple[User, int] | None:
    """The user (and token row id) of a valid national token in the request, else None."""
    token = _bearer()
    found = user_for_token(get_session(), token) if token else None
    return found if found is not None and auth.can_see_national(found[0]) else None


@bp.before_request
def _authenticate() -> None:
    if request.endpoint == "api.openapi":
        return
    token = _bearer()
    if token is None:
        raise ApiError(401, "unauthorized",
                       _("send an API token as 'Authorization: Bearer <token>'"))
    found = user_for_token(get_session(), token)
    if found is None:
        raise ApiError(401, "unauthorized", _("this API token is unknown or revoked"))
    user, token_id = found
    if not auth.can_see_national(user):
        raise ApiError(403, "forbidden",
                       _("only admins and national coordinators may use the API"))
    g.api_user, g.api_token_id = user, token_id


def _record(object_type: str, object_id: str = "") -> None:
    db = begin_write()
    note_token_use(db, g.api_token_id)
    audit(db, g.api_user, "api", object_type, object_id)


def _params(extra: tuple[str, ...] = ()) -> ViewParams:
    known = places(get_session())
    try:
        return parse_params(request.args.to_dict(flat=False), countries=set(known),
                            regions=set().union(*known.values()), regions_by_country=known,
                            dimensions=get_questionnaire().dimension_ids, extra=extra,
                            empty_is_unset=False, rounds=closed_rounds(get_session()),
                            languages=current_app.config["LANGUAGES"])
    except ParamError as exc:
        raise ApiError(400, "bad_request", str(exc)) from None


@bp.get("/summary")
def summary() -> ResponseReturnValue:
    """Overview, dimension distributions and levels, barrier frequency and progress."""
    params = _params()
    q = get_questionnaire()
    cell = min_cell()
    sel = aggregate.select(national_tables(get_session(), q), params.filters)
    data = {"filters": params.filters.as_query(), "min_cell": cell,
            "overview": aggregate.overview(sel, q, cell),
            "dimensions": aggregate.dimension_summaries(sel, q, cell),
            "barriers": aggregate.barrier_frequency(sel, q, cell),
            "progress": aggregate.progress(sel, q, cell)}
    _record("api_summary")
    return _json(data)


@bp.get("/breakdown/<by>")
def breakdown(by: str) -> ResponseReturnValue:
    """Mean scores per region, population band or country."""
    if by not in BREAKDOWNS:
        raise ApiError(400, "bad_request", _("break down by one of: %(allowed)s",
                                             allowed=", ".join(BREAKDOWNS)))
    params = _params()
    q = get_questionnaire()
    sel = aggregate.select(national_tables(get_session(), q), params.filters)
    rows = aggregate.breakdown(sel, by, min_cell())
    _record("api_breakdown", by)
    return _json({"filters": params.filters.as_query(), "by": by, "groups": rows})


@bp.get("/municipalities")
def municipalities() -> ResponseReturnValue:
    """A page of the municipality table with each one's latest scores."""
    params = _params()
    q = get_questionnaire()
    sel = aggregate.select(national_tables(get_session(), q), params.filters)
    page = aggregate.municipality_table(sel, params.sort, params.descending, params.page,
                                        params.per_page)
    _record("api_municipalities")
    items = [{**_plain(row), "not_comparable": _reasons(row.not_comparable, q)}
             for row in page.rows]
    return _json({"filters": params.filters.as_query(), "total": page.total, "page": page.page,
                  "pages": page.pages, "items": items})


def _reasons(found: Any, q: Questionnaire) -> list[str]:
    """Why two rounds do not compare, in the reader's language with its agency titles (the
    frames keep the reasons as data, for every language)."""
    return list(differences_text(found or (), q))


@bp.get("/actions")
def actions() -> ResponseReturnValue:
    """Follow-through of tracked actions per family and dimension; the most dropped ones."""
    params = _params(extra=("status",))
    status = request.args.get("status")
    if status is not None and status not in followthrough.STATUSES:
        raise ApiError(400, "bad_request", _("status must be one of: %(allowed)s",
                                             allowed=", ".join(followthrough.STATUSES)))
    cell = min_cell()
    figures = national_follow_through(get_session(), get_questionnaire(), params.filters,
                                      min_cell=cell, status=status)
    _record("api_actions", status or "")
    return _json({"filters": params.filters.as_query(), "status": status, "min_cell": cell,
                  **dataclasses.asdict(figures)})


@bp.get("/need")
def need() -> ResponseReturnValue:
    """Municipalities ranked by need of a visit, with reasons."""
    params = _params(extra=("limit",))
    limit_text = request.args.get("limit", "20").strip()
    # ASCII digits only: str.isdigit() also takes "²", which int() refuses
    if not re.fullmatch(r"[0-9]{1,6}", limit_text) or not 1 <= int(limit_text) <= 200:
        raise ApiError(400, "bad_request", _("%(name)s must be a whole number from %(low)d to "
                                             "%(high)d", name="limit", low=1, high=200))
    q = get_questionnaire()
    sel = aggregate.select(national_tables(get_session(), q), params.filters)
    rows = aggregate.need_ranking(sel, q, datetime.now(UTC).date(), int(limit_text))
    _record("api_need")
    return _json({"filters": params.filters.as_query(), "items": rows})


@bp.get("/municipalities/<public_id>")
def municipality(public_id: str) -> ResponseReturnValue:
    """One municipality: every closed round's scores and barriers, and its peer benchmark."""
    if not is_public_id(public_id):
        raise ApiError(404, "not_found", _("no municipality with this id"))
    db = get_session()
    found = municipality_by_public_id(db, public_id)
    if found is None:
        raise ApiError(404, "not_found", _("no municipality with this id"))
    q = get_questionnaire()
    rounds, peers = municipality_history(db, found, q, min_cell())
    _record("api_municipality", public_id)
    worded = [{**r, "not_comparable": _reasons(r["not_comparable"], q)} for r in rounds]
    return _json({"id": found.public_id, "name": found.name, "country": found.country,
                  "region": found.region, "band": found.population_band, "rounds": worded,
                  "peer_benchmark": peers})
