"""Applying and reviewing: county review, then city review; return for correction; decisions.

Every step is authorised here, on the server, whatever the interface: a talent acts on their own
cases, a county reviewer on their county's cases at the county step, a city reviewer at the city
step. Each action is appended to the case's history and to the audit log.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rencai.applications import events
from rencai.applications.models import Action, Application, ReviewLimit, Status
from rencai.audit.log import append as audit
from rencai.calendar.service import add_working_days
from rencai.notifications.outbox import notify
from rencai.policy.calculator import entitlements
from rencai.policy.contract.profile import ProfileError, parse_profile
from rencai.policy.version import rules_version
from rencai.registry.accounts import RegistryError
from rencai.registry.models import Account, Employer, Role, TalentProfile

OPEN = (Status.county_review, Status.city_review, Status.returned)
LEVEL_OF = {Status.county_review: "county", Status.city_review: "city"}


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def review_limit(session: Session, program: str, level: str) -> ReviewLimit | None:
    return session.get(ReviewLimit, (program, level)) or session.get(ReviewLimit, ("*", level))


def set_review_limit(
    session: Session, program: str, level: str, working_days: int, source: str
) -> ReviewLimit:
    if working_days < 0 or level not in ("county", "city"):
        raise ApplicationError(
            "working_days", "时限应为非负的工作日数，环节为县级或市级", "bad_limit"
        )
    limit = session.merge(
        ReviewLimit(program=program, level=level, working_days=working_days, source=source)
    )
    session.flush()
    return limit


def _start_step(session: Session, application: Application, started: dt.date) -> None:
    """Start the clock of the current review step (none if no time limit is set)."""
    application.step_started = started
    application.pauses = "[]"
    _set_due(session, application)


def _set_due(session: Session, application: Application) -> None:
    level = LEVEL_OF.get(Status(application.status))
    limit = review_limit(session, application.program, level) if level else None
    if limit is None or application.step_started is None:
        application.due_date, application.due_provisional = None, None
        return
    pauses = [
        (dt.date.fromisoformat(a), dt.date.fromisoformat(b))
        for a, b in json.loads(application.pauses or "[]")
    ]
    deadline = add_working_days(
        session, application.step_started, limit.working_days, application.county, pauses
    )
    application.due_date, application.due_provisional = deadline.day, deadline.provisional


def is_overdue(application: Application, today: dt.date | None = None) -> bool:
    return (
        application.status in (Status.county_review, Status.city_review)
        and application.due_date is not None
        and application.due_date < (today or _today())
    )


class ApplicationError(RegistryError):
    """A refused step (Chinese message), e.g. wrong state, not allowed, stale version."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def precheck(profile: dict[str, Any], program: str, on: dt.date | None = None) -> dict[str, Any]:
    """What the calculator says about one program for this profile, with its reasons."""
    try:
        result = entitlements(parse_profile(profile), on)
    except ProfileError as exc:
        return {"state": "invalid", "reasons": [e.line() for e in exc.errors], "name": program}
    granted = [*result["cards"], *result["benefits"], *result["recognitions"], *result["may_apply"]]
    for item in granted:
        if item["id"] == program:
            return {
                "state": "eligible",
                "name": item["name"],
                "reasons": item.get("because", []),
                "citation": item.get("citation"),
                "amount": item.get("total"),
            }
    for item in result["not_eligible"]:
        if item["id"] == program:
            return {"state": "not_eligible", "name": item["name"], "reasons": item["why_not"]}
    for item in result["needs_information"]:
        if item["id"] == program:
            return {
                "state": "needs_information",
                "name": item["name"],
                "reasons": [item["message"]],
            }
    return {"state": "unknown_program", "name": program, "reasons": ["计算器中没有此项目"]}


