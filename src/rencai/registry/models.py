"""Registry tables: employers, accounts and roles, API/session tokens, talent profiles."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from rencai.db.models import Base


class Role(StrEnum):
    talent = "talent"  # 人才
    employer = "employer"  # 用人单位经办人
    county_reviewer = "county_reviewer"  # 县（市、区）人才办
    city_reviewer = "city_reviewer"  # 市委人才办
    department_officer = "department_officer"  # 人社、住建、教育、公安
    admin = "admin"  # 系统管理员
    finance = "finance"  # 财务人员：发放运行、批次审核（须两人）、财务报表
    service_point = "service_point"  # 服务网点 (bus, subway, hospital...): verifies e-cards
    data_office = "data_office"  # 数据共享：导入部门数据（人员或部门系统的接口账号）
    leadership = "leadership"  # 领导：人才统计与驾驶舱（只读）


ROLE_LABELS = {
    Role.talent: "人才",
    Role.employer: "用人单位",
    Role.county_reviewer: "县（市、区）审核人员",
    Role.city_reviewer: "市级审核人员",
    Role.department_officer: "部门审核人员",
    Role.admin: "系统管理员",
    Role.finance: "财务人员",
    Role.service_point: "服务网点",
    Role.data_office: "数据管理人员",
    Role.leadership: "领导",
}

LEADING_INDUSTRIES = {
    "biomedicine": "生物医药",
    "electronic_information": "新一代电子信息",
    "advanced_equipment": "先进装备制造",
    "modern_food": "现代食品",
    "commerce_logistics": "现代商贸物流",
}


class Employer(Base):
    __tablename__ = "employers"

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)  # 统一社会信用代码 (GB 32100)
    name: Mapped[str] = mapped_column(String(200))
    county: Mapped[str] = mapped_column(String(32))
    employer_type: Mapped[str] = mapped_column(String(48))
    leading_industry: Mapped[str | None] = mapped_column(String(32))  # one of LEADING_INDUSTRIES
    high_tech: Mapped[bool] = mapped_column(Boolean, default=False)
    # the city office's check of the unit (decision 0080): pending | verified | refused
    verification_status: Mapped[str] = mapped_column(String(16), default="pending")
    verification_source: Mapped[str | None] = mapped_column(String(32))  # office | market_feed
    verification_evidence: Mapped[str | None] = mapped_column(Text)  # what was checked
    verified_by: Mapped[str | None] = mapped_column(String(64))  # the officer's user name
    verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    county: Mapped[str | None] = mapped_column(String(32))  # county reviewers
    department: Mapped[str | None] = mapped_column(String(32))  # department officers
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"))
    jurisdiction: Mapped[str | None] = mapped_column(String(32))  # the city of a finance officer
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class LoginThrottle(Base):
    """Failed log-ins under one key (``name:…``, ``address:…`` or ``pair:…``), kept in the
    database so every serving process sees them (decision 0084)."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    blocked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Token(Base):
    """A login: the raw token is given to the client once; only its SHA-256 is stored."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    kind: Mapped[str] = mapped_column(String(16))  # session (pages) | api
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class TalentProfile(Base):
    """A talent's own profile: identity plus the calculator contract's fields (as JSON)."""

    __tablename__ = "talent_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    id_number: Mapped[str] = mapped_column(String(18), unique=True)  # validated, shown masked
    profile: Mapped[str] = mapped_column(Text)  # contract profile (JSON), validated on write
    version: Mapped[int] = mapped_column(Integer, default=1)  # optimistic locking
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"))

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
