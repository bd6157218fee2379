"""The officials' lists at a county's scale, on PostgreSQL: 10,000 cases (and proportionate
payment schedules, batches and receivables), each list paginated, filtered, searched and sorted
— the API and the pages — timed one request after another, p50/p95 beside /healthz in the same
run. Goal: every list under a second.

    python -m benchmarks.lists [--cases 10000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import insert

from rencai import clock
from rencai.applications.models import Application, Status
from rencai.db.session import engine_for, session_scope, upgrade
from rencai.ledger.models import Batch, Receivable, Run, Schedule
from rencai.registry.accounts import authenticate, create_account
from rencai.registry.identifiers import id_check_character, uscc_check_character
from rencai.registry.models import Account, Employer, Role, TalentProfile

COUNTIES = ["130102", "130104", "130105", "130108", "130131"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
STATUSES = [
    (Status.county_review, 30),
    (Status.city_review, 15),
    (Status.department_review, 5),
    (Status.returned, 5),
    (Status.publicity, 5),
    (Status.approved, 35),
    (Status.rejected, 5),
]
PRECHECK = json.dumps({"state": "eligible", "reasons": [], "citation": None})


def _id(n: int) -> str:
    first17 = f"{130102}{1970 + n % 30}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    return first17 + id_check_character(first17)


def _uscc(n: int) -> str:
    first17 = f"91130100MA0{n:06d}"
    return first17 + uscc_check_character(first17)


def load(url: str, cases: int) -> None:
    """The world, written in bulk (the setup is not what is measured)."""
    rng = random.Random(18)
    now, today = clock.now(), clock.today()
    with session_scope(url) as s:
        employers = [
            {
                "id": i + 1,
                "uscc": _uscc(i),
                "name": f"石家庄示例{i:03d}科技有限公司",
                "county": COUNTIES[i % 5],
                "employer_type": "enterprise",
                "verification_status": "verified",
            }
            for i in range(max(10, cases // 50))
        ]
        s.execute(insert(Employer), employers)
        accounts = [
            {
                "id": i + 1,
                "username": f"bench_t{i}",
                "display_name": "人才",
                "password_hash": "-",
                "role": Role.talent.value,
                "active": True,
                "must_change_password": False,
                "created_at": now,
            }
            for i in range(cases)
        ]
        s.execute(insert(Account), accounts)
        talents = [
            {
                "id": i + 1,
                "account_id": i + 1,
                "name": SURNAMES[i % len(SURNAMES)] + "某" + "甲乙丙丁戊己庚辛"[i % 8],
                "id_number": _id(i),
                "profile": "{}",
                "version": 1,
                "updated_at": now,
                "employer_id": 1 + i % len(employers),
            }
            for i in range(cases)
        ]
        s.execute(insert(TalentProfile), talents)
        weights = [w for _, w in STATUSES]
        rows = []
        for i in range(cases):
            status = rng.choices([st for st, _ in STATUSES], weights)[0]
            index = {"county_review": 0, "city_review": 1}.get(status, 1)
            reviewing = status in (Status.county_review, Status.city_review)
            rows.append(
                {
                    "id": i + 1,
                    "talent_id": i + 1,
                    "program": "sjz.b.rent_subsidy",
                    "program_name": "房租补助",
                    "jurisdiction": "shijiazhuang",
                    "county": COUNTIES[0] if i % 3 else COUNTIES[i % 5],
                    "status": status.value,
                    "profile_snapshot": "{}",
                    "rules_version": "bench",
                    "precheck": PRECHECK,
                    "idempotency_key": f"bench-{i}",
                    "version": 1,
                    "submitted_at": now - dt.timedelta(days=rng.randint(0, 400)),
                    "due_date": today + dt.timedelta(days=rng.randint(-10, 25))
                    if reviewing
                    else None,
                    "employer_id": 1 + i % len(employers),
                    "employer_confirmation": "confirmed",
                    "chain": '["county", "city"]',
                    "step_index": index,
                }
            )
        for start in range(0, len(rows), 5000):
            s.execute(insert(Application), rows[start : start + 5000])
        approved = [r for r in rows if r["status"] == Status.approved.value]
        schedules = [
            {
                "id": n + 1,
                "application_id": r["id"],
                "talent_id": r["talent_id"],
                "id_number": _id(r["talent_id"] - 1),
                "payee_name": talents[r["talent_id"] - 1]["name"],
                "program": "sjz.b.rent_subsidy",
                "program_name": "房租补助",
                "jurisdiction": "shijiazhuang",
                "county": r["county"],
                "level": "city",
                "per": "month",
                "parameter_path": "b_card.rent_subsidy.doctorate",
                "periods": 36,
                "start_period": dt.date(2025, 1, 1),
                "citation": "{}",
                "conditions": "[]",
                "status": "active",
                "created_at": now,
            }
            for n, r in enumerate(approved)
        ]
        s.execute(insert(Schedule), schedules)
        months = [dt.date(2024 + m // 12, 1 + m % 12, 1) for m in range(24)]
        s.execute(
            insert(Run),
            [
                {
                    "id": f"bench-{m:%Y%m}",
                    "jurisdiction": "shijiazhuang",
                    "month": m,
                    "step": "batched",
                    "started_by": "bench",
                    "started_at": now,
                }
                for m in months
            ],
        )
        s.execute(
            insert(Batch),
            [
                {
                    "id": n + 1,
                    "run_id": f"bench-{m:%Y%m}",
                    "jurisdiction": "shijiazhuang",
                    "month": m,
                    "status": "filed" if n < 23 else "pending_approval",
                    "total_fen": 300000 * len(schedules),
                    "item_count": len(schedules),
                    "created_by": "bench_a",
                    "created_at": now,
                    "decided_by": "bench_b",
                    "budget_alerts": "[]",
                }
                for n, m in enumerate(months)
            ],
        )
        s.execute(
            insert(Receivable),
            [
                {
                    "id": n + 1,
                    "event": f"bench-{n}",
                    "id_number": sc["id_number"],
                    "schedule_id": sc["id"],
                    "kind": "clawback",
                    "reason": "moved_away",
                    "basis": "all",
                    "failure_period": dt.date(2026, 1, 1),
                    "amount_fen": 900000,
                    "status": "open",
                    "blocks_payments": True,
                    "citation": "{}",
                    "explanation": "离开本市，按规定收回",
                    "raised_at": now,
                }
                for n, sc in enumerate(schedules[: max(1, len(schedules) // 30)])
            ],
        )
    engine = engine_for(url)
    with engine.begin() as connection:  # the serial counters after the explicit ids
        from sqlalchemy import text

        for table in (
            "employers",
            "accounts",
            "talent_profiles",
            "applications",
            "ledger_schedules",
            "ledger_batches",
            "ledger_receivables",
        ):
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            )
        connection.execute(text("ANALYZE"))
    with session_scope(url) as s:  # the officials, after the counters
        create_account(
            s, "bench_county", "secret123", "长安区人才办", Role.county_reviewer, county=COUNTIES[0]
        )
        create_account(s, "bench_city", "secret123", "市委人才办", Role.city_reviewer)
        create_account(
            s, "bench_fin", "secret123", "财务", Role.finance, jurisdiction="shijiazhuang"
        )


def timed(client: httpx.Client, path: str, repeat: int) -> tuple[float, float, int]:
    client.get(path)  # warm
    times = []
    status = 0
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - start)
        status = response.status_code
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, status


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.support import postgres_cluster

    from benchmarks.native import server

    with postgres_cluster() as admin_url:
        url = admin_url
        upgrade(url)
        started = time.perf_counter()
        load(url, args.cases)
        print(f"loaded {args.cases} cases in {time.perf_counter() - started:.1f} s")
        with session_scope(url) as s:
            tokens = {
                name: authenticate(s, f"bench_{name}", "secret123").token
                for name in ("county", "city", "fin")
            }
        with server(url) as base:
            lists = {
                "county": [
                    "/api/v1/applications?queue=todo",
                    "/api/v1/applications?queue=all&sort=-submitted&page=50",
                    "/api/v1/applications?q=%E7%8E%8B%E6%9F%90",  # 王某
                    "/api/v1/applications?q=0011",
                    "/api/v1/applications?queue=todo&due=overdue",
                    "/review",
                    "/review?queue=all&q=%E7%A4%BA%E4%BE%8B001&sort=-id",  # 示例001
                    "/review?queue=closed&page=20",
                ],
                "city": [
                    "/api/v1/applications?queue=todo&per_page=100",
                    "/review?queue=all&status=approved&sort=due&page=100",
                ],
                "fin": [
                    "/api/v1/ledger/batches?sort=-month",
                    "/api/v1/ledger/receivables?q=%E6%9D%8E",  # 李
                    "/ledger",
                    "/ledger?tab=batches&status=filed",
                    "/ledger?tab=receivables&page=3",
                ],
            }
            print(f"lists on PostgreSQL, {args.cases} cases; {args.repeat} requests each, one")
            print("after another (p50 / p95); the goal is under a second each")
            with httpx.Client(base_url=base, timeout=60) as plain:
                p50, p95, _ = timed(plain, "/healthz", args.repeat)
            print(f"  {'GET /healthz (baseline)':62} {p50 * 1e3:8.1f} ms {p95 * 1e3:8.1f} ms")
            worst = 0.0
            for who, paths in lists.items():
                cookies = {"rencai_session": tokens[who]}
                with httpx.Client(base_url=base, timeout=60, cookies=cookies) as client:
                    for path in paths:
                        p50, p95, status = timed(client, path, args.repeat)
                        worst = max(worst, p95)
                        flag = "" if status == 200 else f"  (HTTP {status})"
                        label = f"{who:6} GET {path}"[:62]
                        print(f"  {label:62} {p50 * 1e3:8.1f} ms {p95 * 1e3:8.1f} ms{flag}")
            print(f"slowest p95: {worst * 1e3:.0f} ms — {'under' if worst < 1 else 'OVER'} 1 s")


if __name__ == "__main__":
    main()
