"""青年人才驿站 (stations, room-nights, operators, bookings and their nights; a city's limits
set by the administrator) and the 急需紧缺人才需求目录 (employers' needs, catalogues, talents'
consent to be matched).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "station_policies",
        sa.Column("jurisdiction", sa.String(32), primary_key=True),
        sa.Column("max_nights", sa.Integer, nullable=False),
        sa.Column("nightly_cap_fen", sa.Integer, nullable=False),
        sa.Column("program", sa.String(64)),
        sa.Column("set_by", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "stations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("jurisdiction", sa.String(32), nullable=False),
        sa.Column("county", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("nightly_rate_fen", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "station_operators",
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), primary_key=True),
        sa.Column("station_id", sa.Integer, sa.ForeignKey("stations.id"), nullable=False),
    )
    op.create_table(
        "station_rooms",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("station_id", sa.Integer, sa.ForeignKey("stations.id"), nullable=False),
        sa.Column("night", sa.Date, nullable=False),
        sa.Column("room_no", sa.Integer, nullable=False),
        sa.UniqueConstraint("station_id", "night", "room_no", name="uq_station_room_night"),
    )
    op.create_table(
        "station_bookings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("station_id", sa.Integer, sa.ForeignKey("stations.id"), nullable=False),
        sa.Column("talent_id", sa.Integer, sa.ForeignKey("talent_profiles.id"), nullable=False),
        sa.Column("jurisdiction", sa.String(32), nullable=False),
        sa.Column("first_night", sa.Date, nullable=False),
        sa.Column("nights", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("nightly_fen", sa.Integer, nullable=False),
        sa.Column("eligibility", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(timezone=True)),
        sa.Column("checked_in_by", sa.Integer, sa.ForeignKey("accounts.id")),
        sa.Column("released_at", sa.DateTime(timezone=True)),
    )
    op.create_index(
        "uq_station_booking_visit",
        "station_bookings",
        ["talent_id", "jurisdiction"],
        unique=True,
        postgresql_where=sa.text("status <> 'cancelled'"),
        sqlite_where=sa.text("status <> 'cancelled'"),
    )
    op.create_table(
        "station_booking_nights",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("booking_id", sa.Integer, sa.ForeignKey("station_bookings.id"), nullable=False),
        # one booking per room-night: the database refuses a second, so no room is sold twice
        sa.Column(
            "room_id", sa.Integer, sa.ForeignKey("station_rooms.id"), nullable=False, unique=True
        ),
        sa.Column("night", sa.Date, nullable=False),
    )
    op.create_index(
        "ix_station_booking_nights_booking_id", "station_booking_nights", ["booking_id"]
    )
    op.create_index("ix_station_rooms_night", "station_rooms", ["station_id", "night"])

    op.create_table(
        "shortage_catalogues",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("jurisdiction", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
        sa.UniqueConstraint("jurisdiction", "year", name="uq_shortage_catalogue"),
    )
    op.create_table(
        "shortage_needs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("employer_id", sa.Integer, sa.ForeignKey("employers.id"), nullable=False),
        sa.Column("submitted_by", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("jurisdiction", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("county", sa.String(32), nullable=False),
        sa.Column("position", sa.String(100), nullable=False),
        sa.Column("industry", sa.String(8), nullable=False),
        sa.Column("discipline", sa.String(100)),
        sa.Column("degree", sa.String(16)),
        sa.Column("skill_level", sa.String(32)),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("pay_min_yuan", sa.Integer, nullable=False),
        sa.Column("pay_max_yuan", sa.Integer, nullable=False),
        sa.Column("program", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("review_note", sa.Text),
        sa.Column("reviewed_by", sa.Integer, sa.ForeignKey("accounts.id")),
        sa.Column("catalogue_id", sa.Integer, sa.ForeignKey("shortage_catalogues.id")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_shortage_needs_employer_id", "shortage_needs", ["employer_id"])
    op.create_table(
        "shortage_consents",
        sa.Column("talent_id", sa.Integer, sa.ForeignKey("talent_profiles.id"), primary_key=True),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("shortage_consents")
    op.drop_index("ix_shortage_needs_employer_id", "shortage_needs")
    op.drop_table("shortage_needs")
    op.drop_table("shortage_catalogues")
    op.drop_index("ix_station_rooms_night", "station_rooms")
    op.drop_index("ix_station_booking_nights_booking_id", "station_booking_nights")
    op.drop_table("station_booking_nights")
    op.drop_index("uq_station_booking_visit", "station_bookings")
    op.drop_table("station_bookings")
    op.drop_table("station_rooms")
    op.drop_table("station_operators")
    op.drop_table("stations")
    op.drop_table("station_policies")
