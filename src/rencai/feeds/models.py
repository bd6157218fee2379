"""Feed tables: what was loaded (the load record), the rows the payment runs read, and the rows
of the five department sources (社保, 税务, 学信, 市场监管, 户籍/公安) the claim checks read.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from rencai.db.models import Base


class FeedLoad(Base):
    """One file (or one department delivery) loaded: counts, rejects, who and when."""

    __tablename__ = "feed_loads"
    __table_args__ = (
        UniqueConstraint("kind", "sha256", name="uq_feed_loads_content"),
        # the data office's list filters by source and sorts by time (migration 0028)
        Index("ix_feed_loads_kind_loaded_at", "kind", "loaded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # contributions | departures | a department source (feeds.departments.SOURCES)
    kind: Mapped[str] = mapped_column(String(32))
    source_name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    rows_total: Mapped[int] = mapped_column(Integer)
    rows_loaded: Mapped[int] = mapped_column(Integer)
    rows_rejected: Mapped[int] = mapped_column(Integer)
    rejects_file: Mapped[str | None] = mapped_column(Text)
    loaded_by: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # department sources: rows already loaded by an earlier delivery (listed in the rejects file)
    rows_duplicate: Mapped[int | None] = mapped_column(Integer)
    # the periods the delivery covers (months of 社保, years of 税务); None for registers
    period_from: Mapped[dt.date | None] = mapped_column(Date)
    period_to: Mapped[dt.date | None] = mapped_column(Date)
    channel: Mapped[str | None] = mapped_column(String(16))  # file | upload | push


class Contribution(Base):
    """Social insurance paid for a person by an employer for a month, in a city (参保地)."""

    __tablename__ = "feed_contributions"
    __table_args__ = (
        UniqueConstraint("id_number", "employer_uscc", "month", name="uq_feed_contribution"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    employer_uscc: Mapped[str] = mapped_column(String(18))
    month: Mapped[dt.date] = mapped_column(Date, index=True)  # first day of the month
    city: Mapped[str] = mapped_column(String(32))  # jurisdiction code of the 参保地
    load_id: Mapped[int] = mapped_column(ForeignKey("feed_loads.id"))


class Departure(Base):
    """A person moved away from the city (迁出/离开本市) or an employment ended (解除劳动关系)."""

    __tablename__ = "feed_departures"
    __table_args__ = (
        UniqueConstraint("id_number", "kind", "occurred_on", name="uq_feed_departure"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # moved_away | employment_ended
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    city: Mapped[str] = mapped_column(String(32))
    employer_uscc: Mapped[str | None] = mapped_column(String(18))
    load_id: Mapped[int] = mapped_column(ForeignKey("feed_loads.id"))


# --- the department sources: every row keeps its load and its line in the delivery -------------


class SocialInsuranceRow(Base):
    """社保: a month's contribution for a person by an employer, with its wage base."""

    __tablename__ = "feed_social_insurance"
    __table_args__ = (
        UniqueConstraint("id_number", "employer_uscc", "period", name="uq_feed_social_insurance"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    load_id: Mapped[int] = mapped_column(ForeignKey("feed_loads.id"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    employer_uscc: Mapped[str] = mapped_column(String(18))
    period: Mapped[dt.date] = mapped_column(Date)  # first day of the month
    wage_base_fen: Mapped[int] = mapped_column(BigInteger)
    region: Mapped[str] = mapped_column(String(6))  # county code (GB/T 2260)


class TaxRow(Base):
    """税务: a person's wage income from one employer in a year."""

    __tablename__ = "feed_tax"
    __table_args__ = (UniqueConstraint("id_number", "employer_uscc", "year", name="uq_feed_tax"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    load_id: Mapped[int] = mapped_column(ForeignKey("feed_loads.id"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    employer_uscc: Mapped[str] = mapped_column(String(18))
    year: Mapped[int] = mapped_column(SmallInteger)
    wage_income_fen: Mapped[int] = mapped_column(BigInteger)


class DegreeRow(Base):
    """学信: a degree (学历) a person holds."""

    __tablename__ = "feed_degrees"
    __table_args__ = (
        UniqueConstraint("id_number", "level", "school", "graduated_on", name="uq_feed_degrees"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    load_id: Mapped[int] = mapped_column(ForeignKey("feed_loads.id"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    school: Mapped[str] = mapped_column(String(200))
    school_tags: Mapped[str] = mapped_column(Text)  # school_tag codes joined by ","
    level: Mapped[str] = mapped_column(String(32))  # degree code
    discipline: Mapped[str] = mapped_column(Text)
    full_time: Mapped[bool] = mapped_column(Boolean)
    graduated_on: Mapped[dt.date] = mapped_column(Date)


class EmployerRow(Base):
    """市场监管: a unit's registration (the latest load is the current one)."""

    __tablename__ = "feed_employers"
    __table_args__ = (
        UniqueConstraint(
            "uscc",
            "name",
            "employer_type",
            "county",
            "industry",
            "status",
            "established_on",
            name="uq_feed_employers",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    load_id: Mapped[int] = mapped_column(ForeignKey("feed_loads.id"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(200))
    employer_type: Mapped[str] = mapped_column(String(48))  # employer_type code
    county: Mapped[str] = mapped_column(String(6))
    industry: Mapped[str] = mapped_column(String(8))  # GB/T 4754
    status: Mapped[str] = mapped_column(String(16))  # active | revoked | cancelled
    established_on: Mapped[dt.date] = mapped_column(Date)


class ResidenceRow(Base):
    """户籍/公安: a household registration event (落户, 迁入, 迁出)."""

    __tablename__ = "feed_residence"
    __table_args__ = (
        UniqueConstraint("id_number", "county", "event", "on_date", name="uq_feed_residence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    load_id: Mapped[int] = mapped_column(ForeignKey("feed_loads.id"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    county: Mapped[str] = mapped_column(String(6))
    event: Mapped[str] = mapped_column(String(16))  # settled | moved_in | moved_out
    on_date: Mapped[dt.date] = mapped_column(Date)


class FeedDispute(Base):
    """A talent disputes a department row about them; the reviewers of their cases see it with
    the row as it was shown."""

    __tablename__ = "feed_disputes"
    __table_args__ = (
        UniqueConstraint("talent_id", "source", "row_id", name="uq_feed_disputes_row"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    talent_id: Mapped[int] = mapped_column(ForeignKey("talent_profiles.id"), index=True)
    source: Mapped[str] = mapped_column(String(32))  # a department source code
    row_id: Mapped[int] = mapped_column(Integer)  # the row's id in its source table
    load_id: Mapped[int] = mapped_column(ForeignKey("feed_loads.id"))
    row_number: Mapped[int] = mapped_column(Integer)
    row_text: Mapped[str] = mapped_column(Text)  # the row as the talent saw it (Chinese)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
