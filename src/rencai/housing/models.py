"""Housing tables: buildings and units, allocation batches (第N批) with their applications,
lottery draw, published result and objections; tenancy contracts, their household members
(one 保障性租赁住房 unit per family, a partial unique index), purchases and the events of each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from rencai.db.models import Base


class UnitKind(StrEnum):
    youth = "youth"  # 青年人才公寓
    high_end = "high_end"  # 高端人才公寓
    foreign_expert = "foreign_expert"  # 外国专家公寓
    rental = "rental"  # 政府产权保障性租赁住房


UNIT_KIND_LABELS = {
    UnitKind.youth: "青年人才公寓",
    UnitKind.high_end: "高端人才公寓",
    UnitKind.foreign_expert: "外国专家公寓",
    UnitKind.rental: "保障性租赁住房",
}


class BatchKind(StrEnum):
    apartment = "apartment"  # 人才公寓
    rental = "rental"  # 保障性租赁住房


BATCH_KIND_LABELS = {BatchKind.apartment: "人才公寓", BatchKind.rental: "保障性租赁住房"}


class BatchStatus(StrEnum):
    draft = "draft"  # 草稿
    open = "open"  # 受理申请
    closed = "closed"  # 停止受理，审核中
    seed_published = "seed_published"  # 摇号种子已公布
    drawn = "drawn"  # 已摇号
    published = "published"  # 结果公示中
    final = "final"  # 公示结束，分配生效


BATCH_STATUS_LABELS = {
    BatchStatus.draft: "草稿",
    BatchStatus.open: "受理申请中",
    BatchStatus.closed: "已截止，审核中",
    BatchStatus.seed_published: "已公布摇号随机数",
    BatchStatus.drawn: "已摇号",
    BatchStatus.published: "结果公示中",
    BatchStatus.final: "分配生效",
}


class AllocationMode(StrEnum):
    order = "order"  # 按顺位依次选房
    fill = "fill"  # 尽量多配：在不出现优先级倒置的前提下配出最多套数


MODE_LABELS = {
    AllocationMode.order: "按顺位依次选房（顺位在前者先按志愿选）",
    AllocationMode.fill: "尽量多配出房源（顺位在前者不落空于其愿意的房源）",
}


class Building(Base):
    __tablename__ = "housing_buildings"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    county: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # UnitKind
    # 政府提供建设用地并出资集中统建: only such apartments can be bought after 10 years
    government_built: Mapped[bool] = mapped_column(Boolean, default=False)
    address: Mapped[str | None] = mapped_column(String(200))


class Unit(Base):
    __tablename__ = "housing_units"
    __table_args__ = (UniqueConstraint("building_id", "number", name="uq_housing_unit_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("housing_buildings.id"), index=True)
    number: Mapped[str] = mapped_column(String(32))  # 房号
    size_m2: Mapped[Decimal] = mapped_column(Numeric(7, 2))  # 建筑面积
    rent_fen: Mapped[int] = mapped_column(Integer)  # 月租金（分）
    status: Mapped[str] = mapped_column(String(16))  # free | offered | let | sold | withdrawn


class Batch(Base):
    __tablename__ = "housing_batches"
    __table_args__ = (
        UniqueConstraint("jurisdiction", "kind", "number", name="uq_housing_batch_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # BatchKind
    number: Mapped[int] = mapped_column(Integer)  # 第N批
    title: Mapped[str] = mapped_column(String(200))
    eligible_programs: Mapped[str] = mapped_column(Text)  # JSON [calculator program id]
    # JSON [criterion] (rencai.policy.stated): the office's stated conditions, where the city's
    # documents name no tier the rules engine computes (decision 0184); null when none
    stated_criteria: Mapped[str | None] = mapped_column(Text)
    documents: Mapped[str] = mapped_column(Text)  # JSON [申请材料]
    priority_groups: Mapped[str] = mapped_column(Text)  # JSON [优先组, in the office's order]
    mode: Mapped[str | None] = mapped_column(String(16))  # AllocationMode; the office's setting
    objection_days: Mapped[int | None] = mapped_column(Integer)  # the office's setting
    status: Mapped[str] = mapped_column(String(16))
    seed: Mapped[str | None] = mapped_column(String(200))
    seed_published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    roster_digest: Mapped[str | None] = mapped_column(String(64))  # SHA-256 of the roster
    drawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    objection_end: Mapped[dt.date | None] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class BatchUnit(Base):
    """A unit offered in a batch."""

    __tablename__ = "housing_batch_units"

    batch_id: Mapped[int] = mapped_column(ForeignKey("housing_batches.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("housing_units.id"), primary_key=True)


class HousingApplication(Base):
    __tablename__ = "housing_applications"
    __table_args__ = (
        UniqueConstraint("batch_id", "talent_id", name="uq_housing_application_talent"),
        UniqueConstraint("batch_id", "seq", name="uq_housing_application_seq"),
        UniqueConstraint("number", name="uq_housing_application_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("housing_batches.id"), index=True)
    talent_id: Mapped[int] = mapped_column(ForeignKey("talent_profiles.id"))
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(32))  # 申请编号, the lottery's key
    preferences: Mapped[str] = mapped_column(Text)  # JSON [building id], 志愿 in order
    claimed_group: Mapped[int | None] = mapped_column(Integer)  # index in priority_groups
    group: Mapped[int | None] = mapped_column(Integer)  # as confirmed by the reviewer
    spouse_id_number: Mapped[str | None] = mapped_column(String(18))  # one unit per family
    precheck: Mapped[str] = mapped_column(Text)  # JSON: state, reasons, citations
    status: Mapped[str] = mapped_column(String(16))  # submitted|approved|rejected|housed|waiting
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    review_reason: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Allocation(Base):
    """The draw's result: one row per approved application (its place; its unit or none)."""

    __tablename__ = "housing_allocations"
    __table_args__ = (
        UniqueConstraint("batch_id", "application_id", name="uq_housing_allocation_app"),
        UniqueConstraint("batch_id", "unit_id", name="uq_housing_allocation_unit"),
        UniqueConstraint("batch_id", "place", name="uq_housing_allocation_place"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("housing_batches.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("housing_applications.id"))
    place: Mapped[int] = mapped_column(Integer)  # 顺位号, 1-based
    draw_key: Mapped[str] = mapped_column(String(64))  # SHA-256 hex of seed + ":" + number
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("housing_units.id"))


class HousingObjection(Base):
    __tablename__ = "housing_objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("housing_batches.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    text: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Contract(Base):
    __tablename__ = "housing_contracts"
    __table_args__ = (
        # a unit is let to one tenant at a time
        Index(
            "uq_housing_contract_live_unit",
            "unit_id",
            unique=True,
            postgresql_where=text("status IN ('active', 'exiting')"),
            sqlite_where=text("status IN ('active', 'exiting')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("housing_units.id"), index=True)
    talent_id: Mapped[int] = mapped_column(ForeignKey("talent_profiles.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("housing_applications.id"))
    kind: Mapped[str] = mapped_column(String(16))  # BatchKind
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date] = mapped_column(Date)
    rent_fen: Mapped[int] = mapped_column(Integer)
    # active | exiting (exit started, not yet vacated) | ended | purchased
    status: Mapped[str] = mapped_column(String(16))
    renewed_from: Mapped[int | None] = mapped_column(ForeignKey("housing_contracts.id"))
    # the first day of the tenancy this contract continues (renewals keep it): 10 years from it
    tenancy_since: Mapped[dt.date] = mapped_column(Date)
    exit_reason: Mapped[str | None] = mapped_column(Text)
    exit_started_on: Mapped[dt.date | None] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Member(Base):
    """A household member of a contract. One 保障性租赁住房 unit per family: a person is a member
    of at most one live 保租房 contract (partial unique index)."""

    __tablename__ = "housing_members"
    __table_args__ = (
        Index(
            "uq_housing_member_one_rental",
            "id_number",
            unique=True,
            postgresql_where=text("live AND kind = 'rental'"),
            sqlite_where=text("live AND kind = 'rental'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("housing_contracts.id"), index=True)
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    relation: Mapped[str] = mapped_column(String(16))  # self | spouse
    kind: Mapped[str] = mapped_column(String(16))  # the contract's kind
    live: Mapped[bool] = mapped_column(Boolean)


class Purchase(Base):
    """The 10-year purchase at 80 % of the market price (石政办发〔2022〕6号 第15条)."""

    __tablename__ = "housing_purchases"
    __table_args__ = (UniqueConstraint("unit_id", name="uq_housing_purchase_unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("housing_contracts.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("housing_units.id"))
    talent_id: Mapped[int] = mapped_column(ForeignKey("talent_profiles.id"))
    market_price_fen: Mapped[int] = mapped_column(BigInteger)
    price_fen: Mapped[int] = mapped_column(BigInteger)
    decided_on: Mapped[dt.date] = mapped_column(Date)
    certificate_on: Mapped[dt.date | None] = mapped_column(Date)  # 取得不动产权证
    resale_from: Mapped[dt.date | None] = mapped_column(Date)  # 满5年后方可交易
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))


class Event(Base):
    """What happened to a batch or a contract (the office's history; also audited)."""

    __tablename__ = "housing_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("housing_batches.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("housing_contracts.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(Text)
