"""Links state how many practitioners they were sent to; organisers can exclude responses.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("invitation", sa.Column("capacity", sa.Integer(), nullable=True))
    op.add_column("response", sa.Column("excluded", sa.Boolean(), nullable=False,
                                        server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("response") as batch:
        batch.drop_column("excluded")
    with op.batch_alter_table("invitation") as batch:
        batch.drop_column("capacity")
