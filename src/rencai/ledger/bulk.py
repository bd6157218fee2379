"""Set-based writes for the runs: COPY on PostgreSQL, executemany elsewhere.

A monthly run writes one run item, one payment and several journal entries per line; at a
province's scale that is millions of rows, which COPY writes an order of magnitude faster than
row-by-row INSERT/UPDATE. Both stay inside the caller's transaction.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, update
from sqlalchemy.orm import Session


def on_postgresql(session: Session) -> bool:
    """Whether the session's database takes the set-based SQL paths (PostgreSQL)."""
    return session.get_bind().dialect.name == "postgresql"


def _copy(session: Session, table: str, columns: list[str], rows: list[dict[str, Any]]) -> None:
    raw = session.connection().connection.driver_connection
    quoted = ", ".join(f'"{c}"' for c in columns)
    with raw.cursor().copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row(tuple(row[c] for c in columns))


# for the run's transaction, whose statements sort, hash or capture (the open lines' trigger's
# transition table) a row of every due line: ~25 MB at 100,000 schedules (decision 0341)
STEP_WORK_MEM = "64MB"


def large_statements(session: Session) -> None:
    """PostgreSQL, for the rest of the run's transaction (``SET LOCAL``), before its few
    statements that each handle every due line: no JIT compilation — each statement runs once,
    and compiling its plan cost more than it saved (a quarter of a second for the due copy alone
    at 100,000 schedules) — and enough working memory that their sorts, hashes and the
    trigger's transition table stay in memory rather than spill to temporary files (decision
    0341). Not for the approval, bank file or confirmations: measured there, it did not help
    (the confirmations were slower with it at 20,000 schedules)."""
    if not on_postgresql(session):
        return
    connection = session.connection()
    connection.exec_driver_sql("SET LOCAL jit = off")
    connection.exec_driver_sql(f"SET LOCAL work_mem = '{STEP_WORK_MEM}'")


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    if on_postgresql(session):
        _copy(session, table.name, list(rows[0]), rows)
        return
    for start in range(0, len(rows), 10000):
        session.execute(insert(table), rows[start : start + 10000])


def update_rows(
    session: Session, table: Table, rows: list[dict[str, Any]], keep_if_null: tuple[str, ...] = ()
) -> None:
    """Update rows by ``id``; every row carries the same columns. A column named in
    ``keep_if_null`` keeps its current value in the rows that give it None (one statement for
    rows that set it and rows that do not)."""
    if not rows:
        return
    columns = list(rows[0])
    if not on_postgresql(session):
        statement = (
            update(table)
            .where(table.c.id == bindparam("row_id"))
            .values(
                {
                    c: (
                        func.coalesce(bindparam(c), table.c[c])
                        if c in keep_if_null
                        else bindparam(c)
                    )
                    for c in columns
                    if c != "id"
                }
            )
        )
        keyed = [
            {**{k: v for k, v in row.items() if k != "id"}, "row_id": row["id"]} for row in rows
        ]
        session.connection().execute(statement, keyed)
        return
    scratch = f"scratch_{uuid.uuid4().hex[:12]}"
    types = ", ".join(
        f'"{c}" {table.c[c].type.compile(dialect=session.get_bind().dialect)}' for c in columns
    )
    connection = session.connection()
    connection.exec_driver_sql(f"CREATE TEMP TABLE {scratch} ({types}) ON COMMIT DROP")
    _copy(session, scratch, columns, rows)
    assignments = ", ".join(
        f'"{c}" = coalesce(s."{c}", t."{c}")' if c in keep_if_null else f'"{c}" = s."{c}"'
        for c in columns
        if c != "id"
    )
    connection.exec_driver_sql(
        f"UPDATE {table.name} AS t SET {assignments} FROM {scratch} AS s WHERE t.id = s.id"
    )
