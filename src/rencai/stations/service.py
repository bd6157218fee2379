"""青年人才驿站: the office registers stations and opens their room-nights, an eligible graduate
books a free stay, the hotel checks the guest in with the signed code, no-shows are released
after their first night and the city's cost comes out per station and month.

Eligibility is the rules engine's (``applications.service.precheck`` on the first night, with
its citation). Capacity is enforced by the database: each booked night is a row naming one
room-night, unique (``models``); a booking that cannot get a room for every night is refused as
a whole and leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, exists, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rencai import clock
from rencai.applications.service import precheck
from rencai.cards.keys import KeyStore
from rencai.policy import stated
from rencai.policy.citations import Citation
from rencai.policy.contract.vocabulary import vocabulary
from rencai.registry.accounts import RegistryError, checked_profile
from rencai.registry.models import Account, Role, TalentProfile
from rencai.stations import codes
from rencai.stations.errors import StationError
from rencai.stations.models import (
    Station,
    StationBooking,
    StationBookingNight,
    StationOperator,
    StationPolicy,
    StationRoom,
)

STATUS_LABELS = {
    "booked": "已预订",
    "checked_in": "已入住",
    "no_show": "未到（已释放）",
    "cancelled": "已取消",
}
MAX_OPEN_DAYS = 366  # room-nights opened in one step
MAX_ROOMS = 500


@dataclass(frozen=True)
class Policy:
    """A city's stay limits and the rule deciding who may stay."""

    jurisdiction: str
    max_nights: int
    nightly_cap_fen: int
    program: str | None
    citation: Citation | None  # the document's clause; None when the administrator set it
    # the conditions the administrator states where no computed rule exists (decision 0184)
    criteria: tuple[dict[str, Any], ...] = ()

    @property
    def from_administrator(self) -> bool:
        return self.citation is None


# what the documents state (石政办发〔2022〕6号 第17条); other cities: the administrator's setting
SEED_POLICIES = {
    "shijiazhuang": Policy(
        jurisdiction="shijiazhuang",
        max_nights=7,
        nightly_cap_fen=20000,
        program="sjz.retention.youth_station",
        citation=Citation(
            document="石政办发〔2022〕6号",
            clause="17",
            quote="为外地来我市主导产业企业求职面试的“双一流”建设高校应届毕业生，提供不超过7天的"
            "短住服务，住宿费用由市财政予以补助，补助标准为每人每天最高200元。",
        ),
    )
}


# --- who may ------------------------------------------------------------------------------


def may_manage(account: Account) -> bool:
    """Stations, rooms, operators and the cost report: the city talent office."""
    return account.role in (Role.admin, Role.city_reviewer)


def may_set_policy(account: Account) -> bool:
    return account.role == Role.admin


def may_check_in(account: Account) -> bool:
    return account.role == Role.station_operator


def station_of_operator(session: Session, account: Account) -> Station | None:
    if account.role != Role.station_operator:
        return None
    link = session.get(StationOperator, account.id)
    return session.get(Station, link.station_id) if link else None


def visible_booking(session: Session, account: Account, booking_id: int) -> StationBooking:
    """A booking the account may see: its own, its station's, or any for the office."""
    booking = session.get(StationBooking, booking_id)
    if booking is not None:
        if may_manage(account):
            return booking
        if account.role == Role.talent:
            talent = session.get(TalentProfile, booking.talent_id)
            if talent is not None and talent.account_id == account.id:
                return booking
        station = station_of_operator(session, account)
        if station is not None and station.id == booking.station_id:
            return booking
    raise StationError("booking", "没有该预订", "not_found")


# --- the city's limits --------------------------------------------------------------------


def policy_of(session: Session, jurisdiction: str) -> Policy | None:
    if jurisdiction in SEED_POLICIES:
        return SEED_POLICIES[jurisdiction]
    row = session.get(StationPolicy, jurisdiction)
    if row is None:
        return None
    criteria = tuple(json.loads(row.criteria)) if row.criteria else ()
    return Policy(jurisdiction, row.max_nights, row.nightly_cap_fen, row.program, None, criteria)


