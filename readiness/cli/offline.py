"""Commands of the pure core, which need no server or database: questionnaires and scoring."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import yaml

from readiness.core.legal import get_profiles
from readiness.core.questionnaire import (
    QuestionnaireError,
    available_versions,
    get_questionnaire,
    load_questionnaire,
    questionnaire_path,
)
from readiness.core.responses import ResponsesError, read_responses
from readiness.core.roadmap import UNTAILORED, Roadmap, build_roadmap
from readiness.core.scoring import Result, score
from readiness.translate import LANGUAGES, SOURCE_LANGUAGE, current_language, ngettext


def register(group: click.Group) -> None:
    """Add the questionnaire and score commands to the `readiness` group (`questionnaire stats`
    reads stored answers, so it comes from `readiness.cli.quality`)."""
    from readiness.cli.quality import questionnaire_stats

    questionnaire.add_command(questionnaire_stats)
    group.add_command(questionnaire)
    group.add_command(score_command)


@click.group()
def questionnaire() -> None:
    """Inspect and validate questionnaires."""


@questionnaire.command("show")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--version", "version", default=None, help="A version other than the newest.")
@click.option("--lang", "language", type=click.Choice(LANGUAGES), default=SOURCE_LANGUAGE,
              show_default=True, help="The language of the texts.")
def questionnaire_show(as_json: bool, version: str | None, language: str) -> None:
    """Print the active questionnaire."""
    q = _load(None, version).in_language(language)
    if language not in q.languages:
        raise click.ClickException(
            f"{q.id} {q.version} has no {language!r} texts yet (it has: "
            f"{', '.join(q.languages)}); `readiness questionnaire translations --lang "
            f"{language}` lists what to translate, or choose another --version")
    if as_json:
        click.echo(json.dumps(q.to_public_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(f"{q.doc.title} ({q.id} {q.version}, {q.content_hash[:12]})")
    for dim in q.doc.dimensions:
        click.echo(f"\n{dim.title} [{dim.id}]")
        for item in q.items_of(dim.id):
            click.echo(f"  - {item.text} [{item.id}]")
    click.echo("\nContext")
    for item in q.doc.context:
        click.echo(f"  - {item.text} [{item.id}]")


@questionnaire.command("validate")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def questionnaire_validate(path: Path | None) -> None:
    """Validate a questionnaire file (the shipped newest version by default; translations
    made from an older English text are looked for in every shipped version then)."""
    q = _load(path, None)
    click.echo(f"OK: {q.path} ({q.id} {q.version}): {len(q.doc.items)} items in "
               f"{len(q.doc.dimensions)} dimensions, {len(q.doc.context)} context questions, "
               f"{len(q.doc.barriers)} barriers, {len(q.doc.facilitators)} facilitators, "
               f"{len(q.library.actions)} actions; hash {q.content_hash[:12]}")
    versions = [q] if path is not None else [_load(questionnaire_path(version=v), None)
                                             for v in available_versions()]
    stale = {name: ids for each in versions for name, ids in _stale_translations(each).items()}
    for name, ids in stale.items():
        click.echo(f"{name}: {len(ids)} text(s) translated from an older English text, "
                   f"retranslate: {', '.join(ids)}", err=True)
    if stale:
        raise SystemExit(1)


def _stale_translations(q: Any) -> dict[str, list[str]]:
    """For each language file of the questionnaire's version, the ids whose English changed
    since they were translated (only files that record `source_hashes`)."""
    from readiness.core import translation

    source = translation.source_texts(*q.raw)
    found = {}
    for file in translation.language_files(q.path.parent, q.version).values():
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        ids = translation.stale_ids(source, data)
        if ids:
            found[file.name] = ids
    return found


@questionnaire.command("translations")
@click.option("--lang", "language", required=True, help="A language code, e.g. nl or da.")
@click.option("--version", "version", default=None, help="A version other than the newest.")
@click.option("--record", "record", multiple=True, metavar="ID",
              help="Record that ID is now translated from the current English (repeatable).")
@click.option("--record-all", is_flag=True, help="Record every translated id as made from "
              "the current English (only after translating or checking the whole file).")
def questionnaire_translations(language: str, version: str | None, record: tuple[str, ...],
                               record_all: bool) -> None:
    """List the text ids a language file still lacks, has too many, or translated from an
    older English text, as YAML to fill in; --record notes retranslated ids."""
    from readiness.core import translation

    try:
        q = load_questionnaire(questionnaire_path(version=version), languages=False)
    except QuestionnaireError as exc:
        raise click.ClickException(str(exc)) from None
    source = translation.source_texts(*q.raw)
    file = q.path.parent / f"{q.version}.{language}.yaml"
    data: dict[str, Any] = {}
    if file.exists():
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    texts = data.get("texts") or {}
    missing = translation.missing_ids(source, texts)
    extra = translation.extra_ids(source, texts)
    if record or record_all:
        data = _record_hashes(file, source, data, set(source) - set(missing) if record_all
                              else set(record))
    stale = [i for i in translation.stale_ids(source, data) if i not in missing]
    untranslated = translation.missing_ids(source, texts, optional_too=True)
    click.echo(f"# {file.name}: {len(source) - len(untranslated)} of {len(source)} texts "
               f"translated, {len(missing)} missing, {len(untranslated) - len(missing)} optional "
               f"left in English, {len(extra)} unknown, {len(stale)} from an older English text")
    for ident in extra:
        click.echo(f"# unknown, remove: {ident}")
    todo = untranslated + [i for i in stale if i not in untranslated]
    if todo:
        click.echo(yaml.safe_dump({"texts": {ident: source[ident] for ident in todo}},
                                  allow_unicode=True, sort_keys=False, width=100), nl=False)
    if missing or stale or extra:
        raise SystemExit(1)


def _record_hashes(file: Path, source: dict[str, str], data: dict[str, Any],
                   ids: set[str]) -> dict[str, Any]:
    """Write the file's `source_hashes` (its last key) with `ids` recorded; the new data."""
    from readiness.core import translation

    unknown = sorted(ids - set(source))
    if unknown or not file.exists():
        raise click.ClickException(f"cannot record {unknown[0] if unknown else file.name}: "
                                   "no such text id or file")
    hashes = translation.recorded_hashes(source, data, ids)
    file.write_text(translation.with_source_hashes(file.read_text(encoding="utf-8"), hashes),
                    encoding="utf-8")
    click.echo(f"# recorded {len(ids)} id(s) as translated from the current English")
    return {**data, "source_hashes": hashes}


