"""Rules of a living roadmap, on plain values: due dates, overdue, carrying actions over to the
next round, evidence links, and the iCalendar text of due dates.

Reads a roadmap as stored (`roadmap_to_dict`) defensively: only id, title, dimension, family,
phase, lead, partners and a due date (given, or its `due_month` counted from the closing date,
as the page and the PDF count it: `due_on`); other keys are ignored, and an action with no date
(a "later" action) is not tracked as a dated one. What a later round's roadmap takes from the
plan is decided here once (`from_plan`), for the page, the PDF and the plan alike.
"""

from __future__ import annotations

import calendar
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from readiness.core.roadmap import PlannedAction, Roadmap, is_first_action
from readiness.translate import lazy_gettext as _l
from readiness.translate import ngettext
from readiness.vocabulary import ActionStatus

OPEN_STATUSES = frozenset({ActionStatus.PLANNED, ActionStatus.IN_PROGRESS})
# months after the round closed by which an action of each dated phase should be done
PHASE_MONTHS = {1: 3, 2: 12}
# a dimension "fell back" when its score dropped by at least this many points
FALL_BACK_POINTS = 5.0
MAX_LINKS = 10
STATUS_TITLES: Mapping[str, object] = {
    ActionStatus.PLANNED: _l("Planned"), ActionStatus.IN_PROGRESS: _l("In progress"),
    ActionStatus.DONE: _l("Done"), ActionStatus.DROPPED: _l("Dropped")}


@dataclass(frozen=True)
class ProposedAction:
    """A dated action of a stored roadmap, as the plan tracks it."""

    action: str
    title: str
    dimension: str | None
    family: str | None
    phase: int | None
    due_on: date
    lead: str
    partners: tuple[str, ...]


def add_months(day: date, months: int) -> date:
    """`day` moved `months` later, on the last day of the month when the day does not exist."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_on(planned_from: date, due_month: int | None) -> date | None:
    """The one due date of a roadmap action: `due_month` months after the round's closing date
    (`planned_from`); None for an undated ("later, if needed") action. The page, the PDF and
    the plan all read it from here."""
    return None if due_month is None else add_months(planned_from, due_month)


def _due(raw: Mapping[str, Any], closed_on: date) -> date | None:
    given = raw.get("due") or raw.get("due_on")
    if isinstance(given, str):
        try:
            return date.fromisoformat(given)
        except ValueError:
            return None
    month = raw.get("due_month")
    if isinstance(month, int) and not isinstance(month, bool):
        return due_on(closed_on, month)
    phase = raw.get("phase")
    months = PHASE_MONTHS.get(phase) if isinstance(phase, int) else None
    return add_months(closed_on, months) if months else None


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    return value if isinstance(value, str) else ""


def dated_actions(roadmap: Mapping[str, Any], closed_on: date) -> list[ProposedAction]:
    """The actions of a stored roadmap that have (or get, from their phase) a due date."""
    found: list[ProposedAction] = []
    actions = roadmap.get("actions")
    for raw in actions if isinstance(actions, list) else ():
        if not isinstance(raw, Mapping) or not _text(raw, "id"):
            continue
        due = _due(raw, closed_on)
        if due is None:
            continue
        partners = raw.get("partners")
        phase = raw.get("phase")
        found.append(ProposedAction(
            action=_text(raw, "id"), title=_text(raw, "title") or _text(raw, "id"),
            dimension=_text(raw, "dimension") or None, family=_text(raw, "family") or None,
            phase=phase if isinstance(phase, int) else None, due_on=due,
            lead=_text(raw, "lead"),
            partners=tuple(p for p in partners if isinstance(p, str))
            if isinstance(partners, list) else ()))
    return found


def is_overdue(status: str, due_on: date | None, today: date) -> bool:
    """An open action whose due date has passed."""
    return status in OPEN_STATUSES and due_on is not None and due_on < today


@dataclass(frozen=True)
class Held:
    """An action the municipality's plan already holds (from an earlier round)."""

    action: str
    title: str
    status: str
    dimension: str | None
    due_on: date | None = None
    round: int | None = None  # the round whose roadmap proposed it (None: unknown or deleted)


