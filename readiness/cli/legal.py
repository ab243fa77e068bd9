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
)
from readiness.core.legal_roadmap import apply_legal, basis_sentence, legal_wording
from readiness.core.questionnaire import Questionnaire
from readiness.core.roadmap import Roadmap
from readiness.core.scoring import Result

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
def legal_show(country: str, region: str | None, as_json: bool) -> None:
    """Print the legal profile that applies in COUNTRY (an ISO code such as BE)."""
    profile = profile_or_fail(country, region)
    if as_json:
        click.echo(json.dumps(profile_to_dict(profile), indent=2, ensure_ascii=False))
        return
    generic = " (generic: no profile for this country)" if profile.generic else ""
    click.echo(f"Legal position in {profile.jurisdiction}{generic} [{profile.id}], "
               f"last checked {profile.last_checked.isoformat()}. {ORIENTATION}")
    cs = profile.case_sharing
    click.echo(f"\nBasis for multi-agency sharing: {cs.basis}: {basis_sentence(profile)}")
    for label, statement in (("Framework", profile.framework), ("Case sharing", cs),
                             ("Shared secrecy", profile.shared_secrecy),
                             ("Consent", profile.consent), ("DPIA", profile.dpia)):
        mark = "" if statement.verified else " [not verified]"
        click.echo(f"\n{label}{mark}: {' '.join(statement.text.split())} "
                   f"[{', '.join(statement.sources)}]")
    click.echo(f"Limits of consent: {' '.join(profile.consent.limits.split())}")
    for rule in profile.agencies:
        click.echo(f"\n- {rule.agency} ({rule.basis}): {' '.join(rule.text.split())}")
    click.echo("\nSources:")
    for source in profile.sources:
        click.echo(f"  [{source.id}] {' '.join(source.title.split())}"
                   + (f" <{source.url}>" if source.url else ""))


@legal_group.command("validate")
@click.argument("folder", required=False, type=click.Path(path_type=Path, file_okay=False))
def legal_validate(folder: Path | None) -> None:
    """Validate every profile (the shipped ones by default) and the roadmap wording."""
    try:
        profiles = load_profiles(folder) if folder else get_profiles()
        legal_wording()
    except LegalError as exc:
        raise click.ClickException(str(exc)) from None
    today = date.today()
    for profile in profiles.values():
        unverified = sum(not s.verified for s in (
            profile.framework, profile.case_sharing, profile.shared_secrecy, profile.consent,
            profile.dpia, *profile.agencies, *profile.secrecy, *profile.notes))
        click.echo(f"OK: {profile.id:6} {profile.jurisdiction}: basis {profile.case_sharing.basis}"
                   f", {len(profile.sources)} sources, {unverified} statements not verified, "
                   f"checked {age_days(profile, today)} days ago")


def register(group: click.Group) -> None:
    """Add the `legal` commands to the `readiness` group."""
    group.add_command(legal_group)
