"""Applying and reviewing along the program's chain (county → city → department by default
county → city); return for correction; decisions.

Every step is authorised here, on the server, whatever the interface: a talent acts on their own
cases (or their employer's HR on their behalf), a county reviewer on their county's cases at the
county step, a city reviewer at the city step, a department officer at their department's step.
After the last step a case is final, or first under public notice (``publicity``). Each action is
appended to the case's history and to the audit log.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rencai import clock
from rencai.applications import automatic, events, once_only, requirements
from rencai.applications.errors import ApplicationError, no_case
from rencai.applications.journal import record
from rencai.applications.models import Action, Application, ReviewLimit, Status
from rencai.applications.programs import STEP_LABELS, chain_for
from rencai.applications.publicity import UNDER_NOTICE, enter_final
from rencai.applications.steps import (
    REVIEWING,
    current_step,
    may_act_at,
    status_for,
    step_index,
    steps_of,
)
from rencai.calendar.service import add_working_days
from rencai.notifications.outbox import notify
from rencai.policy.calculator import entitlements
from rencai.policy.contract.profile import ProfileError, parse_profile
from rencai.policy.version import rules_version
from rencai.registry.accounts import RegistryError, checked_profile
from rencai.registry.employers import require_verified
from rencai.registry.models import Account, Employer, Role, TalentProfile

REVIEWERS = (Role.county_reviewer, Role.city_reviewer, Role.department_officer, Role.admin)
OPEN = (Status.county_review, Status.city_review, Status.department_review, Status.returned)


def may_audit(account: Account | None) -> bool:
    """Whether the caller reads a case's audit details (the rules version, the sampling draw):
    reviewers and the administrator, not the applicant or the employer."""
    return account is not None and account.role in REVIEWERS


def _today() -> dt.date:
    return clock.today()


def review_limit(session: Session, program: str, level: str) -> ReviewLimit | None:
    return session.get(ReviewLimit, (program, level)) or session.get(ReviewLimit, ("*", level))


def set_review_limit(
    session: Session,
    program: str,
    level: str,
    working_days: int,
    source: str,
    quote: str | None = None,
) -> ReviewLimit:
    if working_days < 0 or level not in STEP_LABELS:
        raise ApplicationError(
            "working_days", "时限应为非负的工作日数，环节应为县级、市级或部门", "bad_limit"
        )
    if not source.strip():
        raise ApplicationError("source", "请注明时限的依据（文号条款或设定人）", "source_required")
    limit = session.merge(
        ReviewLimit(
            program=program, level=level, working_days=working_days, source=source, quote=quote
        )
    )
    session.flush()
    return limit


def _start_step(session: Session, application: Application, started: dt.date) -> None:
    """Start the clock of the current review step (none if no time limit is set)."""
    application.step_started = started
    application.pauses = "[]"
    _set_due(session, application)


def _set_due(session: Session, application: Application) -> None:
    level = current_step(application)
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
        application.status in REVIEWING
        and application.due_date is not None
        and application.due_date < (today or _today())
    )


def _now() -> dt.datetime:
    return clock.now()


def _checked_profile(talent: TalentProfile) -> dict[str, Any]:
    """The profile a case is judged on: its birth date must be the identity number's."""
    try:
        return checked_profile(talent)
    except RegistryError as exc:
        raise ApplicationError(exc.field, exc.message, exc.code) from None


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
    for item in result["needs_administrator"]:
        # every condition holds and only the amount is the office's to fix (decision 0337): the
        # case may be filed and is reviewed by a person; the schedule waits for the amount
        if item.get("benefit") == program and "name" in item:
            return {
                "state": "eligible",
                "name": item["name"],
                "reasons": [*item.get("because", []), item["note"]],
                "citation": item.get("citation"),
                "amount": None,
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
    session: Session,
    talent: TalentProfile,
    program: str,
    idempotency_key: str,
    submitted_by: Account | None = None,
) -> Application:
    """Submit an application; the same key returns the same case (a double click, a retry).

    ``submitted_by`` is the employer's HR applying on behalf of their linked new hire; the
    submission is then also the employer's confirmation of employment.
    """
    on_behalf = submitted_by is not None and submitted_by.role == Role.employer
    if submitted_by is not None and (
        not on_behalf
        or submitted_by.employer_id is None
        or submitted_by.employer_id != talent.employer_id
    ):
        raise ApplicationError("talent", "只能为本单位关联的人才代为申请", "forbidden")
    if on_behalf:  # applying on behalf confirms the employment: a verified unit only
        assert submitted_by is not None
        _require_verified_employer(session, submitted_by.employer_id)
    # one submission per person at a time (a row lock on PostgreSQL): what follows reads the
    # cases committed by a concurrent submission, so the same key and the once-only guard hold
    session.execute(select(TalentProfile.id).where(TalentProfile.id == talent.id).with_for_update())
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
    profile = _checked_profile(talent)
    check = precheck(profile, program)
    if check["state"] in ("unknown_program", "invalid"):
        raise ApplicationError("program", "；".join(check["reasons"]), check["state"])
    once_only.refuse_if_held(session, talent.id, profile["jurisdiction"], program)
    county = profile.get("employment", {}).get("county")
    if not county:
        raise ApplicationError(
            "employment.county", "请先在档案中填写工作所在县（市、区）", "no_county"
        )
    moment = _now()
    chain = list(chain_for(session, program))
    application = Application(
        talent_id=talent.id,
        program=program,
        program_name=check["name"],
        jurisdiction=profile["jurisdiction"],
        county=county,
        status=status_for(chain[0]).value,
        chain=json.dumps(chain),
        step_index=0,
        submitted_by=submitted_by.id if submitted_by is not None else None,
        profile_snapshot=json.dumps(profile, ensure_ascii=False),
        rules_version=rules_version(profile["jurisdiction"]),
        precheck=json.dumps(check, ensure_ascii=False),
        idempotency_key=idempotency_key,
        submitted_at=moment,
        employer_id=talent.employer_id,
        employer_confirmation=(
            "confirmed" if on_behalf else "pending" if talent.employer_id else None
        ),
    )
    _start_step(session, application, clock.office_date(moment))
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
    if on_behalf:
        assert submitted_by is not None
        _record(session, application, submitted_by.id, "employer", "submit", None, moment)
    else:
        _record(session, application, talent.account_id, "applicant", "submit", None, moment)
    automatic.consider(session, application)
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
    record(session, application, actor_id, level, action, reason, moment)


