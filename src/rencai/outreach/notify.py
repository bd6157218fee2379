"""Telling the persons a screening found, through the outbox: once per person and program."""

from __future__ import annotations

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai import clock
from rencai.notifications.outbox import notify
from rencai.outreach.models import Screening, ScreeningNotice
from rencai.registry.models import TalentProfile


def notify_found(session: Session, screening: Screening, table: pa.Table) -> int:
    """A notice for each (person, program) row whose person has an account and who was never told
    of that program; returns how many were sent. Persons without an account cannot be reached
    through the outbox and are left to the office's export."""
    ids = sorted({i.upper() for i in table["id_number"].to_pylist()})
    if not ids:
        return 0
    accounts = dict(
        session.execute(
            select(TalentProfile.id_number, TalentProfile.account_id).where(
                TalentProfile.id_number.in_(ids)
            )
        ).all()
    )
    told: set[tuple[str, str]] = set(
        (i, p)
        for i, p in session.execute(
            select(ScreeningNotice.id_number, ScreeningNotice.program).where(
                ScreeningNotice.jurisdiction == screening.jurisdiction,
                ScreeningNotice.id_number.in_(list(accounts)),
            )
        ).all()
    )
    sent = 0
    moment = clock.now()
    for row in table.select(["id_number", "program", "program_name", "clause"]).to_pylist():
        key = (row["id_number"].upper(), row["program"])
        account = accounts.get(key[0])
        if account is None or key in told:
            continue
        told.add(key)
        notify(
            session,
            account,
            f"您可能符合“{row['program_name']}”的条件",
            f"根据部门共享数据，您可能符合{row['clause']}规定的“{row['program_name']}”条件，"
            "尚未申请。请登录平台核对并提出申请。",
            link="/apply",
        )
        session.add(
            ScreeningNotice(
                screening_id=screening.id,
                jurisdiction=screening.jurisdiction,
                id_number=key[0],
                program=key[1],
                account_id=account,
                sent_at=moment,
            )
        )
        sent += 1
    session.flush()
    return sent