@dataclass(frozen=True)
class FromPlan:
    """What a round's roadmap takes from the plan of the rounds before it. One rule
    (`next_round`), read by the results page, the PDF and the plan: an action the plan holds
    open is carried over with the plan's status and due date; one done or dropped stays as
    people left it, named once, unless its dimension fell back: then it is proposed again (and
    closing the round re-opens its row rather than adding a second one)."""

    still_open: tuple[Held, ...] = ()  # open in the plan: carried over, not proposed as new
    done: tuple[Held, ...] = ()  # done before, dimension held: left out of the roadmap
    again: tuple[Held, ...] = ()  # done or dropped, but the dimension fell back: proposed again
    dropped: tuple[Held, ...] = ()  # dropped before, dimension held: left out, as people decided

    @property
    def left_out(self) -> frozenset[str]:
        """The action ids the roadmap does not propose as new."""
        return frozenset(h.action for h in (*self.still_open, *self.done, *self.dropped))


FIRST_COUNT = 3  # how many actions the report's "first three actions" name


@dataclass(frozen=True)
class FirstWork:
    """The work a round's roadmap starts with, the one list both the summary's counts and its
    "first three actions" read (`first_work`): the plan's actions still open from earlier
    rounds first (overdue ones first), then the roadmap's new dated actions in the order the
    plan does them; never an undated "later, if needed" action."""

    carried: tuple[Held, ...]  # open in the plan from earlier rounds, overdue first
    dated: tuple[PlannedAction, ...]  # the roadmap's new dated actions, first phase first
    overdue: int  # how many of `carried` are overdue

    @property
    def in_first_months(self) -> int:
        """How many new dated actions fall in the first three months (`is_first_action`)."""
        return sum(1 for a in self.dated if is_first_action(a.phase))

    def first(self, count: int = FIRST_COUNT) -> tuple[tuple[Held, ...],
                                                       tuple[PlannedAction, ...]]:
        """The first `count` of the work: carried-over open actions, then new dated ones."""
        carried = self.carried[:count]
        return carried, self.dated[:count - len(carried)]


def first_work(roadmap: Roadmap, found: FromPlan, today: date) -> FirstWork:
    """What a round's roadmap starts with (`FirstWork`): the still-open actions `found` in the
    plan, overdue first (oldest due date first), then by due date, undated last; then the
    roadmap's dated actions by phase, due month and priority."""
    def open_order(held: Held) -> tuple[int, date]:
        if held.due_on is None:
            return 2, date.max
        return (0 if is_overdue(held.status, held.due_on, today) else 1), held.due_on

    carried = tuple(sorted(found.still_open, key=open_order))
    dated = tuple(sorted(roadmap.dated,
                         key=lambda a: (a.phase, a.due_month if a.due_month is not None
                                        else PHASE_MONTHS.get(a.phase, 10 ** 6), a.priority)))
    overdue = sum(1 for h in carried if is_overdue(h.status, h.due_on, today))
    return FirstWork(carried, dated, overdue)


def fell_back(dimension: str | None, before: Mapping[str, float | None],
              now: Mapping[str, float | None]) -> bool:
    """Did `dimension` lose at least FALL_BACK_POINTS since the previous round?"""
    if dimension is None:
        return False
    old, new = before.get(dimension), now.get(dimension)
    return old is not None and new is not None and new <= old - FALL_BACK_POINTS


CARRIED, RESTS, AGAIN = "carried", "rests", "again"
# What the next round does with an action the plan holds, by its status: the one table read by
# the roadmap (`from_plan`) and by closing the round (`carry_over`). Open: carried over as it
# stands. Done or dropped: it rests as people left it (status, reason, notes), unless its
# dimension fell back, when it is proposed AGAIN. (A renewed action, the re-assessment, is
# done by closing the next round, which adds it anew: see `carry_over`.)
ON_NEXT_ROUND: Mapping[str, str] = {
    ActionStatus.PLANNED: CARRIED, ActionStatus.IN_PROGRESS: CARRIED,
    ActionStatus.DONE: RESTS, ActionStatus.DROPPED: RESTS}


def next_round(status: str, fallen_back: bool) -> str:
    """CARRIED, RESTS or AGAIN: what the next round does with a held action (`ON_NEXT_ROUND`)."""
    rule = ON_NEXT_ROUND.get(status, RESTS)
    return AGAIN if rule == RESTS and fallen_back else rule