def _require_verified_employer(session: Session, employer_id: int | None) -> None:
    """Decision 0080: a unit confirms employment only after the city office verified it."""
    try:
        require_verified(session, employer_id)
    except RegistryError as exc:
        raise ApplicationError(exc.field, exc.message, exc.code) from None


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
    _require_verified_employer(session, hr.employer_id)
    if application.status not in REVIEWING and application.status != Status.returned:
        raise ApplicationError("status", "该申请当前不需要单位确认", "not_confirmable")
    if not confirmed and not (note or "").strip():
        raise ApplicationError("note", "不予确认须说明理由", "reason_required")
    application.employer_confirmation = "confirmed" if confirmed else "denied"
    session.flush()
    _record(
        session, application, hr.id, "employer", "confirm" if confirmed else "deny", note, _now()
    )
    if confirmed:
        automatic.consider(session, application)
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
    if account.role == Role.department_officer:
        return account.department is not None and account.department in steps_of(application)
    return account.role == Role.city_reviewer


def visible_case(session: Session, account: Account, application_id: int) -> Application | None:
    """The case if this account may see it; None whether it does not exist or is someone else's
    (the API and the pages give the same answer for both)."""
    application = session.get(Application, application_id)
    if application is None:
        return None
    owner = session.scalar(
        select(TalentProfile.account_id).where(TalentProfile.id == application.talent_id)
    )
    return application if owner is not None and can_see(account, application, owner) else None


def may_see_feed_checks(account: Account, application: Application) -> bool:
    """Whether the account reviews this case and so sees what the department feeds say about its
    claims (the applicant and the employer do not: decision 0121)."""
    return account.role in REVIEWERS and can_see(account, application, talent_account_id=-1)


def visible_case_or_404(session: Session, account: Account, application_id: int) -> Application:
    """The case if this account may see it, else the refusal ``not_found`` (never a hint that
    someone else's case exists)."""
    application = visible_case(session, account, application_id)
    if application is None:
        raise no_case()
    return application


def case_or_404(session: Session, application_id: int) -> Application:
    """The case by number, whoever asks (the step itself then decides who may act on it)."""
    application = session.get(Application, application_id)
    if application is None:
        raise no_case()
    return application


def may_confirm(account: Account, application: Application) -> bool:
    """The unit's HR confirms (or denies) employment while its confirmation is pending."""
    return (
        account.role == Role.employer
        and account.employer_id is not None
        and account.employer_id == application.employer_id
        and application.employer_confirmation == "pending"
        and application.status in OPEN
    )


def is_applicant(session: Session, account: Account, application: Application) -> bool:
    """Whether the account is the talent the case is about."""
    owner = session.scalar(
        select(TalentProfile.account_id).where(TalentProfile.id == application.talent_id)
    )
    return owner is not None and owner == account.id


ACCEPTING_MATERIALS = (Status.county_review, Status.department_review, Status.returned)


