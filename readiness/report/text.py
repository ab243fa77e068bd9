"""The report's plain-language sentences: summary, strong and weak points, evidence references.

Pure functions over a scored result; the wording lives here so that it can be read and tested
apart from layout. Returns plain strings: the templates escape them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from readiness import translate
from readiness.core.legal_roadmap import action_title
from readiness.core.plans import FirstWork, Held, is_overdue
from readiness.core.questionnaire import Questionnaire
from readiness.core.roadmap import UNTAILORED, Roadmap
from readiness.core.rules import satisfied_atoms
from readiness.core.schema import Evidence
from readiness.core.scoring import DimensionResult, Finding, ItemResult, Result
from readiness.core.statements import average_answer, statement_reading
from readiness.translate import gettext as _
from readiness.translate import in_sentence, ngettext, upper_first

POINTS = 3
FIRST_NAMED = 3  # how many open actions from the plan the summary names
CLOSE = 5  # dimensions less than this many points apart are reported as lying close together


@dataclass(frozen=True)
class Point:
    """A strong or weak point for the summary: a headline and one sentence of detail."""

    title: str
    detail: str


def format_date(day: date) -> str:
    """A date as `7 March 2025`, in the current language (`7 maart 2025`)."""
    return translate.format_date(day)


def cite(q: Questionnaire, evidence: Iterable[Evidence]) -> str:
    """Evidence as `[1] "Heading", lines 83-91; [2]`, numbered like the report's sources.

    The section heading is printed when the source lists its headings, so a reader can find
    the range in the published document; practice advice reads as such, with no source.
    """
    sources = {s.id: (n, s) for n, s in enumerate(q.doc.sources, start=1)}
    parts = []
    for ev in evidence:
        if ev.kind == "practice" or ev.source is None:
            parts.append(_("practice advice (no published source)"))
            continue
        number, source = sources.get(ev.source, (None, None))
        ref = f"[{number}]" if number is not None else f"[{ev.source}]"
        if ev.lines is not None:
            first, last = ev.lines
            section = source.section_of(first) if source is not None else None
            ref += f" \u201c{section}\u201d," if section else ""
            ref += (_(" line %(first)d", first=first) if first == last
                    else _(" lines %(first)d-%(last)d", first=first, last=last))
        if ev.locator:
            ref += f", {ev.locator}"
        parts.append(ref)
    return "; ".join(dict.fromkeys(parts))


def _statement(q: Questionnaire, item: ItemResult, highest: bool) -> str:
    values = {"score": f"{(item.score or 0.0) * 100:.0f}", "reading": statement_reading(q, item)}
    if highest:
        return _("Highest-scoring statement (%(score)s of 100): %(reading)s.", **values)
    return _("Lowest-scoring statement (%(score)s of 100): %(reading)s.", **values)


def _statement_point(q: Questionnaire, result: Result, item: ItemResult) -> Point:
    """A statement on its own, headed as a statement with its own score, never as its dimension."""
    dimension = in_sentence(result.dimension(item.dimension).title)
    reading = statement_reading(q, item)
    return Point(_("Statement on %(dimension)s (%(score)s of 100)", dimension=dimension,
                   score=f"{(item.score or 0.0) * 100:.0f}"),
                 upper_first(reading) + ".")


def _answer_score(q: Questionnaire, item: ItemResult) -> float:
    """The score of the answer option practitioners gave on average (0.5 is the middle)."""
    label = average_answer(q, item)
    return next((o.score or 0.0 for o in q.options(item.id) if o.label == label), 0.5)


def _dimension_title(dim: DimensionResult) -> str:
    return _("%(title)s: %(score)s of 100 (%(level)s)", title=dim.title,
             score=f"{dim.score or 0:.0f}", level=in_sentence(dim.level_title))


def _titles(barriers: bool, findings: list[Finding]) -> str:
    titles = "; ".join(f.title.rstrip(".") for f in findings)
    if barriers:
        return ngettext("Barrier found: %(titles)s.", "Barriers found: %(titles)s.",
                        len(findings), titles=titles)
    return ngettext("Facilitator found: %(titles)s.", "Facilitators found: %(titles)s.",
                    len(findings), titles=titles)


def _but_barriers(findings: list[Finding]) -> str:
    """That a dimension named a strength still carries barriers."""
    titles = "; ".join(f.title.rstrip(".") for f in findings)
    return ngettext("Even so, a barrier was found here: %(titles)s.",
                    "Even so, barriers were found here: %(titles)s.", len(findings),
                    titles=titles)


class _Points:
    """Up to POINTS points, each claim made once: keys are `dim:<id>` for a dimension (its score
    or a statement on it) and `found:<id>` for a barrier or facilitator."""

    def __init__(self) -> None:
        self.points: list[Point] = []
        self.seen: set[str] = set()

    def add(self, key: str, point: Point) -> None:
        if len(self.points) < POINTS and key not in self.seen:
            self.points.append(point)
        self.seen.add(key)


def strengths_and_weaknesses(q: Questionnaire,
                             result: Result) -> tuple[tuple[Point, ...], tuple[Point, ...]]:
    """The three strongest and three weakest points, as an advisor would name them.

    A point headed by a dimension gives that dimension's own score and level; a statement is
    only ever quoted as a statement, with its own score and what practitioners answered on
    average, so a reverse-worded statement reads as the disagreement it is.
    """
    return _strengths(q, result), _weaknesses(q, result)


def _by_dimension(q: Questionnaire, result: Result) -> dict[str, list[ItemResult]]:
    """Each dimension's scored statements, highest score first."""
    items: dict[str, list[ItemResult]] = {d.id: [] for d in result.dimensions}
    for item in result.items.values():
        if item.score is not None and item.dimension in items:
            items[item.dimension].append(item)
    for scored in items.values():
        scored.sort(key=lambda i: (-(i.score or 0.0), i.id))
    return items


