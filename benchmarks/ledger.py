"""Monthly payment run on PostgreSQL: 100,000 active schedules, with a projection to 1,000,000.

python -m benchmarks.ledger [--schedules 100000] [--history 60] [--departures]

Starts its own throwaway PostgreSQL cluster (as the tests do), loads schedules of 60 monthly
lines (earlier periods already paid, one line due this month), a month of social-insurance
contributions (about 2% missing, 1% with another employer), departures for 0.5% and county
schedules in a 就高 group for 1%, then times each step of the cycle: the run (select + batch), the
second officer's approval, the bank file and the bank's confirmations. The floor in the same
process is reading the due lines and writing one row per line with COPY; the projection fits a
line through a run at a fifth of the size and the full run.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from sqlalchemy import create_engine, select, text

from rencai.db.session import engine_for, session_scope, upgrade
from rencai.ledger.bank import decide_batch, import_confirmations, write_bank_file
from rencai.ledger.models import Payment
from rencai.ledger.runs import run_month
from rencai.ledger.schedules import add_months
from rencai.registry.accounts import create_account
from rencai.registry.identifiers import id_check_character, uscc_check_character
from rencai.registry.models import Account, Role

MONTH = dt.date(2026, 10, 1)
PATHS = {
    "b_card.rent_subsidy.doctorate": 300000,
    "b_card.rent_subsidy.master": 150000,
    "b_card.rent_subsidy.bachelor": 100000,
}


def _id(n: int) -> str:
    first17 = f"{130000 + n // 1000:06d}{1980 + n % 20}0101{n % 1000:03d}"  # unique per n
    return first17 + id_check_character(first17)


def _uscc(n: int) -> str:
    first17 = f"91130100MA0{n:06d}"
    return first17 + uscc_check_character(first17)


def _copy(url: str, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    engine = engine_for(url)
    raw = engine.raw_connection()
    try:
        cursor = raw.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        raw.commit()
    finally:
        raw.close()


def populate(url: str, schedules: int, history: int) -> None:
    """Bulk-load the world with COPY (the setup is not what is measured)."""
    rng = random.Random(7)
    now = dt.datetime.now(dt.UTC)
    people = [_id(n) for n in range(schedules)]
    county_pairs = set(rng.sample(range(schedules), schedules // 100))
    rows, lines = [], []
    sid = 0
    for n, person in enumerate(people):
        programs = [("sjz.b.rent_subsidy", "city", "month")]
        if n in county_pairs:
            programs.append(("sjz.county.rent_subsidy", "county", "year"))
        for program, level, per in programs:
            sid += 1
            path = (
                list(PATHS)[n % 3]
                if per == "month"
                else "county_card.rent_subsidy.higher.main_urban"
            )
            elapsed = rng.randrange(history) if per == "month" else 0
            start = add_months(MONTH, -elapsed)
            periods = 60 if per == "month" else 5
            rows.append(
                (
                    sid,
                    None,
                    None,
                    person,
                    f"人才{n}",
                    program,
                    "房租补助",
                    "shijiazhuang",
                    "130102",
                    level,
                    per,
                    path,
                    periods,
                    start,
                    "{}",
                    "[]",
                    _uscc(n % 5000),
                    None,
                    "active",
                    None,
                    now,
                )
            )
            amount = PATHS.get(path, 500000)
            for seq in range(1, (history if per == "month" else periods) + 1):
                period = add_months(start, (seq - 1) * (1 if per == "month" else 12))
                status = "paid" if period < MONTH else "planned"
                if per == "year":
                    status = "planned"
                lines.append((sid, seq, period, amount, "{}", status, None))
    _copy(
        url,
        "ledger_schedules",
        [
            "id",
            "application_id",
            "talent_id",
            "id_number",
            "payee_name",
            "program",
            "program_name",
            "jurisdiction",
            "county",
            "level",
            "per",
            "parameter_path",
            "periods",
            "start_period",
            "citation",
            "conditions",
            "employer_uscc",
            "pending_employer",
            "status",
            "stop_reason",
            "created_at",
        ],
        rows,
    )
    _copy(
        url,
        "ledger_lines",
        ["schedule_id", "seq", "period", "amount_fen", "citation", "status", "reason"],
        lines,
    )
    _copy(
        url,
        "ledger_payees",
        ["id_number", "account_name", "account_no", "bank_name", "updated_at"],
        [(p, f"人才{n}", f"6222{n:016d}", "工商银行", now) for n, p in enumerate(people)],
    )
    with session_scope(url) as session:
        load_id = session.execute(
            text(
                "INSERT INTO feed_loads (kind, source_name, sha256, rows_total, rows_loaded, "
                "rows_rejected, loaded_by, loaded_at) "
                "VALUES ('contributions', 'bench', 'x', 0, 0, 0, 'bench', now()) RETURNING id"
            )
        ).scalar_one()
        create_account(session, "bench_runner", "password123", "财务甲", Role.finance)
        create_account(session, "bench_approver", "password123", "财务乙", Role.finance)
    contributions = []
    for n, person in enumerate(people):
        draw = rng.random()
        if draw < 0.02:
            continue  # no contribution this month: the line lapses
        employer = _uscc(n % 5000) if draw > 0.03 else _uscc(9000 + n % 100)
        contributions.append((person, employer, MONTH, "shijiazhuang", load_id))
    _copy(
        url,
        "feed_contributions",
        ["id_number", "employer_uscc", "month", "city", "load_id"],
        contributions,
    )
    movers = rng.sample(people, schedules // 200)
    _copy(
        url,
        "feed_departures",
        ["id_number", "kind", "occurred_on", "city", "employer_uscc", "load_id"],
        [
            (p, "moved_away", MONTH - dt.timedelta(days=20), "shijiazhuang", None, load_id)
            for p in movers
        ],
    )
    with engine_for(url).connect() as connection:
        connection.execute(text("ANALYZE"))
        # the setup's gigabytes are flushed now, not by a checkpoint in the middle of what is
        # measured (the floor and the run alike; decision 0256)
        connection.execute(text("CHECKPOINT"))
        connection.commit()


def floor(url: str) -> float:
    """Reading the due lines and writing one row per line: the I/O any run must do. The due
    lines are read as the schema offers them, through the open lines and their period index
    (decision 0271): by the status alone, with no index on it, the floor would scan every line
    and grow slower than the layout makes a run's reading, which would flatter the ratio."""
    start = time.perf_counter()
    with engine_for(url).connect() as connection:
        due = connection.execute(
            text(
                "SELECT l.id, s.id_number, l.amount_fen FROM ledger_open_lines o "
                "JOIN ledger_lines l ON l.id = o.line_id "
                "JOIN ledger_schedules s ON s.id = l.schedule_id "
                "WHERE o.period <= :m AND l.status = 'planned'"
            ),
            {"m": MONTH},
        ).all()
        connection.execute(
            text("CREATE TEMP TABLE floor_rows (line_id int, id_number text, amount bigint)")
        )
        raw = connection.connection.driver_connection
        with raw.cursor().copy("COPY floor_rows FROM STDIN") as copy:  # type: ignore[union-attr]
            for row in due:
                copy.write_row(tuple(row))
        connection.commit()
    return time.perf_counter() - start


