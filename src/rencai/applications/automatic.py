"""秒批: automatic approval where the data fully decides a case, with a post-hoc sample.

A program an administrator has set to approve automatically is approved without a reviewer when
the calculator, run again on the case's own profile snapshot and day, finds the program eligible
with nothing left to ask (no needs-information, no parameter waiting for the administrator) and
the employer has confirmed employment where a confirmation is needed, and no department data
registered as a check disagrees with the claims (or matches them by name only). The decision
stores its
explanation clause by clause. A stated percentage of these cases is drawn for a person to check
afterwards: the draw is the SHA-256 of the case id and program, so anyone can recompute it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from rencai import clock
from rencai.applications import events, once_only, requirements
from rencai.applications.journal import SYSTEM, record
from rencai.applications.models import Application
from rencai.applications.programs import settings_of
from rencai.applications.publicity import enter_final, may_handle
from rencai.applications.steps import REVIEWING, steps_of
from rencai.errors import Refusal
from rencai.hooks import Hook
from rencai.notifications.outbox import notify
from rencai.policy.calculator import entitlements
from rencai.policy.contract.profile import ProfileError, parse_profile
from rencai.registry.models import Account, TalentProfile

DRAW_RANGE = 10_000  # draws 0..9999: a case is sampled when its draw < percent × 100
# capabilities further out (the department feeds) check a case's claims against their data; each
# handler(session, application) answers None or {"hold": bool, "findings": [...]}: a hold sends
# the case to a person, findings (exact matches) join the explanation (decision 0121)
DATA_CHECKS = Hook("applications.automatic.DATA_CHECKS")


def on_data_check(handler: Callable[[Session, Application], dict[str, Any] | None]) -> None:
    """Register a check of a case's claims against department data (at start-up)."""
    DATA_CHECKS.register(handler)


def data_checks(session: Session, application: Application) -> tuple[bool, list[Any]]:
    """Whether a registered data check holds the case for a person, and what they confirmed."""
    hold, findings = False, []
    for handler in DATA_CHECKS.handlers:
        answer = handler(session, application)
        if answer:
            hold = hold or bool(answer.get("hold"))
            findings += answer.get("findings", [])
    return hold, findings


class CheckError(Refusal):
    """A refused post-hoc check (Chinese message)."""


def sample_draw(application_id: int, program: str) -> int:
    digest = hashlib.sha256(f"rencai-sample:{program}:{application_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % DRAW_RANGE


def explain_decision(application: Application) -> dict[str, Any] | None:
    """The clauses that decide the case, each with what was found; None if the data does not
    fully decide it (then a person reviews it as usual)."""
    try:
        profile = parse_profile(json.loads(application.profile_snapshot))
    except ProfileError:
        return None
    on = clock.office_date(application.submitted_at)
    result = entitlements(profile, on)
    granted = [*result["cards"], *result["benefits"], *result["recognitions"], *result["may_apply"]]
    item = next((i for i in granted if i["id"] == application.program), None)
    if item is None:
        return None
    pending = [
        n for n in result["needs_administrator"] if n.get("benefit") in (None, application.program)
    ]
    if pending:
        return None
    clauses = []
    if item.get("card"):  # a card's service or money: the card's own clause first
        card = next((c for c in result["cards"] if c["id"] == item["card"]), None)
        if card is None:
            return None
        clauses.append({**card["citation"], "findings": card.get("because", [])})
    clauses.append({**item["citation"], "findings": item.get("because", [])})
    return {
        "program": application.program,
        "name": item["name"],
        "on": on.isoformat(),
        "rules_version": application.rules_version,
        "clauses": clauses,
        "employer_confirmation": application.employer_confirmation,
    }


# how the draw is made, for reviewers and auditors (sample_draw: SHA-256 of
# "rencai-sample:<program>:<case id>", its first 8 bytes modulo 10000)
SAMPLE_RULE = (
    "抽签值由项目代码与申请编号按公开的散列算法（SHA-256）算出，取值0至9999，"
    "小于抽查比例×100即抽中，任何人可以复算"
)


def consider(session: Session, application: Application) -> bool:
    """Approve automatically if the program allows it and the data decides; True if it did."""
    settings = settings_of(session, application.program)
    if settings is None or not settings.auto_approve or application.status not in REVIEWING:
        return False
    if json.loads(application.precheck).get("state") != "eligible":
        return False
    if application.employer_confirmation not in (None, "confirmed"):
        return False  # decided when the employer confirms
    if once_only.granted_elsewhere(session, application) is not None:
        return False  # a person refuses it, with the earlier case named
    if requirements.missing(session, application):
        return False  # considered again once the materials are uploaded
    explanation = explain_decision(application)
    if explanation is None:
        return False
    hold, findings = data_checks(session, application)
    if hold:
        return False  # a department's data disagrees, or matches by name only: a person decides
    if findings:
        explanation["data_checks"] = findings
    percent = settings.sample_percent or 0
    draw = sample_draw(application.id, application.program)
    sampled = draw < percent * 100
    explanation["sample"] = {
        "percent": percent,
        "draw": draw,
        "rule": SAMPLE_RULE,
        "sampled": sampled,
    }
    moment = clock.now()
    explanation["at"] = moment.isoformat()
    application.automatic = json.dumps(explanation, ensure_ascii=False)
    application.post_check = "pending" if sampled else None
    application.step_index = len(steps_of(application)) - 1
    final = enter_final(session, application, moment)
    session.flush()
    record(
        session,
        application,
        None,
        SYSTEM,
        "auto_approve",
        "数据完整且符合条件，系统自动审批通过" + ("（已抽中人工复核）" if sampled else ""),
        moment,
        {"draw": draw, "sample_percent": percent, "sampled": sampled},
    )
    if final:
        events.approved(session, application)
    talent = session.get(TalentProfile, application.talent_id)
    if talent is not None:
        outcome = "已自动审批通过" if final else "已自动审批通过，现进入公示"
        notify(
            session,
            talent.account_id,
            f"申请进度：{application.program_name}",
            f"您申请的“{application.program_name}”{outcome}。",
            link=f"/applications/{application.id}",
        )
    return True


def check(
    session: Session,
    reviewer: Account,
    application: Application,
    confirmed: bool,
    reason: str | None,
    expected_version: int,
) -> Application:
    """The person's post-hoc check of a sampled automatic approval: confirmed, or flagged with a
    reason (the approval stands; a flagged case is followed up as the clawback clauses say)."""
    if application.post_check != "pending":
        raise CheckError("post_check", "该申请不在待抽查状态", "not_sampled")
    if not may_handle(reviewer, application):
        raise CheckError("role", "无权抽查该申请", "forbidden")
    if application.version != expected_version:
        raise CheckError("version", "该申请已被他人处理，请刷新后查看", "stale_version")
    if not confirmed and not (reason or "").strip():
        raise CheckError("reason", "抽查发现问题须填写理由", "reason_required")
    if len(reason or "") > 2000:  # decision 0087: every text has a limit
        raise CheckError("reason", "理由不超过2000字", "too_long")
    application.post_check = "confirmed" if confirmed else "flagged"
    session.flush()
    record(
        session,
        application,
        reviewer.id,
        steps_of(application)[-1],
        "check_ok" if confirmed else "check_flag",
        reason,
        clock.now(),
    )
    return application
