"""青年人才驿站 over HTTP: stations and rooms (the talent office), the cities' limits (the
administrator), bookings (the graduate), check-in (the hotel) and the monthly cost."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from rencai import clock
from rencai.policy.contract.vocabulary import vocabulary
from rencai.policy.stated import CRITERIA as STATED
from rencai.registry.accounts import create_account
from rencai.registry.models import Account, Role, TalentProfile
from rencai.stations import service
from rencai.stations.errors import StationError
from rencai.stations.models import Station, StationBooking
from rencai.stations.views import (
    BookingView,
    CostLineView,
    NightView,
    PolicyView,
    StationView,
    booking_view,
    cost_view,
    policy_view,
    station_view,
)
from rencai.views import Listing, View
from rencai.web.deps import CurrentAccount, CurrentTalent, DbSession, SerialId, require
from rencai.web.limits import Code, LongText, Name, Secret

router = APIRouter(prefix="/api/v1/stations", tags=["stations 青年人才驿站"])

Office = Annotated[
    Account, Depends(require(service.may_manage, message="仅市委人才办或系统管理员可以管理驿站"))
]
Admin = Annotated[
    Account,
    Depends(require(service.may_set_policy, message="仅系统管理员可以设定驿站短住标准")),
]
Operator = Annotated[
    Account,
    Depends(require(service.may_check_in, message="仅驿站运营方可以办理入住")),
]
Month = Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="月份 YYYY-MM")]
City = Annotated[str, Query(min_length=1, max_length=32, description="城市代码")]


class StationRequest(BaseModel):
    county: Code = Field(description="县（市、区）代码")
    name: Name
    address: LongText
    nightly_rate: str = Field(max_length=20, description="协议房价（元/晚）")


class RoomsRequest(BaseModel):
    first: dt.date = Field(description="第一晚")
    last: dt.date = Field(description="最后一晚")
    rooms: int = Field(ge=1, le=service.MAX_ROOMS, description="每晚房间数")


class Opened(View):
    added: int


class OperatorRequest(BaseModel):
    username: Code
    password: Secret
    display_name: Name


class OperatorCreated(View):
    account_id: int
    username: str
    station_id: int


class CriterionRequest(BaseModel):
    code: Code = Field(
        description="条件：" + "；".join(f"{c.code} {c.label}" for c in STATED.values())
    )
    years: int | None = Field(None, ge=0, le=70, description="年数或周岁（需要时）")
    degree: Code | None = Field(None, description="最低学历（需要时）")


class PolicyRequest(BaseModel):
    max_nights: int = Field(ge=1, le=30, description="最多免费入住晚数")
    nightly_cap: str = Field(max_length=20, description="每晚补助上限（元）")
    rule: Code | None = Field(None, description="决定入住资格的政策规则编号")
    criteria: list[CriterionRequest] = Field(
        default_factory=list,
        max_length=10,
        description="该市无政策规则时，管理员设定的入住条件（从平台提供的条件中选择）",
    )


class BookingRequest(BaseModel):
    station_id: int = Field(ge=1, le=2**31 - 1)
    first_night: dt.date
    nights: int = Field(ge=1, le=30)


class CheckInRequest(BaseModel):
    code: str = Field(min_length=1, max_length=2000, description="入住码（扫码所得文本）")


class Released(View):
    released: int


@router.get("", response_model=Listing[StationView], summary="驿站列表")
def stations(account: CurrentAccount, session: DbSession) -> Listing[StationView]:
    rows = session.scalars(select(Station).order_by(Station.jurisdiction, Station.id)).all()
    return Listing.of([station_view(s) for s in rows])


@router.post("", response_model=StationView, status_code=201, summary="登记驿站")
def create(body: StationRequest, office: Office, session: DbSession) -> StationView:
    rate = service.fen_of(body.nightly_rate, "nightly_rate")
    return station_view(service.create_station(session, body.county, body.name, body.address, rate))


@router.post("/{station_id}/rooms", response_model=Opened, summary="开放房间（每晚）")
def open_rooms(
    station_id: SerialId, body: RoomsRequest, office: Office, session: DbSession
) -> Opened:
    station = service.station_or_404(session, station_id)
    return Opened(added=service.open_rooms(session, station, body.first, body.last, body.rooms))


@router.get(
    "/{station_id}/availability", response_model=Listing[NightView], summary="每晚房间与空房"
)
def availability(
    station_id: SerialId,
    account: CurrentAccount,
    session: DbSession,
    first: dt.date | None = None,
    last: dt.date | None = None,
) -> Listing[NightView]:
    station = service.station_or_404(session, station_id)
    start = first or clock.today()
    end = last or start + dt.timedelta(days=30)
    if (end - start).days > service.MAX_OPEN_DAYS:
        end = start + dt.timedelta(days=service.MAX_OPEN_DAYS)
    rows = service.availability(session, station, start, end)
    return Listing.of([NightView(night=n, rooms=r, free=f) for n, r, f in rows])


@router.post(
    "/{station_id}/operators",
    response_model=OperatorCreated,
    status_code=201,
    summary="开通驿站运营方账号",
)
def add_operator(
    station_id: SerialId, body: OperatorRequest, office: Office, session: DbSession
) -> OperatorCreated:
    station = service.station_or_404(session, station_id)
    account = create_account(
        session, body.username, body.password, body.display_name, Role.station_operator
    )
    service.add_operator(session, station, account)
    return OperatorCreated(account_id=account.id, username=account.username, station_id=station.id)


@router.get("/policies", response_model=Listing[PolicyView], summary="各市驿站短住标准")
def policies(account: CurrentAccount, session: DbSession) -> Listing[PolicyView]:
    codes = sorted(vocabulary().codes("jurisdiction"))
    return Listing.of([policy_view(c, service.policy_of(session, c)) for c in codes])


@router.put(
    "/policies/{jurisdiction}",
    response_model=PolicyView,
    summary="设定本市驿站短住标准（政策文件未规定时）",
)
def set_policy(
    jurisdiction: str, body: PolicyRequest, admin: Admin, session: DbSession
) -> PolicyView:
    cap = service.fen_of(body.nightly_cap, "nightly_cap")
    criteria = [c.model_dump(exclude_none=True) for c in body.criteria]
    policy = service.set_policy(
        session, admin, jurisdiction, body.max_nights, cap, body.rule, criteria
    )
    return policy_view(jurisdiction, policy)


@router.post("/bookings", response_model=BookingView, status_code=201, summary="预订驿站短住")
def book(body: BookingRequest, talent: CurrentTalent, session: DbSession) -> BookingView:
    station = service.station_or_404(session, body.station_id)
    booking = service.book(session, talent, station, body.first_night, body.nights)
    return booking_view(session, booking, service.booking_code(booking))


def _own(session: DbSession, account: Account, booking: StationBooking) -> bool:
    talent = session.get(TalentProfile, booking.talent_id)
    return talent is not None and talent.account_id == account.id


@router.get("/bookings", response_model=Listing[BookingView], summary="驿站预订")
def bookings(account: CurrentAccount, session: DbSession) -> Listing[BookingView]:
    query = select(StationBooking).order_by(StationBooking.id.desc()).limit(500)
    if account.role == Role.talent:
        query = query.join(TalentProfile, TalentProfile.id == StationBooking.talent_id).where(
            TalentProfile.account_id == account.id
        )
    elif account.role == Role.station_operator:
        station = service.station_of_operator(session, account)
        query = query.where(StationBooking.station_id == (station.id if station else -1))
    elif not service.may_manage(account):
        raise StationError("role", "无权查看驿站预订", "forbidden")
    return Listing.of([booking_view(session, b) for b in session.scalars(query)])


@router.get("/bookings/{booking_id}", response_model=BookingView, summary="一项预订")
def booking(booking_id: SerialId, account: CurrentAccount, session: DbSession) -> BookingView:
    found = service.visible_booking(session, account, booking_id)
    usable = found.status == "booked" and _own(session, account, found)
    return booking_view(session, found, service.booking_code(found) if usable else None)


@router.get(
    "/bookings/{booking_id}/qr.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
    summary="入住码二维码",
)
def booking_qr(booking_id: SerialId, talent: CurrentTalent, session: DbSession) -> Response:
    from rencai.cards.presentation import png

    found = service.visible_booking(session, talent_account(session, talent), booking_id)
    if found.status != "booked":
        raise StationError("booking", "该预订已不能入住", "bad_state")
    return Response(png(service.booking_code(found)), media_type="image/png")


def talent_account(session: DbSession, talent: TalentProfile) -> Account:
    account = session.get(Account, talent.account_id)
    assert account is not None
    return account


@router.post(
    "/bookings/{booking_id}/cancel", response_model=BookingView, summary="取消预订（入住日前）"
)
def cancel(booking_id: SerialId, talent: CurrentTalent, session: DbSession) -> BookingView:
    found = service.visible_booking(session, talent_account(session, talent), booking_id)
    return booking_view(session, service.cancel(session, found))


@router.post("/check-in", response_model=BookingView, summary="驿站扫码办理入住")
def check_in(body: CheckInRequest, operator: Operator, session: DbSession) -> BookingView:
    return booking_view(session, service.check_in(session, operator, body.code))


@router.post("/release-no-shows", response_model=Released, summary="释放未到预订的房间")
def release(office: Office, session: DbSession) -> Released:
    return Released(released=service.release_no_shows(session))


@router.get("/costs", response_model=Listing[CostLineView], summary="驿站费用月结（市财政补助）")
def costs(
    office: Office, session: DbSession, jurisdiction: City, month: Month
) -> Listing[CostLineView]:
    return Listing.of(
        [cost_view(line) for line in service.monthly_costs(session, jurisdiction, month)]
    )


@router.get(
    "/costs.xlsx",
    response_class=Response,
    responses={
        200: {"content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}
    },
    summary="驿站费用月结表（Excel）",
)
def costs_xlsx(office: Office, session: DbSession, jurisdiction: City, month: Month) -> Response:
    lines = service.monthly_costs(session, jurisdiction, month)
    city = vocabulary().label("jurisdiction", jurisdiction)
    return Response(
        service.costs_workbook(lines, city),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="stations-{month}.xlsx"'},
    )
