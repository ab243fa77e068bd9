"""Read a YAML data file safely, remembering the line of every key, and parse it with pydantic.

Every error names the file, the key path and the line. Aliases (expansion bombs) and oversized
files are refused before anything is expanded. No Flask or DB imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

KeyPath = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


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
