"""Working days in the Chinese official calendar, with years not yet announced kept provisional.

Known years come from the maintained ``chinesecalendar`` package (holidays and 调休 make-up
working days). A year it does not know yet is *provisional*: weekends and the statutory holidays
of 《全国年节及纪念日放假办法》 (2024) by date — 元旦, 春节 (除夕至初三), 清明, 劳动节 (5月1—2日),
端午, 中秋, 国庆 (10月1—3日) — but no make-up days, which only the State Council's notice gives.
Any deadline that consults a provisional day is flagged 暂定 until an administrator loads the
notice (``load_notice``), after which it is recomputed from the official days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import version

import chinese_calendar
import lunardate
from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from rencai import clock
from rencai.calendar.models import CalendarDay, CalendarNotice

CITY = ""  # the county of city-wide rows (part of the primary key, so not NULL)
MAX_SPAN_DAYS = 3 * 366  # no deadline reaches further than this
FIRST_YEAR, LAST_YEAR = 1900, 2099  # the lunar calendar (lunardate) covers 1900—2099


@dataclass(frozen=True)
class Deadline:
    day: dt.date
    provisional: bool  # at least one day counted belongs to a year without an official notice

    def label(self) -> str:
        return self.day.isoformat() + ("（暂定）" if self.provisional else "")


def _days(year: int) -> Iterable[dt.date]:
    day = dt.date(year, 1, 1)
    while day.year == year:
        yield day
        day += dt.timedelta(days=1)


def _package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def _official_rows(year: int) -> list[CalendarDay]:
    source = f"chinesecalendar {version('chinesecalendar')}"
    rows = []
    for day in _days(year):
        working = chinese_calendar.is_workday(day)
        on_holiday, holiday = chinese_calendar.get_holiday_detail(day)
        if working and day.weekday() >= 5:
            name = "调休上班"
        elif on_holiday and holiday:
            name = HOLIDAY_NAMES.get(holiday, holiday)
        else:
            name = "工作日" if working else "周末"
        rows.append(
            CalendarDay(
                day=day, county=CITY, is_working=working, kind="official", name=name, source=source
            )
        )
    return rows


def statutory_holidays(year: int) -> dict[dt.date, str]:
    """The days the holiday regulations fix by date (solar or lunar), without 调休."""
    days: dict[dt.date, str] = {dt.date(year, 1, 1): "元旦"}
    new_year = lunardate.LunarDate(year, 1, 1).to_solar_date()
    for offset in range(-1, 3):  # 除夕 to 初三
        days[new_year + dt.timedelta(days=offset)] = "春节"
    for day, term in chinese_calendar.get_solar_terms(dt.date(year, 4, 1), dt.date(year, 4, 10)):
        if term == "清明":
            days[day] = "清明节"
    days[dt.date(year, 5, 1)] = days[dt.date(year, 5, 2)] = "劳动节"
    days[lunardate.LunarDate(year, 5, 5).to_solar_date()] = "端午节"
    days[lunardate.LunarDate(year, 8, 15).to_solar_date()] = "中秋节"
    for d in (1, 2, 3):
        days[dt.date(year, 10, d)] = "国庆节"
    return days


def _provisional_rows(year: int) -> list[CalendarDay]:
    holidays = statutory_holidays(year)
    rows = []
    for day in _days(year):
        if day in holidays:
            working, name = False, holidays[day]
        else:
            working = day.weekday() < 5
            name = "工作日" if working else "周末"
        rows.append(
            CalendarDay(
                day=day,
                county=CITY,
                is_working=working,
                kind="provisional",
                name=name,
                source="暂定：法定节假日规则，待国务院通知",
            )
        )
    return rows


CALENDAR_LOCK = 0x63616C00  # advisory lock keys 0x63616C00 + year: one filler per year


def ensure_year(session: Session, year: int) -> None:
    """Fill a year on first use: official if the package knows it, provisional otherwise.

    Concurrent first uses (many requests on a fresh database) must not both insert the year: on
    PostgreSQL the filler holds a transaction-scoped advisory lock and checks again under it.
    """
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"日历只支持 {FIRST_YEAR}—{LAST_YEAR} 年，收到 {year} 年")
    if _year_filled(session, year):
        return
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        # fill in a short transaction of its own, so the lock is not held for the caller's request
        engine = bind.engine if hasattr(bind, "engine") else bind
        with Session(bind=engine) as filler, filler.begin():
            filler.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": CALENDAR_LOCK + year}
            )
            if not _year_filled(filler, year):
                filler.add_all(_rows_for(year))
        return
    session.add_all(_rows_for(year))
    session.flush()


def _rows_for(year: int) -> list[CalendarDay]:
    return _official_rows(year) if _package_knows(year) else _provisional_rows(year)


def _year_filled(session: Session, year: int) -> bool:
    return (
        session.scalar(
            select(CalendarDay.day)
            .where(
                CalendarDay.county == CITY,
                CalendarDay.day >= dt.date(year, 1, 1),
                CalendarDay.day <= dt.date(year, 12, 31),
            )
            .limit(1)
        )
        is not None
    )


def _day(session: Session, day: dt.date, county: str | None) -> CalendarDay:
    ensure_year(session, day.year)
    if county:
        local = session.get(CalendarDay, (day, county))
        if local is not None:
            return local
    row = session.get(CalendarDay, (day, CITY))
    assert row is not None
    return row


def is_working_day(session: Session, day: dt.date, county: str | None = None) -> tuple[bool, bool]:
    """(is it a working day, is that provisional)."""
    row = _day(session, day, county)
    return row.is_working, row.kind == "provisional"


def add_working_days(
    session: Session,
    start: dt.date,
    n: int,
    county: str | None = None,
    pauses: Iterable[tuple[dt.date, dt.date]] = (),
) -> Deadline:
    """The day on which the n-th working day after ``start`` falls (``start`` not counted).

    Working days inside a pause (补正期间不计时: from the day a case is returned to the day it
    comes back) do not count.
    """
    if n < 0:
        raise ValueError(f"工作日数不能为负数，收到 {n}")
    paused = list(pauses)
    day, counted, provisional = start, 0, False
    while counted < n:
        day += dt.timedelta(days=1)
        if (day - start).days > MAX_SPAN_DAYS:
            raise ValueError(f"期限超出 {start} 之后三年，无法计算")
        row = _day(session, day, county)
        provisional = provisional or row.kind == "provisional"
        if row.is_working and not any(a <= day <= b for a, b in paused):
            counted += 1
    return Deadline(day, provisional)


def deadline_with_pauses(
    session: Session,
    start: dt.date,
    n: int,
    pauses: Iterable[tuple[dt.date, dt.date]],
    county: str | None = None,
) -> Deadline:
    """``add_working_days`` with pauses (补正期间不计时): each pause is (first day, last day),
    both included; working days inside a pause are not counted."""
    paused = list(pauses)
    for first, last in paused:
        if last < first:
            raise ValueError(f"暂停期间 {first}—{last} 起止颠倒")
    return add_working_days(session, start, n, county, paused)


def _is_date(value: object) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def load_notice(
    session: Session,
    year: int,
    document: str,
    holidays: Iterable[tuple[dt.date, dt.date, str]],
    makeup_days: Iterable[dt.date],
) -> int:
    """Replace a year's city-wide days with the official notice; returns the days changed.

    Refused (``ValueError``, nothing changed) when a date is not a date of that year, a holiday
    ends before it starts, or a make-up working day falls inside a holiday.
    """
    if not document.strip():
        raise ValueError("通知文号不能为空")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"日历只支持 {FIRST_YEAR}—{LAST_YEAR} 年，收到 {year} 年")
    holidays, makeup_days = list(holidays), list(makeup_days)
    for first, last, name in holidays:
        if not (_is_date(first) and _is_date(last)):
            raise ValueError(f"假期 {name}：起止应为日期（YYYY-MM-DD），收到 {first!r}、{last!r}")
    for value in makeup_days:
        if not _is_date(value):
            raise ValueError(f"调休上班日应为日期（YYYY-MM-DD），收到 {value!r}")
    if session.get_bind().dialect.name == "postgresql":
        # the same lock as ensure_year: a concurrent first use waits, then sees the notice's days
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CALENDAR_LOCK + year})
    before = {
        row.day: row.is_working
        for row in session.scalars(
            select(CalendarDay).where(
                CalendarDay.county == CITY,
                CalendarDay.day >= dt.date(year, 1, 1),
                CalendarDay.day <= dt.date(year, 12, 31),
            )
        )
    }
    off: dict[dt.date, str] = {}
    for first, last, name in holidays:
        if first.year != year or last.year != year or last < first:
            raise ValueError(f"假期 {first}—{last} 不在 {year} 年内或起止颠倒")
        day = first
        while day <= last:
            off[day] = name
            day += dt.timedelta(days=1)
    makeup = set(makeup_days)
    if any(d.year != year for d in makeup):
        raise ValueError(f"调休上班日不在 {year} 年内")
    if clash := sorted(makeup & off.keys()):
        raise ValueError(f"调休上班日 {clash[0]} 同时是假期")
    session.execute(
        delete(CalendarDay).where(
            CalendarDay.county == CITY,
            CalendarDay.day >= dt.date(year, 1, 1),
            CalendarDay.day <= dt.date(year, 12, 31),
        )
    )
    changed = 0
    for day in _days(year):
        if day in off:
            working, name = False, off[day]
        elif day in makeup:
            working, name = True, "调休上班"
        else:
            working = day.weekday() < 5
            name = "工作日" if working else "周末"
        changed += before.get(day) is not None and before[day] != working
        session.add(
            CalendarDay(
                day=day,
                county=CITY,
                is_working=working,
                kind="official",
                name=name,
                source=document,
            )
        )
    session.merge(CalendarNotice(year=year, document=document, loaded_at=clock.now()))
    session.flush()
    return changed


def add_local_closure(session: Session, county: str, day: dt.date, name: str, source: str) -> None:
    """A county's own closure (e.g. a local holiday): that county only."""
    if not county.strip():
        raise ValueError("本地停工须指明区县代码")
    ensure_year(session, day.year)
    session.merge(
        CalendarDay(
            day=day, county=county, is_working=False, kind="local", name=name, source=source
        )
    )
    session.flush()


