"""Tables. Each capability adds its own; this module holds the declarative base and the tables
of the policy library."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, String, UniqueConstraint, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class RuleSet(Base):
    """A version of a jurisdiction's rules that the platform has run; decisions will refer to it."""

    __tablename__ = "rule_sets"
    __table_args__ = (UniqueConstraint("jurisdiction", "version", name="uq_rule_sets_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(32))
    version: Mapped[str] = mapped_column(String(64))
    first_seen: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
