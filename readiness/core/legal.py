"""Jurisdiction profiles: what the law lets agencies share about a person at risk, and where.

One YAML file per jurisdiction in `questionnaires/legal/profiles/` (sub-national where the law
is: `de-by.yaml` extends `de.yaml`, which extends the generic `eu.yaml`). Every statement names
the sources it rests on and says whether it was checked against their text (`verified`). Errors
name the file, the key path and the line, as for the questionnaire. Pure: no Flask or DB imports.

The statements are English data; `<id>.<lang>.yaml` beside a profile translates its own
statements (ids from `profile_texts`, e.g. `case_sharing.text`, `agencies.police.limits`,
`notes.2.text`). Like a questionnaire language file, it must give every id of its profile and no
other. A profile without a file for the reader's language keeps its English statements, each
marked "(in English)" in that language, so no reader takes them for a translation.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from readiness.core.schema import ID_PATTERN, Frozen
from readiness.core.yaml_source import QuestionnaireError, _Located, _parse, _read_yaml
from readiness.resources import questionnaires_dir
from readiness.translate import SOURCE_LANGUAGE, current_language, supported, use_language
from readiness.translate import gettext as _

GENERIC_ID = "eu"
Basis = Literal["statutory", "conditional", "consent_only", "none_found"]
# A kind of sharing "has a basis" when the law itself allows it (always, or on conditions).
WITH_BASIS: frozenset[str] = frozenset({"statutory", "conditional"})
PROFILE_ID = r"^[a-z]{2}(-[a-z0-9]{2,12})?$"
_PROFILE_FILE = re.compile(r"^[a-z]{2}(-[a-z0-9]{2,12})?\.yaml$")
# The statements a reader sees, by section: (key of the entry's id, text fields)
_TEXT_FIELDS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "framework": (None, ("text", "contact")),
    "case_sharing": (None, ("text", "local_agreement_can", "local_agreement_cannot")),
    "shared_secrecy": (None, ("text",)), "consent": (None, ("text", "limits")),
    "dpia": (None, ("text",)), "agencies": ("agency", ("text", "limits")),
    "secrecy": ("field", ("text", "exceptions")), "notes": ("", ("text",)),
    # how roadmap sentences name an instrument, and the source as listed (its own title kept,
    # what is said about it in the reader's language)
    "sources": ("id", ("short", "title")),
}
# Texts kept as they are (unmarked) when a profile has no translation: names, not statements
_NAMES = re.compile(r"^(jurisdiction|sources\..+\.(short|title))$")


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


def profile_texts(data: Mapping[str, Any]) -> Iterator[tuple[str, tuple[str | int, ...]]]:
    """(id, key path) of every statement text a profile file gives itself (and the name of
    its jurisdiction), in file order."""
    if isinstance(data.get("jurisdiction"), str):
        yield "jurisdiction", ("jurisdiction",)
    for section, (key, fields) in _TEXT_FIELDS.items():
        value = data.get(section)
        if isinstance(value, dict):
            entries: list[tuple[str, tuple[str | int, ...], Any]] = [
                (section, (section,), value)]
        elif isinstance(value, list):
            entries = [(f"{section}.{e.get(key) if key else n + 1}", (section, n), e)
                       for n, e in enumerate(value) if isinstance(e, dict)]
        else:
            continue
        for prefix, path, entry in entries:
            for name in fields:
                if isinstance(entry.get(name), str):
                    yield f"{prefix}.{name}", (*path, name)


def _overlay(located: _Located, language: str) -> _Located:
    """The profile's data with its statements in `language`: from `<id>.<lang>.yaml`, checked
    to give exactly the profile's ids, else the English marked "(in English)"."""
    data = copy.deepcopy(located.data)
    ids = dict(profile_texts(data)) if isinstance(data, dict) else {}
    file = located.file.with_name(f"{located.file.stem}.{language}.yaml")
    if file.exists():
        texts = _checked_overlay(_read_yaml(file), located.file.stem, language, ids)
    else:
        with use_language(language):
            marker = _("(in English)")
        # a name stays as it is; every statement is marked
        texts = {ident: str(_at(data, path)) if _NAMES.match(ident)
                 else f"{marker} {_at(data, path)}" for ident, path in ids.items()}
    for ident, path in ids.items():
        _at(data, path[:-1])[path[-1]] = texts[ident]
    return _Located(located.file, data, located.lines)


