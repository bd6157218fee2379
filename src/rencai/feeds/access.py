"""Who may load the department sources (decision 0119): the data office's accounts — a person
of the office, or the interface account a department's system pushes with."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai.feeds.source import FeedError
from rencai.registry.models import Account, Role
from rencai.settings import settings


def may_load(account: Account) -> bool:
    """An active data-office account may load (and see the load records of) every source."""
    return account.role == Role.data_office and account.active


def loader(session: Session, username: str) -> Account:
    """The account a command acts as, refused unless it may load."""
    account = session.scalar(select(Account).where(Account.username == username))
    if account is None or not may_load(account):
        raise FeedError("actor", f"“{username}”不是有效的数据管理人员账号", "forbidden")
    return account


def rejects_dir() -> Path:
    """Where the rejects files of the department sources are kept."""
    return settings().files_dir / "feeds" / "rejects"
