"""A living roadmap: tracked plan actions, their history, and share links for partners.

Revision ID: 0010
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATUSES = "status IN ('planned', 'in_progress', 'done', 'dropped')"


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "plan_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("dimension", sa.String(length=64), nullable=True),
        sa.Column("family", sa.String(length=64), nullable=True),
        sa.Column("phase", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("lead", sa.String(length=64), nullable=False),
        sa.Column("partners", sa.JSON(), nullable=False),
        sa.Column("contact_role", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("drop_reason", sa.String(length=500), nullable=False),
        sa.Column("notes", sa.String(length=2000), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        _when("created_at"),
        _when("updated_at"),
        sa.CheckConstraint(_STATUSES, name=op.f("ck_plan_action_status")),
        sa.ForeignKeyConstraint(["municipality_id"], ["municipality.id"],
                                name=op.f("fk_plan_action_municipality_id_municipality"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"],
                                name=op.f("fk_plan_action_assessment_id_assessment"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_action")),
        sa.UniqueConstraint("public_id", name=op.f("uq_plan_action_public_id")),
    )
    op.create_index(op.f("ix_plan_action_municipality_id"), "plan_action", ["municipality_id"])
    op.create_index(op.f("ix_plan_action_assessment_id"), "plan_action", ["assessment_id"])
    op.create_table(
        "plan_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_action_id", sa.Integer(), nullable=False),
        _when("at"),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("before", sa.String(length=2000), nullable=False),
        sa.Column("after", sa.String(length=2000), nullable=False),
        sa.ForeignKeyConstraint(["plan_action_id"], ["plan_action.id"],
                                name=op.f("fk_plan_event_plan_action_id_plan_action"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"],
                                name=op.f("fk_plan_event_user_id_app_user"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_event")),
    )
    op.create_index(op.f("ix_plan_event_plan_action_id"), "plan_event", ["plan_action_id"])
    op.create_table(
        "share_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        _when("created_at"),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        _when("expires_at"),
        _when("revoked_at", nullable=True),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"],
                                name=op.f("fk_share_link_assessment_id_assessment"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["app_user.id"],
                                name=op.f("fk_share_link_created_by_id_app_user"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_link")),
        sa.UniqueConstraint("public_id", name=op.f("uq_share_link_public_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_share_link_token_hash")),
    )
    op.create_index(op.f("ix_share_link_assessment_id"), "share_link", ["assessment_id"])


def downgrade() -> None:
    op.drop_table("share_link")
    op.drop_table("plan_event")
    op.drop_table("plan_action")
