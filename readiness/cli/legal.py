"""`readiness legal show|validate`: the jurisdiction profiles behind the roadmap's legal actions,
and the helpers `score` and `roadmap` use to apply them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click

from readiness.core.legal import (
    LegalError,
    Profile,
    age_days,
    get_profiles,
    load_profiles,
    profile_for,
    profile_to_dict,
    profiles_dir,
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


def _translated(profile: Profile, translated: dict[str, dict[str, Profile]],
                folder: Path | None) -> list[str]:
    """The languages whose file translates this profile's own statements."""
    place = folder or profiles_dir()
    return [code for code in translated if (place / f"{profile.id}.{code}.yaml").exists()]


def register(group: click.Group) -> None:
    """Add the `legal` commands to the `readiness` group."""
    group.add_command(legal_group)
