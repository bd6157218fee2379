"""Feed tables: what was loaded (the load record) and the rows the payment runs read."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rencai.db.models import Base


class FeedLoad(Base):
    """One file (or one department delivery) loaded: counts, rejects, who and when."""

    __tablename__ = "feed_loads"
    __table_args__ = (UniqueConstraint("kind", "sha256", name="uq_feed_loads_content"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # contributions | departures
    source_name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    rows_total: Mapped[int] = mapped_column(Integer)
    rows_loaded: Mapped[int] = mapped_column(Integer)
    rows_rejected: Mapped[int] = mapped_column(Integer)
    rejects_file: Mapped[str | None] = mapped_column(Text)
    loaded_by: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


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