def _strengths(q: Questionnaire, result: Result) -> tuple[Point, ...]:
    """The best dimension, facilitators across dimensions, then the other dimensions that are
    not of concern, facilitators on the rest, and statements in the strength band."""
    concern = q.doc.settings.concern_level
    strong_from = max(lv.min for lv in q.doc.levels) / 100
    items = _by_dimension(q, result)
    good = sorted((d for d in result.dimensions if d.score is not None and d.level != concern),
                  key=lambda d: (-(d.score or 0.0), d.id))
    top = max(q.doc.levels, key=lambda lv: lv.min)
    if lie_close(result) and not all(d.level == top.id for d in result.dimensions):
        good = []  # the summary says none stands out: no dimension is named a strength
    points = _Points()

    def dimension(dim: DimensionResult) -> None:
        helping = [f for f in result.facilitators if f.dimension == dim.id]
        best = next(iter(items[dim.id]), None)
        if helping:
            detail = _titles(False, helping)
        elif best is not None and _answer_score(q, best) > 0.5:
            detail = _statement(q, best, True)
        else:
            detail = q.level_for(dim.id, dim.score or 0.0).description
        hindering = [b for b in result.barriers if b.dimension == dim.id]
        if hindering:  # a strength with a barrier says so
            detail += " " + _but_barriers(hindering)
        points.add(f"dim:{dim.id}", Point(_dimension_title(dim), detail))
        points.seen.update(f"found:{f.id}" for f in helping)

    if len(good) == len(result.dimensions) > 1 and all(d.level == top.id for d in good):
        low, high = (f"{d.score or 0.0:.0f}" for d in (good[-1], good[0]))
        description = translate.lower_first(top.description)
        detail = (_("Each scores %(low)s of 100: %(description)s", low=low,
                    description=description) if low == high else
                  _("Scores from %(low)s to %(high)s of 100: %(description)s", low=low,
                    high=high, description=description))
        points.add("every", Point(_("Every dimension is a %(level)s",
                                    level=in_sentence(top.title)), detail))
        points.seen.update(f"dim:{d.id}" for d in good)
    for dim in good[:1]:
        if f"dim:{dim.id}" not in points.seen:
            dimension(dim)
    for found in (f for f in result.facilitators if f.dimension is None):
        points.add(f"found:{found.id}", Point(found.title, found_detail(q, result, found)))
    for dim in good[1:]:
        if f"dim:{dim.id}" not in points.seen:
            dimension(dim)
    for found in result.facilitators:
        points.add(f"found:{found.id}", Point(found.title, found_detail(q, result, found)))
    for dim in sorted(result.dimensions, key=lambda d: (-(d.score or 0.0), d.id)):
        best = next(iter(items[dim.id]), None)
        if best is not None and (best.score or 0.0) >= strong_from:
            points.add(f"dim:{dim.id}", _statement_point(q, result, best))
    return tuple(points.points)


