"""The case list as the database answers it: who sees which cases (the same rule as
``service.can_see``), the reviewer's queues, filters, search and sort as one SQL statement, so
a page of twenty out of tens of thousands costs one counted, limited query (decision 0213).

The queues split what a reviewer sees by what it asks of them: 待我审核 (the cases at their
step), 公示异议 and 秒批抽查 (the final step's officers), and the rest by where it stands —
under review elsewhere, returned to the applicant, under notice, closed.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Select,
    and_,
    cast,
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from rencai.applications.models import Application, Status
from rencai.applications.steps import REVIEWING
from rencai.registry.models import Account, Employer, Role, TalentProfile

QUEUES = {
    "todo": "待我审核",
    "objection": "公示异议待处理",
    "check": "秒批抽查待复核",
    "elsewhere": "其他环节审核中",
    "returned": "退回补正中",
    "publicity": "公示中",
    "closed": "已办结",
    "all": "全部可见",
}
SORTS = {
    "due": "办理时限",
    "submitted": "提交时间",
    "id": "申请编号",
    "program": "申请事项",
}
DUE = {"overdue": "已超期", "soon": "即将到期"}
SOON_WORKING_DAYS = 3  # "due soon": within three working days (decision 0214)
DONE = (Status.approved, Status.rejected)
ID_PATTERN = re.compile(r"^[0-9X*]{4,18}$")


def _dialect(session: Session) -> str:
    bind = session.get_bind()
    return bind.dialect.name


def _chain_at(session: Session, index: Any) -> ColumnElement[Any]:
    """The step code at ``index`` of the case's chain (a JSON list stored as text)."""
    if _dialect(session) == "postgresql":
        return cast(Application.chain, JSON)[index].as_string()
    return func.json_extract(Application.chain, func.printf("$[%d]", index))


def _last_step(session: Session) -> ColumnElement[Any]:
    """The chain's last step (legacy cases without a chain end at the city)."""
    if _dialect(session) == "postgresql":
        last = func.json_array_length(cast(Application.chain, JSON)) - 1
    else:
        last = func.json_array_length(Application.chain) - 1
    return func.coalesce(_chain_at(session, last), "city")


def visible_clause(account: Account) -> ColumnElement[bool]:
    """``service.can_see`` as SQL (the caller joins TalentProfile for a talent)."""
    role = Role(account.role)
    if role in (Role.admin, Role.city_reviewer):
        return true()
    if role == Role.county_reviewer:
        return Application.county == account.county
    if role == Role.employer:
        if account.employer_id is None:
            return false()
        return Application.employer_id == account.employer_id
    if role == Role.talent:
        return TalentProfile.account_id == account.id
    if role == Role.department_officer:
        if account.department is None:
            return false()
        return Application.chain.contains(f'"{account.department}"')
    return false()


def _at_step(session: Session, account: Account, step: ColumnElement[Any]) -> ColumnElement[bool]:
    """``steps.may_act_at(account, case, step)`` as SQL."""
    role = Role(account.role)
    if role == Role.county_reviewer:
        return and_(step == "county", Application.county == account.county)
    if role == Role.city_reviewer:
        return step == "city"
    if role == Role.department_officer and account.department:
        return step == account.department
    return false()


def todo_clause(session: Session, account: Account) -> ColumnElement[bool]:
    """``service.may_decide`` as SQL: the case is under review at the account's step."""
    role = Role(account.role)
    if role == Role.county_reviewer:
        return and_(
            Application.status == Status.county_review, Application.county == account.county
        )
    if role == Role.city_reviewer:
        return Application.status == Status.city_review
    if role == Role.department_officer and account.department:
        return and_(
            Application.status == Status.department_review,
            Application.step_index.is_not(None),
            _chain_at(session, Application.step_index) == account.department,
        )
    return false()


