"""Applications (cases) and every action taken on them."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from rencai.db.models import Base


class Status(StrEnum):
    county_review = "county_review"  # 县（市、区）人才办审核中
    city_review = "city_review"  # 市委人才办审核中
    department_review = "department_review"  # 部门（人社、住建、教育、公安…）审核中
    returned = "returned"  # 退回补正：back with the applicant, the clock paused
    publicity = "publicity"  # 公示中: approved at the last step, final when the notice ends
    objection = "objection"  # 公示异议处理中: the notice clock is paused
    approved = "approved"
    rejected = "rejected"


STATUS_LABELS = {
    Status.county_review: "县级审核中",
    Status.city_review: "市级审核中",
    Status.department_review: "部门审核中",
    Status.publicity: "公示中",
    Status.objection: "公示异议处理中",
    Status.returned: "退回补正",
    Status.approved: "已通过",
    Status.rejected: "未通过",
}


class Application(Base):
    __tablename__ = "applications"
    # the lists' filters and sorts (migration 0027, decision 0213)
    __table_args__ = (
        Index("ix_applications_county_status_due", "county", "status", "due_date"),
        Index("ix_applications_status_due", "status", "due_date"),
        Index("ix_applications_employer", "employer_id"),
        Index("ix_applications_talent", "talent_id"),
        Index("ix_applications_submitted", "submitted_at"),
    )

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

    # the review chain the case follows (a snapshot of the program's chain at submission) and
    # the index of the current step in it; NULL on cases from before chains: county → city
    chain: Mapped[str | None] = mapped_column(Text)  # JSON ["county", "city", "police"]
    step_index: Mapped[int | None] = mapped_column(Integer)
    # who submitted it: the talent, or their employer's HR on the talent's behalf
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    # 秒批: the stored clause-by-clause explanation of an automatic approval, the sampling
    # draw and the post-hoc check (pending | confirmed | flagged) of a sampled case
    automatic: Mapped[str | None] = mapped_column(Text)
    post_check: Mapped[str | None] = mapped_column(String(16))
    # 公示: the notice period (first and last day), its rule, and its pauses (objections)
    notice_start: Mapped[dt.date | None] = mapped_column(Date)
    notice_end: Mapped[dt.date | None] = mapped_column(Date)
    notice_provisional: Mapped[bool | None] = mapped_column(Boolean)
    notice_rule: Mapped[str | None] = mapped_column(Text)  # JSON {days, unit, source, quote}
    notice_pauses: Mapped[str | None] = mapped_column(Text)  # JSON [[from, to|null], ...]

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 — optimistic locking


class Action(Base):
    """One thing that happened to a case: submitted, approved at a level, returned, ..."""

    __tablename__ = "application_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    # NULL for the platform's own steps (automatic approval, end of notice) and the public
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    # applicant | employer | county | city | a department | system | public
    level: Mapped[str] = mapped_column(String(16))
    # submit | approve | return | reject | resubmit | confirm | deny | auto_approve | notice |
    # object | uphold | dismiss | final | check_ok | check_flag
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ReviewLimit(Base):
    """How many working days a level has to decide a program's cases (set by an administrator,
    or from the seeds where a document states it)."""

    __tablename__ = "review_limits"

    program: Mapped[str] = mapped_column(String(64), primary_key=True)  # or "*" for all
    level: Mapped[str] = mapped_column(String(16), primary_key=True)  # county | city | a department
    working_days: Mapped[int] = mapped_column(Integer)  # 0: 即报即批 (decided the day it arrives)
    source: Mapped[str] = mapped_column(String(200))  # 文号 and clause, or who set it
    quote: Mapped[str | None] = mapped_column(Text)  # the clause's text where a seed states it


class ReviewProgram(Base):
    """An administrator's settings for one program (or "*" for every program): the review chain,
    automatic approval (秒批) with its post-hoc sample, and the public notice (公示)."""

    __tablename__ = "review_programs"

    program: Mapped[str] = mapped_column(String(64), primary_key=True)
    chain: Mapped[str] = mapped_column(Text)  # JSON list of steps
    auto_approve: Mapped[bool] = mapped_column(Boolean, default=False)
    sample_percent: Mapped[int | None] = mapped_column(Integer)  # 0–100, required with auto
    notice_required: Mapped[bool] = mapped_column(Boolean, default=False)
    notice_days: Mapped[int | None] = mapped_column(Integer)  # None: not stated, asked
    notice_unit: Mapped[str | None] = mapped_column(String(16))  # working_days | days
    notice_source: Mapped[str | None] = mapped_column(String(200))
    notice_quote: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Objection(Base):
    """An objection to a case under public notice (公示异议), lodged from a real-named account
    (decision 0081): one per account and notice."""

    __tablename__ = "objections"
    __table_args__ = (
        UniqueConstraint("application_id", "account_id", name="uq_objections_application_account"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))  # None: before 0014
    name: Mapped[str] = mapped_column(String(100))  # 实名: the account holder's registered name
    contact: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    lodged_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))  # pending | upheld | dismissed
    handled_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    handled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(Text)
    bad_faith: Mapped[bool] = mapped_column(Boolean, default=False)  # dismissed as 恶意异议


class OnceOnlyGrant(Base):
    """A once-only benefit (a one-off payment, a card) held by a person: one row per person and
    benefit, taken in the transaction that approves the case at its last step. The unique key is
    the database's own refusal of a second grant, whatever path approved the case."""

    __tablename__ = "once_only_grants"
    __table_args__ = (
        UniqueConstraint("talent_id", "jurisdiction", "program", name="uq_once_only_grant"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    talent_id: Mapped[int] = mapped_column(ForeignKey("talent_profiles.id"))
    jurisdiction: Mapped[str] = mapped_column(String(32))
    program: Mapped[str] = mapped_column(String(64))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    granted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class RequiredMaterials(Base):
    """The materials an applicant must upload for a program (or "*" for every program without
    its own list), set by an administrator: the policy texts name none for the programs the
    platform takes. A case cannot be approved while one of them is missing."""

    __tablename__ = "required_materials"

    program: Mapped[str] = mapped_column(String(64), primary_key=True)
    items: Mapped[str] = mapped_column(Text)  # JSON list of names, e.g. ["身份证", "学位证书"]
    source: Mapped[str] = mapped_column(String(200))  # who set it and on what basis
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Material(Base):
    __tablename__ = "materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    # which required material this file is (a name from the program's list), if any
    kind: Mapped[str | None] = mapped_column(String(64))
    uploader_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
