"""青年人才驿站 tables: stations, their room-nights, operators, bookings and the nights a booking
holds.

Capacity is the rows of ``station_rooms`` (one per room and night); a booking holds a night by a
row of ``station_booking_nights`` naming one room-night, and that column is unique: two bookings
can never hold the same room on the same night, whatever the application does.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

import rencai.registry.models  # noqa: F401 — the accounts our foreign keys name
from rencai.db.models import Base


class StationPolicy(Base):
    """A city's limits where its documents are silent (decision 0161): the administrator's
    setting, never a default."""

    __tablename__ = "station_policies"

    jurisdiction: Mapped[str] = mapped_column(String(32), primary_key=True)
    max_nights: Mapped[int] = mapped_column(Integer)
    nightly_cap_fen: Mapped[int] = mapped_column(Integer)
    program: Mapped[str | None] = mapped_column(String(64))  # the rule deciding eligibility
    # JSON [criterion]: the conditions the administrator states (rencai.policy.stated), judged
    # on the first night where no computed rule exists (decision 0184)
    criteria: Mapped[str | None] = mapped_column(Text)
    set_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    set_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Station(Base):
    __tablename__ = "stations"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(32))
    county: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300))
    nightly_rate_fen: Mapped[int] = mapped_column(Integer)  # the hotel's agreed price per night
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class StationOperator(Base):
    """A hotel's account: it checks guests in at its own station only."""

    __tablename__ = "station_operators"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))


class StationRoom(Base):
    """One room on one night: the station's capacity that night is the number of these rows."""

    __tablename__ = "station_rooms"
    __table_args__ = (
        UniqueConstraint("station_id", "night", "room_no", name="uq_station_room_night"),
        Index("ix_station_rooms_night", "station_id", "night"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    night: Mapped[dt.date] = mapped_column(Date)
    room_no: Mapped[int] = mapped_column(Integer)


class StationBooking(Base):
    __tablename__ = "station_bookings"
    __table_args__ = (
        # the free stay is a first visit: one booking per person and city unless cancelled
        Index(
            "uq_station_booking_visit",
            "talent_id",
            "jurisdiction",
            unique=True,
            postgresql_where=text("status <> 'cancelled'"),
            sqlite_where=text("status <> 'cancelled'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    talent_id: Mapped[int] = mapped_column(ForeignKey("talent_profiles.id"))
    jurisdiction: Mapped[str] = mapped_column(String(32))
    first_night: Mapped[dt.date] = mapped_column(Date)
    nights: Mapped[int] = mapped_column(Integer)
    # booked | checked_in | no_show | cancelled
    status: Mapped[str] = mapped_column(String(16))
    nightly_fen: Mapped[int] = mapped_column(Integer)  # what the city pays per night stayed
    eligibility: Mapped[str] = mapped_column(Text)  # the rules engine's answer (JSON, cited)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    checked_in_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    released_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class StationBookingNight(Base):
    """A night a booking holds: the room-night it names is unique, so no room is sold twice."""

    __tablename__ = "station_booking_nights"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("station_bookings.id"), index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("station_rooms.id"), unique=True)
    night: Mapped[dt.date] = mapped_column(Date)
