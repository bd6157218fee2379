"""Per-program review settings, set by an administrator: the review chain (county → city →
department), automatic approval (秒批) with its post-hoc sample, and the public notice (公示).

The seeds' own rules come first: a department's stated time limit (即报即批; 2 / 5 / 10 working
days) and a stated notice period are loaded with their clause (``load_seeded``) and an
administrator cannot shorten or lengthen a stated notice. A notice the seeds do not time is an
administrator parameter with no default: until it is set, the notice has no end and is flagged.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai import clock
from rencai.applications.models import Application, ReviewLimit, ReviewProgram, Status
from rencai.applications.notice_period import set_end
from rencai.audit.log import append as audit
from rencai.errors import Refusal
from rencai.policy.catalogue import catalogue
from rencai.policy.cities import names
from rencai.policy.engine.system import system_for
from rencai.policy.procedures import DEPARTMENTS, procedures
from rencai.registry.models import Account, Role

DEFAULT_CHAIN = ("county", "city")
STEP_LABELS = {"county": "县（市、区）人才办", "city": "市委人才办", **DEPARTMENTS}
NOTICE_UNITS = {"working_days": "个工作日", "days": "天"}
ADMIN_SET = "管理员设定"


class SettingsError(Refusal):
    """A refused setting (Chinese message)."""


ALL_PROGRAMS = "*"


@functools.cache
def program_names() -> dict[str, str]:
    """Every program a case can be opened for, as its name and city — what the administrator
    picks from and the audit log shows, never the program's code."""
    found: dict[str, str] = {ALL_PROGRAMS: "全部项目（默认设置）"}
    for code, city in names().items():
        try:
            program = system_for(code).program
        except KeyError:  # a city whose rules are only catalogued
            continue
        items: list[Any] = [*program.cards, *program.benefits]
        for item in items:
            found.setdefault(item.id, f"{item.name}（{city}）")
    for entry in catalogue().entries.values():
        if entry.status == "computed":
            found.setdefault(entry.id, f"{entry.name}（{names().get(entry.jurisdiction, '')}）")
    return found


def settings_of(session: Session, program: str) -> ReviewProgram | None:
    return session.get(ReviewProgram, program) or session.get(ReviewProgram, "*")


def chain_for(session: Session, program: str) -> tuple[str, ...]:
    settings = settings_of(session, program)
    return tuple(json.loads(settings.chain)) if settings is not None else DEFAULT_CHAIN


def validate_chain(chain: list[str]) -> list[str]:
    steps = [s.strip() for s in chain if s.strip()]
    if not steps:
        raise SettingsError("chain", "审核流程至少包含一个环节", "empty_chain")
    unknown = [s for s in steps if s not in STEP_LABELS]
    if unknown:
        raise SettingsError("chain", f"未知的审核环节：{'、'.join(unknown)}", "bad_step")
    if len(set(steps)) != len(steps):
        raise SettingsError("chain", "审核环节不能重复", "duplicate_step")
    if "county" in steps and steps[0] != "county":
        raise SettingsError("chain", "县级审核只能作为第一个环节", "county_not_first")
    return steps


def seeded_notice(program: str) -> Any:
    """The notice the seeds state for a program, in whichever jurisdiction declares it."""
    return next(
        (n for code in names() for n in procedures(code).notices if n.program == program), None
    )


def _require_admin(account: Account) -> None:
    if account.role != Role.admin:
        raise SettingsError("role", "仅系统管理员可以修改审核设置", "forbidden")


def configure(
    session: Session,
    admin: Account,
    program: str,
    *,
    chain: list[str],
    auto_approve: bool = False,
    sample_percent: int | None = None,
    notice_required: bool = False,
    notice_days: int | None = None,
    notice_unit: str | None = None,
) -> ReviewProgram:
    """Set a program's chain, 秒批 and 公示; refused as a whole (nothing changed) if any is bad."""
    _require_admin(admin)
    program = program.strip()
    if not program or len(program) > 64:
        raise SettingsError("program", "项目编号不能为空，且不超过64个字符", "bad_program")
    steps = validate_chain(chain)
    if auto_approve and (sample_percent is None or not 0 <= sample_percent <= 100):
        raise SettingsError(
            "sample_percent", "开启自动审批须设定0至100之间的人工抽查比例", "sample_required"
        )
    if not auto_approve:
        sample_percent = None
    seeded = seeded_notice(program)
    source, quote = None, None
    if seeded is not None:  # the seeds require the notice and state its period
        if not notice_required or (notice_days is not None and notice_days != seeded.days):
            raise SettingsError(
                "notice_days",
                f"政策文件规定须公示{seeded.days}{NOTICE_UNITS[seeded.unit]}"
                f"（{seeded.citation.heading}），不能更改",
                "notice_stated",
            )
        notice_days, notice_unit = seeded.days, seeded.unit
        source = seeded.citation.heading
        quote = seeded.citation.quote
    elif notice_required:
        if notice_days is not None and notice_days <= 0:
            raise SettingsError("notice_days", "公示期应为正整数", "bad_notice_days")
        if notice_days is not None and notice_unit not in NOTICE_UNITS:
            raise SettingsError(
                "notice_unit", "公示期单位应为工作日（working_days）或天（days）", "bad_unit"
            )
        source = f"{ADMIN_SET}（政策文件未规定公示期）"
    else:
        notice_days, notice_unit = None, None
    settings = session.merge(
        ReviewProgram(
            program=program,
            chain=json.dumps(steps),
            auto_approve=auto_approve,
            sample_percent=sample_percent,
            notice_required=notice_required,
            notice_days=notice_days,
            notice_unit=notice_unit if notice_days is not None else None,
            notice_source=source,
            notice_quote=quote,
            updated_by=admin.username,
            updated_at=clock.now(),
        )
    )
    session.flush()
    audit(session, admin.username, "review_program.configure", f"program:{program}", view(settings))
    start_pending_notices(session, program)
    return settings