def _weaknesses(q: Questionnaire, result: Result) -> tuple[Point, ...]:
    """The two weakest dimensions of concern, dimensions too few could answer, barriers across
    dimensions, the other dimensions of concern, then barriers and low statements elsewhere."""
    concern = q.doc.settings.concern_level
    items = _by_dimension(q, result)
    weak = sorted((d for d in result.dimensions if d.level == concern),
                  key=lambda d: (d.score or 0.0, d.id))
    points = _Points()

    def dimension(dim: DimensionResult) -> None:
        hindering = [b for b in result.barriers if b.dimension == dim.id]
        worst = next(reversed(items[dim.id]), None)
        if hindering:
            detail = _titles(True, hindering)
        elif worst is not None and (worst.score or 0.0) < q.doc.settings.low_item_score:
            detail = _statement(q, worst, False)
        else:
            detail = q.level_for(dim.id, dim.score or 0.0).description
        points.add(f"dim:{dim.id}", Point(_dimension_title(dim), detail))
        points.seen.update(f"found:{b.id}" for b in hindering)

    for dim in weak[:2]:
        dimension(dim)
    for dim in sorted((d for d in result.dimensions if d.score is None), key=lambda d: d.id):
        points.add(f"dim:{dim.id}", Point(
            _("%(title)s: too few answers to score", title=dim.title),
            _("Too many practitioners could not answer; awareness of this subject is itself a "
              "finding.")))
    for found in (b for b in result.barriers if b.dimension is None):
        points.add(f"found:{found.id}", Point(found.title, found_detail(q, result, found)))
    for dim in weak[2:]:
        dimension(dim)
    for found in sorted(result.barriers, key=lambda b: (_dim_score(result, b.dimension), b.id)):
        points.add(f"found:{found.id}", Point(found.title, found_detail(q, result, found)))
    low = sorted((i for scored in items.values() for i in scored
                  if (i.score or 0.0) < q.doc.settings.low_item_score),
                 key=lambda i: (i.score or 0.0, i.id))
    for item in low:
        points.add(f"dim:{item.dimension}", _statement_point(q, result, item))
    return tuple(points.points)


def found_detail(q: Questionnaire, result: Result, found: Finding) -> str:
    """A finding's description, with the context answers that made it hold here: a generic
    text may name several structures; the report says which ones were actually answered."""
    rules = {r.id: r for r in (*q.doc.barriers, *q.doc.facilitators)}
    rule = rules.get(found.id)
    if rule is None:
        return found.description
    answered: list[str] = []
    for atom in satisfied_atoms(rule.detect, result.facts()):
        if atom.context is None:
            continue
        chosen = set(result.context.get(atom.context, ())) & set(atom.in_ or ())
        answered += [o.label for o in q.options(atom.context) if o.value in chosen]
    if not answered:
        return found.description
    labels = list(dict.fromkeys(answered))
    return _("%(description)s Answered here: %(answers)s.",
             description=found.description.rstrip(), answers=", ".join(labels))


def _dim_score(result: Result, dimension: str | None) -> float:
    if dimension is None:
        return 101.0
    value = result.dimension(dimension).score
    return 100.0 if value is None else value


def held_when(held: Held, today: date) -> str:
    """When a carried-over open action was due, in words: overdue since, due, or no due date."""
    if held.due_on is None:
        return _("no due date")
    if is_overdue(held.status, held.due_on, today):
        return _("overdue since %(date)s", date=format_date(held.due_on))
    return _("due %(date)s", date=format_date(held.due_on))


def first_carried_line(held: Held, today: date, q: Questionnaire | None = None) -> str:
    """A carried-over open action as the "first three actions" name it, with its round."""
    title = action_title(q, held.action, held.title) if q else held.title
    if held.round is None:
        return _("Still open in the plan: %(title)s, %(when)s.", title=title,
                 when=held_when(held, today))
    return _("Still open from round %(round)d: %(title)s, %(when)s.", round=held.round,
             title=title, when=held_when(held, today))


