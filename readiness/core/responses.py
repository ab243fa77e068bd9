"""Read RESPONSES.csv (`respondent,agency,item,value`) into answers, refusing anything doubtful.

Every problem is one line naming the row; nothing is half-read. No Flask or DB imports.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from readiness.core.names import name_problem
from readiness.core.questionnaire import Questionnaire
from readiness.core.schema import DONT_KNOW
from readiness.core.scoring import Answer

COLUMNS = ("respondent", "agency", "item", "value")
MAX_BYTES = 20 * 1024 * 1024
MAX_FIELD = 200


class ResponsesError(ValueError):
    """A responses file that cannot be scored; the message names the row and the problem."""


def _known(values: list[str], limit: int = 8) -> str:
    shown = ", ".join(values[:limit])
    return shown + (", ..." if len(values) > limit else "")


def read_responses(q: Questionnaire, path: Path | str) -> list[Answer]:
    """Read and validate a responses file."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ResponsesError(f"{path}: cannot read ({exc.strerror})") from None
    if size > MAX_BYTES:
        raise ResponsesError(f"{path}: file is {size} bytes; the limit is {MAX_BYTES}")
    return parse_responses(q, path.read_bytes(), name=str(path))


def parse_responses(q: Questionnaire, data: bytes, name: str = "responses") -> list[Answer]:
    """Parse and validate the bytes of a responses CSV."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ResponsesError(f"{name}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
                             f"{exc.start}); save the file as UTF-8 CSV") from None
    if "\x00" in text:
        raise ResponsesError(f"{name}: contains NUL bytes; this is not a CSV text file")
    if not text.strip():
        raise ResponsesError(f"{name}: the file is empty; expected the header "
                             f"{','.join(COLUMNS)}")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise ResponsesError(f"{name}: row 1: missing column(s) {', '.join(missing)}; "
                                 f"expected the header {','.join(COLUMNS)}")
        extra = [h for h in header if h not in COLUMNS]
        if extra or len(header) != len(COLUMNS):
            raise ResponsesError(f"{name}: row 1: unexpected column(s) "
                                 f"{', '.join(extra) or 'repeated'}; expected {','.join(COLUMNS)}")
        position = {c: header.index(c) for c in COLUMNS}
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise ResponsesError(f"{name}: row {reader.line_num}: malformed CSV ({exc})") from None
    return _validate(q, rows, position, name)


def _validate(q: Questionnaire, rows: list[tuple[int, list[str]]], position: dict[str, int],
              name: str) -> list[Answer]:
    agencies = set(q.agency_ids)
    agency_of: dict[str, tuple[str, int]] = {}
    seen: dict[tuple[str, str, str], int] = {}
    answers: list[Answer] = []
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        where = f"{name}: row {line}"
        if len(row) != len(COLUMNS):
            raise ResponsesError(f"{where}: expected {len(COLUMNS)} fields, found {len(row)}")
        respondent, agency, item_id, value = (row[position[c]].strip() for c in COLUMNS)
        for column, cell in zip(COLUMNS, (respondent, agency, item_id, value), strict=True):
            if not cell:
                raise ResponsesError(f"{where}: empty {column}")
            if len(cell) > MAX_FIELD:
                raise ResponsesError(f"{where}: {column} is longer than {MAX_FIELD} characters")
        if problem := name_problem(respondent, "respondent id"):
            raise ResponsesError(f"{where}: {problem}")
        if agency not in agencies:
            raise ResponsesError(f"{where}: unknown agency {agency!r} "
                                 f"(known: {_known(list(q.agency_ids), 12)})")
        item = q.items_by_id.get(item_id)
        if item is None:
            raise ResponsesError(f"{where}: unknown item {item_id!r}")
        options = [o.value for o in q.options(item)]
        if value != DONT_KNOW and value not in options:
            raise ResponsesError(f"{where}: {value!r} is not an option of {item_id!r} "
                                 f"(options: {_known(options)}, {DONT_KNOW})")
        first_agency = agency_of.setdefault(respondent, (agency, line))
        if first_agency[0] != agency:
            raise ResponsesError(f"{where}: respondent {respondent!r} is in agency "
                                 f"{first_agency[0]!r} on row {first_agency[1]}, not {agency!r}")
        key = (respondent, item_id, value if item.multiple else "")
        if key in seen:
            raise ResponsesError(f"{where}: respondent {respondent!r} already answered "
                                 f"{item_id!r} on row {seen[key]}")
        seen[key] = line
        answers.append(Answer(respondent, agency, item_id, value))
    if not answers:
        raise ResponsesError(f"{name}: no answers after the header")
    return answers
