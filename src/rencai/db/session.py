"""Engines, sessions and migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from rencai.db.models import RuleSet
from rencai.settings import settings

MIGRATIONS = Path(__file__).with_name("migrations")


def database_url() -> str:
    return settings().database_url


def _normalise(url: str) -> str:
    # psycopg 3 is the PostgreSQL driver; accept plain postgresql:// URLs
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


@cache
def engine_for(url: str) -> Engine:
    url = _normalise(url)
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("postgresql"):
        # the web app admits as many requests to the database as this pool holds connections
        # (rencai.web.admission), so a checkout does not wait; the timeout is a last resort
        configured = settings()
        return create_engine(
            url,
            pool_pre_ping=True,
            pool_size=configured.pool_size,
            max_overflow=configured.pool_overflow,
            pool_timeout=configured.pool_timeout,
        )
    return create_engine(url, pool_pre_ping=True)


def connection_capacity(url: str) -> int:
    """How many sessions can hold a connection of ``url``'s pool at the same time."""
    pool = engine_for(url).pool
    if isinstance(pool, QueuePool):
        return pool.size() + max(pool._max_overflow, 0)  # negative means unlimited
    return 1  # SQLite in memory: one shared connection


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A transaction: committed when the block ends, rolled back on error."""
    factory = sessionmaker(engine_for(url or database_url()), expire_on_commit=False)
    with factory.begin() as session:
        yield session


@cache
def head_revision() -> str | None:
    """The newest migration this release carries."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def database_ready(url: str | None = None) -> bool:
    """Whether the database answers now and is migrated to this release's schema (readiness)."""
    try:
        with engine_for(url or database_url()).connect() as connection:
            current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        return False
    return current == head_revision()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", _normalise(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    engine_for(url)  # creates the SQLite directory if needed
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def register_rule_set(session: Session, jurisdiction: str, version: str) -> RuleSet:
    """Record a rules version once; later calls return the same row."""
    found = session.scalar(
        select(RuleSet).where(RuleSet.jurisdiction == jurisdiction, RuleSet.version == version)
    )
    if found is not None:
        return found
    rule_set = RuleSet(jurisdiction=jurisdiction, version=version)
    session.add(rule_set)
    session.flush()
    return rule_set
