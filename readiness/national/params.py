"""Check the query parameters of the dashboard, exports and API against an allow-list.

Pure: a mapping of parameter lists in, `ViewParams` out, or a `ParamError` whose message says
what is wrong, in the reader's language (views answer it with 400; parameter names and values
stay as sent). Empty values mean "not set", as an unchosen select.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from readiness.national.aggregate import Filters, sort_keys
from readiness.translate import gettext as _
from readiness.vocabulary import POPULATION_BANDS

FILTER_NAMES = ("country", "region", "band", "since", "until", "round")
TABLE_NAMES = ("sort", "order", "page")
# the language switch every page takes (`readiness.i18n`); checked here, applied there
LANGUAGE_NAME = "lang"
MAX_ROUND = 99
MAX_PAGE = 100_000
MAX_PER_PAGE = 500
_DIGITS = re.compile(r"[0-9]{1,7}")


class ParamError(ValueError):
    """A query parameter that is not allowed, with a message for the person who sent it."""


class RegionNotInCountry(ParamError):
    """A known region given with a country it does not belong to."""


@dataclass(frozen=True)
class ViewParams:
    """Checked filters plus the table's sort order and page."""

    filters: Filters
    sort: str = "name"
    descending: bool = False
    page: int = 1
    per_page: int = 50

    def query(self, **changes: str | int | None) -> dict[str, str]:
        """The URL query for these parameters, with some changed (None drops one)."""
        values: dict[str, str | int | None] = dict(self.filters.as_query())
        if self.sort != "name":
            values["sort"] = self.sort
        if self.descending:
            values["order"] = "desc"
        if self.page != 1:
            values["page"] = self.page
        values.update(changes)
        return {k: str(v) for k, v in values.items() if v is not None and v != ""}


def _whole(name: str, low: int, high: int) -> str:
    return _("%(name)s must be a whole number from %(low)d to %(high)d", name=name, low=low,
             high=high)


def _int(name: str, text: str, low: int, high: int) -> int:
    # ASCII digits only: str.isdigit() also takes "²" or "①", which int() refuses
    if not _DIGITS.fullmatch(text):
        raise ParamError(_whole(name, low, high))
    value = int(text)
    if not low <= value <= high:
        raise ParamError(_whole(name, low, high))
    return value


def _date(name: str, text: str) -> date:
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ParamError(_("%(name)s must be a date written YYYY-MM-DD", name=name)) from None


def parse_params(args: Mapping[str, Sequence[str]], *, countries: Collection[str],
                 regions: Collection[str], dimensions: Sequence[str],
                 extra: Collection[str] = (), empty_is_unset: bool = True,
                 regions_by_country: Mapping[str, Collection[str]] | None = None,
                 rounds: Collection[int] | None = None,
                 languages: Collection[str] = ()) -> ViewParams:
    """Check every parameter; unknown names, repeated names and bad values are refused.

    An empty value means "not set" (a form's unchosen select) unless `empty_is_unset` is
    False, as in the API, where it is refused too. With `regions_by_country`, a region given
    with a country must be one of that country's (a selection that could hold no municipality
    is refused rather than shown empty). With `rounds` (the rounds that have data), any
    other round is refused, and so is a period whose start is after its end. With `languages`
    (the languages offered), `lang` may choose one of them, as on every page.
    """
    allowed = set(FILTER_NAMES) | set(TABLE_NAMES) | {"per_page"} | set(extra)
    values = _values(args, allowed | ({LANGUAGE_NAME} if languages else set()),
                     empty_is_unset)
    if LANGUAGE_NAME in values and values[LANGUAGE_NAME] not in languages:
        raise ParamError(_("unknown language %(language)s; known: %(known)s",
                           language=repr(values[LANGUAGE_NAME][:40]),
                           known=", ".join(languages)))
    country, region = _place(values, countries, regions, regions_by_country)
    band = values.get("band")
    if band is not None and band not in POPULATION_BANDS:
        raise ParamError(_("unknown population band %(band)s; known: %(known)s",
                           band=repr(band[:40]), known=", ".join(POPULATION_BANDS)))
    since, until, round_ = _period(values, rounds)
    sort = values.get("sort", "name")
    keys = sort_keys(dimensions)
    if sort not in keys:
        raise ParamError(_("unknown sort key %(key)s; allowed: %(allowed)s",
                           key=repr(sort[:40]), allowed=", ".join(keys)))
    order = values.get("order", "asc")
    if order not in ("asc", "desc"):
        raise ParamError(_("order must be asc or desc"))
    page = _int("page", values["page"], 1, MAX_PAGE) if "page" in values else 1
    per_page = (_int("per_page", values["per_page"], 1, MAX_PER_PAGE)
                if "per_page" in values else 50)
    return ViewParams(Filters(country, region, band, since, until, round_), sort,
                      order == "desc", page, per_page)


