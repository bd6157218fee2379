"""免申即享: for the programs the administrator marks, the platform applies on the person's behalf
when a screening finds them, once per person and program, and the case goes the 秒批 path
(decision 0126)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai import clock
from rencai.applications.programs import settings_of
from rencai.applications.service import apply
from rencai.errors import Refusal
from rencai.outreach.models import NoApplicationProgram, Screening, ScreeningGrant
from rencai.outreach.screening import items
from rencai.policy.cities import registry
from rencai.registry.models import Account, Role, TalentProfile


class NoApplicationError(Refusal):
    """A 免申即享 setting refused (not an administrator, unknown program, 秒批 not set)."""


def known_programs() -> dict[str, str]:
    """Every card and person benefit a screening can find, by id, with its name."""
    return {item.id: item.name for code in registry() for item in items(code)}


def programs(session: Session) -> list[NoApplicationProgram]:
    return list(
        session.scalars(
            select(NoApplicationProgram)
            .where(NoApplicationProgram.enabled.is_(True))
            .order_by(NoApplicationProgram.program)
        )
    )


def set_program(session: Session, admin: Account, program: str, enabled: bool) -> None:
    if admin.role != Role.admin:
        raise NoApplicationError("role", "仅系统管理员可以设置免申即享项目", "forbidden")
    program = program.strip()
    if program not in known_programs():
        raise NoApplicationError("program", f"没有可筛查的项目 {program}", "unknown_program")
    if enabled:
        review = settings_of(session, program)
        if review is None or not review.auto_approve:
            raise NoApplicationError(
                "program",
                "请先在“审核流程与公示设置”中为该项目开启秒批（并设定人工抽查比例）",
                "auto_approve_required",
            )
    row = session.get(NoApplicationProgram, program)
    if row is None:
        row = NoApplicationProgram(program=program)
        session.add(row)
    row.enabled = enabled
    row.updated_by = admin.username
    row.updated_at = clock.now()
    session.flush()


@dataclass
class Granted:
    created: int = 0
    approved: int = 0
    waiting: int = 0  # created, but the data did not decide: a person reviews it
    no_account: int = 0  # cannot be applied for: no account on the platform
    refused: list[str] = field(default_factory=list)


def grant(session: Session, screening: Screening) -> Granted:
    """Apply for every person found for a 免申即享 program who has an account and was never
    applied for that program by the platform."""
    from rencai.outreach.service import result

    enabled = {p.program for p in programs(session)}
    outcome = Granted()
    if not enabled or screening.status != "done":
        return outcome
    table = result(screening)
    pairs = [
        (i.upper(), p)
        for i, p in zip(table["id_number"].to_pylist(), table["program"].to_pylist(), strict=True)
        if p in enabled
    ]
    done = set(
        (i, p)
        for i, p in session.execute(
            select(ScreeningGrant.id_number, ScreeningGrant.program).where(
                ScreeningGrant.id_number.in_([i for i, _ in pairs])
            )
        )
    )
    for id_number, program in pairs:
        if (id_number, program) in done:
            continue
        talent = session.scalar(select(TalentProfile).where(TalentProfile.id_number == id_number))
        if talent is None:
            outcome.no_account += 1
            continue
        key = hashlib.sha256(f"免申即享:{id_number}:{program}".encode()).hexdigest()
        try:
            with session.begin_nested():
                application = apply(session, talent, program, key)
                session.add(
                    ScreeningGrant(
                        screening_id=screening.id,
                        id_number=id_number,
                        program=program,
                        application_id=application.id,
                        created_at=clock.now(),
                    )
                )
                session.flush()
        except Refusal as exc:
            outcome.refused.append(f"{program}：{exc.message}")
            continue
        done.add((id_number, program))
        outcome.created += 1
        if application.automatic is not None:  # 秒批 decided on the data
            outcome.approved += 1
        else:
            outcome.waiting += 1
    return outcome
