"""Rollups kept beside the card uses, so the use figures read a small table (decision 0180).

``stat_card_use_days`` holds the valid uses per (day uploaded, day used, service point, kind of
point), office days, for the card uses up to an id (``stat_rollup_marks``). A figure adds the
rows beyond that id (the few recorded since the last roll-up) read from ``card_uses`` itself,
so its answer is the events' answer on any data: the uses are only ever inserted, and a use
counts for a date by the day it was uploaded and the day it was made, both in the key.

Rolling up happens when a figure finds more than ``REFRESH_AFTER`` uses beyond the mark (the
first reader of the day, in practice), or by ``refresh`` (the nightly job, the demo, the
benchmark). Only uses recorded more than ``GRACE`` ago are rolled, so that a transaction still
open holding a lower id is not skipped.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Date, Index, Integer, String, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from rencai import clock
from rencai.cards.models import CardUse
from rencai.db.models import Base

GRACE = dt.timedelta(minutes=5)
REFRESH_AFTER = 20_000  # uses beyond the mark before a read rolls them up
CARD_USES = "card_uses"

# the persons behind a use figure's cells are counted from the uses in time order (decision 0180)
Index("ix_card_uses_at", CardUse.at)
Index("ix_card_uses_kind_at", CardUse.point_kind, CardUse.at)
Index("ix_card_uses_point_at", CardUse.point_id, CardUse.at)


class CardUseDay(Base):
    """Valid card uses of one service point: uploaded on one office day, made on another."""

    __tablename__ = "stat_card_use_days"

    upload_day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    use_day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    point_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    point_kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    uses: Mapped[int] = mapped_column(BigInteger)


class RollupMark(Base):
    """How far a rollup reaches: the events up to ``last_id`` are in it."""

    __tablename__ = "stat_rollup_marks"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_id: Mapped[int] = mapped_column(BigInteger, default=0)


def office_day(session: Session, column: Any) -> Any:
    """The office (Asia/Shanghai) date of a stored instant, in SQL."""
    if session.get_bind().dialect.name == "sqlite":
        return func.date(column, "+8 hours")
    return func.date(func.timezone("Asia/Shanghai", column))


def mark(session: Session, lock: bool = False) -> int:
    """The last card use in the rollup (0: none)."""
    query = select(RollupMark.last_id).where(RollupMark.name == CARD_USES)
    if lock:
        query = query.with_for_update()
    found = session.scalar(query)
    return int(found or 0)


def refresh(session: Session) -> int:
    """Roll up the card uses recorded (more than ``GRACE`` ago) beyond the mark; how many."""
    last = mark(session, lock=True)
    upto = session.scalar(
        select(func.max(CardUse.id)).where(
            CardUse.id > last, CardUse.uploaded_at < clock.now() - GRACE
        )
    )
    if upto is None:
        return 0
    upload, use = office_day(session, CardUse.uploaded_at), office_day(session, CardUse.at)
    rows = (
        select(upload, use, CardUse.point_id, CardUse.point_kind, func.count())
        .where(CardUse.id > last, CardUse.id <= upto, CardUse.verdict == "valid")
        .group_by(upload, use, CardUse.point_id, CardUse.point_kind)
    )
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(CardUseDay).from_select(
        ["upload_day", "use_day", "point_id", "point_kind", "uses"], rows
    )
    session.execute(
        insert.on_conflict_do_update(
            index_elements=["upload_day", "use_day", "point_id", "point_kind"],
            set_={"uses": CardUseDay.uses + insert.excluded.uses},
        )
    )
    found = session.get(RollupMark, CARD_USES)
    if found is None:
        session.add(RollupMark(name=CARD_USES, last_id=upto))
    else:
        found.last_id = upto
    session.flush()
    return int(upto - last)


def current_mark(session: Session) -> int:
    """The mark a figure reads with: rolled up first when many uses wait beyond it."""
    last = mark(session)
    newest = session.scalar(select(func.max(CardUse.id))) or 0
    if newest - last > REFRESH_AFTER:
        refresh(session)
        last = mark(session)
    return last
