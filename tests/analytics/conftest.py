from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Engine, create_engine, text

from rencai.db.session import engine_for, upgrade


def _admin(pg_url: str) -> Engine:
    return create_engine(pg_url, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def stats_template(pg_url: str) -> str:
    """A migrated database that each test copies (CREATE DATABASE ... TEMPLATE: milliseconds),
    migrated once for the statistics tests."""
    name = f"stats_tpl_{uuid.uuid4().hex[:8]}"
    admin = _admin(pg_url)
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    url = pg_url.rsplit("/", 1)[0] + "/" + name
    upgrade(url)
    engine_for(url).dispose()
    return url


def copy_of_template(pg_url: str, template_url: str) -> str:
    name = f"stats_{uuid.uuid4().hex[:10]}"
    template = template_url.rsplit("/", 1)[1]
    admin = _admin(pg_url)
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
    admin.dispose()
    return pg_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def world_url(pg_url: str, stats_template: str) -> str:
    """The hand-built world (tests/analytics/world.py) in its own database, built once; tests
    that change it roll back."""
    from rencai.db.session import session_scope
    from tests.analytics.world import build

    url = copy_of_template(pg_url, stats_template)
    with session_scope(url) as session:
        build(session)
    return url