def _jurisdiction(code: str) -> str:
    if code not in vocabulary().codes("jurisdiction"):
        raise StationError("jurisdiction", "未知的城市", "bad_jurisdiction")
    return code


def set_policy(
    session: Session,
    admin: Account,
    jurisdiction: str,
    max_nights: int,
    nightly_cap_fen: int,
    program: str | None,
    criteria: list[dict[str, Any]] | None = None,
) -> Policy:
    """The administrator's limits for a city whose documents do not state them, and the
    eligibility conditions they state (from ``rencai.policy.stated``) where no computed rule
    decides the stay (decision 0184)."""
    _jurisdiction(jurisdiction)
    if jurisdiction in SEED_POLICIES:
        raise StationError(
            "jurisdiction", "该市政策文件已规定驿站短住条件和标准，不能另行设定", "limit_stated"
        )
    if not 1 <= max_nights <= 30:
        raise StationError("max_nights", "最多入住天数须为1至30之间的整数", "bad_nights")
    if not 1 <= nightly_cap_fen <= 100_000:
        raise StationError("nightly_cap", "每晚补助上限须大于0且不超过1000元", "bad_amount")
    stored = None
    if criteria:
        if program:
            raise StationError(
                "criteria", "已指定政策规则判定入住资格时，不能再另行设定条件", "bad_criteria"
            )
        try:
            stored = json.dumps(stated.check(criteria), ensure_ascii=False)
        except stated.StatedError as exc:
            raise StationError("criteria", str(exc), "bad_criteria") from None
    row = session.get(StationPolicy, jurisdiction)
    if row is None:
        row = StationPolicy(jurisdiction=jurisdiction)
        session.add(row)
    row.max_nights, row.nightly_cap_fen, row.program = max_nights, nightly_cap_fen, program
    row.criteria = stored
    row.set_by, row.set_at = admin.id, clock.now()
    session.flush()
    policy = policy_of(session, jurisdiction)
    assert policy is not None
    return policy


# --- stations and their rooms -------------------------------------------------------------


def create_station(
    session: Session, county: str, name: str, address: str, nightly_rate_fen: int
) -> Station:
    found = vocabulary().counties.get(county)
    if found is None:
        raise StationError("county", "未知的县（市、区）", "bad_county")
    if not name.strip():
        raise StationError("name", "请填写驿站名称", "no_name")
    if not 1 <= nightly_rate_fen <= 1_000_000:
        raise StationError("nightly_rate", "每晚房价须大于0", "bad_amount")
    station = Station(
        jurisdiction=found.jurisdiction,
        county=county,
        name=name.strip(),
        address=address.strip(),
        nightly_rate_fen=nightly_rate_fen,
        created_at=clock.now(),
    )
    session.add(station)
    session.flush()
    return station


def over_cap(session: Session, station: Station) -> bool:
    """The hotel's price is above what the city pays a night (decision 0162)."""
    policy = policy_of(session, station.jurisdiction)
    return policy is not None and station.nightly_rate_fen > policy.nightly_cap_fen


def station_or_404(session: Session, station_id: int) -> Station:
    station = session.get(Station, station_id)
    if station is None:
        raise StationError("station", "没有该驿站", "not_found")
    return station


def open_rooms(
    session: Session, station: Station, first: dt.date, last: dt.date, rooms: int
) -> int:
    """Make ``rooms`` rooms available on each night from ``first`` to ``last``; nights that
    already have rooms get the missing ones. Returns the room-nights added."""
    if last < first:
        raise StationError("last", "结束日期不能早于开始日期", "bad_dates")
    if (last - first).days >= MAX_OPEN_DAYS:
        raise StationError("last", f"一次最多开放{MAX_OPEN_DAYS}晚", "bad_dates")
    if not 1 <= rooms <= MAX_ROOMS:
        raise StationError("rooms", f"每晚房间数须为1至{MAX_ROOMS}", "bad_rooms")
    existing = dict(
        session.execute(
            select(StationRoom.night, func.max(StationRoom.room_no))
            .where(StationRoom.station_id == station.id)
            .where(StationRoom.night.between(first, last))
            .group_by(StationRoom.night)
        ).all()
    )
    rows = []
    night = first
    while night <= last:
        for room_no in range(existing.get(night, 0) + 1, rooms + 1):
            rows.append({"station_id": station.id, "night": night, "room_no": room_no})
        night += dt.timedelta(days=1)
    if rows:
        session.execute(insert(StationRoom), rows)
    return len(rows)


