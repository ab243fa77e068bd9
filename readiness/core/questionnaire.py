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
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from readiness.core import translation
from readiness.core.evidence import evidence_problem, source_text_problem
from readiness.core.schema import (
    DONT_KNOW,
    Action,
    ActionLibrary,
    Condition,
    Evidence,
    Item,
    Level,
    Option,
    QuestionnaireDoc,
)
from readiness.resources import questionnaires_dir
from readiness.translate import SOURCE_LANGUAGE, current_language, translations

DEFAULT_ID = "maw-readiness"
KeyPath = tuple[str | int, ...]


class QuestionnaireError(ValueError):
    """A questionnaire file that cannot be used, with the place of the first problem."""

    def __init__(self, file: Path | str, path: KeyPath, line: int | None, message: str):
        self.file = str(file)
        self.key_path = format_path(path)
        self.line = line
        self.message = message
        where = f"{self.file}:{line}" if line else self.file
        super().__init__(f"{where}: {self.key_path or '(document)'}: {message}")


def format_path(path: KeyPath) -> str:
    """Render a key path as `items[3].options[0].score`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass(frozen=True)
class _Located:
    """A parsed YAML document with the line of every key path."""

    file: Path
    data: Any
    lines: dict[KeyPath, int]

    def line_of(self, path: KeyPath) -> int | None:
        """Return the line of the deepest part of `path` that exists in the document."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None

    def error(self, path: KeyPath, message: str) -> QuestionnaireError:
        """Build an error located at `path`."""
        return QuestionnaireError(self.file, path, self.line_of(path), message)


# libyaml's parser when PyYAML was built with it (about ten times faster); both keep line marks.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _index_lines(node: yaml.Node, path: KeyPath, out: dict[KeyPath, int], file: Path) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                raise QuestionnaireError(file, path + (key,), key_node.start_mark.line + 1,
                                         "duplicate key")
            seen.add(key)
            out[path + (key,)] = key_node.start_mark.line + 1
            _index_lines(value_node, path + (key,), out, file)
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            _index_lines(child, path + (index,), out, file)


# The shipped files are under 70 KB; a limit far above that refuses a hostile file before reading.
MAX_FILE_BYTES = 1024 * 1024


def _refuse_aliases(node: yaml.Node, file: Path) -> None:
    """Refuse a document in which one node appears twice (a YAML alias): expanding nested aliases
    grows exponentially (the "billion laughs"), and the questionnaire files need none."""
    seen: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            raise QuestionnaireError(file, (), current.start_mark.line + 1,
                                     "YAML aliases (*name) are not allowed; write the value out")
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                stack.extend((key_node, value_node))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)


def _read_yaml(file: Path) -> _Located:
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            raise QuestionnaireError(file, (), None,
                                     f"file larger than {MAX_FILE_BYTES // 1024} KB")
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise QuestionnaireError(file, (), None, "file not found") from None
    except UnicodeDecodeError as exc:
        raise QuestionnaireError(file, (), None, f"not UTF-8 text ({exc.reason})") from None
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                _refuse_aliases(node, file)
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise QuestionnaireError(file, (), mark.line + 1 if mark else None,
                                 f"YAML syntax: {exc.problem}") from None
    if node is None or not isinstance(data, dict):
        raise QuestionnaireError(file, (), 1, "expected a mapping at the top of the document")
    lines: dict[KeyPath, int] = {}
    _index_lines(node, (), lines, file)
    return _Located(file, data, lines)


M = TypeVar("M", bound=BaseModel)


def _parse(located: _Located, model: type[M]) -> M:
    try:
        return model.model_validate(located.data)
    except ValidationError as exc:
        errors = exc.errors()
        # a misspelt key shows up as unknown and as missing: naming the misspelling helps more
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        # pydantic adds pseudo-keys for unions and validators ("function-after[...]"): drop them
        path = tuple(p for p in first["loc"] if not (isinstance(p, str) and "[" in p))
        raise located.error(path, first["msg"]) from None


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


