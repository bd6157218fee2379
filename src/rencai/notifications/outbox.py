"""The outbox: every notification is a row first; adapters deliver rows and mark them sent.

Writing the message in the same transaction as the action that causes it means a committed
decision always has its notification, and a crash between the two cannot lose one. Delivery is
separate and retryable: an adapter takes pending rows, sends them, and marks each sent or failed.

Adapters implement ``Channel.send(message) -> None`` (raise to report a failure). Shipped: the
file adapter (one JSON line per message), used in development and tests; a real SMS or e-mail
gateway implements the same method with its client.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Protocol

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from rencai import clock
from rencai.db.models import Base


class Notification(Base):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # app | sms | email
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))  # pending | sent | failed | read
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class Channel(Protocol):
    name: str

    def send(self, message: Notification) -> None: ...


class FileChannel:
    """Appends each message as a JSON line: the development and test stand-in for a gateway."""

    def __init__(self, path: Path, name: str = "sms"):
        self.path, self.name = path, name

    def send(self, message: Notification) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = {
            "id": message.id,
            "account_id": message.account_id,
            "channel": message.channel,
            "subject": message.subject,
            "body": message.body,
            "link": message.link,
        }
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")


def notify(
    session: Session,
    account_id: int,
    subject: str,
    body: str,
    link: str | None = None,
    channels: tuple[str, ...] = ("app", "sms"),
) -> list[Notification]:
    """Queue a message for an account on each channel, in the caller's transaction."""
    moment = clock.now()
    rows = [
        Notification(
            account_id=account_id,
            channel=channel,
            subject=subject,
            body=body,
            link=link,
            created_at=moment,
            status="pending" if channel != "app" else "sent",
            attempts=0,
        )
        for channel in channels
    ]
    session.add_all(rows)
    session.flush()
    return rows


def deliver(session: Session, channel: Channel, limit: int = 100) -> tuple[int, int]:
    """Send pending messages of one channel; returns (sent, failed). Failures stay retryable."""
    pending = session.scalars(
        select(Notification)
        .where(Notification.channel == channel.name, Notification.status.in_(["pending", "failed"]))
        .order_by(Notification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    sent = failed = 0
    for message in pending:
        message.attempts += 1
        try:
            channel.send(message)
        except Exception as exc:  # a gateway error: keep the message for the next run
            message.status, message.last_error = "failed", str(exc)[:500]
            failed += 1
        else:
            message.status, message.last_error = "sent", None
            sent += 1
    session.flush()
    return sent, failed


def inbox(session: Session, account_id: int) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.account_id == account_id, Notification.channel == "app")
            .order_by(Notification.id.desc())
        )
    )
