"""Read models of housing: what the API answers, the pages show and the CLI prints."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai.housing import allocation, batches
from rencai.housing.models import (
    BATCH_KIND_LABELS,
    BATCH_STATUS_LABELS,
    MODE_LABELS,
    UNIT_KIND_LABELS,
    Batch,
    BatchKind,
    BatchStatus,
    Building,
    Contract,
    HousingApplication,
    HousingObjection,
    Purchase,
    Unit,
    UnitKind,
)
from rencai.ledger.money import yuan
from rencai.policy import stated
from rencai.policy.contract.vocabulary import vocabulary
from rencai.registry.accounts import masked_talent_name
from rencai.views import View

APPLICATION_STATUS = {
    "submitted": "待审核",
    "approved": "审核通过，待摇号",
    "rejected": "未通过",
    "housed": "已配房",
    "waiting": "未配到房源（轮候）",
}
CONTRACT_STATUS = {
    "active": "履行中",
    "exiting": "退出中",
    "ended": "已终止",
    "renewed": "已续签",
    "purchased": "已优惠购买",
}
UNIT_STATUS = {"free": "空置", "offered": "分配中", "let": "已出租", "sold": "已出售"}


class UnitView(View):
    id: int
    building_id: int
    number: str
    size_m2: Decimal
    rent_fen: int
    rent_yuan: str
    status: str
    status_label: str


class BuildingView(View):
    id: int
    name: str
    county: str
    kind: str
    kind_label: str
    government_built: bool
    address: str | None
    units: list[UnitView]


class BatchView(View):
    id: int
    jurisdiction: str
    kind: str
    kind_label: str
    number: int
    title: str
    eligible_programs: list[str]
    eligible_names: list[str]
    city: str
    # the office's stated conditions where the city's documents name no tier (decision 0184)
    stated_criteria: list[str]
    stated_criteria_stored: list[dict[str, Any]]
    city_text: str | None  # what the city's documents say of talent apartments, if anything
    documents: list[str]
    priority_groups: list[str]
    mode: str | None
    mode_label: str | None
    objection_days: int | None
    missing_settings: list[str]
    status: str
    status_label: str
    seed: str | None
    seed_published_at: dt.datetime | None
    roster_digest: str | None
    drawn_at: dt.datetime | None
    published_on: dt.date | None
    objection_end: dt.date | None
    units: list[dict[str, Any]]


class ApplicationView(View):
    id: int
    batch_id: int
    number: str
    applicant: str  # masked
    preferences: list[int]
    claimed_group: int | None
    group: int | None
    status: str
    status_label: str
    precheck: dict[str, Any]
    review_reason: str | None
    submitted_at: dt.datetime


class ResultRow(View):
    place: int
    number: str
    name: str
    group: str | None
    draw_key: str
    unit: str | None


class ResultView(View):
    batch: BatchView
    rows: list[ResultRow]


class ObjectionView(View):
    id: int
    batch_id: int
    text: str
    filed_at: dt.datetime
    answer: str | None


class PurchaseView(View):
    id: int
    contract_id: int
    market_price_fen: int
    price_fen: int
    price_yuan: str
    decided_on: dt.date
    certificate_on: dt.date | None
    resale_from: dt.date | None


class ContractView(View):
    id: int
    unit_id: int
    unit: str
    tenant: str  # masked
    kind: str
    kind_label: str
    start: dt.date
    end: dt.date
    rent_fen: int
    rent_yuan: str
    status: str
    status_label: str
    tenancy_since: dt.date
    renewed_from: int | None
    exit_reason: str | None
    exit_started_on: dt.date | None
    ended_on: dt.date | None
    purchase: PurchaseView | None


def unit_view(unit: Unit) -> UnitView:
    return UnitView.of_row(
        unit,
        rent_yuan=str(yuan(unit.rent_fen)),
        status_label=UNIT_STATUS.get(unit.status, unit.status),
    )


def building_views(session: Session) -> list[BuildingView]:
    buildings = session.scalars(select(Building).order_by(Building.id)).all()
    units: dict[int, list[UnitView]] = {}
    for unit in session.scalars(select(Unit).order_by(Unit.building_id, Unit.number)):
        units.setdefault(unit.building_id, []).append(unit_view(unit))
    return [
        BuildingView(
            id=b.id,
            name=b.name,
            county=b.county,
            kind=b.kind,
            kind_label=UNIT_KIND_LABELS[UnitKind(b.kind)],
            government_built=b.government_built,
            address=b.address,
            units=units.get(b.id, []),
        )
        for b in buildings
    ]


def batch_view(session: Session, batch: Batch) -> BatchView:
    programs = batches.programs_of(batch)
    units = [
        {
            "id": u.id,
            "building_id": b.id,
            "building": b.name,
            "county": b.county,
            "kind_label": UNIT_KIND_LABELS[UnitKind(b.kind)],
            "number": u.number,
            "size_m2": str(u.size_m2),
            "rent_yuan": str(yuan(u.rent_fen)),
        }
        for u, b in batches.batch_units(session, batch)
    ]
    return BatchView(
        id=batch.id,
        jurisdiction=batch.jurisdiction,
        kind=batch.kind,
        kind_label=BATCH_KIND_LABELS[BatchKind(batch.kind)],
        number=batch.number,
        title=batch.title,
        eligible_programs=programs,
        eligible_names=[batches.program_name(p) for p in programs],
        city=vocabulary().label("jurisdiction", batch.jurisdiction),
        stated_criteria=[stated.describe(c) for c in batches.criteria_of(batch)],
        stated_criteria_stored=batches.criteria_of(batch),
        city_text=batches.CITY_TEXTS.get(batch.jurisdiction),
        documents=batches.documents_of(batch),
        priority_groups=batches.groups_of(batch),
        mode=batch.mode,
        mode_label=MODE_LABELS.get(batch.mode) if batch.mode else None,  # type: ignore[call-overload]
        objection_days=batch.objection_days,
        missing_settings=batches.missing_settings(batch),
        status=batch.status,
        status_label=BATCH_STATUS_LABELS[BatchStatus(batch.status)],
        seed=batch.seed,
        seed_published_at=batch.seed_published_at,
        roster_digest=batch.roster_digest,
        drawn_at=batch.drawn_at,
        published_on=batch.published_on,
        objection_end=batch.objection_end,
        units=units,
    )


def application_view(session: Session, application: HousingApplication) -> ApplicationView:
    return ApplicationView.of_row(
        application,
        applicant=masked_talent_name(session, application.talent_id),
        preferences=json.loads(application.preferences),
        status_label=APPLICATION_STATUS.get(application.status, application.status),
        precheck=json.loads(application.precheck),
    )


def result_view(session: Session, batch: Batch) -> ResultView:
    return ResultView(
        batch=batch_view(session, batch),
        rows=[ResultRow(**row) for row in allocation.result_rows(session, batch)],
    )


def objection_view(objection: HousingObjection) -> ObjectionView:
    return ObjectionView.of_row(objection)


def purchase_view(bought: Purchase) -> PurchaseView:
    return PurchaseView.of_row(bought, price_yuan=str(yuan(bought.price_fen)))


def contract_view(session: Session, contract: Contract) -> ContractView:
    unit = session.get(Unit, contract.unit_id)
    assert unit is not None
    building = session.get(Building, unit.building_id)
    bought = session.scalar(select(Purchase).where(Purchase.contract_id == contract.id))
    return ContractView.of_row(
        contract,
        unit_id=unit.id,
        unit=f"{building.name if building else ''} {unit.number}",
        tenant=masked_talent_name(session, contract.talent_id),
        kind_label=BATCH_KIND_LABELS[BatchKind(contract.kind)],
        rent_yuan=str(yuan(contract.rent_fen)),
        status_label=CONTRACT_STATUS.get(contract.status, contract.status),
        purchase=purchase_view(bought) if bought else None,
    )
