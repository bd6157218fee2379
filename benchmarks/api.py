"""Throughput and p50/p95 of the main API routes, each beside /healthz measured the same way in
the same run, on a throwaway PostgreSQL; at one and at two server workers.

The app runs as its own processes (`rencai serve --workers N`), as in production; the load
generator is `hey` pinned to its own core (benchmarks.native).

    python -m benchmarks.api [--clients 50] [--seconds 5] [--workers 1,2] [--no-cache]
                             [--only search|calculator] [--queries 房租,博士,...]

Every calculator request here sends the same profile, so with the process's answer cache
(decision 0190) all but the first are cache hits; `--no-cache` runs the servers with
RENCAI_CALCULATOR_CACHE=0, so that every request is computed (in micro-batches).

The policy search is measured on `q=房租` and on a mix of queries (`--queries`: the clients are
shared out among the terms, each term's clients asking it over and over), and each term once
when it is new to the server (asked for the first time, one request at a time, beside /healthz
asked the same way), and the library page (政策库) on q=房租; with the server's CPU-seconds per
request. `--only search` measures the search alone (and /healthz).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from benchmarks.native import Run, collect, ensure, hey, layout, measure, ms, paced, server
from rencai.registry.identifiers import id_check_character

SEARCH = "/api/v1/policies?q=%E6%88%BF%E7%A7%9F"  # q=房租
PAGE = "/policies?q=%E6%88%BF%E7%A7%9F"  # the library page (政策库), the same search
# a mix of what people type into the library's search box: few and many matches, two words
QUERIES = (
    "房租,博士,补贴,住房,安家,落户,子女,贷款,工匠,技能,绿卡,企业,人社局,购房 补贴,"
    "石字〔2021〕7号,一次性,高层次,驿站,职称,人才"
)


def search_url(query: str) -> str:
    return "/api/v1/policies?" + urlencode({"q": query})


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


def run_calculator(base: str, clients: int, seconds: float) -> dict[str, float]:
    """The calculator alone beside /healthz measured the same way (``--only calculator``): at
    ``clients`` clients, with the server's CPU-seconds per request, and at 100 req/s offered."""
    profile = json.dumps(PROFILE)
    figures: dict[str, Run] = {}
    for name, spec in (
        ("GET /healthz (baseline)", {"url": base + "/healthz"}),
        (
            "POST /api/v1/entitlements",
            {"url": base + "/api/v1/entitlements", "method": "POST", "body": profile},
        ),
    ):
        cpu = server_cpu(base)
        figures[name] = run_ = measure(**spec, seconds=seconds, concurrency=clients)
        cpu = server_cpu(base) - cpu
        ceiling = figures["GET /healthz (baseline)"].answered
        print(
            f"  {name:30s} {run_.answered:6.0f} req/s ({run_.answered / ceiling:4.2f}× healthz)"
            f"  p50 {ms(run_.median())}  p95 {ms(run_.p(0.95))}"
            f"  server CPU {cpu * 1e3 / max(1, len(run_.samples)):5.2f} ms/req"
            f"  non-200 {len(run_.samples) - run_.count(200)}"
        )
    steady = paced(base + "/api/v1/entitlements", 100, seconds, method="POST", body=profile)
    steady_health = paced(base + "/healthz", 100, seconds)
    print(
        f"  calculator at 100 req/s offered: p95 {ms(steady.p(0.95))}"
        f" (p50 {ms(steady.median()).strip()}, non-200 {len(steady.samples) - steady.count(200)})"
        f"  (healthz the same way: p95 {ms(steady_health.p(0.95))})"
    )
    ratio = (
        figures["POST /api/v1/entitlements"].answered / figures["GET /healthz (baseline)"].answered
    )
    print(
        f"  calculator goals: {ratio:.2f}× healthz (≥ 0.5), p95"
        f" {ms(steady.p(0.95)).strip()} at 100 req/s (≤ 30 ms)"
    )
    return {"calculator_ratio": ratio, "calculator_p95_at_100": steady.p(0.95)}


# --- the policy search ---------------------------------------------------------------------------
def server_cpu(base: str) -> float:
    """CPU-seconds used so far by the server listening at ``base`` (its supervisor and workers):
    the processes whose command line names its port, and their children."""
    port = base.rsplit(":", 1)[1]
    ticks = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}  # pid -> (parent, cpu seconds)
    serving: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue  # ended meanwhile
        fields = stat[stat.rindex(")") + 2 :].split()
        stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks)
        if b"serve" in command and port.encode() in command:
            serving.add(int(entry.name))
    return sum(cpu for pid, (parent, cpu) in stats.items() if pid in serving or parent in serving)


