"""Who may load the department sources (decision 0119): the data office's accounts — a person
of the office, or the interface account a department's system pushes with. A department
system's account is bound by the administrator to its source (the account's ``department``)
and loads, lists and reads the rejects of that source only; a data-office account bound to no
source is the data office and reaches every source (decision 0129)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai.feeds.departments import SOURCES
from rencai.feeds.source import FeedError
from rencai.registry.models import Account, Role
from rencai.settings import settings


def may_load(account: Account) -> bool:
    """An active data-office account may load (and see the load records of) some source."""
    return account.role == Role.data_office and account.active


def own_source(account: Account) -> str | None:
    """The one source a department system's account delivers; None for the data office."""
    return account.department or None


def may_load_source(account: Account, source: str) -> bool:
    bound = own_source(account)
    return may_load(account) and (bound is None or bound == source)


def require_source(account: Account, source: str) -> None:
    """Refuse (403, nothing loaded) a department system's delivery of another source."""
    if not may_load_source(account, source):
        mine = SOURCES[bound].label if (bound := own_source(account)) in SOURCES else bound
        wanted = SOURCES[source].label if source in SOURCES else source
        raise FeedError("source", f"本账号仅可报送{mine}数据，不能报送{wanted}数据", "forbidden")


def loader(session: Session, username: str) -> Account:
    """The account a command acts as, refused unless it may load."""
    account = session.scalar(select(Account).where(Account.username == username))
    if account is None or not may_load(account):
        raise FeedError("actor", f"“{username}”不是有效的数据管理人员账号", "forbidden")
    return account


def rejects_dir() -> Path:
    """Where the rejects files of the department sources are kept."""
    return settings().files_dir / "feeds" / "rejects"