def apply(
    session: Session, talent: TalentProfile, program: str, idempotency_key: str
) -> Application:
    """Submit an application; the same key returns the same case (a double click, a retry)."""
    existing = session.scalar(
        select(Application).where(Application.idempotency_key == idempotency_key)
    )
    if existing is not None:
        if existing.talent_id != talent.id:
            raise ApplicationError("idempotency_key", "提交编号已被使用", "key_reused")
        return existing
    open_case = session.scalar(
        select(Application).where(
            Application.talent_id == talent.id,
            Application.program == program,
            Application.status.in_([s.value for s in OPEN]),
        )
    )
    if open_case is not None and open_case.idempotency_key == idempotency_key:
        return open_case  # the same submission committed by a concurrent request meanwhile
    if open_case is not None:
        raise ApplicationError(
            "program", "该项目已有在办申请，请勿重复申请", "duplicate_application"
        )
    profile = json.loads(talent.profile)
    check = precheck(profile, program)
    if check["state"] in ("unknown_program", "invalid"):
        raise ApplicationError("program", "；".join(check["reasons"]), check["state"])
    county = profile.get("employment", {}).get("county")
    if not county:
        raise ApplicationError(
            "employment.county", "请先在档案中填写工作所在县（市、区）", "no_county"
        )
    moment = _now()
    application = Application(
        talent_id=talent.id,
        program=program,
        program_name=check["name"],
        jurisdiction=profile["jurisdiction"],
        county=county,
        status=Status.county_review.value,
        profile_snapshot=talent.profile,
        rules_version=rules_version(profile["jurisdiction"]),
        precheck=json.dumps(check, ensure_ascii=False),
        idempotency_key=idempotency_key,
        submitted_at=moment,
        employer_id=talent.employer_id,
        employer_confirmation="pending" if talent.employer_id else None,
    )
    _start_step(session, application, moment.date())
    try:
        with session.begin_nested():  # a savepoint: losing a race must not spoil the request
            session.add(application)
            session.flush()
    except IntegrityError:  # the same key was submitted concurrently: return that case
        winner = session.scalar(
            select(Application).where(Application.idempotency_key == idempotency_key)
        )
        if winner is None or winner.talent_id != talent.id:
            raise ApplicationError("idempotency_key", "提交编号已被使用", "key_reused") from None
        return winner
    _record(session, application, talent.account_id, "applicant", "submit", None, moment)
    return application


def _record(
    session: Session,
    application: Application,
    actor_id: int,
    level: str,
    action: str,
    reason: str | None,
    moment: dt.datetime,
) -> None:
    session.add(
        Action(
            application_id=application.id,
            actor_id=actor_id,
            level=level,
            action=action,
            reason=reason,
            at=moment,
        )
    )
    audit(
        session,
        f"account:{actor_id}",
        f"application.{action}",
        f"application:{application.id}",
        {"level": level, "status": application.status, "reason": reason},
        at=moment,
    )
    session.flush()


def confirm_employment(
    session: Session, hr: Account, application: Application, confirmed: bool, note: str | None
) -> Application:
    """The employer's HR confirms (or denies) that the applicant works there."""
    if (
        hr.role != Role.employer
        or hr.employer_id is None
        or hr.employer_id != application.employer_id
    ):
        raise ApplicationError("role", "只有申请人所在单位可以确认在职情况", "forbidden")
    if application.status not in (Status.county_review, Status.returned):
        raise ApplicationError("status", "该申请当前不需要单位确认", "not_confirmable")
    if not confirmed and not (note or "").strip():
        raise ApplicationError("note", "不予确认须说明理由", "reason_required")
    application.employer_confirmation = "confirmed" if confirmed else "denied"
    session.flush()
    _record(
        session, application, hr.id, "employer", "confirm" if confirmed else "deny", note, _now()
    )
    return application


def link_employer(session: Session, talent: TalentProfile, uscc: str) -> Employer:
    employer = session.scalar(select(Employer).where(Employer.uscc == uscc.strip().upper()))
    if employer is None:
        raise ApplicationError("uscc", "该统一社会信用代码的单位尚未在平台注册", "unknown_employer")
    talent.employer_id = employer.id
    session.flush()
    return employer


def can_see(account: Account, application: Application, talent_account_id: int) -> bool:
    if account.role == Role.admin:
        return True
    if account.role == Role.employer:
        return account.employer_id is not None and account.employer_id == application.employer_id
    if account.role == Role.talent:
        return account.id == talent_account_id
    if account.role == Role.county_reviewer:
        return account.county == application.county
    return account.role == Role.city_reviewer


def visible(session: Session, account: Account) -> list[Application]:
    """The cases an account may see, the most urgent first (deadline, then submission)."""
    query = select(Application).order_by(
        Application.due_date.is_(None), Application.due_date, Application.submitted_at
    )
    if account.role == Role.talent:
        query = query.join(TalentProfile).where(TalentProfile.account_id == account.id)
    elif account.role == Role.county_reviewer:
        query = query.where(Application.county == account.county)
    elif account.role == Role.employer:
        if account.employer_id is None:
            return []
        query = query.where(Application.employer_id == account.employer_id)
    elif account.role not in (Role.city_reviewer, Role.admin):
        return []
    return list(session.scalars(query))


