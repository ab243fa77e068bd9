"""Jurisdiction profiles: what the law lets agencies share about a person at risk, and where.

One YAML file per jurisdiction in `questionnaires/legal/profiles/` (sub-national where the law
is: `de-by.yaml` extends `de.yaml`, which extends the generic `eu.yaml`). Every statement names
the sources it rests on and says whether it was checked against their text (`verified`). Errors
name the file, the key path and the line, as for the questionnaire. Pure: no Flask or DB imports.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from readiness.core.schema import ID_PATTERN, Frozen
from readiness.core.yaml_source import QuestionnaireError, _Located, _parse, _read_yaml
from readiness.resources import questionnaires_dir

GENERIC_ID = "eu"
Basis = Literal["statutory", "conditional", "consent_only", "none_found"]
# A kind of sharing "has a basis" when the law itself allows it (always, or on conditions).
WITH_BASIS: frozenset[str] = frozenset({"statutory", "conditional"})
PROFILE_ID = r"^[a-z]{2}(-[a-z0-9]{2,12})?$"


class LegalError(QuestionnaireError):
    """A jurisdiction profile that cannot be used, with the place of the first problem."""


class LegalSource(Frozen):
    """A public document a profile rests on: a law, a ruling, official guidance or commentary."""

    id: str = Field(pattern=ID_PATTERN)
    title: str
    short: str | None = None  # how roadmap actions name it, e.g. "Retsplejeloven § 115"
    url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    kind: Literal["law", "bill", "case_law", "official_guidance", "parliament", "secondary",
                  "paper"]
    note: str | None = None

    @model_validator(mode="after")
    def _public_address(self) -> LegalSource:
        if self.url is None and self.kind != "paper":
            raise ValueError("a public address (url) is required for every source but the paper")
        return self


class Statement(Frozen):
    """One statement of the profile, the sources it rests on and whether it was checked."""

    text: str = Field(min_length=10)
    sources: tuple[str, ...] = Field(min_length=1)
    verified: bool


class Framework(Statement):
    """The national framework, and whom to turn to at the national (or regional) level."""

    contact: str = Field(min_length=3)


class AgencyRule(Statement):
    """What lets one kind of agency share information about a person at risk, and its limits."""

    agency: str = Field(pattern=ID_PATTERN)
    basis: Basis
    limits: str | None = None


class Secrecy(Statement):
    """Professional secrecy in one field (health, social work, education) and its exceptions."""

    field: Literal["health", "social_work", "education"]
    exceptions: str | None = None


class CaseSharing(Statement):
    """Whether the law gives a basis for sharing about a person in a multi-agency case meeting."""

    basis: Basis
    instruments: tuple[str, ...] = ()  # source ids of the laws that give it
    local_agreement_can: str
    local_agreement_cannot: str


class SharedSecrecy(Statement):
    """Whether a shared or "bounded" professional secrecy exists for multi-agency cells."""

    exists: bool


class Consent(Statement):
    """Consent as a route to sharing, and its limits."""

    limits: str


class Dpia(Statement):
    """When a data-protection impact assessment is expected."""

    expected: bool


class ProfileDoc(Frozen):
    """A profile file as written (before the profile it extends is merged in)."""

    format: Literal[1]
    id: str = Field(pattern=PROFILE_ID)
    country: str = Field(pattern=r"^([A-Z]{2}|EU)$")
    region: str | None = None
    region_names: tuple[str, ...] = ()
    extends: str | None = Field(default=None, pattern=PROFILE_ID)
    jurisdiction: str
    last_checked: date
    framework: Framework | None = None
    case_sharing: CaseSharing | None = None
    agencies: tuple[AgencyRule, ...] = ()
    secrecy: tuple[Secrecy, ...] = ()
    shared_secrecy: SharedSecrecy | None = None
    consent: Consent | None = None
    dpia: Dpia | None = None
    notes: tuple[Statement, ...] = ()
    sources: tuple[LegalSource, ...] = ()


class Profile(Frozen):
    """A complete profile: its own statements over those of the profiles it extends."""

    id: str
    country: str
    region: str | None
    region_names: tuple[str, ...]
    jurisdiction: str
    last_checked: date
    chain: tuple[str, ...]  # this profile, then the ones it extends
    framework: Framework
    case_sharing: CaseSharing
    agencies: tuple[AgencyRule, ...]
    secrecy: tuple[Secrecy, ...]
    shared_secrecy: SharedSecrecy
    consent: Consent
    dpia: Dpia
    notes: tuple[Statement, ...]
    sources: tuple[LegalSource, ...]

    @property
    def generic(self) -> bool:
        """The EU-wide fallback, used where no national profile exists."""
        return self.id == GENERIC_ID

    def source(self, ident: str) -> LegalSource:
        """The source with this id."""
        return next(s for s in self.sources if s.id == ident)

    def agency(self, ident: str) -> AgencyRule | None:
        """The rule for one kind of agency, if the profile has one."""
        return next((a for a in self.agencies if a.agency == ident), None)


def profiles_dir() -> Path:
    """The folder of the shipped jurisdiction profiles."""
    return questionnaires_dir() / "legal" / "profiles"


def _merge(child: ProfileDoc, parent: Profile | None) -> dict[str, Any]:
    """The child's statements over the parent's: lists by agency/field, sections whole."""
    if parent is None:
        return child.model_dump(exclude={"format", "extends"})
    merged = parent.model_dump(exclude={"chain"})
    own = child.model_dump(exclude={"format", "extends"}, exclude_none=True)
    for key in ("agencies", "secrecy"):
        marker = "agency" if key == "agencies" else "field"
        replaced = {entry[marker] for entry in own.pop(key, [])}
        merged[key] = [e for e in merged[key] if e[marker] not in replaced] + [
            e.model_dump() for e in getattr(child, key)]
    merged["sources"] = [*merged["sources"], *(s.model_dump() for s in child.sources)]
    merged["notes"] = [*merged["notes"], *(n.model_dump() for n in child.notes)]
    own.pop("sources", None)
    own.pop("notes", None)
    merged.update(own)
    merged["region"] = child.region
    merged["region_names"] = child.region_names
    return merged


def _check(doc: ProfileDoc, located: _Located, profile: Profile) -> None:
    """Cross-checks: unique source ids, every statement's sources known."""
    seen: set[str] = set()
    for index, source in enumerate(profile.sources):
        if source.id in seen:
            own = next((i for i, s in enumerate(doc.sources) if s.id == source.id), index)
            raise _located_error(located, ("sources", own, "id"),
                                 f"source {source.id!r} is defined twice")
        seen.add(source.id)
    for path, statement in _statements(doc):
        for n, ident in enumerate(statement.sources):
            if ident not in seen:
                raise _located_error(located, (*path, "sources", n), f"unknown source {ident!r}")
    if doc.case_sharing is not None:
        for n, ident in enumerate(doc.case_sharing.instruments):
            if ident not in seen:
                raise _located_error(located, ("case_sharing", "instruments", n),
                                     f"unknown source {ident!r}")
    agencies = [a.agency for a in doc.agencies]
    for n, ident in enumerate(agencies):
        if agencies.index(ident) != n:
            raise _located_error(located, ("agencies", n, "agency"), f"{ident!r} appears twice")


