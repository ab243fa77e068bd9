"""`readiness legal show|validate`: the jurisdiction profiles behind the roadmap's legal actions,
and the helpers `score` and `roadmap` use to apply them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click
import yaml

from readiness.core.legal import (
    LegalError,
    Profile,
    age_days,
    get_profiles,
    load_profiles,
    profile_files,
    profile_for,
    profile_to_dict,
    profiles_dir,
    source_texts,
    stale_translations,
)
from readiness.core.legal_roadmap import apply_legal, basis_sentence, legal_wording
from readiness.core.questionnaire import Questionnaire
from readiness.core.roadmap import Roadmap
from readiness.core.scoring import Result
from readiness.translate import LANGUAGES, SOURCE_LANGUAGE, use_language
from readiness.translate import gettext as _

ORIENTATION = "This is an orientation, not legal advice."


def profile_or_fail(country: str | None, region: str | None) -> Profile:
    """The profile for `country` and `region`, or a command-line error naming the problem."""
    try:
        return profile_for(country, region)
    except LegalError as exc:
        raise click.ClickException(str(exc)) from None


def apply_profile(q: Questionnaire, result: Result, roadmap: Roadmap, country: str | None,
                  region: str | None) -> Roadmap:
    """The roadmap with the legal actions of the profile for `country` and `region`."""
    return apply_legal(roadmap, q, result, profile_or_fail(country, region))


def legal_summary(country: str | None, region: str | None) -> dict[str, Any]:
    """The legal position used, for `score --json`: profile, basis, sources and addresses."""
    profile = profile_or_fail(country, region)
    return {"profile": profile.id, "jurisdiction": profile.jurisdiction,
            "generic": profile.generic, "basis": profile.case_sharing.basis,
            "basis_sentence": basis_sentence(profile),
            "last_checked": profile.last_checked.isoformat(), "orientation": ORIENTATION,
            "sources": [s.model_dump(exclude_none=True) for s in profile.sources]}


@click.group("legal")
def legal_group() -> None:
    """Inspect and validate the jurisdiction profiles (what the law lets agencies share)."""


@legal_group.command("show")
@click.argument("country")
@click.option("--region", default=None, help="A region with its own profile, e.g. Bavaria.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--lang", "language", type=click.Choice(LANGUAGES), default=SOURCE_LANGUAGE,
              show_default=True, help="The language of the statements and labels (a profile "
              "not yet translated into it is printed in English, marked so).")
def legal_show(country: str, region: str | None, as_json: bool, language: str) -> None:
    """Print the legal profile that applies in COUNTRY (an ISO code such as BE)."""
    with use_language(language):
        profile = profile_or_fail(country, region)
        if as_json:
            click.echo(json.dumps(profile_to_dict(profile), indent=2, ensure_ascii=False))
            return
        _show(profile)


def _show(profile: Profile) -> None:
    generic = _(" (generic: no profile for this country)") if profile.generic else ""
    click.echo(_("Legal position in %(jurisdiction)s%(generic)s [%(id)s], last checked "
                 "%(date)s.", jurisdiction=profile.jurisdiction, generic=generic,
                 id=profile.id, date=profile.last_checked.isoformat()) + " "
               + _("This is an orientation, not legal advice."))
    cs = profile.case_sharing
    click.echo("\n" + _("Basis for multi-agency sharing: %(basis)s: %(sentence)s",
                        basis=cs.basis, sentence=basis_sentence(profile)))
    for label, statement in ((_("Framework"), profile.framework), (_("Case sharing"), cs),
                             (_("Shared secrecy"), profile.shared_secrecy),
                             (_("Consent"), profile.consent), (_("DPIA"), profile.dpia)):
        mark = "" if statement.verified else " [" + _("not verified") + "]"
        click.echo(f"\n{label}{mark}: {' '.join(statement.text.split())} "
                   f"[{', '.join(statement.sources)}]")
    click.echo(_("Limits of consent: %(limits)s",
                 limits=" ".join(profile.consent.limits.split())))
    for rule in profile.agencies:
        click.echo(f"\n- {rule.agency} ({rule.basis}): {' '.join(rule.text.split())}")
    click.echo("\n" + _("Sources:"))
    for source in profile.sources:
        click.echo(f"  [{source.id}] {' '.join(source.title.split())}"
                   + (f" <{source.url}>" if source.url else ""))


@legal_group.command("validate")
@click.argument("folder", required=False, type=click.Path(path_type=Path, file_okay=False))
def legal_validate(folder: Path | None) -> None:
    """Validate every profile (the shipped ones by default) and the roadmap wording."""
    try:
        profiles = load_profiles(folder) if folder else get_profiles(SOURCE_LANGUAGE)
        legal_wording()
        translated = {code: load_profiles(folder, language=code) for code in LANGUAGES
                      if code != SOURCE_LANGUAGE}
        stale = stale_translations(folder)
    except LegalError as exc:
        raise click.ClickException(str(exc)) from None
    today = date.today()
    for profile in profiles.values():
        unverified = sum(not s.verified for s in (
            profile.framework, profile.case_sharing, profile.shared_secrecy, profile.consent,
            profile.dpia, *profile.agencies, *profile.secrecy, *profile.notes))
        click.echo(f"OK: {profile.id:6} {profile.jurisdiction}: basis {profile.case_sharing.basis}"
                   f", {len(profile.sources)} sources, {unverified} statements not verified, "
                   f"checked {age_days(profile, today)} days ago; translated: "
                   + (", ".join(_translated(profile, translated, folder)) or "none"))
    for name, ids in stale.items():
        click.echo(f"{name}: {len(ids)} text(s) translated from an older English text, "
                   f"retranslate: {', '.join(ids)}", err=True)
    if stale:
        raise SystemExit(1)


def _translated(profile: Profile, translated: dict[str, dict[str, Profile]],
                folder: Path | None) -> list[str]:
    """The languages whose file translates this profile's own statements."""
    place = folder or profiles_dir()
    return [code for code in translated if (place / f"{profile.id}.{code}.yaml").exists()]