def _carried_sentence(q: Questionnaire, work: FirstWork, today: date) -> str:
    """The summary's sentence naming the plan's open actions as the first work."""
    named = [_("%(title)s (%(when)s)", title=action_title(q, h.action, h.title),
               when=held_when(h, today)) for h in work.carried[:FIRST_NAMED]]
    more = len(work.carried) - len(named)
    if more:
        named.append(ngettext("%(num)d more", "%(num)d more", more))
    rounds = {h.round for h in work.carried}
    count = len(work.carried)
    if len(rounds) == 1 and None not in rounds:
        return ngettext("First comes the action still open from round %(round)d: %(actions)s.",
                        "First come the %(num)d actions still open from round %(round)d: "
                        "%(actions)s.", count, round=rounds.pop(), actions=_join(named))
    return ngettext("First comes the action still open in the plan: %(actions)s.",
                    "First come the %(num)d actions still open in the plan: %(actions)s.",
                    count, actions=_join(named))


def _roadmap_sentence(q: Questionnaire, roadmap: Roadmap, work: FirstWork, today: date) -> str:
    """What the roadmap proposes, counted from `work` (the list the first actions show), after
    the plan's open actions as the first work when there are any."""
    later = (_(", sized for %(size)s, with %(later)d more on a \u201clater, if needed\u201d "
               "list", size=roadmap.size_label, later=len(roadmap.later))
             if roadmap.size_label else "")
    values = {"actions": len(work.dated), "first": work.in_first_months, "later": later,
              "model": in_sentence(roadmap.model.title)}
    if not work.carried:
        return ngettext(
            "The roadmap proposes %(actions)d dated action (%(first)d due in the first three "
            "months)%(later)s, and suggests a %(model)s as the way of working to aim for, built "
            "on what already exists here. Models inspire; they are not a blueprint.",
            "The roadmap proposes %(actions)d dated actions, %(first)d of them in the first three "
            "months%(later)s, and suggests a %(model)s as the way of working to aim for, built on "
            "what already exists here. Models inspire; they are not a blueprint.",
            len(work.dated), **values)
    return _carried_sentence(q, work, today) + " " + ngettext(
        "Beyond them, the roadmap proposes %(actions)d new dated action (%(first)d due in the "
        "first three months)%(later)s, and suggests a %(model)s as the way of working to aim "
        "for, built on what already exists here. Models inspire; they are not a blueprint.",
        "Beyond them, the roadmap proposes %(actions)d new dated actions (%(first)d due in the "
        "first three months)%(later)s, and suggests a %(model)s as the way of working to aim "
        "for, built on what already exists here. Models inspire; they are not a blueprint.",
        len(work.dated), **values)


def summary_paragraphs(q: Questionnaire, result: Result, roadmap: Roadmap,
                       municipality: str, counts: str, work: FirstWork | None = None,
                       today: date | None = None) -> tuple[str, ...]:
    """Two or three short paragraphs an advisor would open the report with; `counts` words who
    answered, as the published view words it (`12 practitioners in 4 agencies`); `work` is what
    the roadmap starts with (`first_work`: the plan's open actions, then the new dated ones),
    the one list the summary counts and the first three actions show."""
    today = today or date.today()
    work = work or FirstWork((), roadmap.dated, 0)
    stage = _("%(municipality)s is at the stage \u201c%(stage)s\u201d. ",
              municipality=municipality, stage=result.stage_title)
    stage += result.stage_description.rstrip(".") + "."
    if result.overall is not None:
        stage += " " + _("Across the five dimensions, readiness is %(overall)s of 100, from the "
                         "%(counts)s, each agency counting equally.",
                         overall=f"{result.overall:.0f}", counts=counts)
    paragraphs = [stage]
    scored = [d for d in result.dimensions if d.score is not None]
    if len(scored) >= 2:
        paragraphs.append(_dimensions_paragraph(result, scored, roadmap))
    if not roadmap.tailored:
        ending = str(UNTAILORED)
    elif roadmap.sustaining:
        ending = _("Every dimension is a strength, so the roadmap is short: keep the "
                   "cooperation alive, monitor it and re-assess.")
    else:
        paragraphs.append(_roadmap_sentence(q, roadmap, work, today))
        return tuple(paragraphs)
    if work.carried:
        ending = _carried_sentence(q, work, today) + " " + ending
    paragraphs.append(ending)
    return tuple(paragraphs)