def availability(
    session: Session, station: Station, first: dt.date, last: dt.date
) -> list[tuple[dt.date, int, int]]:
    """(night, rooms, free) for each night with rooms."""
    held = (
        select(StationBookingNight.room_id)
        .where(StationBookingNight.room_id == StationRoom.id)
        .exists()
    )
    rows = session.execute(
        select(
            StationRoom.night,
            func.count(StationRoom.id),
            func.count(StationRoom.id).filter(~held),
        )
        .where(StationRoom.station_id == station.id, StationRoom.night.between(first, last))
        .group_by(StationRoom.night)
        .order_by(StationRoom.night)
    ).all()
    return [(night, int(total), int(free)) for night, total, free in rows]


def add_operator(session: Session, station: Station, account: Account) -> None:
    if account.role != Role.station_operator:
        raise StationError("account", "该账号不是驿站运营方账号", "bad_role")
    link = session.get(StationOperator, account.id)
    if link is None:
        session.add(StationOperator(account_id=account.id, station_id=station.id))
    else:
        link.station_id = station.id
    session.flush()


# --- booking ------------------------------------------------------------------------------


def eligibility(talent: TalentProfile, policy: Policy, on: dt.date) -> dict[str, Any]:
    """The rules engine's answer for the city's station program on the first night, or, where
    the city has none, its judgement of the conditions the administrator stated."""
    if policy.program is None and not policy.criteria:
        raise StationError(
            "station",
            "该市驿站的入住条件尚未纳入政策计算，暂不能在线预订，请联系当地人才办",
            "no_rule",
        )
    try:
        profile = checked_profile(talent)
    except RegistryError as exc:
        raise StationError(exc.field, exc.message, exc.code) from None
    if profile.get("jurisdiction") != policy.jurisdiction:
        raise StationError(
            "station", "驿站所在城市与您档案中的城市不同，请先在档案中选择该市", "other_city"
        )
    if policy.program is None:
        check = stated.judge(profile, policy.criteria, on)
        if check["state"] == "eligible":
            return check
        raise StationError(
            "eligibility",
            "不符合青年人才驿站短住条件（管理员设定）：" + "；".join(check["reasons"]),
            "not_eligible",
        )
    check = precheck(profile, policy.program, on)
    if check["state"] == "eligible":
        return check
    reasons = check.get("reasons") or []
    if check["state"] == "unknown_program":  # a service not granted: the rule's failed tests
        reasons = why_not(profile, policy.program, on)
    if not reasons:  # a fact or a parameter of the day is missing: nothing to cite as failed
        reasons = ["档案信息或该日的政策参数不足以判定，请完善档案或联系人才办"]
    raise StationError(
        "eligibility",
        "不符合青年人才驿站短住条件：" + "；".join(str(r) for r in reasons),
        "not_eligible",
    )


def why_not(profile: dict[str, Any], program: str, on: dt.date) -> list[str]:
    """The tests of the rule granting ``program`` that this profile fails on ``on``, as the
    calculator words them (a rule no longer in force says so alone)."""
    from rencai.policy.contract.profile import parse_profile
    from rencai.policy.engine.system import system_for
    from rencai.policy.explain.subject import Explainer
    from rencai.policy.rules import failed_texts

    explainer = Explainer(system_for(profile["jurisdiction"]), parse_profile(profile), on)
    for benefit in explainer.program.benefits:
        if benefit.id == program:
            talent = explainer.talent
            return failed_texts(benefit.requires, talent.leaf_state, talent.facts)
    return ["该日没有适用的驿站政策"]


