"""Flesch reading ease of questionnaire texts, with a small syllable counter (no NLTK/textstat).

Syllables are counted as groups of vowels, less a silent final "e" and a few common endings; the
count is an estimate, as in every Flesch tool, and good enough to compare two versions of a text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")


def syllables(word: str) -> int:
    """Estimated syllables in one English word (at least one)."""
    word = word.lower().split("'")[0]
    if len(word) <= 3:
        return 1
    count = len(_VOWEL_GROUPS.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")):
        count -= 1  # silent e: "make", "share", "practice"
    elif word.endswith(("es", "ed")) and not word.endswith(("ies", "ted", "ded", "ses", "ces",
                                                               "zes", "ges", "xes")):
        count -= 1  # "shares", "shared" (not "needed", "services")
    if re.search(r"[^aeioutcs]ia|io(?!n)|[aeiou]ing$", word):
        count += 1  # "media", "radio", "being"
    return max(count, 1)


def words(text: str) -> list[str]:
    """The words of a text."""
    return _WORD.findall(text)


def flesch_reading_ease(texts: Iterable[str]) -> float:
    """Flesch reading ease over texts, each counted as at least one sentence.

    206.835 - 1.015 * words per sentence - 84.6 * syllables per word; 60-70 is plain English,
    50-60 fairly difficult, below 50 difficult.
    """
    total_words = total_sentences = total_syllables = 0
    for text in texts:
        found = words(text)
        if not found:
            continue
        total_words += len(found)
        total_sentences += max(1, len(_SENTENCE_END.findall(text.strip())))
        total_syllables += sum(syllables(w) for w in found)
    if total_words == 0:
        raise ValueError("no words to measure")
    return (206.835 - 1.015 * total_words / total_sentences
            - 84.6 * total_syllables / total_words)
