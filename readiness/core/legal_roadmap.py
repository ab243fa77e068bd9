"""The seam between a jurisdiction profile and the roadmap: legal findings, wording and actions.

`apply_legal(roadmap, q, result, profile)` takes a built roadmap and returns it tailored to the
law of the municipality's jurisdiction: the legal actions name the instruments that apply and say
what a local agreement can and cannot do; where the law gives no basis for sharing in a
multi-agency meeting, the protocol is replaced by the routes that remain (consent, knowledge
sharing without personal data, escalation to the national level); where a data-protection impact
assessment is expected, it comes before the sharing. The wording is data
(`questionnaires/legal/roadmap.yaml`); new actions are copies of the action they stand in for,
so they keep whatever fields a planned action has. Pure: no Flask or DB imports.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Literal

from pydantic import Field

from readiness.core.legal import WITH_BASIS, LegalError, Profile, profiles_dir
from readiness.core.plans import Held
from readiness.core.questionnaire import Questionnaire
from readiness.core.roadmap import PHASE_TITLES, PlannedAction, Roadmap
from readiness.core.roadmap_plan import LATER, due_months
from readiness.core.schema import ID_PATTERN, Evidence, Frozen
from readiness.core.scoring import Result
from readiness.core.yaml_source import QuestionnaireError, _parse, _read_yaml
from readiness.translate import LANGUAGES, translations
from readiness.translate import gettext as _


class Wording(Frozen):
    """The title and text of a reworded protocol."""

    title: str
    what: str


class NewAction(Frozen):
    """An action the legal position adds or puts in place of another."""

    id: str = Field(pattern=ID_PATTERN)
    title: str
    what: str
    why: str
    indicator: str
    evidence: tuple[Evidence, ...] = Field(min_length=1)  # in the questionnaire's sources


class LegalRoadmapDoc(Frozen):
    """The wording of the legal tailoring."""

    format: Literal[1]
    map_action: str
    protocol_action: str
    basis_sentences: dict[Literal["statutory", "conditional", "consent_only", "none_found"], str]
    finding: str
    agreement_note: str
    agency_note: str
    map_what: str
    protocol: Wording
    consent_protocol: NewAction
    routes: NewAction
    dpia: NewAction


_CACHE: dict[str, LegalRoadmapDoc] = {}


def legal_wording() -> LegalRoadmapDoc:
    """The shipped wording, loaded and validated once per process."""
    if "doc" not in _CACHE:
        file = profiles_dir().parent / "roadmap.yaml"
        try:
            _CACHE["doc"] = _parse(_read_yaml(file), LegalRoadmapDoc)
        except QuestionnaireError as exc:
            error = LegalError(exc.file, (), exc.line, exc.message)
            error.key_path, error.args = exc.key_path, exc.args
            raise error from None
    return _CACHE["doc"]


def _names(profile: Profile, ids: tuple[str, ...]) -> str:
    titles = [profile.source(i).short or profile.source(i).title for i in ids]
    return "; ".join(dict.fromkeys(titles)) or "the general data protection rules"


def fill(text: str, profile: Profile) -> str:
    """A wording in the current language, its placeholders filled in from a profile (the
    profile's own statements stay as written: they are data, checked against their sources)."""
    cs = profile.case_sharing
    return _(text).format(
        jurisdiction=profile.jurisdiction, instruments=_names(profile, cs.instruments),
        can=cs.local_agreement_can.strip(), cannot=cs.local_agreement_cannot.strip(),
        case_sharing=cs.text.strip(), dpia=profile.dpia.text.strip(),
        contact=profile.framework.contact.strip(),
        basis_sentence=basis_sentence(profile))


def basis_sentence(profile: Profile) -> str:
    """One sentence on the basis for multi-agency sharing in this jurisdiction."""
    sentence = legal_wording().basis_sentences[profile.case_sharing.basis]
    return _(sentence).format(instruments=_names(profile, profile.case_sharing.instruments))


def agency_notes(profile: Profile, q: Questionnaire, result: Result) -> tuple[str, ...]:
    """For agencies that took part: where their sharing rests on consent or has no basis."""
    words = legal_wording()
    titles = {a.id: a.title for a in q.doc.agencies}
    notes = []
    for agency in q.agency_ids:
        rule = profile.agency(agency)
        if agency in result.respondents_by_agency and rule and rule.basis not in WITH_BASIS:
            notes.append(_(words.agency_note).format(agency=titles.get(agency, agency),
                                                  text=rule.text.strip(),
                                                  limits=(rule.limits or "-").strip()))
    return tuple(notes)


def _copy(base: PlannedAction, new: NewAction, profile: Profile, findings: tuple[str, ...],
          notes: tuple[str, ...], depends_on: tuple[str, ...]) -> PlannedAction:
    return replace(base, id=new.id, title=_(new.title), what=fill(new.what, profile),
                   why=fill(new.why, profile), indicator=_(new.indicator), findings=findings,
                   notes=notes, depends_on=depends_on, inspiration=(), evidence=new.evidence)


def apply_legal(roadmap: Roadmap, q: Questionnaire, result: Result,
                profile: Profile) -> Roadmap:
    """The roadmap with its legal actions tailored to `profile` (see the module docstring)."""
    words = legal_wording()
    finding = fill(words.finding, profile)
    agreement = fill(words.agreement_note, profile)
    basis = profile.case_sharing.basis
    out: list[PlannedAction] = []
    renamed: dict[str, str] = {}
    protocol = any(a.id == words.protocol_action for a in roadmap.actions)
    for action in roadmap.actions:
        if action.id == words.map_action:  # the protocol, if planned, says what it can do
            out.append(replace(action, what=fill(words.map_what, profile),
                               findings=(finding, *action.findings),
                               notes=action.notes if protocol else (*action.notes, agreement)))
            continue
        if action.id != words.protocol_action:
            out.append(action)
            continue
        notes = (*action.notes, *agency_notes(profile, q, result))
        deps = action.depends_on
        if profile.dpia.expected:
            out.append(_copy(action, words.dpia, profile, (finding,), (), deps))
            deps = (*deps, words.dpia.id)
        if basis in WITH_BASIS:
            out.append(replace(action, title=_(words.protocol.title),
                               what=fill(words.protocol.what, profile),
                               findings=(finding, *action.findings), notes=notes,
                               depends_on=deps))
            continue
        new = words.consent_protocol if basis == "consent_only" else words.routes
        renamed[action.id] = new.id
        out.append(_copy(action, new, profile, (finding, *action.findings), notes, deps))
    out = [replace(a, depends_on=tuple(renamed.get(d, d) for d in a.depends_on)) for a in out]
    settings = q.doc.settings
    # the re-assessment is never moved: it stays due on the one re-assessment date
    at_reassessment = {a.id for a in q.library.actions if a.at_reassessment}
    keep = {words.dpia.id, words.protocol_action, *renamed.values(), *at_reassessment}
    out = _keep_capacity(out, 1, roadmap.phase_one_capacity or settings.phase_one_capacity, keep)
    if roadmap.dated_capacity is None:
        out = _keep_capacity(out, 2, settings.phase_two_capacity, keep)
    else:
        out = _keep_dated(out, roadmap.dated_capacity, keep)
    # due months spread again over each phase as it now stands, as the roadmap spreads them
    due = due_months({a.id: a.phase for a in out}, [a.id for a in out], q.library.plan,
                     at_reassessment, roadmap.reassess_after_months)
    return replace(roadmap, actions=tuple(replace(a, priority=n, due_month=due.get(a.id))
                                          for n, a in enumerate(out, start=1)))


def _keep_capacity(actions: list[PlannedAction], phase: int, capacity: int,
                   keep: set[str]) -> list[PlannedAction]:
    """At most `capacity` actions in `phase`: an added legal step pushes the last action of the
    phase that nothing else in it needs into the next phase, as the roadmap's overflow does."""
    out = list(actions)
    while sum(a.phase == phase for a in out) > capacity:
        in_phase = [a for a in out if a.phase == phase]
        needed = {d for a in in_phase for d in a.depends_on}
        movable = [a for a in in_phase if a.id not in needed and a.id not in keep]
        if not movable:
            break
        last = movable[-1]
        out[out.index(last)] = replace(last, phase=phase + 1,
                                       phase_title=str(PHASE_TITLES[phase + 1]),
                                       due_month=None)
    return sorted(out, key=lambda a: a.phase)  # stable: the order within a phase is kept


def _keep_dated(actions: list[PlannedAction], capacity: int,
                keep: set[str]) -> list[PlannedAction]:
    """At most `capacity` dated actions: an added legal step moves the last dated action that
    no other dated action needs to the undated "later, if needed" list."""
    out = list(actions)
    while sum(a.phase != LATER for a in out) > capacity:
        dated = [a for a in out if a.phase != LATER]
        needed = {d for a in dated for d in a.depends_on}
        movable = [a for a in dated if a.id not in needed and a.id not in keep]
        if not movable:
            break
        last = max(movable, key=lambda a: (a.phase, out.index(a)))
        out[out.index(last)] = replace(last, phase=LATER, phase_title=str(PHASE_TITLES[LATER]),
                                       due_month=None)
    return sorted(out, key=lambda a: a.phase)


def action_title(q: Questionnaire, action_id: str, stored: str) -> str:
    """A tracked action's title in the current language, found from its id: the library's (`q`
    in the reader's language), or the legal wording's for the actions the legal tailoring adds
    or rewords. The stored title (in the language of whoever closed the round) is kept only
    for an action neither knows, such as one with no id."""
    words = legal_wording()
    if action_id == words.protocol_action and stored in _in_every_language(words.protocol.title):
        return _(words.protocol.title)
    added = {a.id: a.title for a in (words.consent_protocol, words.routes, words.dpia)}
    if action_id in added:
        return _(added[action_id])
    found = next((a.title for a in q.library.actions if a.id == action_id), None)
    return found or stored


def held_titles(q: Questionnaire, held: Iterable[Held]) -> tuple[str, ...]:
    """The titles of actions a plan already holds, in the current language (`action_title`
    for each): the results page and the roadmap PDF name them alike."""
    return tuple(action_title(q, h.action, h.title) for h in held)


def _in_every_language(message: str) -> set[str]:
    return {translations(code).ugettext(message) for code in LANGUAGES}