def _claim_room(session: Session, station_id: int, night: dt.date, booking_id: int) -> bool:
    """Hold one free room on ``night`` for the booking. A concurrent booking may take the same
    room first: the unique room-night refuses the second row, and the next free room is tried."""
    while True:
        taken = exists().where(StationBookingNight.room_id == StationRoom.id)
        room_id = session.scalar(
            select(StationRoom.id)
            .where(StationRoom.station_id == station_id, StationRoom.night == night, ~taken)
            .order_by(func.random())
            .limit(1)
        )
        if room_id is None:
            return False
        try:
            with session.begin_nested():
                session.add(
                    StationBookingNight(booking_id=booking_id, room_id=room_id, night=night)
                )
                session.flush()
            return True
        except IntegrityError:
            continue  # another booking took this room-night meanwhile


def book(
    session: Session, talent: TalentProfile, station: Station, first_night: dt.date, nights: int
) -> StationBooking:
    policy = policy_of(session, station.jurisdiction)
    if policy is None:
        raise StationError("station", "该市尚未设定驿站短住天数和补助标准，暂不能预订", "no_policy")
    today = clock.today()
    if first_night < today:
        raise StationError("first_night", "入住日期不能早于今天", "bad_dates")
    if not 1 <= nights <= policy.max_nights:
        raise StationError(
            "nights",
            f"免费短住最多{policy.max_nights}晚，请选择1至{policy.max_nights}晚",
            "bad_nights",
        )
    check = eligibility(talent, policy, first_night)
    earlier = session.scalar(
        select(StationBooking).where(
            StationBooking.talent_id == talent.id,
            StationBooking.jurisdiction == station.jurisdiction,
            StationBooking.status != "cancelled",
        )
    )
    if earlier is not None:
        raise StationError(
            "talent", "青年人才驿站免费短住限首次来访一次，您已有预订记录", "already_booked"
        )
    booking = StationBooking(
        station_id=station.id,
        talent_id=talent.id,
        jurisdiction=station.jurisdiction,
        first_night=first_night,
        nights=nights,
        status="booked",
        nightly_fen=min(station.nightly_rate_fen, policy.nightly_cap_fen),
        eligibility=json.dumps(check, ensure_ascii=False),
        created_at=clock.now(),
    )
    try:
        with session.begin_nested():
            session.add(booking)
            session.flush()
    except IntegrityError:  # a concurrent booking of the same person won
        raise StationError(
            "talent", "青年人才驿站免费短住限首次来访一次，您已有预订记录", "already_booked"
        ) from None
    for offset in range(nights):
        night = first_night + dt.timedelta(days=offset)
        if not _claim_room(session, station.id, night, booking.id):
            raise StationError(
                "first_night",
                f"{station.name}在{night.isoformat()}已无空房，请选择其他日期或驿站",
                "full",
            )
    return booking


def booking_code(booking: StationBooking, store: KeyStore | None = None) -> str:
    claims = codes.BookingClaims(
        booking.id, booking.station_id, booking.first_night, booking.nights
    )
    return codes.sign(store or KeyStore(), claims, clock.now())


def cancel(session: Session, booking: StationBooking) -> StationBooking:
    if booking.status != "booked" or booking.first_night < clock.today():
        raise StationError("booking", "只能在入住日前取消尚未入住的预订", "bad_state")
    session.execute(delete(StationBookingNight).where(StationBookingNight.booking_id == booking.id))
    booking.status = "cancelled"
    booking.released_at = clock.now()
    session.flush()
    return booking


def check_in(
    session: Session, operator: Account, code: str, store: KeyStore | None = None
) -> StationBooking:
    """The hotel reads the guest's code: a genuine code for a booking at its own station,
    checked in on a night of the stay."""
    claims = codes.verify(store or KeyStore(), code, clock.now())
    station = station_of_operator(session, operator)
    if station is None:
        raise StationError("account", "该账号未绑定驿站", "forbidden")
    booking = session.get(StationBooking, claims.booking, with_for_update=True)
    if booking is None or booking.station_id != station.id or claims.station != station.id:
        raise StationError("code", "该入住码不是本驿站的预订", "other_station")
    today = clock.today()
    last = booking.first_night + dt.timedelta(days=booking.nights - 1)
    if booking.status == "checked_in":
        raise StationError("code", "该预订已办理入住", "already_checked_in")
    if booking.status != "booked":
        raise StationError("code", f"该预订{STATUS_LABELS[booking.status]}，不能入住", "bad_state")
    if today != booking.first_night:
        if today < booking.first_night:
            message = f"入住日期为{booking.first_night.isoformat()}，尚未到入住日"
        else:
            message = f"入住日期为{booking.first_night.isoformat()}，已过入住日"
        raise StationError("code", message, "wrong_day")
    assert today <= last
    booking.status = "checked_in"
    booking.checked_in_at = clock.now()
    booking.checked_in_by = operator.id
    session.flush()
    return booking


