"""Statistics overview on PostgreSQL: the p95 of each query the leadership overview runs.

python -m benchmarks.stats [--talents 100000] [--uses 1000000] [--repeat 7]
python -m benchmarks.stats --full          # the issue's size: 1,000,000 talents, 10,000,000 uses

Starts its own throwaway PostgreSQL cluster (as the tests do), fills it inside the server
(generate_series: 2,869 employers over the 五大主导产业, a talent with one case and one card
each, issue and some revoke steps, uses at six service points over a year), ANALYZEs, then times
runs the nightly roll-up of the card uses (decision 0180), then times
each figure the overview (/stats) computes, as the page asks for it (suppression included), and
a baseline in the same run: `SELECT count(*)` over the card uses (a scan the size of the data).
Goal: p95 ≤ 100 ms per query at the full size.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from rencai.analytics import rollups
from rencai.db.session import engine_for, session_scope, upgrade

COUNTIES = ["130102", "130104", "130105", "130108", "130110", "130109", "130123", "130183"]
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


def fill(url: str, talents: int, uses: int) -> None:
    counties = "ARRAY[" + ",".join(f"'{c}'" for c in COUNTIES) + "]"
    industries = "ARRAY[" + ",".join(f"'{i}'" for i in INDUSTRIES) + "]"
    statements = [
        f"""INSERT INTO employers (uscc, name, county, employer_type, leading_industry, high_tech,
              verification_status, created_at)
            SELECT 'E' || lpad(g::text, 17, '0'), '企业' || g, ({counties})[1 + g % 8],
                   'enterprise',
                   CASE WHEN g % 3 = 0 THEN NULL ELSE ({industries})[1 + g % 5] END, false,
                   'verified', now()
            FROM generate_series(1, 2869) g""",
        f"""INSERT INTO accounts (username, display_name, password_hash, role, active,
              must_change_password, created_at)
            SELECT 'b' || g, 'b', '!', 'talent', true, false, now()
            FROM generate_series(1, {talents}) g""",
        f"""INSERT INTO talent_profiles (account_id, name, id_number, profile, version,
              updated_at, employer_id)
            SELECT g, '人才', lpad(g::text, 18, '0'),
                   '{{"person":{{"birth_date":"19' || (60 + g % 40) || '-03-01","education":'
                   || '[{{"degree":"' || (ARRAY['doctorate','master','bachelor'])[1 + g % 3]
                   || '"}}]}},"employment":{{"introduced_from":"'
                   || (ARRAY['local','outside_city','abroad'])[1 + g % 3] || '"}}}}',
                   1, now(), 1 + g % 2869
            FROM generate_series(1, {talents}) g""",
        f"""INSERT INTO applications (talent_id, program, program_name, jurisdiction, county,
              status, profile_snapshot, rules_version, precheck, idempotency_key, submitted_at,
              version, employer_id, chain)
            SELECT g, 'card.b', 'B卡', 'shijiazhuang', ({counties})[1 + g % 8], 'approved',
                   p.profile, 'b', '{{}}', 'b' || g, now() - ((g % 730) || ' days')::interval,
                   1, 1 + g % 2869, '["county", "city"]'
            FROM generate_series(1, {talents}) g JOIN talent_profiles p ON p.id = g""",
        f"""INSERT INTO application_actions (application_id, level, action, at)
            SELECT g, l.level, l.action, now() - ((g % 730) || ' days')::interval
                   + (l.n || ' hours')::interval
            FROM generate_series(1, {talents}) g,
                 (VALUES (0, 'applicant', 'submit'), (1, 'county', 'approve'),
                         (2, 'city', 'approve')) AS l(n, level, action)""",
        f"""INSERT INTO cards (number, program, tier, talent_id, application_id, county, services,
              benefits, status, status_index, valid_from, issued_at, version)
            SELECT 'X' || lpad(g::text, 12, '0'), 'card.b', (ARRAY['A','B','C'])[1 + g % 3], g, g,
                   ({counties})[1 + g % 8], '[]', 0, 'active', g, current_date,
                   now() - ((g % 730) || ' days')::interval + interval '3 hours', 1
            FROM generate_series(1, {talents}) g""",
        """INSERT INTO card_events (card_id, action, actor, at)
            SELECT id, 'issue', 'b', issued_at FROM cards""",
        """INSERT INTO card_events (card_id, action, actor, at)
            SELECT id, 'revoke', 'b', issued_at + interval '20 days' FROM cards
            WHERE id % 25 = 0""",
        """INSERT INTO accounts (username, display_name, password_hash, role, active,
              must_change_password, created_at)
            SELECT 'p' || g, 'p', '!', 'service_point', true, false, now()
            FROM generate_series(1, 6) g""",
        """INSERT INTO service_points (code, name, kind, county, account_id, active)
            SELECT 'P' || g, '网点' || g, (ARRAY['bus','subway','bus','subway','hospital',
                   'scenic'])[g], '130102', a.id, true
            FROM generate_series(1, 6) g JOIN accounts a ON a.username = 'p' || g""",
        f"""INSERT INTO card_uses (event_id, card_number, point_id, point_kind, at, verdict,
              offline, uploaded_at)
            SELECT 'u' || g, 'X' || lpad((1 + g % {talents})::text, 12, '0'), sp.id, sp.kind,
                   now() - ((g % 365) || ' days')::interval, 'valid', false,
                   now() - ((g % 365) || ' days')::interval
            FROM generate_series(1, {uses}) g
            JOIN service_points sp ON sp.code = 'P' || (1 + g % 6)""",
        "ANALYZE",
    ]
    engine = create_engine(url)
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()


def time_overview(url: str, repeat: int) -> dict[str, list[float]]:
    from rencai.analytics.service import figure_table

    samples: dict[str, list[float]] = {}
    with session_scope(url) as session:
        for name, options in OVERVIEW:
            key = f"{name}({', '.join(f'{k}={v}' for k, v in options.items())})"
            for _ in range(repeat):
                started = time.perf_counter()
                figure_table(session, None, name, None, dict(options))
                samples.setdefault(key, []).append(time.perf_counter() - started)
        for _ in range(repeat):
            started = time.perf_counter()
            session.execute(text("SELECT count(*) FROM card_uses")).scalar()
            samples.setdefault("baseline: SELECT count(*) FROM card_uses", []).append(
                time.perf_counter() - started
            )
    return samples


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(0.95 * (len(ordered) - 1) + 0.5)]


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--talents", type=int, default=100_000)
    parser.add_argument("--uses", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--full", action="store_true", help="1,000,000 talents, 10,000,000 uses")
    args = parser.parse_args(argv)
    if args.full:
        args.talents, args.uses = 1_000_000, 10_000_000
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.support import postgres_cluster

    with postgres_cluster() as admin_url:
        name = f"bench_stats_{uuid.uuid4().hex[:6]}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
        admin.dispose()
        url = admin_url.rsplit("/", 1)[0] + "/" + name
        upgrade(url)
        started = time.perf_counter()
        fill(url, args.talents, args.uses)
        setup = time.perf_counter() - started
        started = time.perf_counter()
        with session_scope(url) as session:  # the nightly roll-up (`rencai stats rollup`)
            rolled = rollups.refresh(session)
        rolling = time.perf_counter() - started
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
        engine.dispose()
        samples = time_overview(url, args.repeat)
        engine_for(url).dispose()
    baseline = p95(samples.pop("baseline: SELECT count(*) FROM card_uses"))
    print(
        f"statistics overview on PostgreSQL: {args.talents:,} talents, {args.uses:,} card uses "
        f"(setup {setup:.0f} s, not measured); {args.repeat} runs per query"
    )
    print(f"  nightly roll-up of {rolled:,} card uses: {rolling:.1f} s (not measured below)")
    print(f"  baseline SELECT count(*) FROM card_uses: p95 {baseline * 1000:.0f} ms")
    for key, values in samples.items():
        print(
            f"  {key:<44} median {statistics.median(values) * 1000:7.0f} ms  "
            f"p95 {p95(values) * 1000:7.0f} ms  ({p95(values) / baseline:.1f}x baseline)"
            + ("" if p95(values) <= 0.1 else "  > 100 ms goal")
        )
    return {"baseline: SELECT count(*) FROM card_uses": baseline} | {
        key: p95(values) for key, values in samples.items()
    }


if __name__ == "__main__":
    main()
