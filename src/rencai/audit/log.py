"""Append and verify the hash-chained audit log.

Each entry's hash covers its own content and the previous entry's hash; ``verify`` recomputes the
chain and names the first entry that does not match (edited, deleted or inserted). On PostgreSQL
the table also refuses UPDATE and DELETE (a trigger, see migration 0003); the chain is what
detects tampering by someone who can bypass that. Entries are chained when the writing
transaction commits (see ``append``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    event,
    select,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from rencai import clock
from rencai.db.models import Base

GENESIS = "0" * 64
AUDIT_LOCK = 0x72656E636169  # "rencai": the advisory lock key of the audit chain


class AuditEntry(Base):
    __tablename__ = "audit_log"
    # the administrator's audit list filters by action and time (migration 0028)
    __table_args__ = (Index("ix_audit_log_action", "action"), Index("ix_audit_log_at", "at"))

    # SQLite autoincrements only an INTEGER primary key
    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(128))
    details: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


def _canonical(details: dict[str, Any]) -> str:
    return json.dumps(details, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def entry_hash(
    prev_hash: str, at: dt.datetime, actor: str, action: str, subject: str, details: str
) -> str:
    payload = "\x1f".join([prev_hash, at.isoformat(), actor, action, subject, details])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _utc(moment: dt.datetime) -> dt.datetime:
    # SQLite returns naive datetimes: everything stored is UTC
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


PENDING = "rencai.audit.pending"


def append(
    session: Session,
    actor: str,
    action: str,
    subject: str,
    details: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Record an entry with the caller's transaction; it is chained when the transaction commits.

    Chaining at commit keeps the lock that orders appenders (a PostgreSQL advisory lock, taken
    in ``_chain_pending``) held for an instant rather than for a whole request — a request that
    held it while waiting for a worker thread would stall every other writer. A rolled-back
    transaction leaves no entry.
    """
    moment = _utc(at or clock.now()).replace(microsecond=0)
    session.info.setdefault(PENDING, []).append(
        (moment, actor, action, subject, _canonical(details or {}))
    )


@event.listens_for(Session, "before_commit")
def _chain_pending(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK})
    last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).first()
    prev_hash = last.hash if last is not None else GENESIS
    for moment, actor, action, subject, body in pending:
        digest = entry_hash(prev_hash, moment, actor, action, subject, body)
        session.add(
            AuditEntry(
                at=moment,
                actor=actor,
                action=action,
                subject=subject,
                details=body,
                prev_hash=prev_hash,
                hash=digest,
            )
        )
        prev_hash = digest
    session.flush()


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(PENDING, None)


@dataclass(frozen=True)
class Verification:
    entries: int
    ok: bool
    first_bad_seq: int | None = None
    problem: str | None = None


def verify(session: Session) -> Verification:
    """Walk the chain from the start; report the first entry whose hash or link is wrong."""
    prev_hash = GENESIS
    count = 0
    previous_seq = 0
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)):
        count += 1
        if entry.prev_hash != prev_hash:
            problem = "与前一条记录的链接不符（有记录被删除或插入）"
            if entry.seq != previous_seq + 1:
                problem = f"序号 {previous_seq + 1} 至 {entry.seq - 1} 的记录缺失"
            return Verification(count, False, entry.seq, problem)
        expected = entry_hash(
            entry.prev_hash,
            _utc(entry.at),
            entry.actor,
            entry.action,
            entry.subject,
            entry.details,
        )
        if expected != entry.hash:
            return Verification(count, False, entry.seq, "记录内容与哈希不符（记录被修改）")
        prev_hash = entry.hash
        previous_seq = entry.seq
    return Verification(count, True)
