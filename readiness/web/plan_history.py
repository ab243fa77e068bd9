"""An action's history in the reader's words: field labels and statuses through gettext, dates
in the reader's language, agencies by name; the changes closing a round made, after its
`CLOSED` mark (`readiness.services.plans`), as one line saying which round closed and why."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import pgettext

from readiness.models import PlanEvent
from readiness.services.plans import CLOSED, PROPOSED_AGAIN, REASSESSED
from readiness.translate import format_date, upper_first


def field_labels() -> dict[str, str]:
    """The recorded fields of a tracked action, as a sentence names them."""
    return {"status": pgettext("action field", "status"),
            "drop_reason": _("reason for dropping"), "lead": _("lead agency"),
            "partners": _("partner agencies"), "contact_role": _("contact role"),
            "due_on": _("due date"), "notes": pgettext("action field", "notes"),
            "links": _("evidence links"), "phase": pgettext("action field", "phase"),
            "round": pgettext("action field", "round")}


def _phases() -> dict[str, str]:
    return {"1": _("First 3 months"), "2": _("3 to 12 months"), "3": _("Beyond 12 months")}


def _value(field: str, raw: str, statuses: Mapping[str, str],
           agencies: Mapping[str, str]) -> str:
    """A recorded value as the reader reads it."""
    if field == "status":
        return statuses.get(raw, raw)
    if field == "due_on" and raw:
        try:
            return format_date(date.fromisoformat(raw))
        except ValueError:
            return raw
    if field in ("lead", "partners") and raw:
        return ", ".join(agencies.get(a, a) for a in raw.split(", "))
    if field == "phase" and raw:
        return _phases().get(raw, raw)
    return raw


def _who(event: PlanEvent) -> str:
    """Who made a recorded change, by the name they gave themselves ("someone" if unknown)."""
    return (event.user.display_name or event.user.username) if event.user else _("someone")


def _when(at: datetime) -> str:
    return _("%(date)s, %(time)s UTC", date=format_date(at.date()), time=at.strftime("%H:%M"))


def _change(event: PlanEvent, statuses: Mapping[str, str], agencies: Mapping[str, str]) -> str:
    """One field's change made by closing a round, as a sentence."""
    if event.field == "round":
        return _("It is now followed in round %(round)s.", round=event.after)
    field = field_labels().get(event.field, event.field)
    before = _value(event.field, event.before, statuses, agencies)
    after = _value(event.field, event.after, statuses, agencies)
    if not before:
        return _("%(Field)s set to “%(after)s”.", Field=upper_first(field),
                 after=after)
    return _("%(Field)s from “%(before)s” to “%(after)s”.",
             Field=upper_first(field), before=before, after=after)


def _edited(event: PlanEvent, statuses: Mapping[str, str], agencies: Mapping[str, str]) -> str:
    """One field's change made by a person (or, in older records, by no one known)."""
    when = _when(event.at)
    who = _who(event)
    field = field_labels().get(event.field, event.field)
    before = _value(event.field, event.before, statuses, agencies)
    after = _value(event.field, event.after, statuses, agencies)
    if not before:
        return _("%(when)s, %(who)s set %(field)s to “%(after)s”", when=when, who=who,
                 field=field, after=after)
    if not after:
        return _("%(when)s, %(who)s cleared %(field)s (it was “%(before)s”)", when=when,
                 who=who, field=field, before=before)
    return _("%(when)s, %(who)s changed %(field)s from “%(before)s” to “%(after)s”", when=when,
             who=who, field=field, before=before, after=after)


def _closing(mark: PlanEvent, changes: list[str]) -> str:
    """The line of one round's closing: which round, why, and what it changed."""
    if mark.before == REASSESSED:
        why = _("Round %(round)s closed: that round is the re-assessment this action planned, "
                "so it is done.", round=mark.after)
    elif mark.before == PROPOSED_AGAIN:
        why = _("Round %(round)s closed: its roadmap proposes this action again, as the score of "
                "its dimension fell back since the previous round.", round=mark.after)
    else:
        why = _("Round %(round)s closed.", round=mark.after)
    return " ".join([_when(mark.at) + ",", why, *(c for c in changes if c)])


def _dropped_by(events: list[PlanEvent], before: PlanEvent) -> str:
    """Who dropped the action last before the `before` mark, when, and why, as a sentence."""
    earlier = [e for e in events if e.id < before.id]
    drop = next((e for e in reversed(earlier) if e.field == "status" and e.after == "dropped"),
                None)
    if drop is None:
        return ""
    reason = next((e.after for e in reversed(earlier)
                   if e.field == "drop_reason" and e.after), "")
    who = _who(drop)
    return _("%(who)s had dropped it on %(date)s, because: “%(reason)s” (kept).", who=who,
             date=format_date(drop.at.date()), reason=reason) if reason else \
        _("%(who)s had dropped it on %(date)s.", who=who, date=format_date(drop.at.date()))


def history_lines(events: Iterable[PlanEvent], statuses: Mapping[str, str],
                  agencies: Mapping[str, str]) -> list[str]:
    """The action's history, newest first, one line per person's change and one per closing."""
    rows = sorted(events, key=lambda e: e.id)
    lines: list[str] = []
    mark: PlanEvent | None = None
    changes: list[str] = []
    for event in rows:
        if mark is not None and (event.field == CLOSED or event.user_id is not None):
            lines.append(_closing(mark, changes))
            mark, changes = None, []
        if event.field == CLOSED:
            mark = event
            if event.before == PROPOSED_AGAIN:
                changes.append(_dropped_by(rows, event))
        elif mark is not None:
            changes.append(_change(event, statuses, agencies))
        else:
            lines.append(_edited(event, statuses, agencies))
    if mark is not None:
        lines.append(_closing(mark, changes))
    return lines[::-1]
