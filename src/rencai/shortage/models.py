"""急需紧缺人才需求目录 tables: employers' needs, the yearly catalogues, talents' consent."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

import rencai.registry.models  # noqa: F401 — the accounts and employers our foreign keys name
from rencai.db.models import Base


class ShortageCatalogue(Base):
    """The year's published catalogue of one city."""

    __tablename__ = "shortage_catalogues"
    __table_args__ = (UniqueConstraint("jurisdiction", "year", name="uq_shortage_catalogue"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))


class ShortageNeed(Base):
    """One employer's need: submitted → approved or returned → published in the catalogue."""

    __tablename__ = "shortage_needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    submitted_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    jurisdiction: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    county: Mapped[str] = mapped_column(String(32))
    position: Mapped[str] = mapped_column(String(100))
    industry: Mapped[str] = mapped_column(String(8))  # GB/T 4754 门类 letter
    discipline: Mapped[str | None] = mapped_column(String(100))  # 专业 as the diploma names it
    degree: Mapped[str | None] = mapped_column(String(16))  # lowest degree accepted
    skill_level: Mapped[str | None] = mapped_column(String(32))  # lowest skill level accepted
    count: Mapped[int] = mapped_column(Integer)
    pay_min_yuan: Mapped[int] = mapped_column(Integer)  # yearly pay, whole yuan
    pay_max_yuan: Mapped[int] = mapped_column(Integer)
    program: Mapped[str | None] = mapped_column(String(64))  # what a match may apply for
    # submitted | approved | returned | published | withdrawn
    status: Mapped[str] = mapped_column(String(16))
    review_note: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    catalogue_id: Mapped[int | None] = mapped_column(ForeignKey("shortage_catalogues.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ShortageConsent(Base):
    """A talent's consent to be matched and shown to employers (withdrawn by deleting it)."""

    __tablename__ = "shortage_consents"

    talent_id: Mapped[int] = mapped_column(ForeignKey("talent_profiles.id"), primary_key=True)
    given_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ShortageOccupation(Base):
    """The catalogue's part of occupations (工种/职业) for a city and year, maintained by the
    office from a stated source (e.g. 《河北省急需紧缺职业（工种）目录》); published with the year's
    catalogue (``catalogue_id`` set), and only then read by the training subsidies."""

    __tablename__ = "shortage_occupations"
    __table_args__ = (
        UniqueConstraint("jurisdiction", "year", "name", name="uq_shortage_occupation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))  # 工种（职业）
    source: Mapped[str] = mapped_column(String(200))  # where the office took it from
    added_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    catalogue_id: Mapped[int | None] = mapped_column(ForeignKey("shortage_catalogues.id"))
