"""The one check of names people type (municipalities, regions, usernames, token names), and
of free text (comments, action notes).

Pure: a name with a control character (tab, new line, bell, escape...) or a bidirectional
override (which makes "gpj.exe" read as "exe.jpg") is refused, with a message saying which
character and where, at every entrance: web forms, services (and so the command line), API.
Free text is held to the same rule, except that it may break lines and hold tabs: a quoted
comment with an override would read differently from what was written.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from babel.core import Locale

# C0 and C1 controls and DEL; the bidirectional embeddings, overrides, isolates and marks
# (and the line and paragraph separators, which break a line where a reader sees none)
DIRECTION = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{DIRECTION}\u2028\u2029]")
# the same in free text, which may hold tabs and line breaks (\t \n \r)
UNSAFE_IN_TEXT = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{DIRECTION}\u2028\u2029]")
_DIRECTION = re.compile(f"[{DIRECTION}]")
# The longest name (of a municipality, region, person) a form or command takes
NAME_MAX = 120
# Two-letter codes in Babel's territory list that name no country a municipality lies in
NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"})


def unsafe_characters(text: str, *, free_text: bool = False) -> list[tuple[int, str]]:
    """Each (position from 1, code point like "U+202E") of an unsafe character in `text` (a
    name; with `free_text`, a comment or note, which may also break lines)."""
    pattern = UNSAFE_IN_TEXT if free_text else UNSAFE
    return [(m.start() + 1, f"U+{ord(m.group()):04X}") for m in pattern.finditer(text)]


def shown_text(text: str) -> str:
    """Stored free text as it is shown (page and PDF alike): composed (NFC), so a letter and
    its accents stay one unit, without direction controls that older rows may hold."""
    return unicodedata.normalize("NFC", _DIRECTION.sub("", text))


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


@cache
def country_codes() -> frozenset[str]:
    """The ISO 3166 two-letter codes of the countries a municipality can lie in (Babel's
    territory list, without groupings such as EU and the placeholders such as ZZ)."""
    codes = (str(code) for code in Locale("en").territories)
    return frozenset(code for code in codes
                     if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES)


def country_problem(code: str) -> str | None:
    """Why `code` (as typed; upper-cased) is no country's two-letter code, or None."""
    if code.strip().upper() in country_codes():
        return None
    return (f"{code!r} is not a country's two-letter ISO code; give one such as BE, FR or DE")
