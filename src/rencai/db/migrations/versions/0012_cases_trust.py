"""Cases trust: once-only benefits held at most once per person, reviewer views.

``once_only_grants``: one row per person and once-only benefit (a one-off payment, a card), with
a unique key, taken when a case is approved at its last step; existing approved cases (and
those under public notice) are granted here, the earliest approved first — a later duplicate
keeps its status but holds no grant. ``required_materials``: the administrator's list of
materials per program; ``materials.kind``: which required material a file is.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "once_only_grants",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("talent_id", sa.Integer, sa.ForeignKey("talent_profiles.id"), nullable=False),
        sa.Column("jurisdiction", sa.String(32), nullable=False),
        sa.Column("program", sa.String(64), nullable=False),
        sa.Column(
            "application_id",
            sa.Integer,
            sa.ForeignKey("applications.id"),
            nullable=False,
            unique=True,
        ),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("talent_id", "jurisdiction", "program", name="uq_once_only_grant"),
    )
    op.create_table(
        "required_materials",
        sa.Column("program", sa.String(64), primary_key=True),
        sa.Column("items", sa.Text, nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("materials") as batch:
        batch.add_column(sa.Column("kind", sa.String(64)))
    _grant_existing()


def _grant_existing() -> None:
    from rencai.applications.once_only import once_only

    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT id, talent_id, jurisdiction, program, status, decided_at, submitted_at"
            " FROM applications WHERE status IN ('approved', 'publicity', 'objection')"
            " ORDER BY CASE WHEN status = 'approved' THEN 0 ELSE 1 END, id"
        )
    ).all()
    taken: set[tuple[int, str, str]] = set()
    grants = sa.table(
        "once_only_grants",
        sa.column("talent_id", sa.Integer),
        sa.column("jurisdiction", sa.String),
        sa.column("program", sa.String),
        sa.column("application_id", sa.Integer),
        sa.column("granted_at", sa.DateTime(timezone=True)),
    )
    for row in rows:
        key = (row.talent_id, row.jurisdiction, row.program)
        if key in taken or once_only(row.jurisdiction, row.program) is None:
            continue
        taken.add(key)
        moment = row.decided_at or row.submitted_at or dt.datetime.now(dt.UTC)
        if isinstance(moment, str):  # SQLite returns text from a raw query
            moment = dt.datetime.fromisoformat(moment)
        connection.execute(
            grants.insert().values(
                talent_id=row.talent_id,
                jurisdiction=row.jurisdiction,
                program=row.program,
                application_id=row.id,
                granted_at=moment,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("materials") as batch:
        batch.drop_column("kind")
    op.drop_table("required_materials")
    op.drop_table("once_only_grants")