def queue_clause(session: Session, account: Account, queue: str) -> ColumnElement[bool]:
    handles = _at_step(session, account, _last_step(session))
    todo = todo_clause(session, account)
    if queue == "todo":
        return todo
    if queue == "objection":
        return and_(Application.status == Status.objection, handles)
    if queue == "check":
        return and_(Application.post_check == "pending", handles)
    if queue == "elsewhere":
        return and_(Application.status.in_(REVIEWING), ~todo)
    if queue == "returned":
        return Application.status == Status.returned
    if queue == "publicity":
        return Application.status.in_((Status.publicity, Status.objection))
    if queue == "closed":
        return Application.status.in_(DONE)
    return true()


def search_clause(q: str) -> ColumnElement[bool]:
    """Case number, identity number (whole, its tail, or masked with *), name, employer."""
    like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    options: list[ColumnElement[bool]] = [
        TalentProfile.name.like(like, escape="\\"),
        Employer.name.like(like, escape="\\"),
        Application.program_name.like(like, escape="\\"),
    ]
    if q.isdigit() and len(q) <= 9:
        options.append(Application.id == int(q))
    number = q.upper()
    if ID_PATTERN.match(number) and any(c.isdigit() for c in number):
        if "*" in number:  # as displayed: 130102********1234 (each * one hidden character)
            pattern = number.replace("*", "_")
            options.append(
                TalentProfile.id_number.like(pattern if len(number) == 18 else f"%{pattern}%")
            )
        elif len(number) == 18:
            options.append(TalentProfile.id_number == number)
        else:  # the last digits, as people read them out
            options.append(TalentProfile.id_number.like("%" + number))
    return or_(*options)


def case_statement(
    session: Session,
    account: Account,
    *,
    q: str = "",
    queue: str = "",
    status: str = "",
    program: str = "",
    county: str = "",
    due: str = "",
    sort: str = "due",
    today: dt.date,
    soon: dt.date,
) -> Select[Application, str, str | None]:
    """The cases ``account`` may see that match, sorted; joined with the applicant and the
    employer (rows are (Application, applicant name, employer name))."""
    statement = (
        select(Application, TalentProfile.name, Employer.name)
        .join(TalentProfile, TalentProfile.id == Application.talent_id)
        .outerjoin(Employer, Employer.id == Application.employer_id)
        .where(visible_clause(account))
    )
    if queue:
        statement = statement.where(queue_clause(session, account, queue))
    if status:
        statement = statement.where(Application.status == status)
    if program:
        statement = statement.where(Application.program == program)
    if county:
        statement = statement.where(Application.county == county)
    if due == "overdue":
        statement = statement.where(Application.status.in_(REVIEWING), Application.due_date < today)
    elif due == "soon":
        statement = statement.where(
            Application.status.in_(REVIEWING),
            Application.due_date >= today,
            Application.due_date <= soon,
        )
    if q:
        statement = statement.where(search_clause(q))
    key, descending = sort.removeprefix("-"), sort.startswith("-")
    columns: dict[str, Any] = {
        "due": Application.due_date,
        "submitted": Application.submitted_at,
        "id": Application.id,
        "program": Application.program_name,
    }
    column = columns.get(key, Application.due_date)
    order = [column.is_(None), column.desc() if descending else column.asc()]
    return statement.order_by(*order, Application.submitted_at, Application.id)


def counts(session: Session, account: Account, today: dt.date, soon: dt.date) -> dict[str, int]:
    """What a reviewer's day holds: each queue's size, and of the cases at their step how many
    are overdue or due soon — one query."""
    todo = todo_clause(session, account)

    def n(clause: ColumnElement[bool]) -> Any:
        return func.count().filter(clause)

    statement = (
        select(
            *(n(queue_clause(session, account, q)).label(q) for q in QUEUES),
            n(and_(todo, Application.due_date < today)).label("overdue"),
            n(and_(todo, Application.due_date >= today, Application.due_date <= soon)).label(
                "soon"
            ),
        )
        .select_from(Application)
        .join(TalentProfile, TalentProfile.id == Application.talent_id)
        .where(visible_clause(account))
    )
    row = session.execute(statement).one()
    return {key: int(value or 0) for key, value in row._mapping.items()}