def _load(path: Path | None, version: str | None) -> Any:
    try:
        if path is not None:
            return load_questionnaire(path)
        return get_questionnaire(version=version) if version else load_questionnaire(
            questionnaire_path())
    except QuestionnaireError as exc:
        raise click.ClickException(str(exc)) from None


def check_place(country: str | None, region: str | None, **names: str) -> None:
    """Refuse what the web's municipality form refuses: a country that is no country's
    two-letter code (ZZ), or a region or other name (`names`, by option name) with
    control or text-direction characters or over NAME_MAX characters (`readiness.core.names`)."""
    from readiness.core.names import NAME_MAX, country_problem, name_problem

    if country and (problem := country_problem(country)):
        known = ", ".join(sorted({p.country for p in get_profiles().values() if not p.generic}))
        raise click.ClickException(f"--country: {problem} (legal profiles for {known}; other "
                                   "countries get the generic EU one)")
    for what, text in {"region": region or "", **names}.items():
        label = "municipality name" if what == "municipality" else what
        problem = name_problem(text.strip(), label)
        if problem is None and len(text.strip()) > NAME_MAX:
            problem = f"the {label} is longer than {NAME_MAX} characters"
        if problem:
            raise click.ClickException(f"--{what}: {problem}")


def score_file(responses: Path, country: str | None = None, region: str | None = None,
               run_by: str | None = None) -> tuple[Any, Result, Roadmap]:
    """Load the questionnaire, read a responses file, score it and build its roadmap (for a
    round run by `run_by`: a mobile team or the municipality, when known), with the legal
    actions of the jurisdiction profile of `country` (and `region`; generic without)."""
    from readiness.cli.legal import apply_profile

    q = _load(None, None).in_language(current_language())  # the texts in the command's language
    try:
        answers = read_responses(q, responses)
    except ResponsesError as exc:
        raise click.ClickException(str(exc)) from None
    result = score(q, answers)
    return q, result, apply_profile(q, result, build_roadmap(q, result, run_by=run_by), country,
                                    region)


