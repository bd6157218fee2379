"""Days and months as the figures read them: a day ends at midnight at the office."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import Session

from rencai import clock


def cutoff(as_of: dt.date) -> dt.datetime:
    """The first instant after ``as_of`` at the office, in UTC (what is stored)."""
    start = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), clock.OFFICE_ZONE)
    return start.astimezone(dt.UTC)


def month_of(moment: dt.datetime | dt.date) -> dt.date:
    day = clock.office_date(moment) if isinstance(moment, dt.datetime) else moment
    return day.replace(day=1)


def months_until(as_of: dt.date, count: int) -> list[dt.date]:
    """The ``count`` months ending with the month of ``as_of``, oldest first."""
    first = as_of.replace(day=1)
    result = []
    for back in range(count - 1, -1, -1):
        index = first.year * 12 + first.month - 1 - back
        result.append(dt.date(index // 12, index % 12 + 1, 1))
    return result


def month_label(month: dt.date) -> tuple[str, str]:
    return month.strftime("%Y-%m"), f"{month.year}年{month.month}月"


def month_sql(session: Session, column: Any) -> Any:
    """The office month of an instant: 'YYYY-MM' (SQLite) or the month's first moment (PG)."""
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m", column, "+8 hours")
    return func.date_trunc("month", func.timezone("Asia/Shanghai", column))
