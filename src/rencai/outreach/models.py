"""The screenings run (政策找人) and the notices sent from them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

import rencai.applications.models
import rencai.registry.models  # noqa: F401 — the accounts our foreign keys name
from rencai.db.models import Base


class Screening(Base):
    __tablename__ = "screenings"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(32))
    on_date: Mapped[dt.date] = mapped_column(Date)
    store: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16))  # running | done | failed
    started_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    persons: Mapped[int | None] = mapped_column(Integer)
    rows: Mapped[int | None] = mapped_column(Integer)
    result_path: Mapped[str | None] = mapped_column(String(500))
    # the background run (decision 0176): persons screened of the store's total, the last sign
    # of life of the process running it, and why it failed (Chinese)
    done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    total: Mapped[int | None] = mapped_column(Integer)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    message: Mapped[str | None] = mapped_column(String(500))


class ScreeningNotice(Base):
    """One notice per person and program of a jurisdiction, whichever screening found them
    first (decision 0124): a re-run never tells a person twice."""

    __tablename__ = "screening_notices"
    __table_args__ = (
        UniqueConstraint("jurisdiction", "id_number", "program", name="uq_screening_notice"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    screening_id: Mapped[int] = mapped_column(ForeignKey("screenings.id"))
    jurisdiction: Mapped[str] = mapped_column(String(32))
    id_number: Mapped[str] = mapped_column(String(18))
    program: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class NoApplicationProgram(Base):
    """免申即享: a program the administrator lets the platform apply for on a person's behalf
    when a screening finds them (decision 0126)."""

    __tablename__ = "no_application_programs"

    program: Mapped[str] = mapped_column(String(64), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ScreeningGrant(Base):
    """The application created for a person and a 免申即享 program: at most one, ever."""

    __tablename__ = "screening_grants"
    __table_args__ = (UniqueConstraint("id_number", "program", name="uq_screening_grant"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    screening_id: Mapped[int] = mapped_column(ForeignKey("screenings.id"))
    id_number: Mapped[str] = mapped_column(String(18))
    program: Mapped[str] = mapped_column(String(64))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
