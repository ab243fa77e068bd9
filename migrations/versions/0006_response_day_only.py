"""Responses keep the day only: created, updated and submitted times coarsened to UTC midnight.

Microsecond times could be matched with access logs to tell who answered. Nothing orders or
locks by these times (ids order responses), so the finer times are simply dropped. There is no
way back: the downgrade leaves the days as they are.

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from readiness.models import UTCDateTime, day_stamp

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("created_at", "updated_at", "submitted_at")
BATCH = 1000


def upgrade() -> None:
    response = sa.table("response", sa.column("id", sa.Integer()),
                        *(sa.column(c, UTCDateTime()) for c in COLUMNS))
    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.execute(sa.select(response).where(response.c.id > last)
                            .order_by(response.c.id).limit(BATCH)).all()
        if not rows:
            break
        for row in rows:
            values = {c: day_stamp(getattr(row, c)) for c in COLUMNS
                      if getattr(row, c) is not None}
            if any(values[c] != getattr(row, c) for c in values):
                conn.execute(sa.update(response).where(response.c.id == row.id).values(**values))
        last = rows[-1].id


def downgrade() -> None:
    """The finer times are gone; nothing to undo."""
