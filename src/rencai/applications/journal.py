"""A case's history: every action is a row on the case and an entry in the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from rencai.applications.models import Action, Application
from rencai.applications.programs import STEP_LABELS
from rencai.audit.log import append as audit

# the history as people read it: what was done, and at which step (or by whom)
ACTION_LABELS = {
    "submit": "提交申请",
    "approve": "审核通过",
    "return": "退回补正",
    "reject": "不予通过",
    "resubmit": "补正后重新提交",
    "confirm": "确认在职",
    "deny": "不予确认在职",
    "auto_approve": "自动审批通过（秒批）",
    "object": "公示期间收到异议",
    "uphold": "异议成立，不予通过",
    "dismiss": "异议不成立，公示继续",
    "final": "公示期满无异议，审核通过",
    "check_ok": "抽查复核无误",
    "check_flag": "抽查发现问题",
}
LEVEL_LABELS = {
    "applicant": "申请人",
    "employer": "用人单位",
    "system": "系统",
    "public": "社会公众",
    **STEP_LABELS,
}

# who acted when no account did: the platform itself (秒批, end of notice) or the public (异议)
SYSTEM, PUBLIC = "system", "public"


def record(
    session: Session,
    application: Application,
    actor_id: int | None,
    level: str,
    action: str,
    reason: str | None,
    moment: dt.datetime,
    details: dict[str, Any] | None = None,
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
        f"account:{actor_id}" if actor_id is not None else level,
        f"application.{action}",
        f"application:{application.id}",
        {"level": level, "status": application.status, "reason": reason, **(details or {})},
        at=moment,
    )
    session.flush()
