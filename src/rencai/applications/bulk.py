"""Bulk approval of clean cases from a reviewer's queue.

A case is clean when the pre-check found it eligible, at least one material is on file (the seeds
list no per-program materials, see docs/decisions/0039-bulk-approval.md) and the employer has
confirmed employment where a confirmation is needed. Each case is still decided on its own by
``decide`` — its own version check, history row, audit entry and notification — inside a
savepoint, so one stale or refused case does not undo the others.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from rencai.applications.materials import Material
from rencai.applications.models import Application
from rencai.applications.requirements import missing
from rencai.applications.service import ApplicationError, decide, may_decide
from rencai.audit.log import append as audit
from rencai.registry.models import Account, Role

MAX_BATCH = 100
REVIEWERS = (Role.county_reviewer, Role.city_reviewer, Role.department_officer)


@dataclass(frozen=True)
class Outcome:
    id: int
    ok: bool
    status: str | None = None
    code: str | None = None
    message: str | None = None


def clean_reasons(session: Session, application: Application) -> list[str]:
    """Why a case is not clean (empty when it is)."""
    reasons = []
    if json.loads(application.precheck).get("state") != "eligible":
        reasons.append("预审未显示符合条件")
    has_material = session.scalar(
        select(func.count()).where(Material.application_id == application.id)
    )
    if not has_material:
        reasons.append("尚未上传材料")
    absent = missing(session, application)
    if absent:
        reasons.append(f"尚缺必交材料：{'、'.join(absent)}")
    if application.employer_confirmation not in (None, "confirmed"):
        reasons.append("用人单位尚未确认在职")
    return reasons


def bulk_approve(
    session: Session, reviewer: Account, items: list[tuple[int, int]]
) -> list[Outcome]:
    """Approve each (case id, version) that is clean and the reviewer's to decide."""
    if reviewer.role not in REVIEWERS:
        raise ApplicationError("role", "仅审核人员可以批量通过", "forbidden")
    if not items or len(items) > MAX_BATCH:
        raise ApplicationError("items", f"请选择1至{MAX_BATCH}件申请进行批量通过", "bad_batch")
    outcomes = []
    for application_id, version in items:
        application = session.get(Application, application_id)
        if application is None or not may_decide(reviewer, application):
            outcomes.append(Outcome(application_id, False, None, "not_found", "没有找到该申请"))
            continue
        reasons = clean_reasons(session, application)
        if reasons:
            outcomes.append(
                Outcome(application_id, False, application.status, "not_clean", "；".join(reasons))
            )
            continue
        try:
            with session.begin_nested():
                decide(session, reviewer, application, "approve", None, version)
        except ApplicationError as exc:
            session.refresh(application)
            outcomes.append(
                Outcome(application_id, False, application.status, exc.code, exc.message)
            )
            continue
        except StaleDataError:
            outcomes.append(
                Outcome(application_id, False, None, "stale_version", "该申请已被他人处理")
            )
            continue
        outcomes.append(Outcome(application_id, True, application.status))
    audit(
        session,
        f"account:{reviewer.id}",
        "application.bulk_approve",
        f"account:{reviewer.id}",
        {
            "approved": [o.id for o in outcomes if o.ok],
            "refused": [o.id for o in outcomes if not o.ok],
        },
    )
    return outcomes
