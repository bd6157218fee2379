"""Who already asked: an application, a card or a payment schedule for an identity number and
program means the person is not reached by 政策找人 for that program."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai.applications.models import Application
from rencai.cards.models import Card
from rencai.ledger.models import Schedule
from rencai.registry.models import TalentProfile


def applied_pairs(session: Session, jurisdiction: str) -> set[tuple[str, str]]:
    """(identity number, program) of every application (any status), card (any status) and
    payment schedule of the jurisdiction."""
    pairs: set[tuple[str, str]] = set()
    rows = session.execute(
        select(TalentProfile.id_number, Application.program)
        .join(Application, Application.talent_id == TalentProfile.id)
        .where(Application.jurisdiction == jurisdiction)
    )
    pairs.update((i.upper(), p) for i, p in rows)
    rows = session.execute(
        select(TalentProfile.id_number, Card.program).join(Card, Card.talent_id == TalentProfile.id)
    )
    pairs.update((i.upper(), p) for i, p in rows)
    rows = session.execute(
        select(Schedule.id_number, Schedule.program).where(Schedule.jurisdiction == jurisdiction)
    )
    pairs.update((i.upper(), p) for i, p in rows)
    return pairs