def release_no_shows(session: Session, today: dt.date | None = None) -> int:
    """Bookings not checked in by the end of their first night: every night is given back to
    the station (decision 0163). Returns how many were released."""
    today = today or clock.today()
    late = session.scalars(
        select(StationBooking)
        .where(StationBooking.status == "booked", StationBooking.first_night < today)
        .with_for_update()
    ).all()
    for booking in late:
        session.execute(
            delete(StationBookingNight).where(StationBookingNight.booking_id == booking.id)
        )
        booking.status = "no_show"
        booking.released_at = clock.now()
    session.flush()
    return len(late)


# --- the city's cost ----------------------------------------------------------------------


@dataclass(frozen=True)
class CostLine:
    station_id: int
    station: str
    county: str
    month: str
    guests: int
    nights: int
    amount_fen: int


def monthly_costs(session: Session, jurisdiction: str, month: str) -> list[CostLine]:
    """What the city pays each station for the nights of ``month`` (YYYY-MM) stayed by guests
    who checked in: per night the station's price, at most the city's cap (decision 0164)."""
    _jurisdiction(jurisdiction)
    try:
        start = dt.date.fromisoformat(month + "-01")
    except ValueError:
        raise StationError("month", "月份格式应为 YYYY-MM", "bad_month") from None
    end = (start + dt.timedelta(days=32)).replace(day=1)
    stations = {
        s.id: s
        for s in session.scalars(select(Station).where(Station.jurisdiction == jurisdiction))
    }
    guests: dict[int, set[int]] = defaultdict(set)
    nights: dict[int, int] = defaultdict(int)
    amount: dict[int, int] = defaultdict(int)
    bookings = session.scalars(
        select(StationBooking).where(
            StationBooking.jurisdiction == jurisdiction,
            StationBooking.status == "checked_in",
            StationBooking.first_night < end,
            StationBooking.first_night >= start - dt.timedelta(days=31),
        )
    )
    for booking in bookings:
        for offset in range(booking.nights):
            night = booking.first_night + dt.timedelta(days=offset)
            if start <= night < end:
                guests[booking.station_id].add(booking.id)
                nights[booking.station_id] += 1
                amount[booking.station_id] += booking.nightly_fen
    return [
        CostLine(
            station_id=sid,
            station=station.name,
            county=vocabulary().counties[station.county].name,
            month=month,
            guests=len(guests[sid]),
            nights=nights[sid],
            amount_fen=amount[sid],
        )
        for sid, station in sorted(stations.items())
    ]


def costs_workbook(lines: list[CostLine], city: str) -> bytes:
    """The monthly statement as Excel: one row per station, amounts in yuan."""
    from rencai import sheets

    columns = [
        sheets.Column("月份"),
        sheets.Column("驿站"),
        sheets.Column("县（市、区）"),
        sheets.Column("入住人数", "int"),
        sheets.Column("入住晚数", "int"),
        sheets.Column("应付金额（元）", "fen"),
    ]
    rows: list[list[object]] = [
        [line.month, line.station, line.county, line.guests, line.nights, line.amount_fen]
        for line in lines
    ]
    rows.append(["合计", "", "", "", "", sum(line.amount_fen for line in lines)])
    caption = [f"{city}青年人才驿站短住费用结算表"]
    return bytes(sheets.write([sheets.Sheet("驿站费用", columns, rows, caption)]))


def fen_of(text: str, field: str) -> int:
    """Yuan with at most two places, as fen; anything else is refused."""
    from rencai.ledger.money import parse_yuan

    try:
        value = parse_yuan(text)
    except (ValueError, ArithmeticError):
        value = 0
    if value <= 0:
        raise StationError(field, f"金额“{text}”无效，应为大于0、精确到分的元数", "bad_amount")
    return value
