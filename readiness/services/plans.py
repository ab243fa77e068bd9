"""The living roadmap's use cases over a session (flush, never commit): the plan made when a
round closes, edits with their history, and read-only share links for partners.

A municipality has one plan: the tracked actions of all its rounds, each action at most once
(but the re-assessment, one per round).
A round's roadmap leaves out what the plan holds open, done or dropped unless its dimension
fell back (`readiness.core.plans.from_plan`, applied when the round is published); closing it
adds the roadmap's other dated actions with the due dates the page and the PDF print,
re-opening a done or dropped action's row (its reason and notes kept) rather than adding a
second one, and marks an open re-assessment done (`readiness.core.plans.carry_over`). Each
change closing makes follows a `CLOSED` mark in the history, naming the round and why. Every
edit is recorded field by field (`PlanEvent`) and in the audit log, without its content.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from readiness.core import plans as rules
from readiness.core import published
from readiness.core.legal_roadmap import action_title, held_titles
from readiness.core.names import unsafe_characters
from readiness.core.published import renewed
from readiness.core.questionnaire import Questionnaire, get_questionnaire
from readiness.core.scoring import Result
from readiness.models import (
    ActionStatus,
    Assessment,
    Municipality,
    PlanAction,
    PlanEvent,
    ShareLink,
    Status,
    User,
)
from readiness.national.aggregate import Filters
from readiness.national.aggregate.followthrough import (
    ActionRecord,
    FollowThrough,
    follow_through,
)
from readiness.services.assessments import (
    EditConflict,
    ServiceError,
    close_assessment,
    facts_of,
    lock,
    previous_closed,
    questionnaire_of,
    record_audit,
    scores_of,
)
from readiness.tokens import hash_token, new_token
from readiness.translate import lazy_gettext as _l

SHARE_DAYS_DEFAULT = 30
SHARE_DAYS_MAX = 180
MAX_CONTACT_ROLE = 120
MAX_NOTES = 2000
MAX_REASON = 500


def _now() -> datetime:
    return datetime.now(UTC)


def comparable_scores_before(db: Session, assessment: Assessment,
                             before: Assessment | None = None) -> dict[str, float | None]:
    """The previous closed round's scores per dimension (`before`, found when not given), or {}
    when there is none or the two rounds cannot be compared (`published.differences`, the
    results page's rule): then no change, and no fall-back, may be read from them."""
    before = before or previous_closed(db, assessment)
    q = questionnaire_of(assessment)
    then, now = facts_of(q, before), facts_of(q, assessment)
    if then is None or now is None:
        return {}
    return {} if published.differences(then, now, q.agency_ids) else scores_of(db, before)


def plan_of(db: Session, municipality: Municipality) -> list[PlanAction]:
    """The municipality's tracked actions, soonest due first (undated last)."""
    rows = db.scalars(select(PlanAction).where(PlanAction.municipality_id == municipality.id)
                      .order_by(PlanAction.id)).all()
    return sorted(rows, key=lambda a: (a.due_on is None, a.due_on or date.max, a.id))


def titles_of(actions: Iterable[PlanAction]) -> dict[int, str]:
    """Each tracked action's title in the reader's language, by the action's row id: found from
    its action id in the questionnaire of the round that proposed it (the active one once that
    round is deleted); the stored title, written in the closer's language, only as a last
    resort (`readiness.core.legal_roadmap.action_title`)."""
    found: dict[int, str] = {}
    for action in actions:
        q = questionnaire_of(action.assessment) if action.assessment else get_questionnaire()
        found[action.id] = action_title(q, action.action, action.title)
    return found


def carry_over_for(db: Session, assessment: Assessment) -> rules.CarryOver:
    """What `assessment`'s stored roadmap does to the plan, knowing every action it holds."""
    stored = assessment.result.roadmap if assessment.result else {}
    closed_on = (assessment.closed_at or _now()).date()
    held = [rules.Held(a.action, a.title, a.status, a.dimension, a.due_on)
            for a in plan_of(db, assessment.municipality) if a.assessment_id != assessment.id]
    return rules.carry_over(rules.dated_actions(stored, closed_on), held,
                            renewed(questionnaire_of(assessment)))


def add_plan(db: Session, assessment: Assessment) -> list[PlanAction]:
    """Track the closed round's dated actions: new ones added, ones done or dropped whose
    dimension fell back re-opened for this round with its due date, open ones left as they
    are; an open re-assessment is done by this round. Each change closing makes is recorded,
    after a `CLOSED` mark saying which round and why (`readiness.core.plans.carry_over`)."""
    if assessment.status != Status.CLOSED:
        raise ServiceError("only a closed round has a roadmap to track")
    carried = carry_over_for(db, assessment)
    for action in carried.completed:
        _complete(db, assessment, action)
    added = [PlanAction(municipality_id=assessment.municipality_id, assessment_id=assessment.id,
                        action=p.action, title=p.title[:300], dimension=p.dimension,
                        family=p.family, phase=p.phase, due_on=p.due_on, lead=p.lead,
                        partners=list(p.partners), status=ActionStatus.PLANNED)
             for p in carried.new]
    db.add_all(added)
    for proposed in carried.reopened:
        _reopen(db, assessment, proposed)
    db.flush()
    return added


CLOSED = "closed"  # a PlanEvent's field marking the changes a round's closing made after it
REASSESSED, PROPOSED_AGAIN = "reassessed", "proposed_again"  # why (the mark's `before`)


def _closing_changes(db: Session, row: PlanAction, assessment: Assessment, why: str,
                     wanted: dict[str, object]) -> None:
    """Record closing `assessment`'s mark, then each field of `row` it changes (and change it)."""
    db.add(PlanEvent(plan_action=row, user_id=None, field=CLOSED, before=why,
                     after=str(assessment.round)))
    for field, value in wanted.items():
        if getattr(row, field) != value:
            db.add(PlanEvent(plan_action=row, user_id=None, field=field,
                             before=_shown(getattr(row, field))[:2000],
                             after=_shown(value)[:2000]))
            setattr(row, field, value)
    row.updated_at = _now()


def _complete(db: Session, assessment: Assessment, action: str) -> None:
    """The plan's open rows of a renewed action (the re-assessment), done by this round."""
    rows = db.scalars(select(PlanAction).where(
        PlanAction.municipality_id == assessment.municipality_id, PlanAction.action == action,
        PlanAction.assessment_id.is_distinct_from(assessment.id),
        PlanAction.status.in_(rules.OPEN_STATUSES)).order_by(PlanAction.id))
    for row in rows:
        _closing_changes(db, row, assessment, REASSESSED, {"status": ActionStatus.DONE})


def _reopen(db: Session, assessment: Assessment, proposed: rules.ProposedAction) -> None:
    """The plan's (latest) row of a proposed-again action, re-opened for this round; each field
    changed is recorded, and its drop reason, notes and history are kept."""
    row = db.scalars(select(PlanAction).where(
        PlanAction.municipality_id == assessment.municipality_id,
        PlanAction.action == proposed.action).order_by(PlanAction.id.desc()).limit(1)).one()
    before_round = str(row.assessment.round) if row.assessment else ""
    _closing_changes(db, row, assessment, PROPOSED_AGAIN,
                     {"status": ActionStatus.PLANNED, "due_on": proposed.due_on,
                      "phase": proposed.phase})
    # the mark `reopened_from` reads: the round this row is now followed in
    db.add(PlanEvent(plan_action=row, user_id=None, field="round", before=before_round,
                     after=str(assessment.round)))
    row.assessment_id = assessment.id


def close_with_plan(db: Session, assessment: Assessment) -> Result:
    """Close the round (scores, result, roadmap) and add its actions to the plan."""
    result = close_assessment(db, assessment)
    add_plan(db, assessment)
    return result


# ---------------------------------------------------------------- editing


@dataclass(frozen=True)
class ActionEdit:
    """What an editor may change on a tracked action."""

    status: str
    drop_reason: str = ""
    lead: str = ""
    partners: tuple[str, ...] = ()
    contact_role: str = ""
    due_on: date | None = None
    notes: str = ""
    links: tuple[str, ...] = ()


def _clean(action: PlanAction, edit: ActionEdit) -> dict[str, object]:
    if edit.status not in set(ActionStatus):
        raise ServiceError("unknown status")
    reason = edit.drop_reason.strip()
    if edit.status == ActionStatus.DROPPED and not reason:
        raise ServiceError("say why the action is dropped")
    q = questionnaire_of(action.assessment) if action.assessment else get_questionnaire()
    agencies = set(q.agency_ids)  # an action whose round was deleted: the active questionnaire
    if (edit.lead and edit.lead not in agencies) or set(edit.partners) - agencies:
        raise ServiceError("lead and partners are agencies of the questionnaire")
    if len(edit.contact_role) > MAX_CONTACT_ROLE or len(edit.notes) > MAX_NOTES \
            or len(reason) > MAX_REASON:
        raise ServiceError("a text is too long")
    if any(unsafe_characters(text, free_text=True)
           for text in (edit.contact_role, edit.notes, reason)):
        raise ServiceError(_l("Remove the invisible control characters or text-direction marks "
                              "from this text"))
    links = [rules.clean_link(link) for link in edit.links if link.strip()]
    if any(link is None for link in links) or len(links) > rules.MAX_LINKS:
        raise ServiceError(f"evidence links are up to {rules.MAX_LINKS} http or https addresses")
    partners = [a for a in sorted(agencies) if a in edit.partners]
    if set(partners) == set(action.partners):
        partners = list(action.partners)  # the same agencies in another order: no change
    # a drop reason is kept when the action is taken up again: never erased unasked
    return {"status": edit.status, "drop_reason": reason,
            "lead": edit.lead, "partners": partners,
            "contact_role": edit.contact_role.strip(), "due_on": edit.due_on,
            "notes": edit.notes.strip(), "links": links}


def _shown(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def version_of(db: Session, action: PlanAction) -> int:
    """The action's version: how many changes its history holds (every save that changes a
    field adds at least one), so an edit form can carry the version it was opened on."""
    return db.scalar(select(func.count()).select_from(PlanEvent)
                     .where(PlanEvent.plan_action_id == action.id)) or 0


def update_action(db: Session, action: PlanAction, edit: ActionEdit, editor: User | None,
                  version: int | None = None) -> int:
    """Apply an edit; each changed field is recorded with who and when. Returns how many.

    With `version` (the one the editor opened), an action changed since is refused with
    `EditConflict`, under a row lock so that two saves cannot both pass the check.
    """
    if version is not None:
        lock(db, action)
        if version_of(db, action) != version:
            raise EditConflict("someone else changed this action since you opened it")
    wanted = _clean(action, edit)
    changed = 0
    for field, value in wanted.items():
        old = getattr(action, field)
        if old != value:
            db.add(PlanEvent(plan_action=action, user_id=editor.id if editor else None,
                             field=field, before=_shown(old)[:2000], after=_shown(value)[:2000]))
            setattr(action, field, value)
            changed += 1
    if changed:
        action.updated_at = _now()
        record_audit(db, editor, "plan_action_edited", action, _municipality(db, action))
    db.flush()
    return changed


def _municipality(db: Session, action: PlanAction) -> Municipality | None:
    return db.get(Municipality, action.municipality_id)


# ---------------------------------------------------------------- share links


def create_share_link(db: Session, assessment: Assessment, creator: User | None,
                      days: int = SHARE_DAYS_DEFAULT) -> tuple[ShareLink, str]:
    """A read-only link to a closed round's results and the plan; the token is returned once."""
    if assessment.status != Status.CLOSED:
        raise ServiceError("only a closed round's results can be shared")
    if not 1 <= days <= SHARE_DAYS_MAX:
        raise ServiceError(f"a link lasts 1 to {SHARE_DAYS_MAX} days")
    token = new_token()
    link = ShareLink(assessment=assessment, token_hash=hash_token(token),
                     created_by_id=creator.id if creator else None,
                     expires_at=_now() + timedelta(days=days))
    db.add(link)
    db.flush()
    record_audit(db, creator, "share_link_created", link, assessment.municipality)
    return link, token


def revoke_share_link(db: Session, link: ShareLink, user: User | None) -> None:
    """Stop a share link from opening anything (audited)."""
    if link.revoked_at is None:
        link.revoked_at = _now()
        record_audit(db, user, "share_link_revoked", link, link.assessment.municipality)
        db.flush()


def open_share_link(db: Session, token: str, now: datetime | None = None) -> ShareLink | None:
    """The live link for `token` (not revoked, not expired), its opening audited; else None."""
    if not token or len(token) > 100:
        return None
    link = db.scalar(select(ShareLink).where(ShareLink.token_hash == hash_token(token)))
    if link is None or link.revoked_at is not None or link.expires_at <= (now or _now()):
        return None
    record_audit(db, None, "share_link_opened", link, link.assessment.municipality)
    return link


def share_links_of(db: Session, assessment: Assessment) -> list[ShareLink]:
    """The share links made for a round, newest first."""
    return list(db.scalars(select(ShareLink).where(ShareLink.assessment_id == assessment.id)
                           .order_by(ShareLink.id.desc())))


def history_of(actions: Iterable[PlanAction]) -> list[PlanEvent]:
    """Every change to these actions, newest first."""
    return sorted((e for a in actions for e in a.events), key=lambda e: e.id, reverse=True)


def progress_of(db: Session, municipality: Municipality, today: date | None = None
                ) -> rules.Tally | None:
    """How the municipality's plan stands as a whole (None while nothing is tracked)."""
    today = today or _now().date()
    rows = [("all", a.status, a.due_on) for a in plan_of(db, municipality)]
    return rules.tally(rows, today).get("all")


@dataclass(frozen=True)
class RoundFollowUp:
    """How a later round's roadmap relates to the plan it inherited (`Published.from_plan`)."""

    kept_open: tuple[rules.Held, ...]  # carried over with the plan's status and due date
    not_again: tuple[str, ...]  # titles done before, left out
    again: tuple[str, ...]  # titles proposed again (dropped or done, and fallen back)
    followed: tuple[rules.FollowedChange, ...]
    dropped: tuple[tuple[str, str], ...] = ()  # (title, reason) dropped before, left out


def follow_up_of(db: Session, assessment: Assessment,
                 found: rules.FromPlan) -> RoundFollowUp | None:
    """For a closed round after an earlier one: what its roadmap (`found`, the published view's)
    took from the plan, and the earlier actions each change in score follows."""
    before = previous_closed(db, assessment)
    if assessment.status != Status.CLOSED or before is None:
        return None
    earlier = [a for a in plan_of(db, assessment.municipality)
               if a.assessment_id != assessment.id]
    shown = titles_of(earlier)
    followed = rules.changes_following(((shown[a.id], a.status, a.dimension) for a in earlier),
                                       comparable_scores_before(db, assessment, before),
                                       scores_of(db, assessment))
    q = questionnaire_of(assessment)
    names = {d.id: d.title for d in q.doc.dimensions}
    reasons = {a.action: a.drop_reason for a in earlier}
    return RoundFollowUp(found.still_open, held_titles(q, found.done),
                         held_titles(q, found.again),
                         tuple(replace(c, dimension=names.get(c.dimension, c.dimension))
                               for c in followed),
                         tuple((action_title(q, h.action, h.title), reasons.get(h.action, ""))
                               for h in found.dropped))


# ---------------------------------------------------------------- national follow-through


def action_records(db: Session, filters: Filters) -> list[ActionRecord]:
    """Every tracked action of the municipalities `filters` selects, as national rows."""
    query = (select(PlanAction, Municipality.country, Municipality.region,
                    Municipality.population_band)
             .join(Municipality, Municipality.id == PlanAction.municipality_id))
    if filters.country:
        query = query.where(Municipality.country == filters.country)
    if filters.region:
        query = query.where(Municipality.region == filters.region)
    if filters.band:
        query = query.where(Municipality.population_band == filters.band)
    rows = db.execute(query.order_by(PlanAction.id)).all()
    titles = titles_of(a for a, *_rest in rows)
    return [ActionRecord(municipality=a.municipality_id, country=country, region=region,
                         band=band, action=a.action, title=titles[a.id], family=a.family,
                         dimension=a.dimension, status=a.status, due_on=a.due_on,
                         drop_reason=a.drop_reason)
            for a, country, region, band in rows]


def national_follow_through(db: Session, q: Questionnaire, filters: Filters, *, min_cell: int,
                            status: str | None = None) -> FollowThrough:
    """The national follow-through figures (see `national.aggregate.followthrough`)."""
    return follow_through(action_records(db, filters), _now().date(),
                          families={f.id: f.title for f in q.library.families},
                          dimensions={d.id: d.title for d in q.doc.dimensions},
                          min_cell=min_cell, status=status)
