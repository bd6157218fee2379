"""人才安居 over HTTP: the housing office registers units, runs batches (seed, draw, published
result, objections) and contracts; talents apply; anyone reads an opened batch and its
published result (names masked)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, Field

from rencai.housing import access, allocation, contracts, records
from rencai.housing import batches as housing_batches
from rencai.housing import purchase as purchase_option
from rencai.housing.views import (
    ApplicationView,
    BatchView,
    BuildingView,
    ContractView,
    ObjectionView,
    PurchaseView,
    ResultView,
    UnitView,
    application_view,
    batch_view,
    building_views,
    contract_view,
    objection_view,
    purchase_view,
    result_view,
    unit_view,
)
from rencai.policy.cities import default_code
from rencai.registry.accounts import resolve_token
from rencai.registry.models import Account
from rencai.views import Listing, View
from rencai.web.api.stations import CriterionRequest
from rencai.web.deps import (
    CurrentAccount,
    CurrentTalent,
    DbSession,
    SerialId,
    bearer_or_cookie,
    require,
)
from rencai.web.limits import Code, DbId, LongText, Name, Reason

router = APIRouter(prefix="/api/v1/housing", tags=["housing 人才安居"])

Office = Annotated[
    Account,
    Depends(require(access.may_manage, message="仅住房保障部门或系统管理员可以办理")),
]


def optional_caller(
    request: Request, session: DbSession, authorization: Annotated[str | None, Header()] = None
) -> Account | None:
    """The caller of a route open to everyone (a published batch and result), if signed in."""
    raw = bearer_or_cookie(request, authorization)
    return resolve_token(session, raw) if raw else None


MaybeAccount = Annotated[Account | None, Depends(optional_caller)]
Text200 = Annotated[str, Field(max_length=200)]
Money = Annotated[str, Field(min_length=1, max_length=20, description="金额（元，最多两位小数）")]


class BuildingRequest(BaseModel):
    name: Name
    county: Code
    kind: Code = Field(
        description="youth 青年 / high_end 高端 / foreign_expert 外国专家 / rental 保租房"
    )
    government_built: bool = False
    address: Text200 | None = None
    jurisdiction: Code | None = None


class UnitRequest(BaseModel):
    number: Code
    size_m2: Decimal = Field(gt=0, lt=100000, max_digits=7, decimal_places=2)
    rent: Money


class BatchRequest(BaseModel):
    kind: Code
    number: int = Field(ge=1, le=10000)
    title: Text200 = ""
    eligible_programs: list[Code] = Field(default_factory=list, max_length=20)
    documents: list[Name] = Field(default_factory=list, max_length=30)
    priority_groups: list[Name] = Field(default_factory=list, max_length=20)
    unit_ids: list[DbId] = Field(min_length=1, max_length=10000)
    mode: Code | None = None
    objection_days: int | None = Field(None, ge=1, le=60)
    jurisdiction: Code | None = Field(None, description="城市；不填时取所选房源所在城市")
    stated_criteria: list[CriterionRequest] = Field(
        default_factory=list,
        max_length=10,
        description="该市政策文件未规定申请条件时，住房保障部门为本批次设定的条件",
    )


class SettingsRequest(BaseModel):
    mode: Code | None = None
    objection_days: int | None = Field(None, ge=1, le=60)


class SeedRequest(BaseModel):
    seed: Annotated[str, Field(min_length=1, max_length=200)]


class PublishRequest(BaseModel):
    on: dt.date | None = None


class ApplyRequest(BaseModel):
    preferences: list[DbId] = Field(min_length=1, max_length=50)
    claimed_group: int | None = Field(None, ge=0, le=100)
    spouse_id_number: Annotated[str, Field(max_length=18)] | None = None


class ReviewRequest(BaseModel):
    approve: bool
    reason: Reason | None = None
    group: int | None = Field(None, ge=0, le=100)


class TextRequest(BaseModel):
    text: LongText


class ContractRequest(BaseModel):
    start: dt.date
    end: dt.date
    rent: Money | None = None


class RenewRequest(BaseModel):
    end: dt.date
    rent: Money | None = None


class ExitRequest(BaseModel):
    reason: LongText
    on: dt.date | None = None


class EndRequest(BaseModel):
    on: dt.date | None = None


class PurchaseRequest(BaseModel):
    market_price: Money
    no_home_confirmed: bool
    on: dt.date | None = None


class CertificateRequest(BaseModel):
    certificate_on: dt.date


class RecheckRequest(BaseModel):
    on: dt.date | None = None


class Mine(View):
    applications: list[ApplicationView]
    contracts: list[ContractView]


# --- public --------------------------------------------------------------------------------


@router.get("/batches", response_model=Listing[BatchView], summary="分配批次（已开始受理的）")
def batches(account: MaybeAccount, session: DbSession) -> Listing[BatchView]:
    found = housing_batches.visible_batches(session, account)
    return Listing[BatchView].of([batch_view(session, b) for b in found])


@router.get("/batches/{batch_id}", response_model=BatchView, summary="批次：房源、条件、材料、规则")
def batch(batch_id: SerialId, account: MaybeAccount, session: DbSession) -> BatchView:
    return batch_view(session, housing_batches.visible_batch(session, account, batch_id))


@router.get(
    "/batches/{batch_id}/result",
    response_model=ResultView,
    summary="摇号结果公示（姓名已遮蔽）：顺位号、申请编号、摇号值、所配房源",
)
def result(batch_id: SerialId, account: MaybeAccount, session: DbSession) -> ResultView:
    found = housing_batches.visible_batch(session, account, batch_id)
    if not housing_batches.result_public(found) and (
        account is None or not access.may_manage(account)
    ):
        raise records.HousingError("batch", "该批次结果尚未公示", "not_found")
    return result_view(session, found)


# --- talents -------------------------------------------------------------------------------


@router.post(
    "/batches/{batch_id}/applications",
    response_model=ApplicationView,
    status_code=201,
    summary="申请（依规则预审，附政策依据）",
)
def apply(
    batch_id: SerialId, body: ApplyRequest, talent: CurrentTalent, session: DbSession
) -> ApplicationView:
    made = allocation.apply(
        session, talent, batch_id, body.preferences, body.claimed_group, body.spouse_id_number
    )
    return application_view(session, made)


@router.get("/mine", response_model=Mine, summary="我的住房申请与合同")
def mine(talent: CurrentTalent, session: DbSession) -> Mine:
    return Mine(
        applications=[
            application_view(session, a) for a in allocation.talent_applications(session, talent)
        ],
        contracts=[contract_view(session, c) for c in contracts.talent_contracts(session, talent)],
    )


@router.post(
    "/batches/{batch_id}/objections",
    response_model=ObjectionView,
    status_code=201,
    summary="对公示结果提出异议（公示期内）",
)
def object_to(
    batch_id: SerialId, body: TextRequest, account: CurrentAccount, session: DbSession
) -> ObjectionView:
    housing_batches.visible_batch(session, account, batch_id)
    return objection_view(allocation.object_to(session, account, batch_id, body.text))


# --- the housing office ---------------------------------------------------------------------


@router.get("/buildings", response_model=Listing[BuildingView], summary="房源：项目（楼栋）与房间")
def buildings(officer: Office, session: DbSession) -> Listing[BuildingView]:
    return Listing[BuildingView].of(building_views(session))


@router.post("/buildings", response_model=BuildingView, status_code=201, summary="登记项目（楼栋）")
def add_building(body: BuildingRequest, officer: Office, session: DbSession) -> BuildingView:
    made = housing_batches.add_building(
        session,
        officer,
        body.jurisdiction or default_code(),
        body.name,
        body.county,
        body.kind,
        body.government_built,
        body.address,
    )
    return next(b for b in building_views(session) if b.id == made.id)


@router.post(
    "/buildings/{building_id}/units",
    response_model=UnitView,
    status_code=201,
    summary="登记房间（房号、面积、月租金）",
)
def add_unit(
    building_id: SerialId, body: UnitRequest, officer: Office, session: DbSession
) -> UnitView:
    rent = records.parse_money(body.rent, "rent")
    return unit_view(
        housing_batches.add_unit(session, officer, building_id, body.number, body.size_m2, rent)
    )


@router.post("/batches", response_model=BatchView, status_code=201, summary="设立分配批次（第N批）")
def create_batch(body: BatchRequest, officer: Office, session: DbSession) -> BatchView:
    made = housing_batches.create_batch(
        session,
        officer,
        body.jurisdiction,
        body.kind,
        body.number,
        body.title,
        body.eligible_programs,
        body.documents,
        body.priority_groups,
        body.unit_ids,
        body.mode,
        body.objection_days,
        [c.model_dump(exclude_none=True) for c in body.stated_criteria],
    )
    return batch_view(session, made)


@router.put(
    "/batches/{batch_id}/settings", response_model=BatchView, summary="分配方式与公示异议期"
)
def settings(
    batch_id: SerialId, body: SettingsRequest, officer: Office, session: DbSession
) -> BatchView:
    return batch_view(
        session,
        housing_batches.set_settings(session, officer, batch_id, body.mode, body.objection_days),
    )


@router.post("/batches/{batch_id}/open", response_model=BatchView, summary="开始受理")
def open_batch(batch_id: SerialId, officer: Office, session: DbSession) -> BatchView:
    return batch_view(session, housing_batches.open_batch(session, officer, batch_id))


@router.post("/batches/{batch_id}/close", response_model=BatchView, summary="截止受理")
def close_batch(batch_id: SerialId, officer: Office, session: DbSession) -> BatchView:
    return batch_view(session, housing_batches.close_batch(session, officer, batch_id))


@router.get(
    "/batches/{batch_id}/applications",
    response_model=Listing[ApplicationView],
    summary="批次的申请（审核用）",
)
def applications(
    batch_id: SerialId, officer: Office, session: DbSession
) -> Listing[ApplicationView]:
    found = housing_batches.visible_batch(session, officer, batch_id)
    rows = allocation.batch_applications(session, found)
    return Listing[ApplicationView].of([application_view(session, a) for a in rows])


@router.post(
    "/applications/{application_id}/review", response_model=ApplicationView, summary="审核申请"
)
def review(
    application_id: SerialId, body: ReviewRequest, officer: Office, session: DbSession
) -> ApplicationView:
    done = allocation.review(
        session, officer, application_id, body.approve, body.reason, body.group
    )
    return application_view(session, done)


@router.post(
    "/batches/{batch_id}/seed",
    response_model=BatchView,
    summary="摇号前公布随机数（同时冻结申请名单）",
)
def publish_seed(
    batch_id: SerialId, body: SeedRequest, officer: Office, session: DbSession
) -> BatchView:
    return batch_view(session, allocation.publish_seed(session, officer, batch_id, body.seed))


@router.post("/batches/{batch_id}/draw", response_model=ResultView, summary="摇号并分配")
def draw(batch_id: SerialId, officer: Office, session: DbSession) -> ResultView:
    allocation.draw(session, officer, batch_id)
    return result_view(session, housing_batches.visible_batch(session, officer, batch_id))


@router.post("/batches/{batch_id}/publish", response_model=BatchView, summary="公示摇号结果")
def publish(
    batch_id: SerialId, body: PublishRequest, officer: Office, session: DbSession
) -> BatchView:
    return batch_view(session, allocation.publish_result(session, officer, batch_id, body.on))


@router.get(
    "/batches/{batch_id}/objections",
    response_model=Listing[ObjectionView],
    summary="公示异议",
)
def objections(batch_id: SerialId, officer: Office, session: DbSession) -> Listing[ObjectionView]:
    found = housing_batches.visible_batch(session, officer, batch_id)
    return Listing[ObjectionView].of(
        [objection_view(o) for o in allocation.batch_objections(session, found)]
    )


@router.post("/objections/{objection_id}/answer", response_model=ObjectionView, summary="答复异议")
def answer(
    objection_id: SerialId, body: TextRequest, officer: Office, session: DbSession
) -> ObjectionView:
    return objection_view(allocation.answer_objection(session, officer, objection_id, body.text))


@router.post("/batches/{batch_id}/finalize", response_model=BatchView, summary="公示期满，确认分配")
def finalize(
    batch_id: SerialId, body: PublishRequest, officer: Office, session: DbSession
) -> BatchView:
    return batch_view(session, allocation.finalize(session, officer, batch_id, body.on))


@router.post(
    "/applications/{application_id}/contract",
    response_model=ContractView,
    status_code=201,
    summary="签订租赁合同",
)
def sign(
    application_id: SerialId, body: ContractRequest, officer: Office, session: DbSession
) -> ContractView:
    rent = records.parse_money(body.rent, "rent") if body.rent is not None else None
    made = contracts.sign_contract(session, officer, application_id, body.start, body.end, rent)
    return contract_view(session, made)


@router.get("/contracts", response_model=Listing[ContractView], summary="租赁合同")
def contract_list(officer: Office, session: DbSession) -> Listing[ContractView]:
    return Listing[ContractView].of(
        [contract_view(session, c) for c in contracts.contracts(session)]
    )


@router.post(
    "/contracts/{contract_id}/renew",
    response_model=ContractView,
    status_code=201,
    summary="续签",
)
def renew(
    contract_id: SerialId, body: RenewRequest, officer: Office, session: DbSession
) -> ContractView:
    rent = records.parse_money(body.rent, "rent") if body.rent is not None else None
    return contract_view(session, contracts.renew(session, officer, contract_id, body.end, rent))


@router.post("/contracts/{contract_id}/exit", response_model=ContractView, summary="启动退出")
def start_exit(
    contract_id: SerialId, body: ExitRequest, officer: Office, session: DbSession
) -> ContractView:
    done = contracts.start_exit(session, officer, contract_id, body.reason, body.on)
    return contract_view(session, done)


@router.post("/contracts/{contract_id}/end", response_model=ContractView, summary="腾退，合同终止")
def end(
    contract_id: SerialId, body: EndRequest, officer: Office, session: DbSession
) -> ContractView:
    return contract_view(session, contracts.end_contract(session, officer, contract_id, body.on))


@router.post(
    "/contracts/{contract_id}/purchase",
    response_model=PurchaseView,
    status_code=201,
    summary="租住满10年按市场价8折优惠购买（石政办发〔2022〕6号第15条）",
)
def purchase(
    contract_id: SerialId, body: PurchaseRequest, officer: Office, session: DbSession
) -> PurchaseView:
    market = records.parse_money(body.market_price, "market_price")
    bought = purchase_option.purchase(
        session, officer, contract_id, market, body.no_home_confirmed, body.on
    )
    return purchase_view(bought)


@router.post(
    "/purchases/{purchase_id}/certificate",
    response_model=PurchaseView,
    summary="登记不动产权证日期（满5年后方可交易）",
)
def certificate(
    purchase_id: SerialId, body: CertificateRequest, officer: Office, session: DbSession
) -> PurchaseView:
    done = purchase_option.record_certificate(session, officer, purchase_id, body.certificate_on)
    return purchase_view(done)


@router.post(
    "/recheck",
    response_model=Listing[ContractView],
    summary="资格复核：离职、离市（部门数据）、合同期满、不再符合保障条件的启动退出",
)
def recheck(body: RecheckRequest, officer: Office, session: DbSession) -> Listing[ContractView]:
    moved = contracts.recheck(session, officer, body.on)
    return Listing[ContractView].of([contract_view(session, c) for c in moved])
