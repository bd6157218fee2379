"""Statistics overview on PostgreSQL: the p95 of each query the leadership overview runs.

python -m benchmarks.stats [--talents 100000] [--uses 1000000] [--repeat 7] [--keep DIR]
python -m benchmarks.stats --full --keep /var/tmp/rencai-stats  # 1,000,000 talents, 10 M uses

Starts its own PostgreSQL cluster (as the tests do; with ``--keep DIR`` the cluster lives in DIR
and a database filled at the same sizes and schema is reused by the next run), fills it inside
the server (generate_series with deterministic draws: see ``fill_statements``; the bulk
tables' constraints and indexes are built after the load), runs the nightly roll-ups (card
uses, decision 0180; card states, decision 0238), ANALYZEs, records a day's card steps after
the roll-ups, then times each figure the overview (/stats) computes, as the page asks for it
(suppression included; one untimed warm-up call each, as in a running server), beside a
baseline in the same run: `SELECT count(*)` over the card uses (a scan the size of the data),
and for the figures on the state rollups, one run of the events' query (decision 0239).
Goal: p95 ≤ 100 ms per query at the full size.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from rencai.analytics import rollups, snapshots
from rencai.db.session import engine_for, head_revision, session_scope, upgrade

COUNTIES = ["130102", "130104", "130105", "130108", "130110", "130109", "130123", "130183"]
# the city's districts hold most talents: a county drawn by weight
COUNTY_WEIGHTS = [5, 4, 3, 3, 2, 2, 1, 1]
INDUSTRIES = ["biomedicine", "electronic_information", "advanced_equipment", "modern_food"]
INDUSTRIES += ["commerce_logistics"]
OVERVIEW = [
    ("talents", {"by": "county"}),
    ("active_cards", {"by": "tier"}),
    ("card_changes", {"months": "24"}),
    ("card_uses", {"by": "month", "months": "12"}),
    ("talents", {"by": "industry"}),
    ("money", {"by": "year"}),
    ("flows", {"by": "county"}),
]
# loaded in bulk: their foreign keys, unique constraints (but the primary key) and indexes are
# dropped before the load and built again after it (much faster than row by row)
BULK_TABLES = [
    "accounts",
    "talent_profiles",
    "applications",
    "application_actions",
    "cards",
    "card_events",
    "card_uses",
]


def _weighted(values: list[str], weights: list[int]) -> str:
    """A SQL array in which each value appears ``weight`` times (index it with a draw)."""
    items = [f"'{v}'" for v, w in zip(values, weights, strict=True) for _ in range(w)]
    return "ARRAY[" + ",".join(items) + "]"


def fill_statements(talents: int, uses: int) -> list[tuple[str, str]]:
    """(what, SQL): everything generated inside the server, deterministic draws from
    ``pg_temp.u(n, salt)`` (a hash of the row number, uniform in [0, 1)).

    Talents: a weighted county (districts first), an employer among 2,869 (a few large ones
    employ many), the main card's tier (A 3 %, B 22 %, C 75 %), issued over two years with more
    recent issues; 10 % hold a 副卡; 6 % moved county (the first card revoked, a county card
    issued where they moved); 3 % suspended (60 % of them resumed a month later), 4 % revoked,
    a fifth of the cards older than a year renewed. Card uses: 12 service points (subway 55 %,
    bus 40 %, scenic 4 %, hospital 1 %), over the last year, frequent riders using more."""
    counties = _weighted(COUNTIES, COUNTY_WEIGHTS)
    n_counties = sum(COUNTY_WEIGHTS)
    industries = "ARRAY[" + ",".join(f"'{i}'" for i in INDUSTRIES) + "]"
    county_of = f"({counties})[1 + floor(pg_temp.u(g, 1) * {n_counties})::int]"
    tier_of = "CASE WHEN pg_temp.u(g, 2) < 0.03 THEN 'A' WHEN pg_temp.u(g, 2) < 0.25 THEN 'B' "
    tier_of += "ELSE 'C' END"
    employer_of = "1 + floor(power(pg_temp.u(g, 3), 2) * 2869)::int"
    issued_of = "now() - interval '1 hour' - "
    issued_of += "(floor(730 * (1 - sqrt(pg_temp.u(g, 4)))) || ' days')::interval"
    points = [
        ("subway", "130102"),
        ("subway", "130104"),
        ("subway", "130105"),
        ("subway", "130108"),
        ("bus", "130102"),
        ("bus", "130104"),
        ("bus", "130105"),
        ("bus", "130110"),
        ("bus", "130123"),
        ("scenic", "130183"),
        ("hospital", "130102"),
        ("hospital", "130104"),
    ]
    kinds = "ARRAY[" + ",".join(f"'{k}'" for k, _ in points) + "]"
    point_counties = "ARRAY[" + ",".join(f"'{c}'" for _, c in points) + "]"
    # a use's point: subway 55 %, bus 40 %, scenic 4 %, hospital 1 %
    point_of = (
        "CASE WHEN pg_temp.u(g, 11) < 0.55 THEN 1 + floor(pg_temp.u(g, 12) * 4)::int "
        "WHEN pg_temp.u(g, 11) < 0.95 THEN 5 + floor(pg_temp.u(g, 12) * 5)::int "
        "WHEN pg_temp.u(g, 11) < 0.99 THEN 10 ELSE 11 + floor(pg_temp.u(g, 12) * 2)::int END"
    )
    rider_of = f"1 + floor(power(pg_temp.u(g, 13), 1.5) * {talents})::bigint"
    return [
        (
            "draw function",
            """CREATE FUNCTION pg_temp.u(bigint, integer) RETURNS double precision
               LANGUAGE sql IMMUTABLE PARALLEL SAFE
               AS 'SELECT (abs(hashint8($1 * 1000 + $2)) % 1000003)::float8 / 1000003'""",
        ),
        (
            "employers",
            f"""INSERT INTO employers (uscc, name, county, employer_type, leading_industry,
                  high_tech, verification_status, created_at)
                SELECT 'E' || lpad(g::text, 17, '0'), '企业' || g, {county_of}, 'enterprise',
                       CASE WHEN g % 3 = 0 THEN NULL ELSE ({industries})[1 + g % 5] END, false,
                       'verified', now()
                FROM generate_series(1, 2869) g""",
        ),
        (
            "accounts",
            f"""INSERT INTO accounts (username, display_name, password_hash, role, active,
                  must_change_password, created_at)
                SELECT 'b' || g, 'b', '!', 'talent', true, false, now()
                FROM generate_series(1, {talents}) g""",
        ),
        (
            "talent profiles",
            f"""INSERT INTO talent_profiles (account_id, name, id_number, profile, version,
                  updated_at, employer_id)
                SELECT g, '人才', lpad(g::text, 18, '0'),
                       '{{"person":{{"birth_date":"19' || (60 + g % 40) || '-03-01",'
                       || '"education":[{{"degree":"'
                       || (ARRAY['doctorate','master','bachelor'])[1 + g % 3]
                       || '"}}]}},"employment":{{"introduced_from":"'
                       || (ARRAY['local','outside_city','abroad'])[1 + g % 3] || '"}}}}',
                       1, now(), {employer_of}
                FROM generate_series(1, {talents}) g""",
        ),
        (
            "applications",
            f"""INSERT INTO applications (talent_id, program, program_name, jurisdiction, county,
                  status, profile_snapshot, rules_version, precheck, idempotency_key,
                  submitted_at, version, employer_id, chain)
                SELECT g, 'card.b', 'B卡', 'shijiazhuang', {county_of}, 'approved', p.profile,
                       'b', '{{}}', 'b' || g, {issued_of} - interval '9 days', 1,
                       p.employer_id, '["county", "city"]'
                FROM generate_series(1, {talents}) g JOIN talent_profiles p ON p.id = g""",
        ),
        (
            "application actions",
            f"""INSERT INTO application_actions (application_id, level, action, at)
                SELECT g, l.level, l.action, {issued_of} - ((9 - 4 * l.n) || ' days')::interval
                FROM generate_series(1, {talents}) g,
                     (VALUES (0, 'applicant', 'submit'), (1, 'county', 'approve'),
                             (2, 'city', 'approve')) AS l(n, level, action)""",
        ),
        (
            "main cards",
            f"""INSERT INTO cards (id, number, program, tier, talent_id, application_id, county,
                  services, benefits, status, status_index, valid_from, issued_at, version)
                SELECT g, 'X' || lpad(g::text, 12, '0'), 'card.b', {tier_of}, g, g, {county_of},
                       '[]', 0, 'active', g, current_date, {issued_of}, 1
                FROM generate_series(1, {talents}) g""",
        ),
        (
            "moved talents' county cards",
            f"""INSERT INTO cards (id, number, program, tier, talent_id, application_id, county,
                  services, benefits, status, status_index, valid_from, issued_at, version)
                SELECT {talents} + g, 'M' || lpad(g::text, 12, '0'), 'card.county', 'C', g, g,
                       ({counties})[1 + floor(pg_temp.u(g, 5) * {n_counties})::int], '[]', 0,
                       'active', {talents} + g, current_date,
                       LEAST(c.issued_at + ((1 + floor((now()::date - c.issued_at::date) *
                       pg_temp.u(g, 6)))::int || ' days')::interval, now() - interval '1 hour'),
                       1
                FROM generate_series(1, {talents}) g JOIN cards c ON c.id = g
                WHERE pg_temp.u(g, 7) < 0.06""",
        ),
        (
            "family cards",
            f"""INSERT INTO cards (id, number, program, tier, main_card_id, talent_id,
                  application_id, county, services, benefits, status, status_index, valid_from,
                  issued_at, version)
                SELECT 2 * {talents} + g, 'F' || lpad(g::text, 12, '0'), 'card.family', 'F', g,
                       g, g, c.county, '[]', 0, 'active', 2 * {talents} + g, current_date,
                       LEAST(c.issued_at + interval '2 days', now() - interval '1 hour'), 1
                FROM generate_series(1, {talents}) g JOIN cards c ON c.id = g
                WHERE pg_temp.u(g, 8) < 0.10""",
        ),
        (
            "card events",
            f"""INSERT INTO card_events (card_id, action, actor, at)
                SELECT card_id, action, 'b', at FROM (
                  SELECT id AS card_id, 'issue' AS action, issued_at AS at FROM cards
                  UNION ALL  -- the card left behind by a move
                  SELECT c.id, 'revoke', m.issued_at FROM cards m JOIN cards c
                    ON c.id = m.talent_id WHERE m.id > {talents} AND m.id <= 2 * {talents}
                  UNION ALL
                  SELECT id, 'suspend', issued_at + interval '40 days' FROM cards
                    WHERE pg_temp.u(id, 9) < 0.03 AND issued_at < now() - interval '41 days'
                  UNION ALL
                  SELECT id, 'resume', issued_at + interval '70 days' FROM cards
                    WHERE pg_temp.u(id, 9) < 0.018 AND issued_at < now() - interval '71 days'
                  UNION ALL
                  SELECT id, 'revoke', issued_at + interval '100 days' FROM cards
                    WHERE pg_temp.u(id, 10) < 0.04 AND issued_at < now() - interval '101 days'
                  UNION ALL
                  SELECT id, 'renew', issued_at + interval '365 days' FROM cards
                    WHERE pg_temp.u(id, 10) > 0.8 AND issued_at < now() - interval '366 days'
                ) AS e ORDER BY at""",
        ),
        ("card ids", "SELECT setval('cards_id_seq', (SELECT max(id) FROM cards))"),
        (
            "service points",
            f"""INSERT INTO accounts (username, display_name, password_hash, role, active,
                  must_change_password, created_at)
                SELECT 'p' || g, 'p', '!', 'service_point', true, false, now()
                FROM generate_series(1, {len(points)}) g;
                INSERT INTO service_points (code, name, kind, county, account_id, active)
                SELECT 'P' || g, '网点' || g, ({kinds})[g], ({point_counties})[g], a.id, true
                FROM generate_series(1, {len(points)}) g
                JOIN accounts a ON a.username = 'p' || g""",
        ),
        (
            "card uses",
            f"""INSERT INTO card_uses (event_id, card_number, point_id, point_kind, at, verdict,
                  offline, uploaded_at)
                SELECT 'u' || g, 'X' || lpad(({rider_of})::text, 12, '0'), sp.id, sp.kind,
                       u.at, 'valid', u.late > 0, u.at + (u.late || ' hours')::interval
                FROM generate_series(1, {uses}) g
                CROSS JOIN LATERAL (SELECT now() - (pg_temp.u(g, 14) * 365 || ' days')::interval
                                    AS at,
                                    CASE WHEN pg_temp.u(g, 15) < 0.02 THEN 30 ELSE 0 END AS late
                                    ) u
                JOIN service_points sp ON sp.code = 'P' || ({point_of})""",
        ),
        ("analyze", "ANALYZE"),
    ]


def _deferred(cursor: Any) -> tuple[list[str], list[str]]:
    """(drop, create) statements for the bulk tables' constraints and indexes (not the primary
    keys), foreign keys dropped first and created last."""
    tables = ",".join(f"'{t}'" for t in BULK_TABLES)
    cursor.execute(
        f"""SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
            FROM pg_constraint c WHERE c.conrelid::regclass::text IN ({tables})
            AND c.contype IN ('f', 'u') ORDER BY c.contype = 'f' DESC, c.conname"""
    )
    constraints = cursor.fetchall()
    cursor.execute(
        f"""SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = 'public' AND i.tablename IN ({tables})
            AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
            ORDER BY i.indexname"""
    )
    indexes = cursor.fetchall()
    drop = [f"ALTER TABLE {t} DROP CONSTRAINT {n}" for t, n, _, _ in constraints]
    drop += [f"DROP INDEX {n}" for n, _ in indexes]
    create = [d for _, d in indexes]
    create += [f"ALTER TABLE {t} ADD CONSTRAINT {n} {d}" for t, n, d, _ in reversed(constraints)]
    return drop, create


def fill(url: str, talents: int, uses: int) -> None:
    """Fill the database inside the server, printing each step's time."""
    engine = create_engine(url)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("SET synchronous_commit = off")
        drop, create = _deferred(cursor)
        for statement in drop:
            cursor.execute(statement)
        steps = fill_statements(talents, uses)
        steps.insert(-1, ("constraints and indexes", ";\n".join(create)))
        for what, statement in steps:
            started = time.perf_counter()
            for part in statement.split(";\n"):
                cursor.execute(part)
            print(f"  fill: {what:<28} {time.perf_counter() - started:6.1f} s", flush=True)
        raw.commit()
    finally:
        raw.close()
        engine.dispose()


