"""The small-cell rule of every national view: no figure singles out a municipality.

A count of 1 to `min_cell` - 1, or a figure computed over fewer than `min_cell` municipalities,
is shown as the text "fewer than 5", never as a number. Where counts add up to a total that is
shown (municipalities per level, per stage, per region), hiding exactly one of them is not
enough, since it would follow from the total and the others: the smallest other non-zero count
is hidden with it (complementary suppression), as `readiness.core.privacy` does for agencies.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from readiness.translate import gettext as _

MIN_CELL = 5
Cell = float | int | str | None


def suppressed_text(min_cell: int = MIN_CELL) -> str:
    """What a suppressed cell shows instead of a number."""
    return _("fewer than %(count)d", count=min_cell)


def count_cell(value: int, min_cell: int = MIN_CELL) -> Cell:
    """A count, or the suppressed text when it is 1 to `min_cell` - 1."""
    return suppressed_text(min_cell) if 0 < value < min_cell else int(value)


def stat_cell(value: float | None, n: int, min_cell: int = MIN_CELL, digits: int = 1) -> Cell:
    """A figure computed over `n` municipalities: None over none, the suppressed text over
    fewer than `min_cell`."""
    if n == 0:
        return None
    if n < min_cell:
        return suppressed_text(min_cell)
    return None if value is None or math.isnan(float(value)) else round(float(value), digits)


# A share (0 to 1) is rounded once, to a whole percent, the precision every output prints it
# at: a share kept at 48.5% would print as 48% or 49% depending on who rounds it again.
SHARE_DIGITS = 2


def share_cell(value: float | None, n: int, min_cell: int = MIN_CELL) -> Cell:
    """A share (0 to 1) over `n` municipalities, rounded once to a whole percent; None or the
    suppressed text as `stat_cell`."""
    return stat_cell(value, n, min_cell, SHARE_DIGITS)


def hidden(counts: Sequence[int], min_cell: int = MIN_CELL) -> set[int]:
    """The positions of counts adding up to a shown total that must not be shown: the small
    ones, and with a single small one also the smallest other non-zero count."""
    small = {i for i, v in enumerate(counts) if 0 < v < min_cell}
    if len(small) == 1:
        others = [(v, i) for i, v in enumerate(counts) if v > 0 and i not in small]
        if others:
            small.add(min(others)[1])
    return small


def count_cells(counts: Sequence[int], min_cell: int = MIN_CELL) -> list[Cell]:
    """Counts adding up to a shown total, with small and complementary cells suppressed."""
    hide = hidden(counts, min_cell)
    return [suppressed_text(min_cell) if i in hide else int(v) for i, v in enumerate(counts)]


def says_nothing(cells: Iterable[Cell]) -> str | None:
    """Why a whole breakdown would print no figure, or None when it has one to print: "too_few"
    when every figure is hidden (or 0, or missing) and one at least is hidden, "no_data" when
    there is none at all. A page says so in one sentence instead of a table of hidden cells."""
    found = list(cells)
    if any(isinstance(c, int | float) and not isinstance(c, bool) and c != 0 for c in found):
        return None
    return "too_few" if any(isinstance(c, str) for c in found) else "no_data"
