"""What the department feeds hold about a talent, shown to them, and their disputes of a row
(decision 0122): a dispute keeps the row as shown and reaches the reviewers of their cases."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rencai import clock
from rencai.audit.log import append as audit
from rencai.feeds.claims import (
    Evidence,
    contribution_evidence,
    degree_evidence,
    residence_evidence,
    tax_evidence,
)
from rencai.feeds.models import DegreeRow, FeedDispute, ResidenceRow, SocialInsuranceRow, TaxRow
from rencai.feeds.source import FeedError
from rencai.registry.models import TalentProfile

# the sources keyed by identity number, each with how its row is shown; newest rows first
PERSONAL: dict[str, tuple[Any, Callable[[Any], Evidence], Any]] = {
    "degrees": (DegreeRow, degree_evidence, DegreeRow.graduated_on),
    "social_insurance": (SocialInsuranceRow, contribution_evidence, SocialInsuranceRow.period),
    "tax": (TaxRow, tax_evidence, TaxRow.year),
    "residence": (ResidenceRow, residence_evidence, ResidenceRow.on_date),
}
PER_SOURCE = 60  # rows shown per source (the latest)
MAX_REASON = 500


@dataclass(frozen=True)
class DataItem:
    row_id: int
    evidence: Evidence
    disputed: bool


def disputes_of(session: Session, talent_id: int) -> list[FeedDispute]:
    return list(
        session.scalars(
            select(FeedDispute).where(FeedDispute.talent_id == talent_id).order_by(FeedDispute.id)
        )
    )


def data_about(session: Session, talent: TalentProfile) -> list[DataItem]:
    """The department rows that name this talent's identity number, source by source."""
    disputed = {(d.source, d.row_id) for d in disputes_of(session, talent.id)}
    items = []
    for source, (model, shown, order) in PERSONAL.items():
        rows = session.scalars(
            select(model)
            .where(model.id_number == talent.id_number)
            .order_by(order.desc(), model.id.desc())
            .limit(PER_SOURCE)
        )
        items += [DataItem(row.id, shown(row), (source, row.id) in disputed) for row in rows]
    return items


def dispute(
    session: Session, talent: TalentProfile, source: str, row_id: int, reason: str, actor: str
) -> FeedDispute:
    """Record the talent's dispute of one row about them; refused for a row not theirs, an
    empty or overlong reason, or a row they already disputed."""
    text = reason.strip()
    if not text:
        raise FeedError("reason", "请说明异议的理由", "bad_reason")
    if len(text) > MAX_REASON:
        raise FeedError("reason", f"异议理由不超过{MAX_REASON}字", "bad_reason")
    if source not in PERSONAL:
        raise FeedError("source", "没有找到该条数据", "not_found")
    model, shown, _ = PERSONAL[source]
    row = session.get(model, row_id)
    if row is None or row.id_number != talent.id_number:
        raise FeedError("row_id", "没有找到该条数据", "not_found")
    earlier = session.scalar(
        select(FeedDispute).where(
            FeedDispute.talent_id == talent.id,
            FeedDispute.source == source,
            FeedDispute.row_id == row_id,
        )
    )
    if earlier is not None:
        raise FeedError("row_id", "您已对该条数据提出异议", "already_disputed")
    evidence = shown(row)
    record = FeedDispute(
        talent_id=talent.id,
        source=source,
        row_id=row_id,
        load_id=row.load_id,
        row_number=row.row_number,
        row_text=evidence.text,
        reason=text,
        created_at=clock.now(),
    )
    try:
        with session.begin_nested():  # two clicks at once: the unique key lets one in
            session.add(record)
            session.flush()
    except IntegrityError:
        raise FeedError("row_id", "您已对该条数据提出异议", "already_disputed") from None
    audit(
        session,
        actor,
        "feeds.dispute",
        f"feed_dispute:{record.id}",
        {"source": source, "load_id": row.load_id, "row_number": row.row_number},
    )
    return record
