"""The "Legal position in <jurisdiction>" section of the PDF roadmap and the results page.

Built from a jurisdiction profile as plain values (the templates escape them). The fixed
sentences go through `readiness.translate` (the web request's language, or the command's).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from readiness.core.legal import Profile, Statement
from readiness.core.legal_roadmap import basis_sentence
from readiness.core.questionnaire import Questionnaire
from readiness.report.text import format_date
from readiness.translate import gettext as _


@dataclass(frozen=True)
class LegalRow:
    """One statement of the profile, ready to print."""

    label: str
    text: str
    refs: str  # "[1], [3]": numbers in the section's list of sources
    verified: bool


@dataclass(frozen=True)
class LegalSection:
    """What the report and the results page say about the law where the municipality is."""

    heading: str
    orientation: str
    basis: str
    generic: bool
    rows: tuple[LegalRow, ...]
    agencies: tuple[LegalRow, ...]
    sources: tuple[tuple[int, str, str], ...]  # number, title, address ("" for the paper)
    last_checked: str
    stale: bool
    checked: str  # "Profile last checked on ..."
    unverified: str
    agencies_heading: str
    sources_heading: str


def _row(label: str, statement: Statement, number: dict[str, int], extra: str = "") -> LegalRow:
    text = " ".join(statement.text.split()) + (f" {' '.join(extra.split())}" if extra else "")
    refs = ", ".join(f"[L{n}]" for n in sorted({number[s] for s in statement.sources}))
    return LegalRow(label, text, refs, statement.verified)


def legal_section(profile: Profile, q: Questionnaire | None = None, today: date | None = None,
                  max_age_days: int | None = None) -> LegalSection:
    """The legal position of `profile`, with numbered sources and the last-checked date."""
    number = {s.id: n for n, s in enumerate(profile.sources, start=1)}
    cs = profile.case_sharing
    can = _("A local agreement can %(can)s.", can=" ".join(cs.local_agreement_can.split()))
    cannot = _("It cannot %(cannot)s.", cannot=" ".join(cs.local_agreement_cannot.split()))
    rows = [
        _row(_("National framework"), profile.framework, number),
        _row(_("Sharing in a multi-agency meeting"), cs, number, f"{can} {cannot}"),
        _row(_("Shared professional secrecy"), profile.shared_secrecy, number),
        _row(_("Consent"), profile.consent, number, profile.consent.limits),
        _row(_("Data-protection impact assessment"), profile.dpia, number),
    ]
    fields = {"health": _("Secrecy in health care"), "social_work": _("Secrecy in social work"),
              "education": _("Secrecy in education")}
    rows += [_row(fields[s.field], s, number, s.exceptions or "") for s in profile.secrecy]
    rows += [_row(_("Note"), n, number) for n in profile.notes]
    titles = {a.id: a.title for a in q.doc.agencies} if q is not None else {}
    agencies = tuple(_row(titles.get(a.agency, a.agency), a, number, a.limits or "")
                     for a in profile.agencies)
    stale = (today is not None and max_age_days is not None
             and (today - profile.last_checked).days > max_age_days)
    return LegalSection(
        heading=_("Legal position in %(jurisdiction)s", jurisdiction=profile.jurisdiction),
        orientation=_("This is an orientation, not legal advice: ask your agencies' legal "
                      "advisers before personal information is shared."),
        basis=basis_sentence(profile), generic=profile.generic, rows=tuple(rows),
        agencies=agencies,
        sources=tuple((number[s.id], " ".join(s.title.split()), s.url or "")
                      for s in profile.sources),
        last_checked=format_date(profile.last_checked), stale=stale,
        checked=_("Profile %(id)s, last checked against its sources on %(date)s. Statements "
                  "marked \"not verified\" name their source but were not checked in its text.",
                  id=profile.id, date=format_date(profile.last_checked)),
        unverified=_("not verified"), agencies_heading=_("What each agency may share"),
        sources_heading=_("Legal sources"))
