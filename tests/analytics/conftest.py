from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text

from rencai.db.session import engine_for, upgrade


def _admin(pg_url: str) -> Engine:
    return create_engine(pg_url, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="module")
def stats_template(pg_url: str) -> str:
    """A migrated database that each test copies (CREATE DATABASE ... TEMPLATE: milliseconds)."""
    name = f"stats_tpl_{uuid.uuid4().hex[:8]}"
    admin = _admin(pg_url)
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    url = pg_url.rsplit("/", 1)[0] + "/" + name
    upgrade(url)
    engine_for(url).dispose()
    return url


@pytest.fixture
def db_url(pg_url: str, stats_template: str) -> Iterator[str]:
    name = f"stats_{uuid.uuid4().hex[:10]}"
    template = stats_template.rsplit("/", 1)[1]
    admin = _admin(pg_url)
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
    admin.dispose()
    url = pg_url.rsplit("/", 1)[0] + "/" + name
    yield url
    engine_for(url).dispose()