def view(settings: ReviewProgram) -> dict[str, Any]:
    flagged = settings.notice_required and settings.notice_days is None
    return {
        "program": settings.program,
        "chain": json.loads(settings.chain),
        "auto_approve": settings.auto_approve,
        "sample_percent": settings.sample_percent,
        "notice_required": settings.notice_required,
        "notice_days": settings.notice_days,
        "notice_unit": settings.notice_unit,
        "notice_source": settings.notice_source,
        "notice_quote": settings.notice_quote,
        # a notice the seeds require without a period: asked of the administrator, no default
        "needs_administrator": "公示期未设定，请管理员设定" if flagged else None,
        "updated_by": settings.updated_by,
    }


def all_settings(session: Session) -> list[ReviewProgram]:
    return list(session.scalars(select(ReviewProgram).order_by(ReviewProgram.program)))


def load_seeded(session: Session, jurisdiction: str | None = None) -> tuple[int, int]:
    """Load the seeds' time limits (on the department step) and notices of one jurisdiction, or
    of every one that states any; returns (limits, programs). Idempotent; an administrator's
    existing chain for a program is kept."""
    if jurisdiction is None:
        limits = programs = 0
        for code in names():
            found = procedures(code)
            if found.limits or found.notices:
                more_limits, more_programs = load_seeded(session, code)
                limits, programs = limits + more_limits, programs + more_programs
        return limits, programs
    found = procedures(jurisdiction)
    now = clock.now()
    programs = 0
    for limit in found.limits:
        session.merge(
            ReviewLimit(
                program=limit.program,
                level=limit.department,
                working_days=limit.working_days,
                source=limit.citation.heading,
                quote=limit.citation.quote,
            )
        )
        if session.get(ReviewProgram, limit.program) is None:
            session.add(
                ReviewProgram(
                    program=limit.program,
                    chain=json.dumps(["county", limit.department]),
                    auto_approve=False,
                    notice_required=False,
                    updated_by="system",
                    updated_at=now,
                )
            )
            programs += 1
    for notice in found.notices:
        settings = session.get(ReviewProgram, notice.program)
        if settings is None:
            settings = ReviewProgram(
                program=notice.program,
                chain=json.dumps(list(notice.chain)),
                auto_approve=False,
                updated_by="system",
                updated_at=now,
            )
            session.add(settings)
            programs += 1
        settings.notice_required = True
        settings.notice_days, settings.notice_unit = notice.days, notice.unit
        settings.notice_source = notice.citation.heading
        settings.notice_quote = notice.citation.quote
    session.flush()
    audit(
        session,
        "system",
        "review_program.load_seeded",
        f"jurisdiction:{jurisdiction}",
        {"limits": len(found.limits), "notices": len(found.notices)},
    )
    return len(found.limits), programs


def start_pending_notices(session: Session, program: str) -> int:
    """After an administrator sets a notice period: notices that were waiting for it get one."""
    settings = settings_of(session, program)
    if settings is None or settings.notice_days is None:
        return 0
    query = select(Application).where(
        Application.status == Status.publicity.value, Application.notice_end.is_(None)
    )
    if program != "*":
        query = query.where(Application.program == program)
    waiting = session.scalars(query)
    count = 0
    for application in waiting:
        rule = json.loads(application.notice_rule or "{}")
        if rule.get("days") is None:
            rule.update(
                days=settings.notice_days,
                unit=settings.notice_unit,
                source=settings.notice_source,
            )
            application.notice_rule = json.dumps(rule, ensure_ascii=False)
            set_end(session, application)
            count += 1
    session.flush()
    return count


def limit_views(session: Session, program: str | None = None) -> list[dict[str, Any]]:
    """The working-day limits of each program and step, with where each comes from."""
    query = select(ReviewLimit).order_by(ReviewLimit.program, ReviewLimit.level)
    if program is not None:
        query = query.where(ReviewLimit.program == program)
    return [
        {
            "program": limit.program,
            "level": limit.level,
            "level_label": STEP_LABELS.get(limit.level, limit.level),
            "working_days": limit.working_days,
            "source": limit.source,
            "quote": limit.quote,
        }
        for limit in session.scalars(query)
    ]