def may_upload(session: Session, account: Account, application: Application) -> bool:
    """The applicant adds materials while the case is open to them."""
    return application.status in ACCEPTING_MATERIALS and is_applicant(session, account, application)


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
    elif account.role == Role.department_officer:
        if account.department is None:
            return []
        # the chain is a JSON list of step codes: a quoted code matches only that step
        query = query.where(Application.chain.contains(f'"{account.department}"'))
    elif account.role not in (Role.city_reviewer, Role.admin):
        return []
    return list(session.scalars(query))


def may_decide(account: Account, application: Application) -> bool:
    step = current_step(application)
    return step is not None and may_act_at(account, application, step)


def decide(
    session: Session,
    reviewer: Account,
    application: Application,
    decision: str,
    reason: str | None,
    expected_version: int,
) -> Application:
    """approve / return / reject at the current step; a stale version is refused. Approval at
    the last step makes the case final, or first publishes it when its program needs 公示."""
    if application.version != expected_version:
        raise ApplicationError("version", "该申请已被他人处理，请刷新后查看", "stale_version")
    level = current_step(application)
    if level is None:
        raise ApplicationError("status", "该申请当前不在审核环节", "not_reviewable")
    if not may_act_at(reviewer, application, level):
        raise ApplicationError("role", "无权审核该申请", "forbidden")
    index, steps = step_index(application), steps_of(application)
    if (
        decision == "approve"
        and index == 0
        and application.employer_confirmation not in (None, "confirmed")
    ):
        raise ApplicationError(
            "employer_confirmation", "须待用人单位确认在职后方可通过", "awaiting_employer"
        )
    if decision == "approve":
        requirements.refuse_if_missing(session, application)
        _refuse_if_not_eligible(application)
    if decision in ("return", "reject") and not (reason or "").strip():
        raise ApplicationError("reason", "退回补正或不予通过须填写理由", "reason_required")
    if len(reason or "") > 2000:  # decision 0087: every text has a limit
        raise ApplicationError("reason", "理由不超过2000字", "too_long")
    moment = _now()
    final = False
    if decision == "approve":
        if index + 1 < len(steps):
            application.step_index = index + 1
            application.status = status_for(steps[index + 1]).value
            _start_step(session, application, clock.office_date(moment))
        else:
            application.step_index = index
            final = enter_final(session, application, moment)
    elif decision == "return":
        application.status = Status.returned.value
        # the clock stops: the pause runs from today until the applicant resubmits
        pauses = json.loads(application.pauses or "[]")
        application.pauses = json.dumps([*pauses, [clock.office_date(moment).isoformat(), None]])
    elif decision == "reject":
        application.status = Status.rejected.value
        application.decided_at = moment
        application.due_date = None
    else:
        raise ApplicationError("decision", "审核结论应为通过、退回补正或不予通过", "bad_decision")
    session.flush()  # the version column makes a concurrent decision fail here
    _record(session, application, reviewer.id, level, decision, reason, moment)
    if final:
        events.approved(session, application)
    _tell_applicant(session, application, decision, reason)
    return application


def _refuse_if_not_eligible(application: Application) -> None:
    """A case the rules find not eligible on its own declared facts is not approved: nothing
    could be computed or paid from it (decision 0225). The reviewer returns it for correction
    or refuses it."""
    check = json.loads(application.precheck or "{}")
    if check.get("state") == "not_eligible":
        reasons = "；".join(check.get("reasons") or [])
        raise ApplicationError(
            "decision",
            f"按申报信息预审不符合条件（{reasons}），不能审核通过；请退回补正或不予通过",
            "not_eligible",
        )


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
    elif application.status in UNDER_NOTICE:
        outcome = "已审核通过，现进入公示"
    else:
        steps = steps_of(application)
        done = steps[max(step_index(application) - 1, 0)]
        level = {"county": "县级", "city": "市级"}.get(done, STEP_LABELS[done])
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
    profile = _checked_profile(talent)
    application.profile_snapshot = json.dumps(profile, ensure_ascii=False)
    application.precheck = json.dumps(precheck(profile, application.program), ensure_ascii=False)
    application.step_index = 0
    application.status = status_for(steps_of(application)[0]).value
    today = clock.office_date(_now())
    pauses = json.loads(application.pauses or "[]")
    if pauses and pauses[-1][1] is None:  # 补正期间不计时: close the pause and move the deadline
        pauses[-1][1] = today.isoformat()
    application.pauses = json.dumps(pauses)
    if application.step_started is None:
        application.step_started = today
    _set_due(session, application)
    session.flush()
    _record(session, application, talent.account_id, "applicant", "resubmit", None, _now())
    automatic.consider(session, application)
    return application


def history(session: Session, application: Application) -> list[Action]:
    return list(
        session.scalars(
            select(Action).where(Action.application_id == application.id).order_by(Action.id)
        )
    )