def from_plan(proposed: Iterable[tuple[str, str | None]], held: Iterable[Held],
              before: Mapping[str, float | None], now: Mapping[str, float | None],
              renewed: Collection[str] = ()) -> FromPlan:
    """Sort the plan's earlier actions (oldest first) against a roadmap's proposed
    (id, dimension) pairs by `next_round`: every open one is carried over (proposed or not); a
    done or dropped one the roadmap proposes is left out unless its dimension fell back.
    `renewed` actions (the re-assessment: this round is the earlier one's) are proposed anew."""
    latest = {h.action: h for h in held if h.action not in renewed}
    still_open = tuple(h for h in latest.values() if next_round(h.status, False) == CARRIED)
    done: list[Held] = []
    again: list[Held] = []
    dropped: list[Held] = []
    for action, dimension in proposed:
        found = latest.get(action)
        if found is None:
            continue
        rule = next_round(found.status, fell_back(dimension, before, now))
        if rule == AGAIN:
            again.append(found)
        elif rule == RESTS:
            (done if found.status == ActionStatus.DONE else dropped).append(found)
    return FromPlan(still_open, tuple(done), tuple(again), tuple(dropped))


def follow_plan(roadmap: Roadmap, held: Iterable[Held], before: Mapping[str, float | None],
                now: Mapping[str, float | None],
                renewed: Collection[str] = ()) -> tuple[Roadmap, FromPlan]:
    """The roadmap without the actions the plan already holds open, done or dropped
    (`from_plan`), renumbered, and what it took from the plan."""
    found = from_plan(((a.id, a.dimension) for a in roadmap.actions), held, before, now,
                      renewed)
    kept = [a for a in roadmap.actions if a.id not in found.left_out]
    if len(kept) == len(roadmap.actions):
        return roadmap, found
    kept_ids = {a.id for a in kept}
    actions = tuple(replace(a, priority=n, depends_on=tuple(d for d in a.depends_on
                                                            if d in kept_ids))
                    for n, a in enumerate(kept, start=1))
    return replace(roadmap, actions=actions), found


@dataclass(frozen=True)
class CarryOver:
    """What closing a round does to the plan with its roadmap's dated actions."""

    new: tuple[ProposedAction, ...]  # not in the plan yet (or renewed): added
    reopened: tuple[ProposedAction, ...]  # held done or dropped, proposed again: row re-opened
    kept_open: tuple[str, ...]  # already open: left as it is (never a second row)
    completed: tuple[str, ...] = ()  # renewed actions held open: this round did them


def carry_over(proposed: Iterable[ProposedAction], held: Iterable[Held],
               renewed: Collection[str] = ()) -> CarryOver:
    """By `next_round`: a proposed action the plan does not hold is new; one it holds open
    stays as it is; one it holds done or dropped is re-opened (the roadmap proposes those only
    when their dimension fell back), so the plan never holds an action twice. A `renewed`
    action held open is what closing this round accomplishes (`completed`); the roadmap's own
    is added as new."""
    rows = list(held)
    statuses: dict[str, set[str]] = {}
    for item in rows:
        statuses.setdefault(item.action, set()).add(item.status)
    new: list[ProposedAction] = []
    reopened: list[ProposedAction] = []
    kept: list[str] = []
    for action in proposed:
        found = statuses.get(action.action)
        if not found or action.action in renewed:
            new.append(action)
        elif any(next_round(s, False) == CARRIED for s in found):
            kept.append(action.action)
        else:
            reopened.append(action)
    completed = tuple(dict.fromkeys(h.action for h in rows if h.action in renewed
                                    and next_round(h.status, False) == CARRIED))
    return CarryOver(tuple(new), tuple(reopened), tuple(kept), completed)


@dataclass(frozen=True)
class FollowedChange:
    """A dimension's change in score and the earlier actions on it that it follows."""

    dimension: str
    change: float
    done: tuple[str, ...]  # titles of actions done on this dimension
    open: tuple[str, ...]  # titles of actions still open on it


def changes_following(tracked: Iterable[tuple[str, str, str | None]],
                      before: Mapping[str, float | None],
                      now: Mapping[str, float | None]) -> list[FollowedChange]:
    """Per dimension whose score can be compared, the earlier actions (title, status, dimension)
    the change follows: a plain record of what was done before it, not a claim of cause."""
    rows = list(tracked)
    found: list[FollowedChange] = []
    for dimension, old in before.items():
        new = now.get(dimension)
        if old is None or new is None:
            continue
        done = tuple(t for t, s, d in rows if d == dimension and s == ActionStatus.DONE)
        still = tuple(t for t, s, d in rows if d == dimension and s in OPEN_STATUSES)
        if done or still:
            found.append(FollowedChange(dimension, new - old, done, still))
    return found