@legal_group.command("translations")
@click.option("--lang", "language", required=True, help="A language code, e.g. nl or da.")
@click.option("--profile", "profile_id", default=None, help="One profile (all by default).")
@click.option("--record", "record", multiple=True, metavar="ID", help="Record that ID of "
              "--profile is now translated from the current English (repeatable).")
@click.option("--record-all", is_flag=True, help="Record every translated id of --profile as "
              "made from the current English (after translating or checking the whole file).")
def legal_translations(language: str, profile_id: str | None, record: tuple[str, ...],
                       record_all: bool) -> None:
    """List, as YAML to fill in, the statements a language's profile files still lack or
    translated from an older English text; --record notes retranslated ids."""
    if (record or record_all) and profile_id is None:
        raise click.UsageError("--record and --record-all need --profile")
    todo = 0
    for english in profile_files():
        if profile_id not in (None, english.stem):
            continue
        todo += _profile_todo(english, language, set(record), record_all)
    if todo:
        raise SystemExit(1)


def _profile_todo(english: Path, language: str, record: set[str], record_all: bool) -> int:
    """Print what one profile's translation file lacks; record hashes first if asked."""
    from readiness.core import translation

    source = source_texts(yaml.safe_load(english.read_text(encoding="utf-8")))
    file = english.with_name(f"{english.stem}.{language}.yaml")
    data = (yaml.safe_load(file.read_text(encoding="utf-8")) or {}) if file.exists() else {}
    missing = translation.missing_ids(source, data.get("texts") or {})
    if record or record_all:
        ids = set(source) - set(missing) if record_all else record
        if ids - set(source) or not file.exists():
            raise click.ClickException(f"cannot record in {file.name}: no such id or file")
        data["source_hashes"] = translation.recorded_hashes(source, data, ids)
        file.write_text(translation.with_source_hashes(file.read_text(encoding="utf-8"),
                                                       data["source_hashes"]), encoding="utf-8")
    hashes = {"source_hashes": data.get("source_hashes") or {}}
    stale = [i for i in translation.stale_ids(source, hashes) if i not in missing]
    click.echo(f"# {file.name}: {len(missing)} missing, {len(stale)} from an older English text")
    if missing or stale:
        click.echo(yaml.safe_dump({"texts": {i: source[i] for i in missing + stale}},
                                  allow_unicode=True, sort_keys=False, width=100), nl=False)
    return len(missing) + len(stale)


def register(group: click.Group) -> None:
    """Add the `legal` commands to the `readiness` group."""
    group.add_command(legal_group)
