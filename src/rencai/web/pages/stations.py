"""青年人才驿站 pages: the stations and each city's limits (flagged when the administrator set
them), booking a stay and its code, the hotel's check-in, the office's stations, rooms,
operators and monthly cost."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai import clock
from rencai.errors import Refusal
from rencai.policy.contract.vocabulary import vocabulary
from rencai.policy.stated import CRITERIA as STATED
from rencai.policy.stated import DEGREE_LABELS
from rencai.registry.accounts import create_account, talent_of
from rencai.registry.models import Account, Role, TalentProfile
from rencai.stations import service
from rencai.stations.errors import StationError
from rencai.stations.models import Station, StationBooking
from rencai.stations.views import booking_view, cost_view, policy_view, station_view, yuan
from rencai.web.deps import DbSession, PageAccount, SerialId, require_page
from rencai.web.errors import status_of
from rencai.web.forms import answered_on_page
from rencai.web.templating import page

router = APIRouter(include_in_schema=False)

Office = Annotated[
    Account,
    Depends(require_page(service.may_manage, message="仅市委人才办或系统管理员可以管理驿站")),
]
Operator = Annotated[
    Account, Depends(require_page(service.may_check_in, message="仅驿站运营方可以办理入住"))
]


def _text(form: Any, name: str) -> str:
    return str(form.get(name) or "").strip()


def _int(form: Any, name: str, label: str) -> int:
    try:
        return int(_text(form, name))
    except ValueError:
        raise StationError(name, f"请填写{label}（整数）", "bad_number") from None


def stated_criteria(form: Any, prefix: str, error: Any) -> list[dict[str, Any]]:
    """The conditions ticked on a form (``{prefix}{code}``), with their parameters
    (``{prefix}{code}_years``, ``{prefix}min_degree_degree``); ``error(field, message)`` makes
    the capability's refusal."""
    chosen: list[dict[str, Any]] = []
    for code, criterion in STATED.items():
        if form.get(f"{prefix}{code}") != "on":
            continue
        item: dict[str, Any] = {"code": code}
        if criterion.parameter == "years":
            value = _text(form, f"{prefix}{code}_years")
            if not value.isdigit() or len(value) > 3:
                raise error("criteria", f"请为“{criterion.label}”填写整数")
            item["years"] = int(value)
        elif criterion.parameter == "degree":
            item["degree"] = _text(form, f"{prefix}{code}_degree")
        chosen.append(item)
    return chosen


def _date(form: Any, name: str, label: str) -> dt.date:
    try:
        return dt.date.fromisoformat(_text(form, name))
    except ValueError:
        raise StationError(name, f"请填写{label}（日期）", "bad_dates") from None


def _overview(
    request: Request,
    session: Session,
    account: Account,
    error: str | None = None,
    status: int = 200,
    done: str | None = None,
    form: Any = None,
) -> Response:
    stations = session.scalars(select(Station).order_by(Station.jurisdiction, Station.id)).all()
    talent = talent_of(session, account) if account.role == Role.talent else None
    mine = []
    if talent is not None:
        mine = [
            booking_view(session, b)
            for b in session.scalars(
                select(StationBooking)
                .where(StationBooking.talent_id == talent.id)
                .order_by(StationBooking.id.desc())
            )
        ]
    cities = vocabulary().codes("jurisdiction")
    counties = vocabulary().counties_with_city()
    return page(
        request,
        "stations.html",
        {
            "stations": [station_view(s) for s in stations],
            "free": {
                s.id: service.availability(
                    session, s, clock.today(), clock.today() + dt.timedelta(days=6)
                )
                for s in stations
            },
            "policies": [policy_view(c, service.policy_of(session, c)) for c in sorted(cities)],
            "over_cap": {s.id for s in stations if service.over_cap(session, s)},
            "is_talent": talent is not None,
            "is_office": service.may_manage(account),
            "is_admin": service.may_set_policy(account),
            "criteria": STATED,
            "degrees": DEGREE_LABELS,
            "mine": mine,
            "counties": counties,
            "cities": cities,
            "today": clock.today().isoformat(),
            "month": clock.today().strftime("%Y-%m"),
            "error": error,
            "done": done,
            "form": {k: str(v) for k, v in (form or {}).items() if k != "csrf_token"},
        },
        status,
    )


@router.get("/stations", response_class=HTMLResponse)
def overview(request: Request, account: PageAccount, session: DbSession) -> Response:
    return _overview(request, session, account)


async def _act(
    request: Request, session: Session, account: Account, action: Any, done: str
) -> Response:
    overview = partial(_overview, request, session, account)
    return await answered_on_page(request, session, action, overview, done)


@router.post("/stations/bookings", response_class=HTMLResponse)
async def book(request: Request, account: PageAccount, session: DbSession) -> Response:
    def action(form: Any) -> Response:
        talent = talent_of(session, account) if account.role == Role.talent else None
        if talent is None:
            raise StationError("role", "仅人才本人可以预订驿站", "forbidden")
        station = service.station_or_404(session, _int(form, "station_id", "驿站"))
        booking = service.book(
            session,
            talent,
            station,
            _date(form, "first_night", "入住日期"),
            _int(form, "nights", "入住晚数"),
        )
        return RedirectResponse(f"/stations/bookings/{booking.id}", status_code=303)

    return await _act(request, session, account, action, "")


def _own(session: Session, account: Account, booking: StationBooking) -> bool:
    talent = session.get(TalentProfile, booking.talent_id)
    return talent is not None and talent.account_id == account.id