def _statements(doc: ProfileDoc) -> list[tuple[tuple[str | int, ...], Statement]]:
    out: list[tuple[tuple[str | int, ...], Statement]] = []
    for key in ("framework", "case_sharing", "shared_secrecy", "consent", "dpia"):
        value = getattr(doc, key)
        if value is not None:
            out.append(((key,), value))
    for key in ("agencies", "secrecy", "notes"):
        out.extend(((key, n), s) for n, s in enumerate(getattr(doc, key)))
    return out


def _located_error(located: _Located, path: tuple[str | int, ...], message: str) -> LegalError:
    return LegalError(located.file, path, located.line_of(path), message)


def _read(file: Path) -> tuple[_Located, ProfileDoc]:
    try:
        located = _read_yaml(file)
        return located, _parse(located, ProfileDoc)
    except LegalError:
        raise
    except QuestionnaireError as exc:
        error = LegalError(exc.file, (), exc.line, exc.message)
        error.key_path, error.args = exc.key_path, exc.args
        raise error from None


def load_profiles(folder: Path | None = None) -> dict[str, Profile]:
    """Load, merge and check every profile of `folder` (the shipped ones by default)."""
    folder = folder or profiles_dir()
    docs = {f.stem: _read(f) for f in sorted(folder.glob("*.yaml"))}
    if GENERIC_ID not in docs:
        raise LegalError(folder, (), None, f"the generic profile {GENERIC_ID}.yaml is missing")
    done: dict[str, Profile] = {}

    def build(ident: str, trail: tuple[str, ...]) -> Profile:
        if ident in done:
            return done[ident]
        located, doc = docs[ident]
        if doc.id != ident:
            raise _located_error(located, ("id",), f"id {doc.id!r} differs from the file name")
        parent = None
        if doc.extends is not None:
            if doc.extends not in docs or doc.extends in trail:
                raise _located_error(located, ("extends",),
                                     f"cannot extend {doc.extends!r} (unknown or circular)")
            parent = build(doc.extends, (*trail, ident))
        data = _merge(doc, parent)
        data["chain"] = (ident, *(parent.chain if parent else ()))
        missing = [k for k in ("framework", "case_sharing", "shared_secrecy", "consent", "dpia")
                   if data.get(k) is None]
        if missing:
            raise _located_error(located, (missing[0],), "missing here and in what it extends")
        profile = Profile.model_validate(data)
        _check(doc, located, profile)
        done[ident] = profile
        return profile

    for ident in docs:
        build(ident, ())
    return done


