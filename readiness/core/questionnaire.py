"""Load and validate a questionnaire and its action library from versioned YAML.

Every error names the file, the key path and the line. No Flask or DB imports.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from readiness.core import translation
from readiness.core.evidence import source_text_problem
from readiness.core.questionnaire_checks import _Checker
from readiness.core.schema import (
    DONT_KNOW,
    ActionLibrary,
    Item,
    Level,
    Option,
    QuestionnaireDoc,
)
from readiness.core.yaml_source import (
    KeyPath,
    QuestionnaireError,
    _parse,
    _read_yaml,
    format_path,
)
from readiness.resources import questionnaires_dir
from readiness.translate import SOURCE_LANGUAGE, current_language, translations

DEFAULT_ID = "maw-readiness"
__all__ = ["KeyPath", "Questionnaire", "QuestionnaireError", "available_versions", "format_path",
           "get_questionnaire", "load_questionnaire", "questionnaire_path"]


@dataclass(frozen=True)
class Questionnaire:
    """A validated questionnaire with its action library, content hash and lookups.

    `content_hash` covers the English files only, the structure that answers are stored
    against: an assessment keeps it, and adding or correcting a translation never makes an old
    assessment read "questionnaire changed". `full_hash` covers every language file as well.
    `in_language(code)` is the same questionnaire (same ids, scores and hash) with its texts in
    another language.
    """

    doc: QuestionnaireDoc
    library: ActionLibrary
    content_hash: str
    path: Path = field(compare=False)
    language: str = SOURCE_LANGUAGE
    translations: dict[str, dict[str, str]] = field(default_factory=dict, compare=False)
    raw: tuple[dict[str, Any], dict[str, Any]] = field(default=({}, {}), compare=False)
    _localized: dict[str, Questionnaire] = field(default_factory=dict, compare=False, repr=False)

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages this questionnaire can be shown in: English and every language file."""
        return (SOURCE_LANGUAGE, *sorted(self.translations))

    @cached_property
    def full_hash(self) -> str:
        """A digest of the English files and every language file."""
        parts = [self.content_hash] + [f"{code}:{translation.texts_hash(texts)}"
                                       for code, texts in sorted(self.translations.items())]
        return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()

    def in_language(self, language: str | None) -> Questionnaire:
        """This questionnaire with its texts in `language` (English if it has no such file)."""
        if not language or language not in self.translations:
            language = SOURCE_LANGUAGE
        if language == self.language:
            return self
        if language not in self._localized:
            if language == SOURCE_LANGUAGE:
                main, lib = self.raw
            else:
                main, lib = translation.translated_data(*self.raw, self.translations[language])
            self._localized[language] = Questionnaire(
                doc=QuestionnaireDoc.model_validate(main),
                library=ActionLibrary.model_validate(lib),
                content_hash=self.content_hash, path=self.path, language=language,
                translations=self.translations, raw=self.raw, _localized=self._localized)
        return self._localized[language]

    @property
    def id(self) -> str:
        """The questionnaire id, e.g. `maw-readiness`."""
        return self.doc.id

    @property
    def version(self) -> str:
        """The version string, e.g. `1.0`."""
        return self.doc.version

    @cached_property
    def items_by_id(self) -> dict[str, Item]:
        """Every scored and context item by id."""
        return {item.id: item for item in (*self.doc.items, *self.doc.context)}

    @cached_property
    def agency_ids(self) -> tuple[str, ...]:
        """Agency ids in questionnaire order."""
        return tuple(agency.id for agency in self.doc.agencies)

    @cached_property
    def dimension_ids(self) -> tuple[str, ...]:
        """Dimension ids in questionnaire order."""
        return tuple(dimension.id for dimension in self.doc.dimensions)

    def items_of(self, dimension: str) -> tuple[Item, ...]:
        """The scored items of one dimension, in order."""
        return tuple(item for item in self.doc.items if item.dimension == dimension)

    def options(self, item: Item | str) -> tuple[Option, ...]:
        """The answer options of an item (without don't know)."""
        if isinstance(item, str):
            item = self.items_by_id[item]
        if item.options is not None:
            return item.options
        assert item.scale is not None
        return self.doc.scales[item.scale].options

    def exclusive(self, item: Item | str) -> tuple[str, ...]:
        """The option values of a several-answer context question that go alone: those marked
        `exclusive`, or, where none is marked (version 1.0), `none` and `none_...`."""
        if isinstance(item, str):
            item = self.items_by_id[item]
        if not item.multiple:
            return ()
        options = self.options(item)
        marked = tuple(o.value for o in options if o.exclusive)
        return marked or tuple(o.value for o in options
                               if o.value == "none" or o.value.startswith("none_"))

    def option_score(self, item_id: str, value: str) -> float | None:
        """The readiness score of an answer, or None for don't know and context answers."""
        if value == DONT_KNOW:
            return None
        for option in self.options(item_id):
            if option.value == value:
                return option.score
        raise KeyError(f"{value!r} is not an option of {item_id!r}")

    def level_for(self, dimension: str | None, score: float) -> Level:
        """The level a 0..100 score reaches, using the dimension's own thresholds if it has any.

        Scores are shown in whole points, so a level is reached in whole points too: 49.6 is
        shown as 50 and is "borderline", never "50 (concern)". Rounding is Python's (half to
        even), as in the "%.0f" formatting of every page and report.
        """
        overrides: dict[str, float] = {}
        if dimension is not None:
            overrides = next(d.thresholds or {} for d in self.doc.dimensions if d.id == dimension)
        shown = round(score)
        reached = self.doc.levels[0]
        for level in self.doc.levels:
            if shown >= overrides.get(level.id, level.min):
                reached = level
        return reached

    def to_public_dict(self) -> dict[str, Any]:
        """The machine-readable form printed by `readiness questionnaire show --json`."""
        return _public_dict(self)