@router.get("/stations/bookings/{booking_id}", response_class=HTMLResponse)
def booking_page(
    request: Request, booking_id: SerialId, account: PageAccount, session: DbSession
) -> Response:
    found = service.visible_booking(session, account, booking_id)
    usable = found.status == "booked" and _own(session, account, found)
    view = booking_view(session, found, service.booking_code(found) if usable else None)
    return page(
        request, "station_booking.html", {"booking": view, "own": _own(session, account, found)}
    )


@router.post("/stations/bookings/{booking_id}/cancel", response_class=HTMLResponse)
def cancel(
    request: Request, booking_id: SerialId, account: PageAccount, session: DbSession
) -> Response:
    found = service.visible_booking(session, account, booking_id)
    if not _own(session, account, found):
        raise StationError("role", "仅预订人本人可以取消", "forbidden")
    service.cancel(session, found)
    return RedirectResponse(f"/stations/bookings/{booking_id}", status_code=303)


def _check_in_page(
    request: Request,
    session: Session,
    operator: Account,
    result: Any = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    station = service.station_of_operator(session, operator)
    guests = []
    if station is not None:
        guests = [
            booking_view(session, b)
            for b in session.scalars(
                select(StationBooking)
                .where(StationBooking.station_id == station.id)
                .order_by(StationBooking.first_night.desc(), StationBooking.id.desc())
                .limit(200)
            )
        ]
    return page(
        request,
        "station_check_in.html",
        {
            "station": station_view(station) if station else None,
            "result": result,
            "error": error,
            "guests": guests,
        },
        status,
    )


@router.get("/stations/check-in", response_class=HTMLResponse)
def check_in_form(request: Request, operator: Operator, session: DbSession) -> Response:
    return _check_in_page(request, session, operator)


@router.post("/stations/check-in", response_class=HTMLResponse)
async def check_in(request: Request, operator: Operator, session: DbSession) -> Response:
    form = await request.form()
    try:
        with session.begin_nested():
            booking = service.check_in(session, operator, _text(form, "code")[:2000])
    except Refusal as exc:
        return _check_in_page(request, session, operator, None, exc.message, status_of(exc))
    return _check_in_page(request, session, operator, booking_view(session, booking))


@router.post("/stations", response_class=HTMLResponse)
async def create(request: Request, office: Office, session: DbSession) -> Response:
    def action(form: Any) -> None:
        service.create_station(
            session,
            _text(form, "county"),
            _text(form, "name")[:200],
            _text(form, "address")[:300],
            service.fen_of(_text(form, "nightly_rate")[:20], "nightly_rate"),
        )

    return await _act(request, session, office, action, "驿站已登记")


@router.post("/stations/{station_id}/rooms", response_class=HTMLResponse)
async def open_rooms(
    request: Request, station_id: SerialId, office: Office, session: DbSession
) -> Response:
    def action(form: Any) -> None:
        station = service.station_or_404(session, station_id)
        added = service.open_rooms(
            session,
            station,
            _date(form, "first", "开始日期"),
            _date(form, "last", "结束日期"),
            _int(form, "rooms", "每晚房间数"),
        )
        del added

    return await _act(request, session, office, action, "房间已开放")


@router.post("/stations/{station_id}/operators", response_class=HTMLResponse)
async def add_operator(
    request: Request, station_id: SerialId, office: Office, session: DbSession
) -> Response:
    def action(form: Any) -> None:
        station = service.station_or_404(session, station_id)
        account = create_account(
            session,
            _text(form, "username")[:64],
            str(form.get("password") or "")[:128],
            _text(form, "display_name")[:100] or station.name,
            Role.station_operator,
        )
        service.add_operator(session, station, account)

    return await _act(request, session, office, action, "驿站运营方账号已开通")


@router.post("/stations/policies", response_class=HTMLResponse)
async def set_policy(request: Request, account: PageAccount, session: DbSession) -> Response:
    if not service.may_set_policy(account):
        raise StationError("role", "仅系统管理员可以设定驿站短住标准", "forbidden")

    def action(form: Any) -> None:
        service.set_policy(
            session,
            account,
            _text(form, "jurisdiction"),
            _int(form, "max_nights", "最多入住晚数"),
            service.fen_of(_text(form, "nightly_cap")[:20], "nightly_cap"),
            _text(form, "rule")[:64] or None,
            stated_criteria(form, "c_", lambda f, m: StationError(f, m, "bad_criteria")),
        )

    return await _act(request, session, account, action, "驿站短住标准已设定")


@router.post("/stations/release-no-shows", response_class=HTMLResponse)
async def release(request: Request, office: Office, session: DbSession) -> Response:
    released = service.release_no_shows(session)
    return _overview(request, session, office, done=f"已释放{released}项未到预订的房间")


@router.get("/stations/costs", response_class=HTMLResponse)
def costs(
    request: Request,
    office: Office,
    session: DbSession,
    jurisdiction: str = "shijiazhuang",
    month: str = "",
) -> Response:
    month = month[:7] or clock.today().strftime("%Y-%m")
    found = service.monthly_costs(session, jurisdiction[:32], month)
    lines = [cost_view(x) for x in found]
    return page(
        request,
        "station_costs.html",
        {
            "lines": lines,
            "month": month,
            "jurisdiction": jurisdiction,
            "cities": vocabulary().codes("jurisdiction"),
            "total": yuan(sum(x.amount_fen for x in found)),
        },
    )
