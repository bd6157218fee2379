"""Applications (cases) and every action taken on them."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rencai.db.models import Base


class Status(StrEnum):
    county_review = "county_review"  # 县（市、区）人才办审核中
    city_review = "city_review"  # 市委人才办审核中
    returned = "returned"  # 退回补正：back with the applicant, the clock paused
    approved = "approved"
    rejected = "rejected"


STATUS_LABELS = {
    Status.county_review: "县级审核中",
    Status.city_review: "市级审核中",
    Status.returned: "退回补正",
    Status.approved: "已通过",
    Status.rejected: "未通过",
}


class Application(Base):
    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    talent_id: Mapped[int] = mapped_column(ForeignKey("talent_profiles.id"))
    program: Mapped[str] = mapped_column(String(64))  # a card or benefit id
    program_name: Mapped[str] = mapped_column(String(100))
    jurisdiction: Mapped[str] = mapped_column(String(32))
    county: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    # what the decision was checked against: the profile and the law as they were
    profile_snapshot: Mapped[str] = mapped_column(Text)
    rules_version: Mapped[str] = mapped_column(String(64))
    precheck: Mapped[str] = mapped_column(Text)  # JSON: eligible / reasons / citation
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer)
    # the current review step's clock: started on, due on (working days), paused while returned
    step_started: Mapped[dt.date | None] = mapped_column(Date)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    due_provisional: Mapped[bool | None] = mapped_column(Boolean)
    pauses: Mapped[str | None] = mapped_column(Text)  # JSON [[from, to], ...]
    # the talent's employer must confirm employment before the county can approve
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"))
    employer_confirmation: Mapped[str | None] = mapped_column(
        String(16)
    )  # pending|confirmed|denied

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 — optimistic locking


class Action(Base):
    """One thing that happened to a case: submitted, approved at a level, returned, ..."""

    __tablename__ = "application_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    level: Mapped[str] = mapped_column(String(16))  # applicant | county | city
    action: Mapped[str] = mapped_column(String(16))  # submit | approve | return | reject | resubmit
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ReviewLimit(Base):
    """How many working days a level has to decide a program's cases (set by an administrator,
    or from the seeds where a document states it)."""

    __tablename__ = "review_limits"

    program: Mapped[str] = mapped_column(String(64), primary_key=True)  # or "*" for all
    level: Mapped[str] = mapped_column(String(16), primary_key=True)  # county | city
    working_days: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(200))
