"""The order of groups on every national view: population bands by size, places by name.

Bands are stored as ids ("under_10k", "10k_50k"...), which sort wrongly as text ("100k_250k"
before "10k_50k"); their order is the one `readiness.vocabulary.POPULATION_BANDS` defines, from
the smallest. Regions and countries sort by name, ignoring case.
"""

from __future__ import annotations

from collections.abc import Iterable

from readiness.vocabulary import POPULATION_BANDS


def band_order(band: str) -> tuple[int, str]:
    """A sort key putting population bands from the smallest to the largest (unknown ids
    last)."""
    return (POPULATION_BANDS.index(band) if band in POPULATION_BANDS else len(POPULATION_BANDS),
            band)


def place_order(name: str) -> tuple[str, str]:
    """A sort key for region and country names that ignores case ("antwerpen" by "Antwerp")."""
    return (name.casefold(), name)


def by_size(bands: Iterable[str]) -> list[str]:
    """Population band ids from the smallest band to the largest."""
    return sorted(bands, key=band_order)


def by_name(places: Iterable[str]) -> list[str]:
    """Region or country names in alphabetical order, ignoring case."""
    return sorted(places, key=place_order)