def _dimensions_paragraph(result: Result, scored: list[DimensionResult],
                          roadmap: Roadmap) -> str:
    """The strongest and weakest dimensions, the gaps and the "don't know" subjects."""
    text = _high_and_low(scored, roadmap)
    gaps = [in_sentence(d.title) for d in result.dimensions if d.divergent]
    if gaps:
        seen = _("every dimension") if len(gaps) == len(result.dimensions) else _join(gaps)
        text += " " + _("Agencies see %(seen)s quite differently: talking about that "
                        "difference is part of building trust.", seen=seen)
    unsure = [in_sentence(d.title) for d in result.dimensions if d.dont_know_flag]
    if unsure:
        text += " " + ngettext(
            "Many practitioners answered \u201cdon't know\u201d on %(subjects)s, which says "
            "that knowledge of this subject needs to spread.",
            "Many practitioners answered \u201cdon't know\u201d on %(subjects)s, which says "
            "that knowledge of these subjects needs to spread.",
            len(unsure), subjects=_join(unsure))
    return text


def lie_close(result: Result) -> bool:
    """Whether the scored dimensions (two or more) lie so close together that none stands out
    as the strongest or the weakest: the one rule the summary and the strongest points read."""
    shown = [round(d.score) for d in result.dimensions if d.score is not None]
    return len(shown) >= 2 and max(shown) - min(shown) < CLOSE


def no_strength_text(result: Result) -> str:
    """What the strongest points box says when it has nothing to list."""
    if lie_close(result):
        return _("No clear strength: the dimensions lie close together, so none stands out, "
                 "and no facilitator was found.")
    return _("No clear strength yet: no dimension reached the borderline level and no "
             "facilitator was found.")


def _high_and_low(scored: list[DimensionResult], roadmap: Roadmap) -> str:
    """The strongest and weakest dimensions (all of them on a tie), or that they lie close."""
    shown = {d.id: round(d.score or 0.0) for d in scored}
    top, bottom = max(shown.values()), min(shown.values())
    high = [in_sentence(d.title) for d in scored if shown[d.id] == top]
    low = [d for d in scored if shown[d.id] == bottom]
    starts = bool(roadmap.actions) and roadmap.actions[0].dimension in {d.id for d in low}
    if top - bottom < CLOSE:  # as lie_close, which the strongest points read too
        return (_("All dimensions score %(top)d.", top=top) if top == bottom else
                _("The dimensions lie close together, from %(bottom)d to %(top)d: none stands "
                  "out.", bottom=bottom, top=top))
    values = {"high": _join(high), "top": top, "low": _join([in_sentence(d.title) for d in low]),
              "bottom": bottom}
    strongest = (ngettext("The strongest dimension is %(high)s (%(top)d)",
                          "The strongest dimensions are %(high)s (%(top)d)", len(high), **values))
    weakest = (ngettext("the weakest is %(low)s (%(bottom)d)",
                        "the weakest are %(low)s (%(bottom)d)", len(low), **values))
    ending = (_("%(strongest)s; %(weakest)s, and the roadmap starts there.") if starts
              else _("%(strongest)s; %(weakest)s."))
    return ending % {"strongest": strongest, "weakest": weakest}


def _join(words: list[str]) -> str:
    return translate.join_words(words)


def gap_meaning(dimension: str, title: str, high: str, low: str) -> str:
    """What a perception gap on a dimension means for trust, in one or two sentences."""
    if dimension == "trust":
        return _("%(high)s trusts the cooperation more than %(low)s does. Trust that one side "
                 "does not feel cannot carry case work yet: hear the more doubtful agency first.",
                 high=high, low=low)
    if dimension == "legal_basis":
        return _("%(high)s is surer about what may be shared than %(low)s. Until both read the "
                 "rules the same way, one side will feel refused and the other pressed; a "
                 "common legal summary closes the gap.", high=high, low=low)
    if dimension == "role_clarity":
        return _("%(high)s finds the roles clearer than %(low)s. Unclear expectations are a "
                 "common source of disappointment between agencies; agree who does what, in "
                 "writing.", high=high, low=low)
    return _("%(high)s rates %(title)s higher than %(low)s. Agencies that experience the "
             "cooperation differently should compare notes before trust erodes.",
             high=high, title=in_sentence(title), low=low)