_CACHE: dict[str, dict[str, Profile]] = {}


def get_profiles() -> dict[str, Profile]:
    """The shipped profiles, loaded once per process."""
    if "shipped" not in _CACHE:
        _CACHE["shipped"] = load_profiles()
    return _CACHE["shipped"]


def profile_for(country: str | None, region: str | None = None,
                profiles: dict[str, Profile] | None = None) -> Profile:
    """The profile for a municipality's country and region: regional, national, else generic."""
    profiles = profiles if profiles is not None else get_profiles()
    code = (country or "").strip().upper()
    wanted = (region or "").strip().casefold()
    national = [p for p in profiles.values()
                if p.country == code or p.jurisdiction.casefold() == code.casefold()]
    if wanted:
        for p in national:
            names = {n.casefold() for n in (*p.region_names, p.region or "") if n}
            if wanted in names:
                return p
    return next((p for p in national if p.region is None), profiles[GENERIC_ID])


def age_days(profile: Profile, today: date) -> int:
    """Days since the profile was last checked."""
    return (today - profile.last_checked).days


def stale_profiles(max_age_days: int, today: date,
                   profiles: dict[str, Profile] | None = None) -> list[Profile]:
    """Profiles last checked more than `max_age_days` ago, oldest first."""
    profiles = profiles if profiles is not None else get_profiles()
    old = [p for p in profiles.values() if age_days(p, today) > max_age_days]
    return sorted(old, key=lambda p: (p.last_checked, p.id))


def profiles_in_use(places: dict[str, list[str]],
                    profiles: dict[str, Profile] | None = None) -> list[Profile]:
    """The profiles that apply to stored municipalities, given each country's regions."""
    used = {profile_for(c, r, profiles).id: profile_for(c, r, profiles)
            for c, regions in places.items() for r in (None, *regions)}
    return sorted(used.values(), key=lambda p: p.id)


def profile_to_dict(profile: Profile) -> dict[str, Any]:
    """A JSON-ready form of a profile, with every source's address."""
    data = profile.model_dump(mode="json", exclude_none=True)
    data["generic"] = profile.generic
    return data
