"""What a name (of a municipality, region, user or token) may hold: no invisible control or
direction-changing characters.

Control characters break CSV cells and logs; bidirectional overrides and isolates (U+202A..E,
U+2066..9) and marks reorder what a reader sees, so "Gent" could display as another name
("Trojan Source"). Letters of every script, spaces and punctuation stay allowed. Pure: no Flask.
"""

from __future__ import annotations

import unicodedata

# explicit direction marks, embeddings, overrides and isolates, and line/paragraph separators
BIDI_AND_SEPARATORS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029")


def forbidden_in_name(text: str) -> str | None:
    """The first character a name may not hold (a control or direction character), or None."""
    for char in text:
        if char in BIDI_AND_SEPARATORS or unicodedata.category(char) == "Cc":
            return char
    return None


def check_name(text: str, what: str = "a name") -> None:
    """Raise ValueError naming the character if `text` holds one a name may not hold."""
    char = forbidden_in_name(text)
    if char is not None:
        raise ValueError(f"{what} may not hold the invisible character U+{ord(char):04X}")
