"""A round's dates: its date, before which (in the configured zone) its links take no answers
yet, and its closing date, after the end of which they take no more. Pure: dates and zones
in, yes or no out."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str | None) -> ZoneInfo:
    """The time zone called `name` (an IANA name such as Europe/Brussels); UTC when unset.
    An unknown name raises ValueError (the app checks it at start)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r}: give an IANA name such as "
                         "Europe/Brussels") from error


def today_in(where: ZoneInfo, now: datetime | None = None) -> date:
    """The calendar day it is in `where` at `now` (the present by default)."""
    return (now or datetime.now(UTC)).astimezone(where).date()


def is_past(closes_on: date | None, where: ZoneInfo, now: datetime | None = None) -> bool:
    """Whether a round closing on `closes_on` is past its date: true from the first moment of
    the next day in `where`; never for a round without a date."""
    return closes_on is not None and today_in(where, now) > closes_on


def is_before(opens_on: date, where: ZoneInfo, now: datetime | None = None) -> bool:
    """Whether a round dated `opens_on` has not begun: true until the first moment of that day
    in `where` (its links hold answers back until then)."""
    return today_in(where, now) < opens_on
