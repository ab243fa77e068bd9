"""One append-only audit log: who (a name kept after erasure), from where, how, and a note;
a trigger refuses to rewrite an event.

Revision ID: 0008b
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008b"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# every column but the two references, which erasing a user or municipality sets to NULL
FROZEN = "at, action, object_type, object_id, actor, source, address, detail"


def upgrade() -> None:
    op.add_column("audit_event", sa.Column("actor", sa.String(80), nullable=False,
                                           server_default=""))
    op.add_column("audit_event", sa.Column("source", sa.String(8), nullable=False,
                                           server_default="web"))
    op.add_column("audit_event", sa.Column("address", sa.String(64), nullable=False,
                                           server_default=""))
    op.add_column("audit_event", sa.Column("detail", sa.String(200), nullable=False,
                                           server_default=""))
    op.create_index("ix_audit_event_action", "audit_event", ["action"])
    op.execute("UPDATE audit_event SET actor = (SELECT username FROM app_user "
               "WHERE app_user.id = audit_event.user_id) WHERE user_id IS NOT NULL")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$ BEGIN "
                   "RAISE EXCEPTION 'the audit log is append-only'; END $$ LANGUAGE plpgsql")
        op.execute(f"CREATE TRIGGER audit_event_append_only BEFORE UPDATE OF {FROZEN} "
                   "ON audit_event FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()")
    else:
        op.execute(f"CREATE TRIGGER audit_event_append_only BEFORE UPDATE OF {FROZEN} "
                   "ON audit_event BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); "
                   "END")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_event_append_only"
               + (" ON audit_event" if op.get_bind().dialect.name == "postgresql" else ""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
    op.drop_index("ix_audit_event_action", "audit_event")
    with op.batch_alter_table("audit_event") as batch:
        for column in ("detail", "address", "source", "actor"):
            batch.drop_column(column)
