"""Copies of one populated database, to run two ways of doing a step on the same data, and the
rows to compare afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import create_engine, text

from rencai.db.session import engine_for


def snapshot(url: str, queries: Mapping[str, str]) -> dict[str, list[tuple[Any, ...]]]:
    """Each query's rows, by name."""
    with engine_for(url).connect() as connection:
        return {
            name: [tuple(r) for r in connection.execute(text(q))] for name, q in queries.items()
        }


def database_copy(pg_url: str, source: str) -> str:
    """A new database made from ``source`` as its template; its URL."""
    engine_for(source).dispose()  # a template must have no connections
    name = f"ledger_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name} TEMPLATE {source.rsplit('/', 1)[1]}"))
    admin.dispose()
    return pg_url.rsplit("/", 1)[0] + "/" + name