def mixed(base: str, paths: list[str], clients: int, seconds: float) -> Run:
    """The clients shared out among the paths (one pinned `hey` per path), run together."""
    share = [clients // len(paths) + (i < clients % len(paths)) for i in range(len(paths))]
    return collect(
        [
            hey(base + path, seconds=seconds, concurrency=n)
            for path, n in zip(paths, share, strict=True)
            if n
        ]
    )


def run_search(base: str, clients: int, seconds: float, queries: list[str]) -> dict[str, float]:
    """The policy search beside /healthz measured the same way: each term when it is new to the
    server, one request at a time; q=房租 and the mix of terms at ``clients`` clients; with the
    server's CPU-seconds per request."""
    print(f"  policy search, {len(queries)} terms: {'、'.join(queries)}")
    # each term asked for the first time (new to the server), healthz asked the same way between
    new: list[float] = []
    health: list[float] = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for _ in range(20):
            client.get("/healthz")  # the connection open and warm
        for query in queries:
            for path, into in (("/healthz", health), (search_url(query), new)):
                started = time.perf_counter()
                answer = client.get(path)
                into.append(time.perf_counter() - started)
                if answer.status_code != 200:
                    raise SystemExit(f"error: {path} answered {answer.status_code}")
    new_ratio = statistics.median(new) / statistics.median(health)
    print(
        f"  {'each term when new (1 client)':36s} median {ms(statistics.median(new))}"
        f" = {new_ratio:4.2f}× healthz ({ms(statistics.median(health)).strip()}),"
        f" slowest {ms(max(new)).strip()}"
    )
    figures: dict[str, Run] = {}
    for name, paths in (
        ("GET /healthz (baseline)", ["/healthz"]),
        ("GET /api/v1/policies?q=房租", [SEARCH]),
        ("GET /healthz, one hey per term", ["/healthz"] * len(queries)),
        ("GET /api/v1/policies, term mix", [search_url(q) for q in queries]),
        ("GET /policies?q=房租 (the page)", [PAGE]),
    ):
        cpu = server_cpu(base)
        figures[name] = run_ = mixed(base, paths, clients, seconds)
        cpu = server_cpu(base) - cpu
        ceiling = figures[name if "healthz" in name else _baseline(name)].rate
        print(
            f"  {name:36s} {run_.rate:6.0f} req/s ({run_.rate / ceiling:4.2f}× healthz)"
            f"  p50 {ms(run_.median())}  p95 {ms(run_.p(0.95))}"
            f"  server CPU {cpu * 1e3 / max(1, len(run_.samples)):5.2f} ms/req"
            f"  non-200 {len(run_.samples) - run_.count(200)}"
        )
    single = measure(base + SEARCH, concurrency=1, requests=300, seconds=0)
    single_health = measure(base + "/healthz", concurrency=1, requests=300, seconds=0)
    print(
        f"  {'policy search q=房租, one client':36s} median {ms(single.median())}"
        f" = {single.median() / single_health.median():.2f}× healthz"
        f" ({ms(single_health.median()).strip()})"
    )
    return {
        "search_single_ratio": single.median() / single_health.median(),
        "search_new_ratio": new_ratio,
        "search_p95": figures["GET /api/v1/policies?q=房租"].p(0.95),
        "search_mix_p95": figures["GET /api/v1/policies, term mix"].p(0.95),
    }


def _baseline(name: str) -> str:
    return "GET /healthz, one hey per term" if "mix" in name else "GET /healthz (baseline)"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.api")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--workers", default="1,2", help="server worker counts to measure")
    parser.add_argument(
        "--no-cache", action="store_true", help="compute every calculator request (no cache)"
    )
    parser.add_argument(
        "--only",
        choices=["search", "calculator"],
        help="measure only this route (beside /healthz)",
    )
    parser.add_argument(
        "--queries", default=QUERIES, help="the policy search's terms, comma-separated"
    )
    args = parser.parse_args()
    queries = [q.strip() for q in args.queries.split(",") if q.strip()]
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
                if args.only == "calculator":
                    print(f"{args.clients} concurrent clients, {args.seconds:g} s per run;")
                    print(f"  {layout(workers)}")
                    run_calculator(base, args.clients, args.seconds)
                    continue
                if args.only == "search":
                    print(f"{args.clients} concurrent clients, {args.seconds:g} s per run;")
                    print(f"  {layout(workers)}")
                    search = run_search(base, args.clients, args.seconds, queries)
                else:  # (q=房租 is then no longer new to the server: one term of the mix)
                    figures = run(base, workers, args.clients, args.seconds)
                    search = run_search(base, args.clients, args.seconds, queries)
            _search_goals(workers, args.clients, search)
            if args.only == "search":
                continue
            print(
                f"  goals at {workers} worker(s): calculator {figures['calculator_ratio']:.2f}×"
                f" healthz (≥ 0.5), p95 {ms(figures['calculator_p95_at_100']).strip()} at"
                f" 100 req/s (≤ 30 ms); search one request {figures['search_single_ratio']:.2f}×"
                f" healthz (≤ 5), p95 {ms(figures['search_p95']).strip()} at"
                f" {args.clients} clients (≤ 50 ms)"
            )


def _search_goals(workers: int, clients: int, figures: dict[str, float]) -> None:
    print(
        f"  search goals at {workers} worker(s): one request {figures['search_single_ratio']:.2f}×"
        f" healthz (≤ 5; a new term {figures['search_new_ratio']:.2f}×), p95"
        f" {ms(figures['search_p95']).strip()} at {clients} clients (≤ 50 ms; the term mix"
        f" {ms(figures['search_mix_p95']).strip()})"
    )


if __name__ == "__main__":
    main()
