"""Join codes on invitation links: the short address typed from a printed pack (HOST/j).

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invitation") as batch:
        batch.add_column(sa.Column("join_code_hash", sa.String(64), nullable=True))
        batch.create_index("ix_invitation_join_code_hash", ["join_code_hash"])


def downgrade() -> None:
    with op.batch_alter_table("invitation") as batch:
        batch.drop_index("ix_invitation_join_code_hash")
        batch.drop_column("join_code_hash")
