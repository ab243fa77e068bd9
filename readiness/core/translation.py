"""Questionnaire texts in other languages: a language file per version beside the YAML.

`questionnaires/<id>/<version>.<lang>.yaml` maps a text id to its translation for every text a
reader sees in the questionnaire and its action library (titles, statements, options, help,
rules, actions...). Ids name where a text lives, e.g. `items.shared_goals.text`,
`scales.agreement.agree`, `actions.appoint_coordinator.why`. A language file must give every
id of its version and no other; `missing_ids` lists what is left to translate.

Structure, scores and rules come from the English file only, so answers given in any language
score and aggregate together. No Flask or DB imports.

A language file may also keep `source_hashes`: for each id, `english_hash` of the English text
it was translated from. When the English is reworded later (a citation audit, say), the id's
hash no longer matches and `stale_ids` lists it: `readiness questionnaire validate` and CI fail
until it is retranslated and recorded again (`questionnaire translations --lang xx --record ID`).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

LANGUAGE_FILE = re.compile(r"^(\d+\.\d+)\.([a-z]{2})\.yaml$")
Path_ = tuple[str | int, ...]
# Text ids a language file may leave out (read in English then): see `optional`. (A legal
# profile's `sources.<id>.title` and `.short` are not: only a questionnaire's citations.)
OPTIONAL_IDS = re.compile(r"^sources\.[^.]+\.citation$")

_TEXT_KEYS: dict[str, tuple[str, ...]] = {
    "levels": ("title", "description"), "stages": ("title", "description"),
    "agencies": ("title", "description"), "dimensions": ("title", "description"),
    "barriers": ("title", "description"), "facilitators": ("title", "description"),
    "families": ("title",), "models": ("title", "description"),
}


def _options(prefix: str, options: list[Any], at: Path_) -> Iterator[tuple[str, Path_]]:
    for o, option in enumerate(options):
        yield f"{prefix}.{option['value']}", at + (o, "label")


def _questionnaire_texts(data: Mapping[str, Any]) -> Iterator[tuple[str, Path_]]:
    for key in ("title", "introduction"):
        if data.get(key):
            yield key, (key,)
    for name, scale in (data.get("scales") or {}).items():
        yield from _options(f"scales.{name}", scale["options"], ("scales", name, "options"))
    for key in ("levels", "stages", "agencies", "dimensions", "barriers", "facilitators"):
        for i, entry in enumerate(data.get(key) or ()):
            for field in _TEXT_KEYS[key]:
                if entry.get(field):
                    yield f"{key}.{entry['id']}.{field}", (key, i, field)
    for key in ("items", "context"):
        for i, item in enumerate(data.get(key) or ()):
            for field in ("text", "help"):
                if item.get(field):
                    yield f"items.{item['id']}.{field}", (key, i, field)
            if item.get("options"):
                yield from _options(f"items.{item['id']}.options", item["options"],
                                    (key, i, "options"))
    for i, source in enumerate(data.get("sources") or ()):
        yield f"sources.{source['id']}.citation", ("sources", i, "citation")
    for i, _term in enumerate(data.get("glossary") or ()):
        yield f"glossary.{i + 1}.term", ("glossary", i, "term")
        yield f"glossary.{i + 1}.definition", ("glossary", i, "definition")


def _library_texts(data: Mapping[str, Any]) -> Iterator[tuple[str, Path_]]:
    for key in ("families", "models"):
        for i, entry in enumerate(data.get(key) or ()):
            for field in _TEXT_KEYS[key]:
                yield f"{key}.{entry['id']}.{field}", (key, i, field)
    for i, model in enumerate(data.get("models") or ()):
        for r, _rule in enumerate(model.get("fit") or ()):
            yield f"models.{model['id']}.fit.{r + 1}", ("models", i, "fit", r, "reason")
    for n, _rule in enumerate((data.get("plan") or {}).get("capacity") or ()):
        yield f"plan.capacity.{n + 1}.label", ("plan", "capacity", n, "label")
    for i, action in enumerate(data.get("actions") or ()):
        prefix = f"actions.{action['id']}"
        for field in ("title", "what", "why", "indicator"):
            yield f"{prefix}.{field}", ("actions", i, field)
        for n, _note in enumerate(action.get("notes") or ()):
            yield f"{prefix}.notes.{n + 1}", ("actions", i, "notes", n, "text")
        for n, _insp in enumerate(action.get("inspiration") or ()):
            yield f"{prefix}.inspiration.{n + 1}.country", ("actions", i, "inspiration", n,
                                                           "country")
            yield f"{prefix}.inspiration.{n + 1}.text", ("actions", i, "inspiration", n, "text")


def optional(ident: str) -> bool:
    """Whether a language file may leave a text id out, which then reads in English: a
    source's citation names a published document, and only its prose needs translating."""
    return OPTIONAL_IDS.fullmatch(ident) is not None


def _get(data: Any, path: Path_) -> Any:
    for part in path:
        data = data[part]
    return data


def _set(data: Any, path: Path_, value: str) -> None:
    _get(data, path[:-1])[path[-1]] = value


