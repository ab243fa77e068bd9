"""A tracked plan action outlives the round that proposed it; links made before join codes get
theirs here, so that showing a link never writes.

Deleting a round no longer deletes the actions of the municipality's living roadmap that it
proposed (later rounds follow them up): `plan_action.assessment_id` may be NULL, and the
database sets it to NULL when that round goes (`ON DELETE SET NULL`).

On SQLite the table is rebuilt (batch mode). Dropping the old table would, with foreign keys on
(the app's connections), cascade to `plan_event` and delete every action's history; so the
history is set aside first and put back after.

Join codes: migration 0017 added `invitation.join_code_hash` empty, and the links page used to
fill it the first time it showed such a link (a write on a GET). This data step fills it for
every active link whose token is made from the app's key (`readiness.db.upgrade` passes the key
derived from SECRET_KEY as the `link_key` attribute), skipping a code an active link already
has, oldest link first. Without the key (Alembic run on a bare URL) it does nothing: those
links then show no join code, their full address still works.

Revision ID: 0015
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

from readiness.tokens import hash_token, join_code, link_token

revision: str = "0015"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FK = "fk_plan_action_assessment_id_assessment"
_KEEP = "_keep_plan_event_0015"
_EVENT_COLUMNS = 'id, plan_action_id, "at", user_id, field, "before", "after"'


def _set_fk(nullable: bool, ondelete: str) -> None:
    with op.batch_alter_table("plan_action") as batch:
        batch.drop_constraint(_FK, type_="foreignkey")
        batch.alter_column("assessment_id", existing_type=sa.Integer(), nullable=nullable)
        batch.create_foreign_key(_FK, "assessment", ["assessment_id"], ["id"],
                                 ondelete=ondelete)


def _rebuilt(nullable: bool, ondelete: str) -> None:
    """Change the column and its foreign key; on SQLite, keep the history across the rebuild."""
    if op.get_bind().dialect.name != "sqlite":
        _set_fk(nullable, ondelete)
        return
    op.execute(f"CREATE TEMPORARY TABLE {_KEEP} AS SELECT {_EVENT_COLUMNS} FROM plan_event")
    _set_fk(nullable, ondelete)
    op.execute("DELETE FROM plan_event")  # whatever the rebuild left, before putting all back
    op.execute(f"INSERT INTO plan_event ({_EVENT_COLUMNS}) SELECT {_EVENT_COLUMNS} FROM {_KEEP}")
    op.execute(f"DROP TABLE {_KEEP}")


def _join_codes(key: bytes) -> None:
    """Store the join code hash of each active link made from `key` that has none yet."""
    invitation = sa.table("invitation", sa.column("id", sa.Integer()), sa.column("public_id"),
                          sa.column("token_hash"), sa.column("state"),
                          sa.column("join_code_hash"))
    bind = op.get_bind()
    active = invitation.c.state == "active"
    taken = set(bind.scalars(sa.select(invitation.c.join_code_hash).where(
        active, invitation.c.join_code_hash.is_not(None))))
    for ident, public_id, token_hash in bind.execute(
            sa.select(invitation.c.id, invitation.c.public_id, invitation.c.token_hash)
            .where(active, invitation.c.join_code_hash.is_(None)).order_by(invitation.c.id)
            ).all():
        if hash_token(link_token(key, public_id)) != token_hash:
            continue  # a random token: the link cannot be shown again, nor its code
        code_hash = hash_token(join_code(key, public_id))
        if code_hash in taken:
            continue  # one code opens one active link
        taken.add(code_hash)
        bind.execute(sa.update(invitation).where(invitation.c.id == ident)
                     .values(join_code_hash=code_hash))


def upgrade() -> None:
    _rebuilt(True, "SET NULL")
    key = context.config.attributes.get("link_key") if context.config is not None else None
    if key:
        _join_codes(key)


def downgrade() -> None:
    # an action whose round was deleted points at no round, as the old schema requires: refuse
    # rather than delete the municipality's plan
    kept = op.get_bind().scalar(sa.text(
        "SELECT COUNT(*) FROM plan_action WHERE assessment_id IS NULL")) or 0
    if kept:
        raise RuntimeError(f"{kept} tracked plan actions outlived their deleted round; the "
                           "schema before 0015 cannot hold them. Nothing was changed.")
    _rebuilt(False, "CASCADE")
