"""Erasure and retention: what a round keeps when its responses are removed, and user revisions.

`assessment_result.retained` holds, once the retention period removed a closed round's
responses, the scoring input without any tie to a response record, so its pages and PDF stay
the same; `app_user.revision` is raised on every change, so the admins' edit forms can refuse a
stale second save.

Revision ID: 0011
Revises: 0017
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("assessment_result", sa.Column("retained", sa.JSON(), nullable=True))
    op.add_column("app_user", sa.Column("revision", sa.Integer(), nullable=False,
                                        server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("revision")
    with op.batch_alter_table("assessment_result") as batch:
        batch.drop_column("retained")