def server_cpu(data: Path) -> float:
    """CPU seconds the cluster's processes have used so far (the postmaster, its live backends,
    and the backends that ended)."""
    tick = os.sysconf("SC_CLK_TCK")
    postmaster = int((data / "postmaster.pid").read_text().split()[0])
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if pid == postmaster:
            total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
        elif ppid == postmaster:
            total += int(fields[11]) + int(fields[12])
    return total / tick


DAY_CHANGES = 150  # card steps recorded since the nightly roll-up, read beyond it


def day_changes(url: str, count: int = DAY_CHANGES) -> int:
    """The day's work since the nightly roll-up: ``count`` suspensions and resumptions of random
    cards recorded now, which the figures read beyond the rollups; how many cards and card
    events wait beyond the marks afterwards."""
    with session_scope(url) as session:
        session.execute(
            text(
                """INSERT INTO card_events (card_id, action, actor, at)
                   SELECT c.id, CASE WHEN random() < 0.5 THEN 'suspend' ELSE 'resume' END, 'b',
                          now()
                   FROM (SELECT id FROM cards ORDER BY random() LIMIT :count) c"""
            ),
            {"count": count},
        )
    with session_scope(url) as session:
        return snapshots.waiting(session)


# the figures that read the rollups of decision 0238, also timed once from the events
REFERENCE = {"talents", "active_cards", "card_changes"}


