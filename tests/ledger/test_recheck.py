"""The PostgreSQL run reads the due lines without locking them and locks each as it writes it,
re-checking that it is still as read (decision 0263): a due line another transaction changed
in between is never overwritten — the run stops, writes nothing, and the next run decides the
line as it now is."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from benchmarks.ledger import MONTH, populate
from sqlalchemy import text

from rencai.db.session import engine_for
from rencai.ledger import runs
from rencai.ledger.errors import LedgerError


@pytest.fixture
def stop_one_line_meanwhile(db_url: str) -> Iterator[list[int]]:
    """Between the run's decisions and its writes, another transaction stops one due line."""
    stopped: list[int] = []

    def hook(name: str) -> None:
        if name != "decided" or stopped:
            return
        with engine_for(db_url).begin() as connection:
            line = connection.execute(
                text(
                    "UPDATE ledger_lines SET status = 'stopped', reason = '迁出本市' WHERE id = "
                    "(SELECT min(id) FROM ledger_lines WHERE status = 'planned' "
                    "AND period <= :m) RETURNING id"
                ),
                {"m": MONTH},
            ).scalar_one()
        stopped.append(int(line))

    runs.on_checkpoint(hook)
    try:
        yield stopped
    finally:
        runs._checkpoint_hooks.remove(hook)


def _counts(url: str) -> tuple[int, ...]:
    with engine_for(url).connect() as connection:
        return tuple(
            int(connection.execute(text(q)).scalar_one())
            for q in (
                "SELECT count(*) FROM ledger_run_items",
                "SELECT count(*) FROM ledger_payments",
                "SELECT count(*) FROM ledger_batches",
                "SELECT count(*) FROM ledger_lines WHERE status IN ('batched', 'held', 'lapsed')",
                "SELECT count(*) FROM ledger_journal WHERE run_id IS NOT NULL",
            )
        )


def test_a_line_changed_during_the_run_is_not_overwritten(
    db_url: str, stop_one_line_meanwhile: list[int]
) -> None:
    populate(db_url, 40, 12)
    with pytest.raises(LedgerError) as refused:
        runs.run_month(db_url, "shijiazhuang", MONTH, "bench_runner")
    assert refused.value.code == "lines_changed"
    assert "本次未执行" in refused.value.message
    assert _counts(db_url) == (0, 0, 0, 0, 0)  # nothing of the run was written
    [line] = stop_one_line_meanwhile
    with engine_for(db_url).connect() as connection:
        assert connection.execute(
            text("SELECT status, reason FROM ledger_lines WHERE id = :i"), {"i": line}
        ).one() == ("stopped", "迁出本市")
        step = connection.execute(text("SELECT step FROM ledger_runs")).scalar_one()
    assert step == "created"
    summary = runs.run_month(db_url, "shijiazhuang", MONTH, "bench_runner")  # run again
    assert summary.batch_id is not None and sum(summary.decisions.values()) >= 39
    with engine_for(db_url).connect() as connection:
        assert (
            connection.execute(
                text("SELECT count(*) FROM ledger_run_items WHERE line_id = :i"), {"i": line}
            ).scalar_one()
            == 0
        )
        assert (
            connection.execute(
                text("SELECT status FROM ledger_lines WHERE id = :i"), {"i": line}
            ).scalar_one()
            == "stopped"
        )
