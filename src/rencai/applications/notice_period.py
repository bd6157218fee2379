"""The length of a 公示: its last day, counted from the day after publication in working days or
calendar days as its rule says, skipping the days an objection held it. Used by the notice
itself (``publicity``) and when an administrator first sets a period (``programs``)."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy.orm import Session

from rencai.applications.models import Application
from rencai.calendar.service import add_working_days


def pauses(application: Application) -> list[list[str | None]]:
    result: list[list[str | None]] = json.loads(application.notice_pauses or "[]")
    return result


def set_end(session: Session, application: Application) -> None:
    """The last day of the notice, counting from the day after publication and skipping the
    days an objection held it; None while the period is not set or an objection is open."""
    rule = json.loads(application.notice_rule or "{}")
    held = pauses(application)
    if (
        rule.get("days") is None
        or application.notice_start is None
        or any(b is None for _, b in held)
    ):
        application.notice_end, application.notice_provisional = None, None
        return
    closed = [(dt.date.fromisoformat(str(a)), dt.date.fromisoformat(str(b))) for a, b in held]
    if rule["unit"] == "working_days":
        deadline = add_working_days(
            session, application.notice_start, rule["days"], application.county, closed
        )
        application.notice_end, application.notice_provisional = (
            deadline.day,
            deadline.provisional,
        )
        return
    day, counted = application.notice_start, 0
    while counted < rule["days"]:
        day += dt.timedelta(days=1)
        counted += not any(a <= day <= b for a, b in closed)
    application.notice_end, application.notice_provisional = day, False
