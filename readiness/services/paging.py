"""One page of a long list read from the database (users, municipalities), and the page
number taken from a URL."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")
_PAGE = re.compile(r"[0-9]{1,6}")


@dataclass(frozen=True)
class Page(Generic[T]):
    """The items of one page, its number, how many pages and items in all, and the position
    of the page's first item in the whole list (from 1)."""

    items: list[T]
    page: int
    pages: int
    total: int
    first: int

    @property
    def last(self) -> int:
        """The position of the page's last item in the whole list."""
        return self.first + len(self.items) - 1


def page_number(raw: str | None) -> int:
    """A page number from a query parameter: ASCII digits only, else the first page."""
    return int(raw) if raw and _PAGE.fullmatch(raw) else 1


def paginate(db: Session, statement: Select[Any], page: int, per_page: int) -> Page[Any]:
    """The `page`th page (clamped to those that exist) of the rows `statement` selects; the
    statement must be ordered."""
    total = db.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    items = list(db.scalars(statement.limit(per_page).offset((page - 1) * per_page)).unique())
    return Page(items, page, pages, total, (page - 1) * per_page + 1)