def _values(args: Mapping[str, Sequence[str]], allowed: set[str],
            empty_is_unset: bool) -> dict[str, str]:
    """Each parameter's one value: unknown, repeated, overlong (and maybe empty) refused."""
    values: dict[str, str] = {}
    for name, given in args.items():
        if name not in allowed:
            raise ParamError(_("unknown parameter %(name)s; allowed: %(allowed)s",
                               name=repr(name[:40]), allowed=", ".join(sorted(allowed))))
        if len(given) > 1:
            raise ParamError(_("%(name)s is given more than once", name=name))
        text = given[0].strip() if given else ""
        if len(text) > 120:
            raise ParamError(_("%(name)s is too long", name=name))
        if text:
            values[name] = text
        elif not empty_is_unset:
            raise ParamError(_("%(name)s is empty; leave it out instead", name=name))
    return values


def _place(values: Mapping[str, str], countries: Collection[str], regions: Collection[str],
           regions_by_country: Mapping[str, Collection[str]] | None
           ) -> tuple[str | None, str | None]:
    """The country (upper case) and region asked for, each one that exists, and together."""
    country = values.get("country")
    if country is not None:
        country = country.upper()
        if country not in countries:
            raise ParamError(_("unknown country %(country)s; known: %(known)s",
                               country=repr(country[:8]),
                               known=", ".join(sorted(countries)) or _("none yet")))
    region = values.get("region")
    if region is not None and region not in regions:
        raise ParamError(_("unknown region %(region)s", region=repr(region[:40])))
    if (region is not None and country is not None and regions_by_country is not None
            and region not in regions_by_country.get(country, ())):
        raise RegionNotInCountry(_(
            "%(region)s is not a region of %(country)s; its regions: %(regions)s",
            region=repr(region[:40]), country=country,
            regions=", ".join(regions_by_country.get(country, ())) or _("none")))
    return country, region


def _period(values: Mapping[str, str], rounds: Collection[int] | None
            ) -> tuple[date | None, date | None, int | None]:
    """The period (start not after end) and the round (one with data, when those are known)."""
    since = _date("since", values["since"]) if "since" in values else None
    until = _date("until", values["until"]) if "until" in values else None
    if since is not None and until is not None and since > until:
        raise ParamError(_("since (%(since)s) is after until (%(until)s): the period is empty; "
                           "swap the dates or leave one out", since=since.isoformat(),
                           until=until.isoformat()))
    round_ = _int("round", values["round"], 1, MAX_ROUND) if "round" in values else None
    if round_ is not None and rounds is not None and round_ not in rounds:
        raise ParamError(_("round %(round)d has no closed assessment; rounds with data: "
                           "%(rounds)s", round=round_, rounds=", ".join(map(str, sorted(rounds))))
                         if rounds else
                         _("round %(round)d cannot be chosen: there is no closed assessment yet",
                           round=round_))
    return since, until, round_