def _at(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _checked_overlay(located: _Located, ident: str, language: str,
                     ids: Mapping[str, Any]) -> dict[str, str]:
    """A translation file's texts, refused unless it names its profile and language and gives
    every statement id of the profile (non-blank) and no other."""
    data = located.data if isinstance(located.data, dict) else {}
    for key, wanted in (("profile", ident), ("language", language)):
        if str(data.get(key)) != wanted:
            raise _located_error(located, (key,), f"expected {key} {wanted!r}, "
                                 f"found {data.get(key)!r}")
    texts = data.get("texts")
    if not isinstance(texts, dict):
        raise _located_error(located, ("texts",), "expected a mapping of text ids to texts")
    hashes = data.get("source_hashes", {})
    extra = [k for k in texts if k not in ids]
    if extra or not isinstance(hashes, dict) or any(k not in ids for k in hashes):
        where = ("texts", extra[0]) if extra else ("source_hashes",)
        raise _located_error(located, where, f"unknown text id {extra[0]!r}" if extra else
                             "expected a mapping of the profile's text ids to hashes")
    missing = [k for k in ids if not isinstance(texts.get(k), str) or not texts[k].strip()]
    if missing:
        raise _located_error(located, ("texts",), f"no translation of {missing[0]!r} "
                             f"({len(missing)} missing in all)")
    return {k: str(texts[k]) for k in ids}


def _read(file: Path, language: str = SOURCE_LANGUAGE) -> tuple[_Located, ProfileDoc]:
    try:
        located = _read_yaml(file)
        if language != SOURCE_LANGUAGE:
            located = _overlay(located, language)
        return located, _parse(located, ProfileDoc)
    except LegalError:
        raise
    except QuestionnaireError as exc:
        error = LegalError(exc.file, (), exc.line, exc.message)
        error.key_path, error.args = exc.key_path, exc.args
        raise error from None


def load_profiles(folder: Path | None = None,
                  language: str = SOURCE_LANGUAGE) -> dict[str, Profile]:
    """Load, merge and check every profile of `folder` (the shipped ones by default), with
    its statements in `language` (see the module's note)."""
    folder = folder or profiles_dir()
    docs = {f.stem: _read(f, language) for f in profile_files(folder)}
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


def get_profiles(language: str | None = None) -> dict[str, Profile]:
    """The shipped profiles in `language` (the current one by default), loaded once per
    process and language."""
    code = supported(language) or current_language()
    if code not in _CACHE:
        _CACHE[code] = load_profiles(language=code)
    return _CACHE[code]


def profile_for(country: str | None, region: str | None = None,
                profiles: dict[str, Profile] | None = None) -> Profile:
    """The profile for a municipality's country and region: regional, national, else generic
    (the shipped ones in the current language by default; found by their English names)."""
    if profiles is None:
        return get_profiles()[_profile_for(country, region, get_profiles(SOURCE_LANGUAGE)).id]
    return _profile_for(country, region, profiles)


def _profile_for(country: str | None, region: str | None,
                 profiles: dict[str, Profile]) -> Profile:
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


def stale_translations(folder: Path | None = None) -> dict[str, list[str]]:
    """For each translation file of the profiles in `folder` (the shipped ones by default), the
    ids whose English changed since they were translated (hash differs or is missing)."""
    from readiness.core.translation import stale_ids

    folder = folder or profiles_dir()
    found: dict[str, list[str]] = {}
    for file in sorted(folder.glob("*.*.yaml")):
        english = folder / f"{file.name.split('.')[0]}.yaml"
        if not english.exists():
            continue
        source = source_texts(_read_yaml(english).data)
        ids = stale_ids(source, {"source_hashes": _read_yaml(file).data.get("source_hashes",
                                                                              {})})
        if ids:
            found[file.name] = ids
    return found


def source_texts(data: Mapping[str, Any]) -> dict[str, str]:
    """The English texts of a profile file (parsed), by the ids its translations use."""
    return {ident: str(_at(data, path)) for ident, path in profile_texts(data)}


def profile_files(folder: Path | None = None) -> list[Path]:
    """The profile files (not their translations) of `folder`, the shipped ones by default."""
    return [f for f in sorted((folder or profiles_dir()).glob("*.yaml"))
            if _PROFILE_FILE.match(f.name)]