def clean_link(text: str) -> str | None:
    """`text` as an evidence link if it is an absolute http(s) URL with a host, else None."""
    text = text.strip()
    if not text or len(text) > 500 or any(c.isspace() or ord(c) < 32 for c in text):
        return None
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return text


# ---------------------------------------------------------------- iCalendar (RFC 5545)


def ics_escape(text: str) -> str:
    """TEXT escaped per RFC 5545 3.3.11: backslash, semicolon, comma and line breaks."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    text = text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")
    return "".join(c for c in text if c == "\t" or ord(c) >= 32 and ord(c) != 127)


def _fold(line: str) -> str:
    """A content line folded at 75 octets (RFC 5545 3.1), never inside a UTF-8 character."""
    out: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > (75 if not out else 74):
            out.append(current)
            current, size = "", 0
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


@dataclass(frozen=True)
class DueEvent:
    """One all-day calendar entry: an action's due date."""

    uid: str
    due_on: date
    summary: str
    description: str


def ics_calendar(name: str, events: Iterable[DueEvent], stamp: datetime) -> str:
    """An iCalendar feed of all-day due-date events; every text escaped and folded."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//MAW Readiness//Action plan//EN",
             "CALSCALE:GREGORIAN", f"X-WR-CALNAME:{ics_escape(name)}"]
    stamp_text = stamp.strftime("%Y%m%dT%H%M%SZ")
    for event in events:
        lines += ["BEGIN:VEVENT", f"UID:{ics_escape(event.uid)}@maw-readiness",
                  f"DTSTAMP:{stamp_text}",
                  f"DTSTART;VALUE=DATE:{event.due_on.strftime('%Y%m%d')}",
                  f"SUMMARY:{ics_escape(event.summary)}",
                  f"DESCRIPTION:{ics_escape(event.description)}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


@dataclass(frozen=True)
class Tally:
    """How many tracked actions stand where, in one group (all, a phase, a dimension)."""

    key: str
    planned: int = 0
    in_progress: int = 0
    done: int = 0
    dropped: int = 0
    overdue: int = 0

    @property
    def total(self) -> int:
        """Every action in the group, whatever its status."""
        return self.planned + self.in_progress + self.done + self.dropped

    def counts_in_words(self) -> tuple[str, ...]:
        """Each status's count in words, its plural following the count; they add up to the
        total (overdue actions are among the open ones: `overdue_in_words`)."""
        return (ngettext("%(num)d done", "%(num)d done", self.done),
                ngettext("%(num)d in progress", "%(num)d in progress", self.in_progress),
                ngettext("%(num)d planned", "%(num)d planned", self.planned),
                ngettext("%(num)d dropped", "%(num)d dropped", self.dropped))

    def overdue_in_words(self) -> str:
        """How many of the open actions are overdue, as a sentence ('' when none is)."""
        return ngettext("%(num)d of the open actions is overdue.",
                        "%(num)d of the open actions are overdue.", self.overdue) \
            if self.overdue else ""

    def in_words(self) -> str:
        """The plan's totals as one sentence, the same on the plan, results and share pages
        and in the plan PDF: counts that add up to the total, overdue ones said apart."""
        counts = ", ".join(self.counts_in_words())
        text = ngettext("%(counts)s, of %(num)d tracked action.",
                        "%(counts)s, of %(num)d tracked actions.", self.total, counts=counts)
        return f"{text} {self.overdue_in_words()}".strip()


def tally(rows: Iterable[tuple[str, str, date | None]], today: date) -> dict[str, Tally]:
    """Counts per group key from (key, status, due date) rows; overdue counts open ones only."""
    counts: dict[str, dict[str, int]] = {}
    for key, status, due in rows:
        group = counts.setdefault(key, {s.value: 0 for s in ActionStatus} | {"overdue": 0})
        if status in group:
            group[status] += 1
        group["overdue"] += is_overdue(status, due, today)
    return {key: Tally(key, **values) for key, values in counts.items()}
