"""公示: a case approved at its last step is published for the stated period before it is final.

A case enters ``publicity`` on the day of its last approval; the period is counted from the next
day (working days, or calendar days where the rule says 天) and the case becomes final
(``approved``, approval handlers run) on the first day after the period when nobody objected
(``close_notices``, run daily from the CLI; idempotent). A real-named account may lodge an
objection while the notice runs (one per account and notice, a few a day; decision 0081): the
case moves to ``objection`` and the notice clock stops. The reviewer of the last
step handles it: upheld → the case is rejected with the reason; dismissed → the notice resumes
and its end moves by the days the objection held it.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rencai import clock
from rencai.applications import events, once_only
from rencai.applications.journal import PUBLIC, SYSTEM, record
from rencai.applications.models import Application, Objection, Status
from rencai.applications.notice_period import pauses, set_end
from rencai.applications.programs import NOTICE_UNITS, settings_of
from rencai.applications.steps import final_step, may_act_at
from rencai.errors import Refusal
from rencai.notifications.outbox import notify
from rencai.registry.identifiers import mask_name
from rencai.registry.models import Account, Role, TalentProfile

UNDER_NOTICE = (Status.publicity, Status.objection)


class NoticeError(Refusal):
    """A refused notice step (Chinese message)."""


def _now() -> dt.datetime:
    return clock.now()


def enter_final(session: Session, application: Application, moment: dt.datetime) -> bool:
    """The last step has approved: publish the case if its program requires a notice, else
    approve it. Returns True when the approval is final (the caller runs ``events.approved``
    after recording its own action). A once-only benefit is granted here, or the approval
    refused (``once_only.grant``) before anything changes."""
    once_only.grant(session, application)
    application.due_date, application.due_provisional = None, None
    settings = settings_of(session, application.program)
    if settings is None or not settings.notice_required:
        application.status = Status.approved.value
        application.decided_at = moment
        return True
    application.status = Status.publicity.value
    application.notice_rule = json.dumps(
        {
            "days": settings.notice_days,
            "unit": settings.notice_unit,
            "source": settings.notice_source,
            "quote": settings.notice_quote,
        },
        ensure_ascii=False,
    )
    application.notice_start = clock.office_date(moment)
    application.notice_pauses = "[]"
    set_end(session, application)
    return False


def label(application: Application) -> str:
    """The notice period in words: 2026-11-24 至 2026-11-30（5个工作日）."""
    rule = json.loads(application.notice_rule or "{}")
    if rule.get("days") is None:
        return "公示期待管理员设定"
    period = f"{rule['days']}{NOTICE_UNITS[rule['unit']]}"
    if application.notice_end is None:
        return f"公示期{period}，因异议暂停计时"
    end = application.notice_end.isoformat() + (
        "（暂定）" if application.notice_provisional else ""
    )
    assert application.notice_start is not None
    first = application.notice_start + dt.timedelta(days=1)
    return f"{first.isoformat()} 至 {end}（{period}）"


def under_notice(session: Session) -> list[tuple[Application, TalentProfile]]:
    rows = session.execute(
        select(Application, TalentProfile)
        .join(TalentProfile, TalentProfile.id == Application.talent_id)
        .where(Application.status.in_([s.value for s in UNDER_NOTICE]))
        .order_by(Application.notice_start, Application.id)
    )
    return [(a, t) for a, t in rows.all()]


def public_view(application: Application, talent: TalentProfile) -> dict[str, Any]:
    """What the public notice shows: no identity number, the name masked."""
    from rencai.policy.contract.vocabulary import vocabulary

    county = vocabulary().counties.get(application.county)
    return {
        "id": application.id,
        "name": mask_name(talent.name),
        "program": application.program,
        "program_name": application.program_name,
        "county": county.name if county else application.county,
        "status": application.status,
        "period": label(application),
        "notice_end": application.notice_end.isoformat() if application.notice_end else None,
        "rule": json.loads(application.notice_rule or "{}"),
    }


MAX_OBJECTIONS_PER_DAY = 3  # per account, over all notices (decision 0081)


def objector_name(session: Session, account: Account) -> str:
    """The registered (real) name of an account that may object, or a refusal: objections come
    from personal accounts registered with a name and identity number (实名)."""
    talent = session.scalar(select(TalentProfile).where(TalentProfile.account_id == account.id))
    if account.role != "talent" or talent is None:
        raise NoticeError(
            "account",
            "公示异议须使用实名注册的个人账号提出（注册时核验姓名和身份证号）",
            "not_real_named",
        )
    return talent.name


def lodge_objection(
    session: Session, application: Application, account: Account, contact: str, text: str
) -> Objection:
    """A real-named account objects while the notice runs (decision 0081): its registered name
    is recorded (never typed), one objection per account and notice, at most
    ``MAX_OBJECTIONS_PER_DAY`` a day; the case moves to ``objection`` and the clock stops."""
    contact, text = contact.strip(), text.strip()
    if application.status not in UNDER_NOTICE:
        raise NoticeError("application", "该申请不在公示期内，无法提出异议", "not_under_notice")
    today = clock.office_date(_now())
    if application.notice_end is not None and today > application.notice_end:
        raise NoticeError("application", "公示期已结束，不再受理异议", "notice_ended")
    name = objector_name(session, account)
    if not contact or len(contact) > 100:
        raise NoticeError("contact", "请填写联系方式", "contact_required")
    if not 5 <= len(text) <= 2000:
        raise NoticeError("text", "异议内容应为5至2000字", "bad_text")
    already = session.scalar(
        select(Objection.id).where(
            Objection.application_id == application.id, Objection.account_id == account.id
        )
    )
    if already is not None:
        raise NoticeError(
            "application",
            "您已对该公示提出过异议（每人对同一公示限提一次），经办部门将核查处理",
            "already_objected",
        )
    moment = clock.now()
    day_start = dt.datetime.combine(today, dt.time(), clock.OFFICE_ZONE).astimezone(dt.UTC)
    lodged_today = session.scalar(
        select(func.count())
        .select_from(Objection)
        .where(Objection.account_id == account.id, Objection.lodged_at >= day_start)
    )
    if (lodged_today or 0) >= MAX_OBJECTIONS_PER_DAY:
        raise NoticeError(
            "account",
            f"每个账号每天最多提出{MAX_OBJECTIONS_PER_DAY}件公示异议，请明天再提交",
            "objection_limit",
        )
    objection = Objection(
        application_id=application.id,
        account_id=account.id,
        name=name,
        contact=contact,
        text=text,
        lodged_at=moment,
        status="pending",
        bad_faith=False,
    )
    try:
        with session.begin_nested():  # the unique index settles two concurrent submissions
            session.add(objection)
            session.flush()
    except IntegrityError:
        raise NoticeError(
            "application",
            "您已对该公示提出过异议（每人对同一公示限提一次），经办部门将核查处理",
            "already_objected",
        ) from None
    if application.status == Status.publicity:
        application.status = Status.objection.value
        application.notice_pauses = json.dumps([*pauses(application), [today.isoformat(), None]])
        set_end(session, application)
    session.flush()
    # the objector's account, name and contact stay in the objection row (the applicant reads
    # the case's history), not in the history or the audit details
    record(session, application, None, PUBLIC, "object", None, moment, {"objection": objection.id})
    _tell_applicant(session, application, "公示期间收到异议，正在核查，公示暂停计时。")
    for handler in handlers(session, application):
        notify(
            session,
            handler.id,
            f"公示异议待处理：{application.program_name}",
            f"申请编号 {application.id} 在公示期间收到异议，请核查处理。",
            link=f"/applications/{application.id}",
        )
    return objection


def handlers(session: Session, application: Application) -> list[Account]:
    """The active accounts that may handle the case's objections (the last step's reviewers)."""
    candidates = session.scalars(
        select(Account).where(
            Account.active.is_(True),
            Account.role.in_(["county_reviewer", "city_reviewer", "department_officer"]),
        )
    )
    return [a for a in candidates if may_handle(a, application)]


def may_handle(account: Account, application: Application) -> bool:
    return may_act_at(account, application, final_step(application))


def may_see_objections(account: Account, application: Application) -> bool:
    """Who objected, and why, is shown to the officers handling the case and the administrator."""
    return account.role == Role.admin or may_handle(account, application)


def handle_objection(
    session: Session,
    reviewer: Account,
    objection: Objection,
    decision: str,
    reason: str | None,
    expected_version: int,
    bad_faith: bool = False,
) -> Application:
    """uphold → the case is rejected with the reason; dismiss → the notice resumes (once no
    other objection is open). ``bad_faith`` marks a dismissed objection as made in bad faith
    (恶意异议), on record against the account that lodged it."""
    application = session.get(Application, objection.application_id)
    assert application is not None
    if not may_handle(reviewer, application):
        raise NoticeError("role", "无权处理该异议", "forbidden")
    if application.version != expected_version:
        raise NoticeError("version", "该申请已被他人处理，请刷新后查看", "stale_version")
    if objection.status != "pending" or application.status != Status.objection:
        raise NoticeError("objection", "该异议已处理", "already_handled")
    if decision not in ("uphold", "dismiss"):
        raise NoticeError("decision", "处理结论应为异议成立或异议不成立", "bad_decision")
    if not (reason or "").strip():
        raise NoticeError("reason", "处理异议须填写理由", "reason_required")
    if len(reason or "") > 2000:  # decision 0087: every text has a limit
        raise NoticeError("reason", "理由不超过2000字", "too_long")
    if bad_faith and decision != "dismiss":
        raise NoticeError("bad_faith", "只有不成立的异议才能认定为恶意异议", "bad_faith_upheld")
    moment = _now()
    today = clock.office_date(moment)
    objection.status = "upheld" if decision == "uphold" else "dismissed"
    objection.handled_by, objection.handled_at, objection.reason = reviewer.id, moment, reason
    objection.bad_faith = bad_faith
    pending = [
        o
        for o in session.scalars(
            select(Objection).where(
                Objection.application_id == application.id, Objection.status == "pending"
            )
        )
        if o.id != objection.id
    ]
    held = pauses(application)
    if decision == "uphold":
        for other in pending:  # the case is decided: the other objections are moot
            other.status, other.reason = "closed", "申请已因其他异议成立而不予通过"
        application.status = Status.rejected.value
        application.decided_at = moment
        if held and held[-1][1] is None:
            held[-1][1] = today.isoformat()
        application.notice_pauses = json.dumps(held)
        application.notice_end = None
    elif not pending:  # the last open objection: the notice clock runs again
        application.status = Status.publicity.value
        if held and held[-1][1] is None:
            held[-1][1] = today.isoformat()
        application.notice_pauses = json.dumps(held)
        set_end(session, application)
    session.flush()  # the version column stops a concurrent handler here
    level = final_step(application)
    record(
        session,
        application,
        reviewer.id,
        level,
        decision,
        reason,
        moment,
        {"objection": objection.id, "bad_faith": bad_faith},
    )
    if decision == "uphold":
        _tell_applicant(session, application, f"公示期间异议经核查成立，未通过审核。理由：{reason}")
    elif application.status == Status.publicity:
        _tell_applicant(
            session, application, f"公示异议经核查不成立，公示继续（{label(application)}）。"
        )
    return application


def close_notices(session: Session, today: dt.date | None = None) -> list[int]:
    """Make final every case whose notice ended (the day after its last day) without an open
    objection; runs the approval handlers. Running it again changes nothing."""
    day = today or clock.office_date(_now())
    due = list(
        session.scalars(
            select(Application)
            .where(
                Application.status == Status.publicity.value,
                Application.notice_end.isnot(None),
                Application.notice_end < day,
            )
            .order_by(Application.id)
        )
    )
    closed = []
    for application in due:
        moment = _now()
        application.status = Status.approved.value
        application.decided_at = moment
        session.flush()
        record(session, application, None, SYSTEM, "final", None, moment)
        events.approved(session, application)
        _tell_applicant(session, application, "公示期满无异议，审核通过。")
        closed.append(application.id)
    return closed


def objections_of(session: Session, application: Application) -> list[Objection]:
    return list(
        session.scalars(
            select(Objection)
            .where(Objection.application_id == application.id)
            .order_by(Objection.id)
        )
    )


def _tell_applicant(session: Session, application: Application, text: str) -> None:
    talent = session.get(TalentProfile, application.talent_id)
    if talent is None:
        return
    notify(
        session,
        talent.account_id,
        f"申请进度：{application.program_name}",
        f"您申请的“{application.program_name}”{text}",
        link=f"/applications/{application.id}",
    )