def cycle(url: str, files: Path) -> dict[str, float | int | str]:
    figures: dict[str, float | int | str] = {}
    lsn = "SELECT pg_current_wal_lsn()"
    with engine_for(url).connect() as connection:
        wal_before = connection.execute(text(lsn)).scalar()
    start, cpu = time.perf_counter(), time.process_time()
    summary = run_month(url, "shijiazhuang", MONTH, "bench_runner")
    figures["run"] = time.perf_counter() - start
    figures["run_cpu"] = time.process_time() - cpu  # this process's CPU (the server's is apart)
    with engine_for(url).connect() as connection:
        wal = connection.execute(text(f"SELECT pg_wal_lsn_diff(({lsn}), '{wal_before}')"))
        figures["run_wal_mb"] = int(wal.scalar_one()) / 1e6
    figures["decisions"] = json.dumps(summary.decisions)
    assert summary.batch_id is not None
    start = time.perf_counter()
    with session_scope(url) as session:
        approver = session.scalar(select(Account).where(Account.username == "bench_approver"))
        assert approver is not None
        decide_batch(session, summary.batch_id, approver, "approve")
    figures["approve"] = time.perf_counter() - start
    start = time.perf_counter()
    write_bank_file(url, summary.batch_id, files, "bench_runner")
    figures["bank_file"] = time.perf_counter() - start
    with session_scope(url) as session:
        payments = session.execute(
            select(Payment.reference, Payment.account_no, Payment.amount_fen).where(
                Payment.batch_id == summary.batch_id
            )
        ).all()
    confirmation = files / "confirm.csv"
    with confirmation.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["付款参考号", "收款账号", "金额（元）", "结果", "原因"])
        for reference, account, amount in payments:
            writer.writerow([reference, account, f"{amount // 100}.{amount % 100:02d}", "成功", ""])
    start = time.perf_counter()
    report = import_confirmations(url, confirmation, "bench_runner")
    figures["confirmations"] = time.perf_counter() - start
    assert not report["problems"]
    figures["payments"] = len(payments)
    return figures


