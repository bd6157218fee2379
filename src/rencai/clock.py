"""The office clock: one time zone for every civil date and every displayed time.

Stored instants are UTC (timezone-aware). What a person calls "today" — a deadline's start,
a 公示's first day, an age on a birthday, the month of a run — is the date in the office's
time zone, Asia/Shanghai, and every time shown to a user is shown there too. Nothing else in
the package calls ``datetime.now`` or ``date.today`` for a civil date.

``RENCAI_CLOCK_AT`` (an ISO instant, read by ``rencai.settings``) fixes the clock of a whole
process; tests and drills use it to run the platform at 00:30 or 23:30 Beijing time. ``frozen``
does the same in process.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from rencai.settings import settings

OFFICE_ZONE = ZoneInfo("Asia/Shanghai")

_frozen: dt.datetime | None = None


def _aware(moment: dt.datetime) -> dt.datetime:
    # A naive instant read back from SQLite was stored as UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def now() -> dt.datetime:
    """The current instant, timezone-aware in UTC (what is stored)."""
    if _frozen is not None:
        return _frozen
    fixed = settings().clock_at
    if fixed is not None:
        return fixed
    return dt.datetime.now(dt.UTC)


def office_time(moment: dt.datetime | None = None) -> dt.datetime:
    """An instant (now if none) as wall-clock time in the office's zone."""
    return _aware(moment if moment is not None else now()).astimezone(OFFICE_ZONE)


def today() -> dt.date:
    """Today's civil date at the office."""
    return office_time().date()


def office_date(moment: dt.datetime) -> dt.date:
    """The office's civil date of a stored instant."""
    return office_time(moment).date()


def display(moment: dt.datetime | None, *, seconds: bool = False) -> str:
    """An instant as users read it: office wall-clock time, minutes (or seconds)."""
    if moment is None:
        return ""
    return office_time(moment).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


@contextlib.contextmanager
def frozen(at: dt.datetime) -> Iterator[None]:
    """Run a block with the clock fixed at an instant (aware; naive means UTC)."""
    global _frozen
    previous, _frozen = _frozen, _aware(at).astimezone(dt.UTC)
    try:
        yield
    finally:
        _frozen = previous