def time_overview(url: str, repeat: int, data: Path) -> dict[str, dict[str, Any]]:
    """Per figure: wall times of each run, client and server CPU seconds per run, and for the
    figures on the state rollups the wall time of one run from the events (the reference)."""
    from rencai import clock
    from rencai.analytics.figures import FIGURES
    from rencai.analytics.service import figure_table

    results: dict[str, dict[str, Any]] = {}
    with session_scope(url) as session:
        for name, options in OVERVIEW:
            key = f"{name}({', '.join(f'{k}={v}' for k, v in options.items())})"
            figure_table(session, None, name, None, dict(options))  # warm-up, not counted
            found: dict[str, Any] = {"wall": []}
            client, server = time.process_time(), server_cpu(data)
            for _ in range(repeat):
                started = time.perf_counter()
                figure_table(session, None, name, None, dict(options))
                found["wall"].append(time.perf_counter() - started)
            found["client_cpu"] = (time.process_time() - client) / repeat
            found["server_cpu"] = (server_cpu(data) - server) / repeat
            if name in REFERENCE:
                typed = {k: int(v) if k == "months" else v for k, v in options.items()}
                started = time.perf_counter()
                FIGURES[name].compute(session, clock.today(), from_rollup=False, **typed)
                found["events"] = time.perf_counter() - started
            results[key] = found
        baseline: list[float] = []
        for _ in range(repeat):
            started = time.perf_counter()
            session.execute(text("SELECT count(*) FROM card_uses")).scalar()
            baseline.append(time.perf_counter() - started)
        results[BASELINE] = {"wall": baseline}
    return results