def measure(admin_url: str, schedules: int, history: int, files: Path) -> dict[str, Any]:
    name = f"bench_{schedules}"
    with create_engine(admin_url, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    upgrade(url)
    start = time.perf_counter()
    populate(url, schedules, history)
    setup = time.perf_counter() - start
    base = floor(url)
    figures = cycle(url, files / name)
    engine_for(url).dispose()
    return {"schedules": schedules, "setup": setup, "floor": base, **figures}


# What docs/deploy.md recommends for a production server (§1), where PostgreSQL's defaults are
# sized for a laptop: the floor and the run are both measured with them (decisions 0256, 0264).
# shared_buffers is 25% of the machine's memory, as §1 says (it needs a restart).
PRODUCTION_SETTINGS = {
    "max_wal_size": "4GB",
    "checkpoint_timeout": "15min",
    "shared_buffers": f"{os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') // 4 // 2**20}MB",
}


def server_settings(admin_url: str) -> None:
    from tests.support import _pg_bin

    with create_engine(admin_url, isolation_level="AUTOCOMMIT").connect() as connection:
        for name, value in PRODUCTION_SETTINGS.items():
            connection.execute(text(f"ALTER SYSTEM SET {name} = '{value}'"))
        data = connection.execute(text("SHOW data_directory")).scalar_one()
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    log = Path(data).parent / "restart.log"
    subprocess.run(  # shared_buffers takes effect at a restart (same port and options)
        [*prefix, _pg_bin("pg_ctl"), "-D", data, "-l", str(log), "-w", "-m", "fast", "restart"],
        check=True,
        capture_output=True,
    )


def departures(admin_url: str, schedules: int, history: int) -> None:
    """The run's departures step alone, set-based and through the ORM (the reference), in turn
    on copies of one populated database (decision 0270)."""
    from rencai.ledger import runs
    from rencai.ledger.models import Run
    from rencai.ledger.recovery import bulk_reads

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("CREATE DATABASE bench_departures"))
    base = admin_url.rsplit("/", 1)[0] + "/bench_departures"
    upgrade(base)
    populate(base, schedules, history)
    engine_for(base).dispose()
    print(f"the run's departures step alone, {schedules:,} schedules ({history} lines each)")
    for n, mode in enumerate(("orm", "sql", "orm", "sql")):
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE bench_dep_{n} TEMPLATE bench_departures"))
            connection.execute(text("CHECKPOINT"))
        url = admin_url.rsplit("/", 1)[0] + f"/bench_dep_{n}"
        run = Run(id="0" * 32, jurisdiction="shijiazhuang", month=MONTH, started_by="bench_runner")
        start, cpu = time.perf_counter(), time.process_time()
        with session_scope(url) as session, bulk_reads(session):
            runs._apply_departures(session, run, in_sql=mode == "sql")
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        with engine_for(url).connect() as connection:
            stops = connection.execute(
                text("SELECT count(*) FROM ledger_journal WHERE kind = 'stopped'")
            ).scalar_one()
        engine_for(url).dispose()
        print(f"  {mode}: {wall:.2f} s, CPU in this process {cpu:.2f} s, line stops {stops:,}")
    admin.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--schedules", type=int, default=100_000)
    parser.add_argument("--history", type=int, default=60, help="lines per schedule")
    parser.add_argument(
        "--departures",
        action="store_true",
        help="time only the run's departures step, set-based against the ORM path",
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.support import postgres_cluster

    if args.departures:
        with postgres_cluster() as admin_url:
            server_settings(admin_url)
            departures(admin_url, args.schedules, args.history)
        return

    steps = ("run", "approve", "bank_file", "confirmations")
    with postgres_cluster() as admin_url, TemporaryDirectory() as tmp:
        server_settings(admin_url)
        results = [
            measure(admin_url, size, args.history, Path(tmp))
            for size in (args.schedules // 5, args.schedules)
        ]
    print(f"ledger monthly cycle on PostgreSQL ({args.history} lines per schedule, one due)")
    print(
        "  server: fsync=off (the tests' cluster), "
        + ", ".join(f"{k}={v}" for k, v in PRODUCTION_SETTINGS.items())
        + " (docs/deploy.md); the floor and the run alike"
    )
    for r in results:
        total = sum(float(r[s]) for s in steps)
        print(
            f"  {r['schedules']:>9,} schedules: setup {r['setup']:.1f} s (not measured); "
            f"decisions {r['decisions']}; payments {r['payments']:,}"
        )
        print(
            "    "
            + "  ".join(f"{s} {float(r[s]):.2f} s" for s in steps)
            + f"  | cycle {total:.2f} s = {r['schedules'] / total:,.0f} schedules/s"
        )
        print(
            f"    floor (read due lines + COPY one row each): {r['floor']:.2f} s; "
            f"run / floor = {float(r['run']) / r['floor']:.1f}x; "
            f"run CPU in this process {float(r['run_cpu']):.2f} s; "
            f"run WAL {float(r['run_wal_mb']):.0f} MB"
        )
    small, large = results
    print("  projection to 1,000,000 schedules (linear fit through both sizes):")
    for step in (*steps, "total"):
        y1 = sum(float(small[s]) for s in steps) if step == "total" else float(small[step])
        y2 = sum(float(large[s]) for s in steps) if step == "total" else float(large[step])
        slope = (y2 - y1) / (large["schedules"] - small["schedules"])
        print(f"    {step:<14} {y2 + slope * (1_000_000 - large['schedules']):8.1f} s")


if __name__ == "__main__":
    main()
