"""Municipality revision: a counter raised on every update of a municipality.

The national views keep their frames until a fingerprint of the data changes; the lengths of
names and regions missed an edit that kept them ("antwerpen" -> "Antwerpen"), the sum of
revisions does not.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("municipality", sa.Column("revision", sa.Integer(), nullable=False,
                                            server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("municipality") as batch:
        batch.drop_column("revision")