def decide(
    session: Session,
    reviewer: Account,
    application: Application,
    decision: str,
    reason: str | None,
    expected_version: int,
) -> Application:
    """approve / return / reject at the reviewer's level; a stale version is refused."""
    if application.version != expected_version:
        raise ApplicationError("version", "该申请已被他人处理，请刷新后查看", "stale_version")
    if application.status == Status.county_review:
        allowed = reviewer.role == Role.county_reviewer and reviewer.county == application.county
        level = "county"
    elif application.status == Status.city_review:
        allowed = reviewer.role == Role.city_reviewer
        level = "city"
    else:
        raise ApplicationError("status", "该申请当前不在审核环节", "not_reviewable")
    if not allowed:
        raise ApplicationError("role", "无权审核该申请", "forbidden")
    if (
        decision == "approve"
        and level == "county"
        and application.employer_confirmation not in (None, "confirmed")
    ):
        raise ApplicationError(
            "employer_confirmation", "须待用人单位确认在职后方可通过", "awaiting_employer"
        )
    if decision in ("return", "reject") and not (reason or "").strip():
        raise ApplicationError("reason", "退回补正或不予通过须填写理由", "reason_required")
    moment = _now()
    if decision == "approve":
        if level == "county":
            application.status = Status.city_review.value
            _start_step(session, application, moment.date())
        else:
            application.status = Status.approved.value
            application.decided_at = moment
            application.due_date = None
    elif decision == "return":
        application.status = Status.returned.value
        # the clock stops: the pause runs from today until the applicant resubmits
        pauses = json.loads(application.pauses or "[]")
        application.pauses = json.dumps([*pauses, [moment.date().isoformat(), None]])
    elif decision == "reject":
        application.status = Status.rejected.value
        application.decided_at = moment
        application.due_date = None
    else:
        raise ApplicationError("decision", "审核结论应为通过、退回补正或不予通过", "bad_decision")
    session.flush()  # the version column makes a concurrent decision fail here
    _record(session, application, reviewer.id, level, decision, reason, moment)
    if application.status == Status.approved:
        events.approved(session, application)
    _tell_applicant(session, application, decision, reason)
    return application


DECISION_TEXT = {
    "approve": "已通过{level}审核",
    "return": "被退回补正",
    "reject": "未通过审核",
}


def _tell_applicant(
    session: Session, application: Application, decision: str, reason: str | None
) -> None:
    talent = session.get(TalentProfile, application.talent_id)
    if talent is None:
        return
    if application.status == Status.approved:
        outcome = "已审核通过"
    else:
        level = "县级" if application.status == Status.city_review else "市级"
        outcome = DECISION_TEXT[decision].format(level=level)
    body = f"您申请的“{application.program_name}”{outcome}。"
    if reason:
        body += f"理由：{reason}"
    notify(
        session,
        talent.account_id,
        f"申请进度：{application.program_name}",
        body,
        link=f"/applications/{application.id}",
    )


def resubmit(
    session: Session, talent: TalentProfile, application: Application, expected_version: int
) -> Application:
    """After 退回补正: the corrected profile is snapshotted again and review starts anew."""
    if application.talent_id != talent.id:
        raise ApplicationError("application", "无权操作该申请", "forbidden")
    if application.status != Status.returned:
        raise ApplicationError("status", "只有退回补正的申请可以重新提交", "not_returned")
    if application.version != expected_version:
        raise ApplicationError("version", "该申请已变化，请刷新后重试", "stale_version")
    application.profile_snapshot = talent.profile
    application.precheck = json.dumps(
        precheck(json.loads(talent.profile), application.program), ensure_ascii=False
    )
    application.status = Status.county_review.value
    today = _now().date()
    pauses = json.loads(application.pauses or "[]")
    if pauses and pauses[-1][1] is None:  # 补正期间不计时: close the pause and move the deadline
        pauses[-1][1] = today.isoformat()
    application.pauses = json.dumps(pauses)
    if application.step_started is None:
        application.step_started = today
    _set_due(session, application)
    session.flush()
    _record(session, application, talent.account_id, "applicant", "resubmit", None, _now())
    return application


def history(session: Session, application: Application) -> list[Action]:
    return list(
        session.scalars(
            select(Action).where(Action.application_id == application.id).order_by(Action.id)
        )
    )
