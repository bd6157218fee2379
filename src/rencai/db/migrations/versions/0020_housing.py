"""Housing 人才安居: buildings and units, allocation batches with applications, the lottery's
allocations and objections, tenancy contracts with their household members (one
保障性租赁住房 unit per family), purchases at 80 % after 10 years, and the events of each.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

LIVE = "status IN ('active', 'exiting')"
ONE_RENTAL = "live AND kind = 'rental'"


def upgrade() -> None:
    op.create_table(
        "housing_buildings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("jurisdiction", sa.String(32), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("county", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("government_built", sa.Boolean, nullable=False),
        sa.Column("address", sa.String(200)),
    )
    op.create_table(
        "housing_units",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("building_id", sa.Integer, sa.ForeignKey("housing_buildings.id"), nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("size_m2", sa.Numeric(7, 2), nullable=False),
        sa.Column("rent_fen", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.UniqueConstraint("building_id", "number", name="uq_housing_unit_number"),
        sa.CheckConstraint("rent_fen >= 0", name="ck_housing_unit_rent"),
        sa.CheckConstraint("size_m2 > 0", name="ck_housing_unit_size"),
    )
    op.create_index("ix_housing_units_building_id", "housing_units", ["building_id"])
    op.create_table(
        "housing_batches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("jurisdiction", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("eligible_programs", sa.Text, nullable=False),
        sa.Column("documents", sa.Text, nullable=False),
        sa.Column("priority_groups", sa.Text, nullable=False),
        sa.Column("mode", sa.String(16)),
        sa.Column("objection_days", sa.Integer),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("seed", sa.String(200)),
        sa.Column("seed_published_at", sa.DateTime(timezone=True)),
        sa.Column("roster_digest", sa.String(64)),
        sa.Column("drawn_at", sa.DateTime(timezone=True)),
        sa.Column("published_on", sa.Date),
        sa.Column("objection_end", sa.Date),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("accounts.id")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("jurisdiction", "kind", "number", name="uq_housing_batch_number"),
    )
    op.create_table(
        "housing_batch_units",
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("housing_batches.id"), primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("housing_units.id"), primary_key=True),
    )
    op.create_table(
        "housing_applications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("housing_batches.id"), nullable=False),
        sa.Column("talent_id", sa.Integer, sa.ForeignKey("talent_profiles.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("preferences", sa.Text, nullable=False),
        sa.Column("claimed_group", sa.Integer),
        sa.Column("group", sa.Integer),
        sa.Column("spouse_id_number", sa.String(18)),
        sa.Column("precheck", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reviewed_by", sa.Integer, sa.ForeignKey("accounts.id")),
        sa.Column("reviewed_at", sa.DateTime(timezone=True)),
        sa.Column("review_reason", sa.Text),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("batch_id", "talent_id", name="uq_housing_application_talent"),
        sa.UniqueConstraint("batch_id", "seq", name="uq_housing_application_seq"),
        sa.UniqueConstraint("number", name="uq_housing_application_number"),
    )
    op.create_index("ix_housing_applications_batch_id", "housing_applications", ["batch_id"])
    op.create_table(
        "housing_allocations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("housing_batches.id"), nullable=False),
        sa.Column(
            "application_id",
            sa.Integer,
            sa.ForeignKey("housing_applications.id"),
            nullable=False,
        ),
        sa.Column("place", sa.Integer, nullable=False),
        sa.Column("draw_key", sa.String(64), nullable=False),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("housing_units.id")),
        sa.UniqueConstraint("batch_id", "application_id", name="uq_housing_allocation_app"),
        sa.UniqueConstraint("batch_id", "unit_id", name="uq_housing_allocation_unit"),
        sa.UniqueConstraint("batch_id", "place", name="uq_housing_allocation_place"),
    )
    op.create_index("ix_housing_allocations_batch_id", "housing_allocations", ["batch_id"])
    op.create_table(
        "housing_objections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("housing_batches.id"), nullable=False),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.Text),
        sa.Column("answered_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_housing_objections_batch_id", "housing_objections", ["batch_id"])
    op.create_table(
        "housing_contracts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("housing_units.id"), nullable=False),
        sa.Column("talent_id", sa.Integer, sa.ForeignKey("talent_profiles.id"), nullable=False),
        sa.Column("application_id", sa.Integer, sa.ForeignKey("housing_applications.id")),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("start", sa.Date, nullable=False),
        sa.Column("end", sa.Date, nullable=False),
        sa.Column("rent_fen", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("renewed_from", sa.Integer, sa.ForeignKey("housing_contracts.id")),
        sa.Column("tenancy_since", sa.Date, nullable=False),
        sa.Column("exit_reason", sa.Text),
        sa.Column("exit_started_on", sa.Date),
        sa.Column("ended_on", sa.Date),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('"end" > start', name="ck_housing_contract_dates"),
        sa.CheckConstraint("rent_fen >= 0", name="ck_housing_contract_rent"),
    )
    op.create_index("ix_housing_contracts_unit_id", "housing_contracts", ["unit_id"])
    op.create_index("ix_housing_contracts_talent_id", "housing_contracts", ["talent_id"])
    op.create_index(
        "uq_housing_contract_live_unit",
        "housing_contracts",
        ["unit_id"],
        unique=True,
        postgresql_where=sa.text(LIVE),
        sqlite_where=sa.text(LIVE),
    )
    op.create_table(
        "housing_members",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("contract_id", sa.Integer, sa.ForeignKey("housing_contracts.id"), nullable=False),
        sa.Column("id_number", sa.String(18), nullable=False),
        sa.Column("relation", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("live", sa.Boolean, nullable=False),
    )
    op.create_index("ix_housing_members_contract_id", "housing_members", ["contract_id"])
    op.create_index("ix_housing_members_id_number", "housing_members", ["id_number"])
    op.create_index(
        "uq_housing_member_one_rental",
        "housing_members",
        ["id_number"],
        unique=True,
        postgresql_where=sa.text(ONE_RENTAL),
        sqlite_where=sa.text(ONE_RENTAL),
    )
    op.create_table(
        "housing_purchases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("contract_id", sa.Integer, sa.ForeignKey("housing_contracts.id"), nullable=False),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("housing_units.id"), nullable=False),
        sa.Column("talent_id", sa.Integer, sa.ForeignKey("talent_profiles.id"), nullable=False),
        sa.Column("market_price_fen", sa.BigInteger, nullable=False),
        sa.Column("price_fen", sa.BigInteger, nullable=False),
        sa.Column("decided_on", sa.Date, nullable=False),
        sa.Column("certificate_on", sa.Date),
        sa.Column("resale_from", sa.Date),
        sa.Column("decided_by", sa.Integer, sa.ForeignKey("accounts.id")),
        sa.UniqueConstraint("unit_id", name="uq_housing_purchase_unit"),
    )
    op.create_table(
        "housing_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("housing_batches.id")),
        sa.Column("contract_id", sa.Integer, sa.ForeignKey("housing_contracts.id")),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text),
    )
    op.create_index("ix_housing_events_batch_id", "housing_events", ["batch_id"])
    op.create_index("ix_housing_events_contract_id", "housing_events", ["contract_id"])


def downgrade() -> None:
    op.drop_table("housing_events")
    op.drop_table("housing_purchases")
    op.drop_index("uq_housing_member_one_rental", table_name="housing_members")
    op.drop_table("housing_members")
    op.drop_index("uq_housing_contract_live_unit", table_name="housing_contracts")
    op.drop_table("housing_contracts")
    op.drop_table("housing_objections")
    op.drop_table("housing_allocations")
    op.drop_table("housing_applications")
    op.drop_table("housing_batch_units")
    op.drop_table("housing_batches")
    op.drop_table("housing_units")
    op.drop_table("housing_buildings")
