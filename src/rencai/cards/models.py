"""Card tables: cards and their history, validity settings, numbering, service points, uses."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

import rencai.applications.models  # the tables our foreign keys name
import rencai.registry.models  # noqa: F401
from rencai.db.models import Base


class CardStatus(StrEnum):
    active = "active"
    suspended = "suspended"  # reversible: the suspension list carries it
    revoked = "revoked"  # final: the revocation list carries it
    expired = "expired"


STATUS_LABELS = {
    CardStatus.active: "正常",
    CardStatus.suspended: "已暂停",
    CardStatus.revoked: "已注销",
    CardStatus.expired: "已过期",
}


class Card(Base):
    __tablename__ = "cards"
    # the card office's list filters by county and status (migration 0028)
    __table_args__ = (Index("ix_cards_county_status", "county", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    program: Mapped[str] = mapped_column(String(32))  # card.a | card.b | card.county | card.family
    tier: Mapped[str] = mapped_column(String(1))  # A | B | C | F
    main_card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"), index=True)
    talent_id: Mapped[int] = mapped_column(ForeignKey("talent_profiles.id"), index=True)
    relation: Mapped[str | None] = mapped_column(String(16))  # a 副卡's holder: spouse, parent
    holder_name: Mapped[str | None] = mapped_column(String(100))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    county: Mapped[str] = mapped_column(String(32))
    services: Mapped[str] = mapped_column(Text)  # JSON [{id, name, citation}]
    benefits: Mapped[int] = mapped_column(Integer)  # point-kind mask carried in the QR
    status: Mapped[str] = mapped_column(String(16))
    status_index: Mapped[int] = mapped_column(Integer, unique=True)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    # None while the administrator has not set the tier's validity (the seeds state none)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    status_reason: Mapped[str | None] = mapped_column(Text)
    # the holder's photo (SHA-256 of the stored file): printed beside the static code and shown
    # to points that compare card and face
    photo_sha256: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class CardEvent(Base):
    """One lifecycle step: issue, suspend, resume, revoke, renew, expire, validity set."""

    __tablename__ = "card_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class CardValidity(Base):
    """How long a card of a tier is valid: set by an administrator (no seed states it)."""

    __tablename__ = "card_validity"

    tier: Mapped[str] = mapped_column(String(1), primary_key=True)
    months: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(200))
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class CardCounter(Base):
    """The next serial of a card-number prefix (tier + year + county)."""

    __tablename__ = "card_counters"

    prefix: Mapped[str] = mapped_column(String(16), primary_key=True)
    next_serial: Mapped[int] = mapped_column(Integer)


class CardListState(Base):
    """The status lists' version: raised by every change a verifier must learn of."""

    __tablename__ = "card_list_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ServicePoint(Base):
    """A bus line, subway station, hospital, scenic spot or bank branch that verifies cards."""

    __tablename__ = "service_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))  # bus | subway | scenic | hospital | bank
    county: Mapped[str | None] = mapped_column(String(32))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class VerifyBucket(Base):
    """A service-point account's token bucket for online verification, shared by every serving
    process and machine (decision 0169): the tokens left at the instant ``refilled_at`` (seconds
    since the epoch, wall time)."""

    __tablename__ = "verify_buckets"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    refilled_at: Mapped[float] = mapped_column(Float)
    allowed: Mapped[bool] = mapped_column(Boolean)  # the verdict of the last request
    # the tokens at ``refilled_at`` before the last batch of checks took theirs (decision 0265)
    level: Mapped[float | None] = mapped_column(Float, nullable=True)


class CardUse(Base):
    """One verification at a point, online or uploaded later from an offline verifier."""

    __tablename__ = "card_uses"
    __table_args__ = (
        Index("ix_card_uses_card_at", "card_number", "at"),
        # the abuse check: one card's valid uses at the points of one kind other than this one
        # (decision 0252); point_id lookups use (point_id, at) of the statistics
        Index(
            "ix_card_uses_card_points",
            "card_number",
            "point_kind",
            "point_id",
            "at",
            postgresql_where=text("verdict = 'valid'"),
            sqlite_where=text("verdict = 'valid'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)  # the verifier's id: no twins
    card_number: Mapped[str | None] = mapped_column(String(24))
    point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id"))
    point_kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    verdict: Mapped[str] = mapped_column(String(24))
    offline: Mapped[bool] = mapped_column(Boolean)
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    flag: Mapped[str | None] = mapped_column(String(32))  # e.g. two_points
