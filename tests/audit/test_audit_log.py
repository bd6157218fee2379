"""The hash-chained audit log: appends verify; edits and deletions are detected."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from rencai.audit.log import append, verify
from rencai.db.session import engine_for, session_scope, upgrade


@pytest.fixture(params=["postgresql", "sqlite"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_url")
        upgrade(url)
        with engine_for(url).begin() as connection:  # a clean log for each test
            connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"))
            connection.execute(text("DELETE FROM audit_log"))
            connection.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change"))
    else:
        url = f"sqlite:///{tmp_path / 'audit.sqlite3'}"
        upgrade(url)
    yield url


def _write(url: str, count: int) -> None:
    with session_scope(url) as session:
        for i in range(count):
            append(session, f"user{i}", "case.decide", f"case:{i}", {"decision": "approve", "i": i})


def test_chain_verifies(db_url: str) -> None:
    _write(db_url, 5)
    with session_scope(db_url) as session:
        result = verify(session)
    assert result.ok and result.entries == 5


def _tamper(url: str, statement: str) -> None:
    with engine_for(url).begin() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"))
        connection.execute(text(statement))
        if postgres:
            connection.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change"))


def test_edited_entry_is_detected(db_url: str) -> None:
    _write(db_url, 5)
    with session_scope(db_url) as session:
        third = verify(session).entries  # sanity
    assert third == 5
    _tamper(
        db_url,
        'UPDATE audit_log SET details = \'{"decision":"reject"}\' '
        "WHERE seq = (SELECT MIN(seq) + 2 FROM audit_log)",
    )
    with session_scope(db_url) as session:
        result = verify(session)
    assert not result.ok and result.entries == 3 and "修改" in (result.problem or "")


def test_deleted_entry_is_detected(db_url: str) -> None:
    _write(db_url, 5)
    _tamper(db_url, "DELETE FROM audit_log WHERE seq = (SELECT MIN(seq) + 1 FROM audit_log)")
    with session_scope(db_url) as session:
        result = verify(session)
    assert not result.ok and "缺失" in (result.problem or "")


def test_postgres_refuses_updates_and_deletes(pg_url: str) -> None:
    upgrade(pg_url)
    _write(pg_url, 1)
    for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), engine_for(pg_url).begin() as c:
            c.execute(text(statement))


def test_cli_verify_reports_tampering(tmp_path: Path) -> None:
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    upgrade(url)
    _write(url, 3)
    run = [sys.executable, "-m", "rencai", "audit", "verify", "--url", url]
    done = subprocess.run(run, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "共 3 条" in done.stdout
    _tamper(url, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
    done = subprocess.run(run, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "第 2 条" in done.stderr


def test_concurrent_appenders_keep_one_chain(pg_url: str) -> None:
    import threading

    upgrade(pg_url)
    with engine_for(pg_url).begin() as connection:
        connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"))
        connection.execute(text("DELETE FROM audit_log"))
        connection.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change"))
    errors: list[Exception] = []

    def writer(n: int) -> None:
        try:
            for i in range(10):
                with session_scope(pg_url) as session:
                    append(session, f"w{n}", "test.append", f"item:{n}:{i}", {})
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with session_scope(pg_url) as session:
        result = verify(session)
    assert result.ok and result.entries == 80
