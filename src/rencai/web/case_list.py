"""The case list shared by GET /api/v1/applications, the 审核工作台 and its Excel export: the
same parameters, the same checks, the same page of rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai import clock
from rencai.applications.lists import DUE, QUEUES, SOON_WORKING_DAYS, SORTS, case_statement
from rencai.applications.models import STATUS_LABELS, Status
from rencai.applications.programs import STEP_LABELS
from rencai.applications.views import case_view
from rencai.calendar.models import CalendarDay
from rencai.calendar.service import CITY, add_working_days, ensure_year, working_days_left
from rencai.policy.contract.vocabulary import vocabulary
from rencai.registry.identifiers import mask_name
from rencai.registry.models import Account
from rencai.web.lists import Choice, Column, ListQuery, Page, fetch, parse_list


def filters() -> dict[str, Choice]:
    return {
        "queue": Choice("分组", QUEUES),
        "status": Choice("办理状态", {s.value: STATUS_LABELS[s] for s in Status}),
        "program": Choice("申请事项"),
        "county": Choice(
            "县（市、区）", {code: c.name for code, c in vocabulary().counties.items()}
        ),
        "due": Choice("办理时限", DUE),
    }


def parse(params: Mapping[str, str]) -> ListQuery:
    return parse_list(params, SORTS, filters())


def soon_day(session: Session, today: dt.date) -> dt.date:
    """The last day that counts as due soon: three working days from today (as
    ``add_working_days`` counts them, in one read of the calendar instead of two per day)."""
    ensure_year(session, today.year)
    days = session.scalars(
        select(CalendarDay.day)
        .where(CalendarDay.county == CITY, CalendarDay.day > today, CalendarDay.is_working)
        .order_by(CalendarDay.day)
        .limit(SOON_WORKING_DAYS)
    ).all()
    if len(days) == SOON_WORKING_DAYS:
        return days[-1]
    # the span runs into a year not read yet: day by day, filling it
    return add_working_days(session, today, SOON_WORKING_DAYS).day


def case_page(session: Session, account: Account, query: ListQuery) -> Page:
    """One page of the cases ``account`` sees that match ``query``: rows as dicts (the case's
    view, the applicant's masked name, the employer, the working days left)."""
    today = clock.today()
    statement = case_statement(
        session,
        account,
        q=query.q,
        sort=query.sort,
        today=today,
        # only the "due soon" filter reads the day: no calendar read for the other lists
        soon=soon_day(session, today) if query.filters.get("due") == "soon" else today,
        **query.filters,
    )
    page = fetch(session, statement, query)
    return Page(query, page.total, rows(session, page.rows, today))


def rows(session: Session, found: Any, today: dt.date) -> list[dict[str, Any]]:
    views = [case_view(application) for application, _, _ in found]
    open_due = [
        (i, application.due_date, application.county)
        for i, (application, _, _) in enumerate(found)
        if application.due_date is not None and views[i].step is not None
    ]
    left = dict(
        zip(
            [i for i, _, _ in open_due],
            working_days_left(session, today, [(d, c) for _, d, c in open_due]),
            strict=True,
        )
    )
    result = []
    for i, (_, name, employer) in enumerate(found):
        view = views[i]
        result.append(
            {
                **view.model_dump(),
                "applicant": mask_name(name),
                "employer": employer,
                "working_days_left": left.get(i),
                "step_label": STEP_LABELS.get(view.step or "", None),
            }
        )
    return result


EXPORT_COLUMNS = (
    Column("申请编号", "int", 10),
    Column("申请事项", "text", 28),
    Column("申请人", "text", 10),
    Column("用人单位", "text", 28),
    Column("县（市、区）", "text", 12),
    Column("办理状态", "text", 14),
    Column("当前环节", "text", 14),
    Column("提交日期", "date", 14),
    Column("办理时限", "date", 14),
    Column("剩余工作日", "int", 12),
)


def export_rows(rows: Sequence[dict[str, Any]]) -> list[list[Any]]:
    counties = vocabulary().counties
    return [
        [
            r["id"],
            r["program_name"],
            r["applicant"],
            r["employer"] or "",
            counties[r["county"]].name if r["county"] in counties else r["county"] or "",
            r["status_label"],
            r["step_label"] or "",
            clock.office_date(dt.datetime.fromisoformat(r["submitted_at"])),
            dt.date.fromisoformat(r["due_date"]) if r["due_date"] else None,
            r["working_days_left"],
        ]
        for r in rows
    ]
