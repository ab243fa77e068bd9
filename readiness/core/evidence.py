"""Checks on cited evidence: a known source, a line range inside its bundled text, and
section headings that match that text. No Flask or DB imports.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from readiness.core.schema import ActionLibrary, Evidence, QuestionnaireDoc, Source


def evidence_problem(sources: dict[str, Source], ev: Evidence) -> tuple[str, str] | None:
    """The (key, message) of the first problem with one citation, or None when it is sound."""
    if ev.kind == "practice":
        return None
    if ev.source not in sources:
        return "source", f"unknown source {ev.source!r}"
    source = sources[ev.source]
    if ev.lines is not None and source.line_count is not None and ev.lines[1] > source.line_count:
        return "lines", (f"lines {ev.lines[0]}-{ev.lines[1]} lie outside {source.id!r}, "
                         f"which has {source.line_count} lines")
    return None


def source_text_problem(folder: Path, source: Source) -> str | None:
    """Why a source's bundled text disagrees with its line count or headings, or None.

    A source whose file is not bundled beside the questionnaire is not checked here.
    """
    if source.file is None:
        return None
    path = folder / source.file
    if not path.is_file():
        return None
    # numbered like `cat -n`: split on newlines only, never on other line-break characters
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if source.line_count is not None and len(lines) != source.line_count:
        return f"{source.file} has {len(lines)} lines, not {source.line_count}"
    for heading in source.headings:
        text = lines[heading.line - 1].strip() if heading.line <= len(lines) else ""
        if heading.title.lower() not in text.lower():
            return f"line {heading.line} of {source.file} does not read {heading.title!r}"
    return None


def cited(doc: QuestionnaireDoc) -> Iterator[tuple[str, Evidence]]:
    """Every citation of a questionnaire document (not its action library), with its owner."""
    for dimension in doc.dimensions:
        for ev in dimension.evidence:
            yield dimension.id, ev
    for group in (doc.items, doc.context, doc.barriers, doc.facilitators):
        for thing in group:
            for ev in thing.evidence:
                yield thing.id, ev
    for level in doc.levels:
        for ev in level.evidence:
            yield level.id, ev
    for stage in doc.stages:
        for ev in stage.evidence:
            yield stage.id, ev
    for name, evidence in doc.settings.evidence.items():
        for ev in evidence:
            yield f"settings.{name}", ev
    for term in doc.glossary:
        if term.evidence is not None:
            yield term.term, term.evidence


def cited_in_library(library: ActionLibrary) -> Iterator[tuple[str, Evidence]]:
    """Every citation of an action library (families, models, actions and their inspiration),
    with its owner."""
    for family in library.families:
        yield family.id, family.evidence
    for model in library.models:
        for ev in model.evidence:
            yield model.id, ev
    for action in library.actions:
        for ev in action.evidence:
            yield action.id, ev
        for insp in action.inspiration:
            yield f"{action.id} ({insp.country})", insp.evidence
