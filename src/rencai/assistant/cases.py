"""Case questions (“我的申请到哪一步了”, “补贴什么时候发”) answered from the asker's own records.

Only the cases and payment schedules of the talent profile held by the signed-in account are
read (``Application.talent_id`` / ``Schedule.talent_id`` equal to that profile's id); no other
account, role or identifier given in the question can widen it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai import clock
from rencai.applications.models import STATUS_LABELS, Application, Status
from rencai.assistant.answers import Answer
from rencai.ledger.decision import NO_AMOUNT
from rencai.ledger.models import Line, Schedule
from rencai.registry.accounts import talent_of
from rencai.registry.models import Account, Role

UPCOMING = ("planned", "held", "batched", "sent")
LINE_LABELS = {
    "planned": "待发放",
    "held": "暂缓发放",
    "batched": "已进入发放批次",
    "sent": "已提交银行",
    "paid": "已发放",
    "failed": "发放失败",
    "returned": "银行退回",
    "lapsed": "已失效",
    "stopped": "已停发",
    "excluded": "不予发放",
}


def _yuan(fen: int) -> str:
    value = Decimal(fen) / 100
    return f"{value:.2f}".rstrip("0").rstrip(".") + "元"


def _case_line(case: Application) -> str:
    label = STATUS_LABELS[Status(case.status)] if case.status in set(Status) else case.status
    submitted = case.submitted_at.date().isoformat()
    line = f"“{case.program_name}”（编号{case.id}，{submitted}提交）：{label}"
    if case.status in (Status.county_review, Status.city_review, Status.department_review):
        if case.due_date:
            line += f"，本级审核应于{case.due_date.isoformat()}前办结"
    elif case.status == Status.publicity and case.notice_end:
        line += f"，公示至{case.notice_end.isoformat()}"
    elif case.status == Status.returned:
        line += "，请按退回意见补正材料后重新提交"
    return line


def _schedule_line(session: Session, schedule: Schedule, today: dt.date) -> str:
    lines = list(
        session.scalars(select(Line).where(Line.schedule_id == schedule.id).order_by(Line.seq))
    )
    paid = [ln for ln in lines if ln.status == "paid"]
    upcoming = [ln for ln in lines if ln.status in UPCOMING]
    text = f"“{schedule.program_name}”：共{schedule.periods}期，已发放{len(paid)}期"
    if schedule.status == "stopped":
        reason = f"（{schedule.stop_reason}）" if schedule.stop_reason else ""
        return text + f"，已停发{reason}"
    if schedule.status == "suspended":
        return text + "，目前暂停发放"
    if upcoming:
        nxt = upcoming[0]
        when = "本月" if nxt.period <= today else nxt.period.strftime("%Y年%m月")
        if nxt.reason == NO_AMOUNT:  # no parameter gives its amount yet: not "0元"
            text += f"；下一期（第{nxt.seq}期）金额待主管部门明确，明确后发放"
        else:
            text += f"；下一期（第{nxt.seq}期）{_yuan(nxt.amount_fen)}计划于{when}发放"
        text += f"，状态：{LINE_LABELS.get(nxt.status, nxt.status)}"
    return text


def answer_case(question: str, session: Session, account: Account | None) -> Answer:
    """The asker's own cases and schedules, in Chinese; nothing of anyone else."""
    today = clock.today()
    base = Answer(
        question=question, answer="", intent="case_status", on=today.isoformat(), confidence=1.0
    )
    if account is None:
        base.answer = (
            "查询本人申请进度和补贴发放情况，请先登录；登录后可以直接问“我的申请到哪一步了”。"
        )
        return base
    talent = talent_of(session, account) if account.role == Role.talent else None
    if talent is None:
        base.answer = "办件进度只向人才本人答复；经办人员请在审核工作台查看办件。"
        return base
    cases = list(
        session.scalars(
            select(Application)
            .where(Application.talent_id == talent.id)
            .order_by(Application.submitted_at.desc(), Application.id.desc())
        )
    )
    schedules = list(
        session.scalars(
            select(Schedule).where(Schedule.talent_id == talent.id).order_by(Schedule.id)
        )
    )
    parts: list[str] = []
    if cases:
        parts.append("您的申请：" + "；".join(_case_line(c) for c in cases[:5]) + "。")
    if schedules:
        parts.append(
            "补贴发放：" + "；".join(_schedule_line(session, s, today) for s in schedules) + "。"
        )
    if not parts:
        parts.append("您目前没有提交过申请，也没有补贴发放计划。可以先用政策计算器看看能申请什么。")
    base.answer = "".join(parts)
    base.records = {"cases": [c.id for c in cases[:5]], "schedules": [s.id for s in schedules]}
    return base