def _public_dict(q: Questionnaire) -> dict[str, Any]:
    dont_know = translations(q.language).ugettext("Don't know")

    def item_dict(item: Item) -> dict[str, Any]:
        return {
            "id": item.id,
            "dimension": item.dimension,
            "text": item.text,
            "help": item.help,
            "multiple": item.multiple,
            "options": [o.model_dump() for o in q.options(item)],
            "dont_know": {"value": DONT_KNOW, "label": dont_know},
            "measures": list(item.measures),
            "evidence": [e.model_dump(exclude_none=True) for e in item.evidence],
        }

    return {
        "id": q.id,
        "version": q.version,
        "content_hash": q.content_hash,
        "title": q.doc.title,
        "language": q.language,
        "languages": list(q.languages),
        "full_hash": q.full_hash,
        "dimensions": [{"id": d.id, "title": d.title, "description": d.description}
                       for d in q.doc.dimensions],
        "agencies": [{"id": a.id, "title": a.title} for a in q.doc.agencies],
        "levels": [lv.model_dump() for lv in q.doc.levels],
        "items": [item_dict(i) for i in (*q.doc.items, *q.doc.context)],
        "barriers": [{"id": b.id, "title": b.title} for b in q.doc.barriers],
        "facilitators": [{"id": f.id, "title": f.title} for f in q.doc.facilitators],
        "actions": [{"id": a.id, "title": a.title, "dimension": a.dimension, "family": a.family}
                    for a in q.library.actions],
        "sources": [s.model_dump(exclude_none=True) for s in q.doc.sources],
    }


def load_questionnaire(path: Path | str, *, languages: bool = True) -> Questionnaire:
    """Load, validate and cross-check a questionnaire file and the action library it names,
    and (unless `languages` is False) every language file of its version."""
    path = Path(path)
    main = _read_yaml(path)
    doc = _parse(main, QuestionnaireDoc)
    actions_path = path.parent / doc.actions_file
    lib_file = _read_yaml(actions_path)
    library = _parse(lib_file, ActionLibrary)
    _Checker(doc, library, main, lib_file).run()
    for i, source in enumerate(doc.sources):
        if (problem := source_text_problem(path.parent, source)) is not None:
            raise main.error(("sources", i, "file"), problem)
    canonical = json.dumps([main.data, lib_file.data], sort_keys=True, ensure_ascii=False,
                           default=str)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    english = translation.source_texts(main.data, lib_file.data)
    texts = {code: translation.checked_texts(_read_yaml(file), code, doc.id, doc.version, english)
             for code, file in translation.language_files(path.parent, doc.version).items()
             if languages}
    return Questionnaire(doc=doc, library=library, content_hash=digest, path=path,
                         translations=texts, raw=(main.data, lib_file.data))


_VERSION_FILE = re.compile(r"^(\d+)\.(\d+)\.yaml$")


def available_versions(questionnaire_id: str = DEFAULT_ID) -> list[str]:
    """The versions of a questionnaire shipped in `questionnaires/`, oldest first."""
    folder = questionnaires_dir() / questionnaire_id
    found = [m.groups() for f in folder.glob("*.yaml") if (m := _VERSION_FILE.match(f.name))]
    return [f"{a}.{b}" for a, b in sorted(found, key=lambda v: (int(v[0]), int(v[1])))]


def questionnaire_path(questionnaire_id: str = DEFAULT_ID, version: str | None = None) -> Path:
    """The file of a questionnaire version (the newest when version is None)."""
    versions = available_versions(questionnaire_id)
    if not versions:
        raise QuestionnaireError(questionnaires_dir() / questionnaire_id, (), None,
                                 "no questionnaire versions found")
    if version is None:
        version = versions[-1]
    if version not in versions:
        raise QuestionnaireError(questionnaires_dir() / questionnaire_id, ("version",), None,
                                 f"unknown version {version!r}; known: {', '.join(versions)}")
    return questionnaires_dir() / questionnaire_id / f"{version}.yaml"


_CACHE: dict[tuple[str, str | None], Questionnaire] = {}


def get_questionnaire(questionnaire_id: str = DEFAULT_ID, version: str | None = None,
                      language: str | None = None) -> Questionnaire:
    """The shipped questionnaire (newest version by default), loaded once per process, with its
    texts in `language` (by default the current one: a page's, or `use_language`'s)."""
    key = (questionnaire_id, version)
    if key not in _CACHE:
        _CACHE[key] = load_questionnaire(questionnaire_path(questionnaire_id, version))
    return _CACHE[key].in_language(language or current_language())
