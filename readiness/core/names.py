"""The one check of names people type (municipalities, regions, usernames, token names).

Pure: a name with a control character (tab, new line, bell, escape...) or a bidirectional
override (which makes "gpj.exe" read as "exe.jpg") is refused, with a message saying which
character and where, at every entrance: web forms, services (and so the command line), API.
"""

from __future__ import annotations

import re
import unicodedata

# C0 and C1 controls and DEL; the bidirectional embeddings, overrides, isolates and marks
# (and the line and paragraph separators, which break a line where a reader sees none)
UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def unsafe_characters(text: str) -> list[tuple[int, str]]:
    """Each (position from 1, code point like "U+202E") of an unsafe character in `text`."""
    return [(m.start() + 1, f"U+{ord(m.group()):04X}") for m in UNSAFE.finditer(text)]


def name_problem(text: str, what: str = "name") -> str | None:
    """Why `text` cannot be used as a name (control or bidirectional characters), or None."""
    found = unsafe_characters(text)
    if not found:
        return None
    position, code = found[0]
    kind = ("a text-direction control" if unicodedata.category(chr(int(code[2:], 16))) == "Cf"
            else "a control character")
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return (f"the {what} holds {kind} ({code}) at character {position}{more}; "
            "type it again without invisible characters")


def forbidden_in_name(text: str) -> str | None:
    """The first character a name may not hold (a control or direction character), or None."""
    match = UNSAFE.search(text)
    return None if match is None else match.group()
