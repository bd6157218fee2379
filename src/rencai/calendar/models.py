"""Calendar tables: one row per day (city-wide, or a county's local closure) and the notices."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from rencai.db.models import Base


class CalendarDay(Base):
    __tablename__ = "calendar_days"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    county: Mapped[str] = mapped_column(String(32), primary_key=True)  # "" = city-wide
    is_working: Mapped[bool] = mapped_column(Boolean)
    kind: Mapped[str] = mapped_column(String(16))  # official | provisional | local
    name: Mapped[str] = mapped_column(String(64))  # holiday name, 调休上班, 周末, 工作日
    source: Mapped[str] = mapped_column(String(128))  # notice 文号 or the package and version


class CalendarNotice(Base):
    """The State Council notice loaded for a year (its 文号), replacing the provisional days."""

    __tablename__ = "calendar_notices"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    document: Mapped[str] = mapped_column(String(128))
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
