"""p50/p95 of the main API routes at 50 concurrent clients, on a throwaway PostgreSQL.

The app runs as its own process (`rencai serve`), as in production; the clients are asyncio
tasks in this process.

    python -m benchmarks.api [--clients 50] [--requests 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable

import httpx

from rencai.registry.identifiers import id_check_character

Call = Callable[[int], Awaitable[httpx.Response]]

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
    first17 = f"13010219940302{i % 1000:03d}"
    return first17 + id_check_character(first17)


async def measure(call: Call, clients: int, requests: int) -> tuple[list[float], int, float]:
    samples: list[float] = []
    failures = 0
    pending = iter(range(requests))

    async def worker() -> None:
        nonlocal failures
        for i in pending:
            start = time.perf_counter()
            response = await call(i)
            samples.append(time.perf_counter() - start)
            failures += response.status_code >= 400

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return samples, failures, time.perf_counter() - began


async def run(base_url: str, clients: int, requests: int) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
        tokens = []
        for i in range(clients):
            name = f"bench{i}{uuid.uuid4().hex[:4]}"
            registered = await client.post(
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
            login = await client.post(
                "/api/v1/tokens", json={"username": name, "password": "secret123"}
            )
            if login.status_code != 200:
                raise SystemExit(f"could not log in bench user {name}: {login.text}")
            tokens.append({"Authorization": f"Bearer {login.json()['token']}"})

        def post_application(i: int) -> Awaitable[httpx.Response]:
            key = f"bench-key-{i % clients:04d}"  # retries of the same key: one case each
            return client.post(
                "/api/v1/applications",
                headers=tokens[i % clients],
                json={"program": "card.b", "idempotency_key": key},
            )

        routes: dict[str, Call] = {
            "POST /api/v1/entitlements": lambda i: client.post(
                "/api/v1/entitlements", json=PROFILE
            ),
            "GET /api/v1/me/entitlements": lambda i: client.get(
                "/api/v1/me/entitlements", headers=tokens[i % clients]
            ),
            "POST /api/v1/applications": post_application,
            "GET /api/v1/applications": lambda i: client.get(
                "/api/v1/applications", headers=tokens[i % clients]
            ),
            "GET /api/v1/policies?q=房租": lambda i: client.get(
                "/api/v1/policies", params={"q": "房租"}
            ),
            "GET /healthz (baseline)": lambda i: client.get("/healthz"),
        }
        print(f"{clients} concurrent clients, {requests} requests per route, PostgreSQL")
        for route, call in routes.items():
            samples, failures, elapsed = await measure(call, clients, requests)
            ordered = sorted(samples)
            p95 = ordered[int(0.95 * (len(ordered) - 1))]
            print(
                f"  {route:30s} p50 {statistics.median(ordered) * 1e3:7.1f} ms"
                f"  p95 {p95 * 1e3:7.1f} ms  {len(samples) / elapsed:6.0f} req/s"
                f"  errors {failures}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.api")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()

    from tests.support import free_port, postgres_cluster

    from rencai.db.session import upgrade

    with postgres_cluster() as url:
        upgrade(url)
        port = free_port()
        env = {**os.environ, "RENCAI_DATABASE_URL": url}
        log = open(os.environ.get("RENCAI_BENCH_LOG", os.devnull), "w")  # noqa: SIM115
        server = subprocess.Popen(
            [sys.executable, "-m", "rencai", "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=log,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(200):
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            asyncio.run(run(base, args.clients, args.requests))
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
