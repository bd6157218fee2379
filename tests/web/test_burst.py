"""A burst larger than the connection pool, over real HTTP on PostgreSQL: every request gets an
answer (200, or a clean 503 in JSON when the server is saturated) and the server keeps serving.

The server runs as its own process (`rencai serve`), as in production.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from rencai.db.session import upgrade
from tests.support import free_port, random_first17

BURST = 300  # well above the connection pool (see rencai.db.session)
PATIENCE = 120.0  # seconds: generous; a hung server never answers at all


@pytest.fixture(scope="module")
def server(pg_url: str) -> Iterator[str]:
    upgrade(pg_url)
    port = free_port()
    env = {**os.environ, "RENCAI_DATABASE_URL": pg_url}
    process = subprocess.Popen(
        [sys.executable, "-m", "rencai", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the app did not start")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _token(base: str) -> str:
    from rencai.registry.identifiers import id_check_character

    first17 = random_first17()
    username = f"burst{first17[-9:]}"
    registered = httpx.post(
        base + "/api/v1/talents",
        json={
            "username": username,
            "password": "secret123",
            "name": "并发",
            "id_number": first17 + id_check_character(first17),
        },
        timeout=30,
    )
    assert registered.status_code == 201, registered.text
    login = httpx.post(
        base + "/api/v1/tokens", json={"username": username, "password": "secret123"}, timeout=30
    )
    assert login.status_code == 200, login.text
    return str(login.json()["token"])


async def _burst(base: str, token: str) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=BURST, max_keepalive_connections=BURST)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, timeout=PATIENCE, limits=limits) as client:
        # a route with an authenticating dependency and a session: dependency and route run
        # in different worker threads, which is where pool and thread pool used to starve
        calls = [client.get("/api/v1/applications", headers=headers) for _ in range(BURST)]
        return await asyncio.wait_for(asyncio.gather(*calls), timeout=PATIENCE)


def test_a_burst_larger_than_the_pool_is_answered(server: str) -> None:
    token = _token(server)
    # a loop of its own in a thread of its own: other tests (the browser's) may leave one
    # running in this thread
    with ThreadPoolExecutor(1) as thread:
        responses = thread.submit(asyncio.run, _burst(server, token)).result()

    assert len(responses) == BURST
    statuses = sorted({r.status_code for r in responses})
    assert set(statuses) <= {200, 503}, statuses
    assert any(r.status_code == 200 for r in responses)
    for response in responses:
        if response.status_code == 503:
            assert response.json()["errors"][0]["code"] == "busy"
        else:
            assert "items" in response.json()
    # and the server still answers afterwards
    after = httpx.get(
        server + "/api/v1/applications", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert after.status_code == 200