def score_json(result: Result, roadmap: Roadmap,
               legal: dict[str, Any] | None = None) -> dict[str, Any]:
    """The `score --json` document (the CLI contract, plus a few readable extras)."""

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    return {
        "questionnaire": {"id": result.questionnaire_id,
                          "version": result.questionnaire_version,
                          "content_hash": result.content_hash},
        "respondents": result.respondents,
        "respondents_by_agency": result.respondents_by_agency,
        "overall": rounded(result.overall),
        "stage": {"id": result.stage, "title": result.stage_title},
        "dimensions": [{
            "id": d.id, "title": d.title, "score": rounded(d.score), "level": d.level,
            "answered_share": round(d.answered_share, 3),
            "dont_know_share": round(d.dont_know_share, 3),
            "by_agency": {a: rounded(v) for a, v in d.by_agency.items()},
            "spread": rounded(d.spread), "divergent": d.divergent,
            "low_items": list(d.low_items),
        } for d in result.dimensions],
        "barriers": [{"id": b.id, "title": b.title} for b in result.barriers],
        "facilitators": [{"id": f.id, "title": f.title} for f in result.facilitators],
        "tailored": roadmap.tailored,
        "model": {"id": roadmap.model.id, "title": roadmap.model.title,
                  "reasons": list(roadmap.model.reasons)},
        "actions": [{"id": a.id, "title": a.title, "dimension": a.dimension,
                     "priority": a.priority, "phase": a.phase, "lead": a.lead}
                    for a in roadmap.actions],
        **({"legal": legal} if legal is not None else {}),
    }


@click.command("score")
@click.argument("responses", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--country", default=None, help="Country code (e.g. BE): its legal profile "
              "tailors the legal actions; the generic EU profile without it.")
@click.option("--region", default=None, help="Region, where the law is regional (e.g. Bavaria).")
def score_command(responses: Path, as_json: bool, country: str | None,
                  region: str | None) -> None:
    """Score RESPONSES.csv (respondent,agency,item,value) without a server or database."""
    from readiness.cli.legal import legal_summary

    check_place(country, region)
    _, result, roadmap = score_file(responses, country, region)
    if as_json:
        click.echo(json.dumps(score_json(result, roadmap, legal_summary(country, region)),
                              indent=2, ensure_ascii=False))
        return
    agencies = len(result.respondents_by_agency)
    click.echo(ngettext("%(num)d respondent", "%(num)d respondents", result.respondents)
               + " " + ngettext("from %(num)d agency", "from %(num)d agencies", agencies)
               + f". Stage: {result.stage_title}"
               + (f" (overall {result.overall:.0f}/100)" if result.overall is not None else ""))
    click.echo(f"\n{'Dimension':<38}{'Score':>6}  {'Level':<18}{'Answered':>9}  Gap")
    for d in result.dimensions:
        value = "-" if d.score is None else f"{d.score:.0f}"
        gap = f"yes ({d.spread:.0f})" if d.divergent and d.spread is not None else ""
        click.echo(f"{d.title:<38}{value:>6}  {d.level_title:<18}{d.answered_share:>9.0%}  {gap}")
    for label, findings in (("Barriers", result.barriers), ("Facilitators", result.facilitators)):
        click.echo(f"\n{label}: " + ("; ".join(f.title for f in findings) or "none found"))
    if not roadmap.tailored:
        click.echo(f"\n{UNTAILORED}")
    if roadmap.tailored or roadmap.model.reasons:  # a model fits the context answers, at least
        click.echo(f"\nSuggested model: {roadmap.model.title}")
    click.echo("First actions:")
    for action in roadmap.actions[:5]:
        click.echo(f"  {action.priority}. {action.title} ({action.phase_title.lower()})")
