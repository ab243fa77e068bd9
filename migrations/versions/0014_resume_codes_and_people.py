"""Resume codes for survey responses; display names, organisations and e-mail on accounts;
self-service password resets.

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("response") as batch:
        batch.add_column(sa.Column("resume_code_hash", sa.String(64), nullable=True))
        batch.create_unique_constraint("uq_response_resume_code_hash", ["resume_code_hash"])
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("display_name", sa.String(120), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("organisation", sa.String(120), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("email", sa.String(254), nullable=True))
    op.create_table(
        "password_reset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE",
                                name="fk_password_reset_user_id_app_user"),
        sa.PrimaryKeyConstraint("id", name="pk_password_reset"),
        sa.UniqueConstraint("token_hash", name="uq_password_reset_token_hash"),
    )
    op.create_index("ix_password_reset_user_id", "password_reset", ["user_id"])


def downgrade() -> None:
    op.drop_table("password_reset")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("email")
        batch.drop_column("organisation")
        batch.drop_column("display_name")
    with op.batch_alter_table("response") as batch:
        batch.drop_constraint("uq_response_resume_code_hash", type_="unique")
        batch.drop_column("resume_code_hash")
