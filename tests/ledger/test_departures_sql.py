"""Departures applied in SQL write exactly the rows the ORM path writes (decision 0270).

One small world (the benchmark's) gets departures of every shape the run meets: a person who
moved away with periods already paid after the move (and unpaid lines in several states: planned,
held, failed, returned stop; one in a batch, one lapsed and those up to the move stay), a person
in a 就高 group (a city and a county schedule), one whose county schedule is already stopped, a
person who left, came back with a new schedule and leaves again (the old schedule, stopped by a
departure applied before, is not stopped twice, but an employment ended reaches it), a person who
left twice in one feed, an employment ended with periods paid after it, a departure applied
already and one of another city. The world is copied; the departures are applied on one copy in
SQL and on the other through the ORM; every line, schedule, receivable, journal entry (ids
included) and applied event must be the same.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from benchmarks.ledger import MONTH, populate
from sqlalchemy import text

from rencai import clock
from rencai.db.session import engine_for, session_scope
from rencai.ledger import runs
from rencai.ledger.models import Run
from rencai.ledger.recovery import bulk_reads
from tests.ledger.copies import database_copy, snapshot

AT = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
RUN_ID = "0270" * 8

SNAPSHOT = {
    "lines": "SELECT id, schedule_id, seq, period, amount_fen, citation, status, reason "
    "FROM ledger_lines ORDER BY id",
    "schedules": "SELECT * FROM ledger_schedules ORDER BY id",
    "receivables": "SELECT * FROM ledger_receivables ORDER BY id",
    "journal": "SELECT * FROM ledger_journal ORDER BY id",
    "applied": "SELECT * FROM ledger_applied_events ORDER BY event",
}


def _world(url: str, basis: str | None) -> dict[str, int]:
    """The benchmark's world at a small size, with the departures above; returns the schedules
    of the cases by name."""
    populate(url, 200, 24)
    with engine_for(url).begin() as c:

        def one(query: str, **params: Any) -> Any:
            return c.execute(text(query), params).scalar_one()

        load = one("SELECT min(id) FROM feed_loads")
        movers = set(c.execute(text("SELECT id_number FROM feed_departures")).scalars())
        singles = [  # city schedules of people with one schedule, paid from 2025-06 to 2026-09
            (sid, person)
            for sid, person in c.execute(
                text(
                    "SELECT id, id_number FROM ledger_schedules s WHERE per = 'month' "
                    "AND start_period BETWEEN '2025-06-01' AND '2026-04-01' AND NOT EXISTS "
                    "(SELECT 1 FROM ledger_schedules o WHERE o.id_number = s.id_number "
                    "AND o.id <> s.id) ORDER BY id"
                )
            )
            if person not in movers
        ]
        pairs = [
            tuple(row)
            for row in c.execute(
                text(
                    "SELECT min(id), max(id), id_number FROM ledger_schedules "
                    "GROUP BY id_number HAVING count(*) = 2 ORDER BY 1"
                )
            )
        ]
        assert len(singles) >= 5 and len(pairs) >= 2
        cases = {
            "paid_after": singles[0][0],
            "ended": singles[1][0],
            "returned": singles[2][0],
            "twice": singles[3][0],
            "applied": singles[4][0],
            "pair_city": pairs[0][0],
            "pair_county": pairs[0][1],
            "stopped_county": pairs[1][1],
        }
        person = {
            name: one("SELECT id_number FROM ledger_schedules WHERE id = :s", s=sid)
            for name, sid in cases.items()
        }
        # unpaid lines of several states after the move; one in a batch, one lapsed
        planned = list(
            c.execute(
                text(
                    "SELECT id FROM ledger_lines WHERE schedule_id = :s AND status = 'planned' "
                    "ORDER BY seq"
                ),
                {"s": cases["paid_after"]},
            ).scalars()
        )
        assert len(planned) >= 6
        states = ("held", "failed", "returned", "batched", "lapsed")
        for line, status in zip(planned, states, strict=False):
            c.execute(
                text("UPDATE ledger_lines SET status = :st, reason = '测试' WHERE id = :l"),
                {"l": line, "st": status},
            )
        # a county schedule already stopped (a 就高 loser of an earlier run)
        c.execute(
            text(
                "UPDATE ledger_schedules SET status = 'stopped', stop_reason = '就高', "
                "stopped_after = '2026-09-01' WHERE id = :s"
            ),
            {"s": cases["stopped_county"]},
        )
        c.execute(
            text("UPDATE ledger_lines SET status = 'excluded' WHERE schedule_id = :s"),
            {"s": cases["stopped_county"]},
        )
        # left in 2025 (applied by an earlier run), came back with a new schedule from 2026-08
        old = cases["returned"]
        c.execute(
            text(
                "UPDATE ledger_schedules SET status = 'stopped', stop_reason = '迁出', "
                "stopped_after = '2026-04-01' WHERE id = :s"
            ),
            {"s": old},
        )
        c.execute(
            text(
                "UPDATE ledger_lines SET status = 'stopped' WHERE schedule_id = :s "
                "AND period > '2026-04-01'"
            ),
            {"s": old},
        )
        new = one("SELECT max(id) + 1 FROM ledger_schedules")
        c.execute(
            text(
                "INSERT INTO ledger_schedules (id, id_number, payee_name, program, program_name, "
                "jurisdiction, county, level, per, parameter_path, periods, start_period, "
                "citation, conditions, employer_uscc, status, created_at) SELECT :n, id_number, "
                "payee_name, program, program_name, jurisdiction, county, level, per, "
                "parameter_path, periods, '2026-08-01', citation, conditions, employer_uscc, "
                "'active', created_at FROM ledger_schedules WHERE id = :s"
            ),
            {"n": new, "s": old},
        )
        c.execute(
            text(
                "INSERT INTO ledger_lines (schedule_id, seq, period, amount_fen, citation, "
                "status) SELECT :n, g, make_date(2026, 7, 1) + make_interval(months => g), "
                "150000, '{}', CASE WHEN g <= 2 THEN 'paid' ELSE 'planned' END "
                "FROM generate_series(1, 12) AS g"
            ),
            {"n": new},
        )
        cases["returned_new"] = new
        departures = [
            ("paid_after", "moved_away", "2026-06-10"),
            ("ended", "employment_ended", "2026-07-31"),
            ("pair_city", "moved_away", "2026-09-11"),
            ("stopped_county", "moved_away", "2026-09-12"),
            ("returned", "moved_away", "2026-04-20"),  # the earlier departure, applied
            ("returned", "employment_ended", "2026-08-31"),
            ("returned", "moved_away", "2026-09-15"),
            ("twice", "moved_away", "2026-05-02"),
            ("twice", "moved_away", "2026-08-02"),
            ("applied", "moved_away", "2026-07-01"),
        ]
        for name, kind, on in departures:
            did = one(
                "INSERT INTO feed_departures (id_number, kind, occurred_on, city, load_id) "
                "VALUES (:p, :k, :o, 'shijiazhuang', :l) RETURNING id",
                p=person[name],
                k=kind,
                o=dt.date.fromisoformat(on),
                l=load,
            )
            if on in ("2026-04-20", "2026-07-01"):
                c.execute(
                    text("INSERT INTO ledger_applied_events VALUES (:e, 'earlier', :at)"),
                    {"e": f"departure:{did}", "at": AT - dt.timedelta(days=60)},
                )
        c.execute(  # another city's departure is not this city's to apply
            text(
                "INSERT INTO feed_departures (id_number, kind, occurred_on, city, load_id) "
                "VALUES (:p, 'moved_away', '2026-09-01', 'jinzhou', :l)"
            ),
            {"p": person["ended"], "l": load},
        )
        if basis is not None:
            c.execute(
                text(
                    "INSERT INTO ledger_settings VALUES ('clawback_basis.moved_away', :v, "
                    "'admin', :at)"
                ),
                {"v": basis, "at": AT},
            )
    return cases


def _apply(url: str, *, in_sql: bool) -> None:
    run = Run(id=RUN_ID, jurisdiction="shijiazhuang", month=MONTH, started_by="bench_runner")
    with clock.frozen(AT), session_scope(url) as session, bulk_reads(session):
        runs._apply_departures(session, run, in_sql=in_sql)


@pytest.mark.parametrize("basis", [None, "all", "unserved"])
def test_departures_in_sql_write_what_the_orm_path_writes(
    pg_url: str, db_url: str, basis: str | None
) -> None:
    cases = _world(db_url, basis)
    other = database_copy(pg_url, db_url)
    try:
        _apply(db_url, in_sql=True)
        _apply(other, in_sql=False)
        new, old = snapshot(db_url, SNAPSHOT), snapshot(other, SNAPSHOT)
    finally:
        engine_for(other).dispose()
    for name in SNAPSHOT:
        assert new[name] == old[name], name
    # and what they say is what a departure means
    with engine_for(db_url).connect() as c:
        status = dict(c.execute(text("SELECT id, status FROM ledger_schedules")).all())
        stopped_lines = {
            (sid, st)
            for sid, st in c.execute(
                text(
                    "SELECT l.schedule_id, l.status FROM ledger_lines l JOIN ledger_journal j "
                    "ON j.line_id = l.id AND j.kind = 'stopped'"
                )
            )
        }
        left = dict(
            c.execute(
                text(
                    "SELECT status, count(*) FROM ledger_lines WHERE schedule_id = :s "
                    "AND period > '2026-06-01' GROUP BY status"
                ),
                {"s": cases["paid_after"]},
            ).all()
        )
        receivables = {
            (sid, kind, reason): (amount, st)
            for sid, kind, reason, amount, st in c.execute(
                text(
                    "SELECT schedule_id, split_part(event, ':', 3), kind, amount_fen, status "
                    "FROM ledger_receivables"
                )
            )
        }
        paid_after = c.execute(
            text(
                "SELECT sum(amount_fen) FROM ledger_lines WHERE schedule_id = :s "
                "AND status = 'paid' AND period > '2026-06-01'"
            ),
            {"s": cases["paid_after"]},
        ).scalar_one()
        applied = c.execute(
            text("SELECT count(*) FROM ledger_applied_events WHERE run_id = :r"), {"r": RUN_ID}
        ).scalar_one()
    for name in ("paid_after", "pair_city", "pair_county", "returned_new", "twice"):
        assert status[cases[name]] == "stopped", name
        assert (cases[name], "stopped") in stopped_lines, name
    assert status[cases["ended"]] == "active"
    assert not any(sid == cases["stopped_county"] for sid, _ in stopped_lines)
    assert not any(sid == cases["returned"] for sid, _ in stopped_lines)
    # paid July to September after a move in June; the batched and lapsed lines stay
    assert left["paid"] == 3 and left["batched"] == 1 and left["lapsed"] == 1
    assert set(left) == {"paid", "batched", "lapsed", "stopped"}
    assert receivables[(cases["paid_after"], "after", "clawback")] == (paid_after, "open")
    served = receivables[(cases["paid_after"], "served", "clawback")]
    assert (
        served[1] == {None: "awaiting_administrator", "all": "open", "unserved": "settled"}[basis]
    )
    assert (cases["ended"], "after", "overpayment") in receivables
    assert (cases["returned_new"], "after", "overpayment") in receivables
    assert (cases["returned_new"], "served", "clawback") in receivables
    # every departure of the city once: the two applied before and the other city's are not
    assert applied == 9