def working_days_left(
    session: Session, today: dt.date, dues: Iterable[tuple[dt.date, str | None]]
) -> list[int]:
    """For each (due day, county): the working days from ``today`` to the due day (``today``
    not counted, the due day counted), negative once it has passed (the working days since).
    One query for the whole span, so a page of cases costs one read of the calendar."""
    wanted = list(dues)
    if not wanted:
        return []
    first = min([today, *(d for d, _ in wanted)])
    last = max([today, *(d for d, _ in wanted)])
    for year in range(first.year, last.year + 1):
        ensure_year(session, year)
    counties = {c for _, c in wanted if c}
    rows = session.execute(
        select(CalendarDay.day, CalendarDay.county, CalendarDay.is_working).where(
            CalendarDay.day > first,
            CalendarDay.day <= last,
            CalendarDay.county.in_([CITY, *counties]),
        )
    ).all()
    city = {day: working for day, county, working in rows if county == CITY}
    local = {(day, county): working for day, county, working in rows if county != CITY}

    def working(day: dt.date, county: str | None) -> bool:
        return local.get((day, county or CITY), city.get(day, False))

    result = []
    for due, county in wanted:
        low, high, sign = (today, due, 1) if due >= today else (due, today, -1)
        count, day = 0, low
        while day < high:
            day += dt.timedelta(days=1)
            count += working(day, county)
        result.append(sign * count)
    return result
