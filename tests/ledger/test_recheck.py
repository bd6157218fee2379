"""The PostgreSQL run reads the due lines without locking them and locks each as it writes it,
re-checking that it is still as read (decision 0263): a due line another transaction changed
in between is never overwritten — the attempt stops and writes nothing; the run decides every
line once more as it now is, and if a line changed again it is refused (decision 0273)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from benchmarks.ledger import MONTH, populate
from sqlalchemy import text

from rencai.db.session import engine_for
from rencai.ledger import runs
from rencai.ledger.errors import LedgerError


@pytest.fixture
def stop_lines_meanwhile(db_url: str) -> Iterator[tuple[list[int], list[int]]]:
    """Between the run's decisions and its writes, another transaction stops one due line, at
    most ``times[0]`` times (one line per attempt of the run); yields (times, lines stopped)."""
    times, stopped = [1], []

    def hook(name: str) -> None:
        if name != "decided" or len(stopped) >= times[0]:
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
        yield times, stopped
    finally:
        runs._checkpoint_hooks.remove(hook)


def _line(url: str, line: int) -> tuple[str, str, int]:
    """The line's status and reason, and how many run items decided it."""
    with engine_for(url).connect() as connection:
        status, reason = connection.execute(
            text("SELECT status, reason FROM ledger_lines WHERE id = :i"), {"i": line}
        ).one()
        items = connection.execute(
            text("SELECT count(*) FROM ledger_run_items WHERE line_id = :i"), {"i": line}
        ).scalar_one()
    return status, reason, int(items)


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


def test_a_line_changed_during_the_run_is_decided_again_as_it_now_is(
    db_url: str, stop_lines_meanwhile: tuple[list[int], list[int]]
) -> None:
    """The first attempt is refused and writes nothing; the run decides every line once more,
    at once, and the changed line is left as the other transaction left it (decision 0273)."""
    populate(db_url, 40, 12)
    summary = runs.run_month(db_url, "shijiazhuang", MONTH, "bench_runner")
    _, [line] = stop_lines_meanwhile
    assert summary.batch_id is not None and sum(summary.decisions.values()) >= 39
    assert _line(db_url, line) == ("stopped", "迁出本市", 0)
    with engine_for(db_url).connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM ledger_runs")).scalar_one() == 1
        assert connection.execute(text("SELECT count(*) FROM ledger_batches")).scalar_one() == 1


def test_a_line_changed_during_both_attempts_is_not_overwritten(
    db_url: str, stop_lines_meanwhile: tuple[list[int], list[int]]
) -> None:
    times, stopped = stop_lines_meanwhile
    times[0] = 2  # the second attempt too finds a line changed since it read it
    populate(db_url, 40, 12)
    with pytest.raises(LedgerError) as refused:
        runs.run_month(db_url, "shijiazhuang", MONTH, "bench_runner")
    assert refused.value.code == "lines_changed"
    assert "本次未执行" in refused.value.message
    assert _counts(db_url) == (0, 0, 0, 0, 0)  # nothing of the run was written
    assert len(stopped) == 2
    for line in stopped:
        assert _line(db_url, line) == ("stopped", "迁出本市", 0)
    with engine_for(db_url).connect() as connection:
        step = connection.execute(text("SELECT step FROM ledger_runs")).scalar_one()
    assert step == "created"
    summary = runs.run_month(db_url, "shijiazhuang", MONTH, "bench_runner")  # run again
    assert summary.batch_id is not None and sum(summary.decisions.values()) >= 38
    for line in stopped:
        assert _line(db_url, line) == ("stopped", "迁出本市", 0)
