"""Saved reforms and their runs (政策模拟): the reform's YAML, the run's progress and result."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

import rencai.registry.models  # noqa: F401 — the accounts our foreign keys name
from rencai.db.models import Base


class SavedReform(Base):
    """A named reform: its changes as the YAML a user may also run from the command line."""

    __tablename__ = "reforms"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    jurisdiction: Mapped[str] = mapped_column(String(32))
    spec: Mapped[str] = mapped_column(Text)  # the reform as YAML (validated on write)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ReformRun(Base):
    """One run of a stack of saved reforms against a baseline (the law, or another stack), on a
    population over a budget window; kept with its result."""

    __tablename__ = "reform_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    reforms: Mapped[str] = mapped_column(String(500))  # saved reform ids, comma-separated, in order
    baseline_reforms: Mapped[str] = mapped_column(String(500), default="")  # "" : the law
    spec: Mapped[str] = mapped_column(Text)  # the stacked reform as run (YAML)
    population: Mapped[str] = mapped_column(String(64))  # registered | store | synthetic:N
    start_date: Mapped[dt.date] = mapped_column(Date)
    months: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # queued | running | done | failed
    done_months: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)  # JSON (money in fen)
    started_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # the computing process's last sign of life (a run without one for a while was interrupted)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
