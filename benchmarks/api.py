"""Throughput and p50/p95 of the main API routes, each beside /healthz measured the same way in
the same run, on a throwaway PostgreSQL; at one and at two server workers.

The app runs as its own processes (`rencai serve --workers N`), as in production; the load
generator is `hey` pinned to its own core (benchmarks.native).

    python -m benchmarks.api [--clients 50] [--seconds 5] [--workers 1,2] [--no-cache]

Every calculator request here sends the same profile, so with the process's answer cache
(decision 0190) all but the first are cache hits; `--no-cache` runs the servers with
RENCAI_CALCULATOR_CACHE=0, so that every request is computed (in micro-batches).
"""

from __future__ import annotations

import argparse
import json
import uuid
from typing import Any

import httpx

from benchmarks.native import Run, ensure, layout, measure, ms, paced, server
from rencai.registry.identifiers import id_check_character

SEARCH = "/api/v1/policies?q=%E6%88%BF%E7%A7%9F"  # q=房租

PROFILE = {
    "jurisdiction": "shijiazhuang",
    "person": {
        "birth_date": "1994-03-02",
        "education": [{"degree": "doctorate", "full_time": True, "graduation_date": "2024-06-30"}],
    },
    "employment": {
        "employer_type": "enterprise",
        "county": "130102",
        "introduced_from": "outside_city",
        "start_date": "2024-07-01",
        "social_insurance_local": True,
    },
    "family": [],
}


def _id_number(i: int) -> str:
    first17 = f"13010219940302{uuid.uuid4().int % 1000:03d}"
    return first17 + id_check_character(first17)


def setup(base_url: str, users: int) -> list[dict[str, str]]:
    """Talents with a profile, logged in (their headers)."""
    tokens = []
    with httpx.Client(base_url=base_url, timeout=120) as client:
        for i in range(users):
            name = f"bench{i}{uuid.uuid4().hex[:4]}"
            registered = client.post(
                "/api/v1/talents",
                json={
                    "username": name,
                    "password": "secret123",
                    "name": "压测",
                    "id_number": _id_number(i),
                    "profile": PROFILE,
                },
            )
            if registered.status_code != 201:
                raise SystemExit(f"could not register bench user {name}: {registered.text}")
            login = client.post("/api/v1/tokens", json={"username": name, "password": "secret123"})
            if login.status_code != 200:
                raise SystemExit(f"could not log in bench user {name}: {login.text}")
            tokens.append({"Authorization": f"Bearer {login.json()['token']}"})
    return tokens


def run(base: str, workers: int, clients: int, seconds: float) -> dict[str, float]:
    """The figures of one server; returns the headline ratios."""
    headers = setup(base, 1)[0]
    profile = json.dumps(PROFILE)
    routes: dict[str, dict[str, Any]] = {
        "GET /healthz (baseline)": {"url": "/healthz"},
        "POST /api/v1/entitlements": {
            "url": "/api/v1/entitlements",
            "method": "POST",
            "body": profile,
        },
        "GET /api/v1/me/entitlements": {"url": "/api/v1/me/entitlements", "headers": headers},
        "GET /api/v1/applications": {"url": "/api/v1/applications", "headers": headers},
        "GET /api/v1/policies?q=房租": {"url": SEARCH},
    }
    print(f"{clients} concurrent clients, {seconds:g} s per route, PostgreSQL; {layout(workers)}")
    results: dict[str, Run] = {}
    for route, spec in routes.items():
        spec = {**spec, "url": base + spec["url"]}
        results[route] = run_ = measure(**spec, seconds=seconds, concurrency=clients)
        ceiling = results["GET /healthz (baseline)"].answered
        print(
            f"  {route:30s} {run_.answered:6.0f} req/s ({run_.answered / ceiling:4.2f}× healthz)"
            f"  p50 {ms(run_.median())}  p95 {ms(run_.p(0.95))}"
            f"  non-200 {len(run_.samples) - run_.count(200)}"
        )
    health = results["GET /healthz (baseline)"]
    calculator = results["POST /api/v1/entitlements"]
    # the calculator at a steady 100 requests/s offered (goal: p95 <= 30 ms), spread evenly
    # over the second (one `hey -q` offers its workers' requests in step: bursts, not a rate)
    steady = paced(base + "/api/v1/entitlements", 100, seconds, method="POST", body=profile)
    steady_health = paced(base + "/healthz", 100, seconds)
    print(
        f"  calculator at 100 req/s offered: p95 {ms(steady.p(0.95))}"
        f" (p50 {ms(steady.median()).strip()}, non-200 {len(steady.samples) - steady.count(200)})"
        f"  (healthz the same way: p95 {ms(steady_health.p(0.95))})"
    )
    # one request at a time: the route's own cost
    single = measure(base + SEARCH, concurrency=1, requests=300, seconds=0)
    single_health = measure(base + "/healthz", concurrency=1, requests=300, seconds=0)
    print(
        f"  policy search, one client: median {ms(single.median())}"
        f" = {single.median() / single_health.median():.2f}× healthz ({ms(single_health.median())})"
    )
    return {
        "calculator_ratio": calculator.answered / health.answered,
        "calculator_p95_at_100": steady.p(0.95),
        "search_single_ratio": single.median() / single_health.median(),
        "search_p95": results["GET /api/v1/policies?q=房租"].p(0.95),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.api")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--workers", default="1,2", help="server worker counts to measure")
    parser.add_argument(
        "--no-cache", action="store_true", help="compute every calculator request (no cache)"
    )
    args = parser.parse_args()
    env = {"RENCAI_CALCULATOR_CACHE": "0"} if args.no_cache else {}
    if args.no_cache:
        print("calculator answer cache off: every calculator request computed")

    from tests.support import postgres_cluster

    from rencai.db.session import upgrade

    ensure("hey")
    with postgres_cluster() as url:
        upgrade(url)
        for workers in (int(w) for w in args.workers.split(",")):
            with server(url, workers, **env) as base:
                figures = run(base, workers, args.clients, args.seconds)
            print(
                f"  goals at {workers} worker(s): calculator {figures['calculator_ratio']:.2f}×"
                f" healthz (≥ 0.5), p95 {ms(figures['calculator_p95_at_100']).strip()} at"
                f" 100 req/s (≤ 30 ms); search one request {figures['search_single_ratio']:.2f}×"
                f" healthz (≤ 5), p95 {ms(figures['search_p95']).strip()} at"
                f" {args.clients} clients (≤ 50 ms)"
            )


if __name__ == "__main__":
    main()
