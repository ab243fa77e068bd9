"""Mixed rounds (per agency: survey link or workshop recording) and workshop consensus ratings.

`assessment.workshop_agencies` lists the agencies whose agreed answers are recorded in a
workshop; a round made before keeps its mode for every agency (a workshop round lists all its
agencies). `response.ratings` keeps, per statement, how many workshop participants gave each
answer before the agency agreed one (counts only, never who).

Revision ID: 0013
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("assessment", sa.Column("workshop_agencies", sa.JSON(), nullable=False,
                                          server_default="[]"))
    op.add_column("response", sa.Column("ratings", sa.JSON(), nullable=False,
                                        server_default="{}"))
    assessment = sa.table("assessment", sa.column("id", sa.Integer()),
                          sa.column("mode", sa.String()), sa.column("agencies", sa.JSON()),
                          sa.column("workshop_agencies", sa.JSON()))
    connection = op.get_bind()
    rows = connection.execute(sa.select(assessment.c.id, assessment.c.agencies)
                              .where(assessment.c.mode == "workshop")).all()
    for ident, agencies in rows:
        connection.execute(sa.update(assessment).where(assessment.c.id == ident)
                           .values(workshop_agencies=list(agencies or [])))


def downgrade() -> None:
    with op.batch_alter_table("response") as batch:
        batch.drop_column("ratings")
    with op.batch_alter_table("assessment") as batch:
        batch.drop_column("workshop_agencies")