class _Checker:
    """Cross-reference checks that a per-part schema cannot make."""

    def __init__(self, doc: QuestionnaireDoc, lib: ActionLibrary, main: _Located,
                 lib_file: _Located):
        self.doc, self.lib, self.main, self.lib_file = doc, lib, main, lib_file
        self.sources = {s.id: s for s in doc.sources}
        self.dimensions = {d.id for d in doc.dimensions}
        self.agencies = {a.id for a in doc.agencies}
        self.items = {i.id: i for i in doc.items}
        self.context = {i.id: i for i in doc.context}
        self.barriers = {b.id for b in doc.barriers}
        self.facilitators = {f.id for f in doc.facilitators}
        self.levels = {lv.id for lv in doc.levels}

    def run(self) -> None:
        """Raise QuestionnaireError at the first inconsistency."""
        self._unique()
        self._levels_and_stages()
        self._items()
        for key, rules in (("barriers", self.doc.barriers),
                           ("facilitators", self.doc.facilitators)):
            for i, rule in enumerate(rules):
                self._dimension_ref(self.main, (key, i, "dimension"), rule.dimension)
                self._condition(self.main, (key, i, "detect"), rule.detect)
                self._evidence(self.main, (key, i, "evidence"), rule.evidence)
        for i, dim in enumerate(self.doc.dimensions):
            self._evidence(self.main, ("dimensions", i, "evidence"), dim.evidence)
            for level in dim.thresholds or {}:
                if level not in self.levels:
                    raise self.main.error(("dimensions", i, "thresholds", level),
                                          f"unknown level {level!r}")
        for i, band in enumerate(self.doc.levels):
            self._evidence(self.main, ("levels", i, "evidence"), band.evidence)
        for i, stage in enumerate(self.doc.stages):
            self._evidence(self.main, ("stages", i, "evidence"), stage.evidence)
        for name, cited in self.doc.settings.evidence.items():
            self._evidence(self.main, ("settings", "evidence", name), cited)
        for i, term in enumerate(self.doc.glossary):
            if term.evidence:
                self._evidence(self.main, ("glossary", i, "evidence"), (term.evidence,))
        self._library()

    def _unique(self) -> None:
        groups: list[tuple[_Located, str, list[str]]] = [
            (self.main, "sources", [s.id for s in self.doc.sources]),
            (self.main, "agencies", [a.id for a in self.doc.agencies]),
            (self.main, "dimensions", [d.id for d in self.doc.dimensions]),
            (self.main, "levels", [lv.id for lv in self.doc.levels]),
            (self.main, "stages", [s.id for s in self.doc.stages]),
            (self.main, "items", [i.id for i in self.doc.items]),
            (self.main, "context", [i.id for i in self.doc.context]),
            (self.main, "barriers", [b.id for b in self.doc.barriers]),
            (self.main, "facilitators", [f.id for f in self.doc.facilitators]),
            (self.lib_file, "families", [f.id for f in self.lib.families]),
            (self.lib_file, "models", [m.id for m in self.lib.models]),
            (self.lib_file, "actions", [a.id for a in self.lib.actions]),
        ]
        everywhere: dict[str, str] = {}
        for located, key, ids in groups:
            for index, ident in enumerate(ids):
                if key in ("items", "context", "barriers", "facilitators"):
                    if ident in everywhere:
                        raise located.error((key, index, "id"),
                                            f"duplicate id {ident!r} (also in {everywhere[ident]})")
                    everywhere[ident] = key
                elif ident in ids[:index]:
                    raise located.error((key, index, "id"), f"duplicate id {ident!r}")

    def _levels_and_stages(self) -> None:
        mins = [lv.min for lv in self.doc.levels]
        if mins[0] != 0 or mins != sorted(mins) or len(set(mins)) != len(mins):
            raise self.main.error(("levels",), "level minimums must start at 0 and rise")
        if self.doc.settings.concern_level not in self.levels:
            raise self.main.error(("settings", "concern_level"),
                                  f"unknown level {self.doc.settings.concern_level!r}")
        last = self.doc.stages[-1]
        if last.min_overall != 0 or last.max_concerns is not None:
            raise self.main.error(("stages", len(self.doc.stages) - 1),
                                  "the last stage must catch all (min_overall 0, no max_concerns)")

    def _items(self) -> None:
        for key, items, scored in (("items", self.doc.items, True),
                                   ("context", self.doc.context, False)):
            for i, item in enumerate(items):
                where = (key, i)
                if scored and item.dimension not in self.dimensions:
                    raise self.main.error(where + ("dimension",),
                                          f"unknown dimension {item.dimension!r}")
                if not scored and item.dimension is not None:
                    raise self.main.error(where + ("dimension",), "context items are not scored")
                if item.scale is not None and item.scale not in self.doc.scales:
                    raise self.main.error(where + ("scale",), f"unknown scale {item.scale!r}")
                options = (item.options if item.options is not None
                           else self.doc.scales[item.scale or ""].options)
                values = [o.value for o in options]
                if len(set(values)) != len(values):
                    raise self.main.error(where + ("options",), "duplicate option value")
                for o, option in enumerate(options):
                    if scored and option.score is None:
                        raise self.main.error(where + ("options", o, "score")
                                              if item.options else where + ("scale",),
                                              "scored items need a score in 0..1 on every option")
                    if not scored and option.score is not None:
                        raise self.main.error(where + ("options", o, "score"),
                                              "context options carry no score")
                    if option.exclusive and not item.multiple:
                        raise self.main.error(where + ("options", o, "exclusive"),
                                              "only a several-answer question has options "
                                              "that exclude the others")
                for m, ident in enumerate(item.measures):
                    if ident not in self.barriers | self.facilitators:
                        raise self.main.error(where + ("measures", m),
                                              f"unknown barrier or facilitator {ident!r}")
                self._evidence(self.main, where + ("evidence",), item.evidence)

    def _evidence(self, located: _Located, where: KeyPath, evidence: tuple[Evidence, ...]) -> None:
        for e, ev in enumerate(evidence):
            if (problem := evidence_problem(self.sources, ev)) is not None:
                raise located.error(where + (e, problem[0]), problem[1])

    def _dimension_ref(self, located: _Located, where: KeyPath, dimension: str | None) -> None:
        if dimension is not None and dimension not in self.dimensions:
            raise located.error(where, f"unknown dimension {dimension!r}")

    def _condition(self, located: _Located, where: KeyPath, cond: Condition) -> None:
        for key in ("all", "any"):
            for i, child in enumerate(getattr(cond, key) or ()):
                self._condition(located, where + (key, i), child)
        if cond.not_ is not None:
            self._condition(located, where + ("not",), cond.not_)
        if cond.item is not None and cond.item not in self.items:
            raise located.error(where + ("item",), f"unknown scored item {cond.item!r}")
        for key in ("dimension", "dont_know", "gap", "insufficient"):
            self._dimension_ref(located, where + (key,), getattr(cond, key))
        if cond.outlier is not None and cond.outlier != "any":
            self._dimension_ref(located, where + ("outlier",), cond.outlier)
        if cond.barrier is not None and cond.barrier not in self.barriers:
            raise located.error(where + ("barrier",), f"unknown barrier {cond.barrier!r}")
        if cond.agency_missing is not None and cond.agency_missing not in self.agencies:
            raise located.error(where + ("agency_missing",),
                                f"unknown agency {cond.agency_missing!r}")
        if cond.context is not None:
            if cond.context not in self.context:
                raise located.error(where + ("context",), f"unknown context item {cond.context!r}")
            item = self.context[cond.context]
            known = {o.value for o in (item.options or self.doc.scales[item.scale or ""].options)}
            for i, value in enumerate(cond.in_ or ()):
                if value not in known:
                    raise located.error(where + ("in", i),
                                        f"{value!r} is not an option of {cond.context!r}")
        for key, limit in (("item", 1.0), ("dont_know", 1.0), ("dimension", 100.0),
                           ("overall", 100.0)):
            if getattr(cond, key) is not None:
                threshold = next(v for v in (cond.below, cond.at_least, cond.above)
                                 if v is not None)
                if not 0 <= threshold <= limit:
                    raise located.error(where, f"threshold {threshold} is outside 0..{limit:g}")

    def _library(self) -> None:
        lib, located = self.lib, self.lib_file
        families = {f.id for f in lib.families}
        actions = {a.id: a for a in lib.actions}
        for i, family in enumerate(lib.families):
            self._evidence(located, ("families", i, "evidence"), (family.evidence,))
        for i, model in enumerate(lib.models):
            self._evidence(located, ("models", i, "evidence"), model.evidence)
            for r, rule in enumerate(model.fit):
                self._condition(located, ("models", i, "fit", r, "when"), rule.when)
        self._plan()
        for i, action in enumerate(lib.actions):
            where = ("actions", i)
            if action.family not in families:
                raise located.error(where + ("family",), f"unknown family {action.family!r}")
            self._dimension_ref(located, where + ("dimension",), action.dimension)
            self._action_agencies(where, action)
            self._ordering(where, action, actions)
            for key in ("when", "done_when", "dated_when"):
                if getattr(action, key) is not None:
                    self._condition(located, where + (key,), getattr(action, key))
            self._stages(where + ("stages",), action.stages)
            for n, note in enumerate(action.notes):
                self._condition(located, where + ("notes", n, "when"), note.when)
            for n, insp in enumerate(action.inspiration):
                self._evidence(located, where + ("inspiration", n, "evidence"), (insp.evidence,))
            self._evidence(located, where + ("evidence",), action.evidence)
        self._no_cycles(actions)

    def _stages(self, where: KeyPath, stages: tuple[str, ...]) -> None:
        known = {s.id for s in self.doc.stages}
        for s, stage in enumerate(stages):
            if stage not in known:
                raise self.lib_file.error(where + (s,), f"unknown stage {stage!r}")

    def _plan(self) -> None:
        plan = self.lib.plan
        if plan is None:
            return
        if plan.convenor not in self.agencies:
            raise self.lib_file.error(("plan", "convenor"), f"unknown agency {plan.convenor!r}")
        for c, rule in enumerate(plan.capacity):
            if rule.when is not None:
                self._condition(self.lib_file, ("plan", "capacity", c, "when"), rule.when)
            self._stages(("plan", "capacity", c, "stages"), rule.stages)

    def _action_agencies(self, where: KeyPath, action: Action) -> None:
        refs: list[tuple[KeyPath, str]] = [(("lead",), action.lead)]
        for key in ("partners", "needs", "brings_in"):
            refs += [((key, p), a) for p, a in enumerate(getattr(action, key))]
        for key_path, agency in refs:
            if agency not in self.agencies:
                raise self.lib_file.error(where + key_path, f"unknown agency {agency!r}")
        if action.aimed_at_outlier and (action.when is None or not _mentions_outlier(action.when)):
            raise self.lib_file.error(where + ("aimed_at_outlier",),
                                      "an action aimed at an outlier needs an 'outlier' condition")

    def _ordering(self, where: KeyPath, action: Action, actions: dict[str, Action]) -> None:
        edges: list[tuple[KeyPath, str]] = [(("depends_on", d), dep)
                                            for d, dep in enumerate(action.depends_on)]
        edges += [(("after", a, "action"), rule.action) for a, rule in enumerate(action.after)]
        for key_path, dep in edges:
            if dep not in actions:
                raise self.lib_file.error(where + key_path, f"unknown action {dep!r}")
            if dep == action.id:
                raise self.lib_file.error(where + key_path, "an action cannot follow itself")
            if actions[dep].phase > action.phase:
                raise self.lib_file.error(where + key_path,
                                          f"depends on {dep!r}, which comes in a later phase")
        for a, rule in enumerate(action.after):
            if rule.when is not None:
                self._condition(self.lib_file, where + ("after", a, "when"), rule.when)

    def _no_cycles(self, actions: dict[str, Any]) -> None:
        done: set[str] = set()

        def visit(ident: str, trail: tuple[str, ...]) -> None:
            if ident in trail:
                index = [a.id for a in self.lib.actions].index(ident)
                cycle = " -> ".join(trail[trail.index(ident):] + (ident,))
                raise self.lib_file.error(("actions", index, "depends_on"),
                                          f"dependency cycle: {cycle}")
            if ident not in done:
                action = actions[ident]
                for dep in (*action.depends_on, *(rule.action for rule in action.after)):
                    visit(dep, trail + (ident,))
                done.add(ident)

        for ident in actions:
            visit(ident, ())


def _mentions_outlier(cond: Condition) -> bool:
    """Whether a condition tests an `outlier` finding anywhere in it."""
    children = [*(cond.all or ()), *(cond.any or ())]
    return cond.outlier is not None or any(_mentions_outlier(c) for c in children)