def source_texts(main: Mapping[str, Any], library: Mapping[str, Any]) -> dict[str, str]:
    """Every translatable text of a questionnaire and its action library, by id, in English."""
    texts = {ident: str(_get(main, path)) for ident, path in _questionnaire_texts(main)}
    texts.update({ident: str(_get(library, path)) for ident, path in _library_texts(library)})
    return texts


def translated_data(main: Mapping[str, Any], library: Mapping[str, Any],
                    texts: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Copies of the two documents with every text replaced by its translation."""
    new_main, new_library = copy.deepcopy(dict(main)), copy.deepcopy(dict(library))
    for ident, path in _questionnaire_texts(main):
        _set(new_main, path, texts[ident])
    for ident, path in _library_texts(library):
        _set(new_library, path, texts[ident])
    return new_main, new_library


def missing_ids(source: Mapping[str, str], texts: Mapping[str, Any], *,
                optional_too: bool = False) -> list[str]:
    """Ids of `source` that a language file does not translate (absent or blank), in order;
    an `optional` id left out counts only with `optional_too`."""
    return [ident for ident in source
            if not isinstance(texts.get(ident), str) or not texts[ident].strip()
            if optional_too or ident in texts or not optional(ident)]


def extra_ids(source: Mapping[str, str], texts: Mapping[str, Any]) -> list[str]:
    """Ids a language file gives that the questionnaire does not have."""
    return [ident for ident in texts if ident not in source]


def language_files(folder: Path, version: str) -> dict[str, Path]:
    """The language files of one version in a questionnaire folder, by language code."""
    found = {}
    for file in sorted(folder.glob(f"{version}.*.yaml")):
        match = LANGUAGE_FILE.match(file.name)
        if match and match.group(1) == version:
            found[match.group(2)] = file
    return found


class Located(Protocol):
    """A parsed YAML file that builds errors located at a key path (questionnaire._Located)."""

    @property
    def data(self) -> Any:
        """The parsed document."""

    def error(self, path: Path_, message: str) -> Exception:
        """An error naming the file, the line of `path` and the message."""


def checked_texts(located: Located, code: str, questionnaire: str, version: str,
                  source: Mapping[str, str]) -> dict[str, str]:
    """A language file's texts, refused unless it names its questionnaire, version and language
    and translates exactly the questionnaire's text ids."""
    data = located.data
    for key, wanted in (("questionnaire", questionnaire), ("version", version),
                        ("language", code)):
        if str(data.get(key)) != wanted:
            raise located.error((key,), f"expected {key} {wanted!r}, found {data.get(key)!r}")
    texts = data.get("texts")
    if not isinstance(texts, dict):
        raise located.error(("texts",), "expected a mapping of text ids to translations")
    extra = extra_ids(source, texts)
    if extra:
        raise located.error(("texts", extra[0]), f"unknown text id {extra[0]!r} "
                            f"({len(extra)} unknown in all)")
    hashes = data.get("source_hashes", {})
    if not isinstance(hashes, dict):
        raise located.error(("source_hashes",), "expected a mapping of text ids to hashes")
    unknown = extra_ids(source, hashes)
    if unknown:
        raise located.error(("source_hashes", unknown[0]), f"unknown text id {unknown[0]!r}")
    missing = missing_ids(source, texts)
    if missing:
        raise located.error(("texts",), f"no translation of {missing[0]!r} ({len(missing)} "
                            f"missing in all; `readiness questionnaire translations` lists them)")
    return {ident: str(texts[ident]) if ident in texts else source[ident] for ident in source}


def texts_hash(texts: Mapping[str, str]) -> str:
    """A digest of one language's texts (key order does not matter)."""
    canonical = json.dumps(dict(texts), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def english_hash(text: str) -> str:
    """A short digest of one English text, kept beside its translation (`source_hashes`)."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:12]


def stale_ids(source: Mapping[str, str], data: Mapping[str, Any]) -> list[str]:
    """Ids of a language file (parsed) whose English changed since they were translated: the
    recorded hash differs or is missing (an `optional` id only when the file translates or
    records it). A file that records no hashes at all is not checked."""
    hashes = data.get("source_hashes")
    if not isinstance(hashes, dict):
        return []
    texts = data.get("texts") or {}
    return [ident for ident in source if hashes.get(ident) != english_hash(source[ident])
            if ident in hashes or ident in texts or not optional(ident)]


def recorded_hashes(source: Mapping[str, str], data: Mapping[str, Any],
                    confirmed: Collection[str]) -> dict[str, str]:
    """The `source_hashes` of a language file with the `confirmed` ids (translated anew from
    the current English) recorded, in the questionnaire's order."""
    found = data.get("source_hashes")
    old: Mapping[str, Any] = found if isinstance(found, dict) else {}
    return {ident: english_hash(source[ident]) if ident in confirmed else str(old[ident])
            for ident in source if ident in confirmed or ident in old}


def with_source_hashes(text: str, hashes: Mapping[str, str]) -> str:
    """A language file's text with its `source_hashes` block (kept as its last key) replaced."""
    import yaml

    kept = re.split(r"(?m)^source_hashes:", text)[0].rstrip("\n") + "\n"
    return kept + yaml.safe_dump({"source_hashes": dict(hashes)}, sort_keys=False)
