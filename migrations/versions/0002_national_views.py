"""National views: the findings of closed assessments as rows, and API tokens.

Existing closed assessments get their barrier and facilitator rows from their stored result.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    finding = op.create_table(
        "assessment_finding",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("finding", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"],
            name=op.f("fk_assessment_finding_assessment_id_assessment"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("assessment_id", "kind", "finding",
                                name=op.f("pk_assessment_finding")),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"],
                                name=op.f("fk_api_token_user_id_app_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("public_id", name=op.f("uq_api_token_public_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_user_id"), ["user_id"], unique=False)

    results = sa.table("assessment_result", sa.column("assessment_id", sa.Integer()),
                       sa.column("result", sa.JSON()))
    rows = []
    for assessment_id, result in op.get_bind().execute(
            sa.select(results.c.assessment_id, results.c.result)):
        data = json.loads(result) if isinstance(result, str) else (result or {})
        for kind, key in (("barrier", "barriers"), ("facilitator", "facilitators")):
            for ident in dict.fromkeys(f["id"] for f in data.get(key, ())):
                rows.append({"assessment_id": assessment_id, "kind": kind, "finding": ident})
    if rows:
        op.bulk_insert(finding, rows)


def downgrade() -> None:
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_user_id"))
    op.drop_table("api_token")
    op.drop_table("assessment_finding")