BASELINE = "baseline: SELECT count(*) FROM card_uses"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(0.95 * (len(ordered) - 1) + 0.5)]


@contextlib.contextmanager
def kept_cluster(directory: Path) -> Iterator[str]:
    """A PostgreSQL cluster whose data stays in ``directory`` between runs (created on the
    first); yields the admin URL. Stopped cleanly (its data flushed) at the end."""
    from tests.support import _pg_bin, free_port

    as_root = os.geteuid() == 0
    prefix: list[str] = ["runuser", "-u", "postgres", "--"] if as_root else []
    directory.mkdir(parents=True, exist_ok=True)
    if as_root:
        shutil.chown(directory, "postgres", "postgres")
    data, port = directory / "data", free_port()

    def run(*args: str) -> None:
        subprocess.run([*prefix, *args], check=True, capture_output=True, text=True)

    if not (data / "PG_VERSION").exists():
        run(_pg_bin("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8")
    options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off"
    run(
        _pg_bin("pg_ctl"),
        "-D",
        str(data),
        "-l",
        str(directory / "log"),
        "-w",
        "-o",
        options,
        "start",
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        run(_pg_bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")


def _database(admin_url: str, name: str, drop: bool) -> str:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if drop:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + name


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--talents", type=int, default=100_000)
    parser.add_argument("--uses", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--full", action="store_true", help="1,000,000 talents, 10,000,000 uses")
    parser.add_argument(
        "--keep",
        type=Path,
        help="keep the filled cluster in this directory and reuse it when run again",
    )
    args = parser.parse_args(argv)
    if args.full:
        args.talents, args.uses = 1_000_000, 10_000_000
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    setup = rolling = rolling_states = -1.0
    rolled = states = 0
    wanted = {"talents": args.talents, "uses": args.uses, "schema": head_revision()}
    directory = args.keep or Path(tempfile.mkdtemp(prefix="rencai-stats-"))
    try:
        with kept_cluster(directory) as admin_url:
            marker = directory / "filled.json"
            name = f"bench_stats_{args.talents}_{args.uses}"
            reuse = marker.exists() and json.loads(marker.read_text()) == (
                wanted | {"database": name}
            )
            if reuse:
                url = admin_url.rsplit("/", 1)[0] + "/" + name
                print(f"reusing the filled database {name} in {directory}", flush=True)
            else:
                marker.unlink(missing_ok=True)
                url = _database(admin_url, name, drop=True)
                upgrade(url)
                started = time.perf_counter()
                fill(url, args.talents, args.uses)
                setup = time.perf_counter() - started
                started = time.perf_counter()
                with session_scope(url) as session:  # the nightly roll-ups (`rencai stats rollup`)
                    rolled = rollups.refresh(session)
                rolling = time.perf_counter() - started
                started = time.perf_counter()
                with session_scope(url) as session:
                    states = snapshots.refresh(session)
                rolling_states = time.perf_counter() - started
                engine = create_engine(url)
                with engine.begin() as connection:
                    connection.execute(text("ANALYZE"))
                engine.dispose()
                engine_for(url).dispose()
                marker.write_text(json.dumps(wanted | {"database": name}))
            waiting = day_changes(url)
            results = time_overview(url, args.repeat, directory / "data")
            engine_for(url).dispose()
    finally:
        if args.keep is None:
            shutil.rmtree(directory, ignore_errors=True)
    baseline = p95(results.pop(BASELINE)["wall"])
    print(
        f"statistics overview on PostgreSQL: {args.talents:,} talents, {args.uses:,} card uses; "
        f"{args.repeat} runs per query"
    )
    if setup >= 0:
        print(f"  fill: {setup:.0f} s (not measured below)")
        print(f"  nightly roll-up of {rolled:,} card uses: {rolling:.1f} s (not measured below)")
        print(
            f"  nightly roll-up of the card states of {states:,} talents: "
            f"{rolling_states:.1f} s (not measured below)"
        )
    print(
        f"  the day's work: {DAY_CHANGES} card steps recorded after the roll-up; {waiting} cards "
        f"and card events beyond the marks, read from the events (a reader rolls them up past "
        f"{snapshots.REFRESH_AFTER})"
    )
    print(f"  baseline SELECT count(*) FROM card_uses: p95 {baseline * 1000:.0f} ms")
    for key, found in results.items():
        values = found["wall"]
        line = (
            f"  {key:<32} median {statistics.median(values) * 1000:5.0f} ms  "
            f"p95 {p95(values) * 1000:5.0f} ms ({p95(values) / baseline:.2f}x baseline); "
            f"CPU per run {found['client_cpu'] * 1000:.0f} ms client + "
            f"{found['server_cpu'] * 1000:.0f} ms server"
        )
        if "events" in found:
            line += (
                f"; from the events {found['events'] * 1000:.0f} ms "
                f"({found['events'] / p95(values):.0f}x the p95)"
            )
        print(line + ("" if p95(values) <= 0.1 else "  > 100 ms goal"))
    return {BASELINE: baseline} | {key: p95(found["wall"]) for key, found in results.items()}


if __name__ == "__main__":
    main()
