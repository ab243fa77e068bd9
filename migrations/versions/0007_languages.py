"""Languages: a user's preferred language and the language a respondent answered in.

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0008b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("app_user", sa.Column("language", sa.String(8), nullable=True))
    op.add_column("response", sa.Column("language", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("response") as batch:
        batch.drop_column("language")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("language")
