"""Serving with many processes on one PostgreSQL database, and shedding load instead of queueing.

- Two server processes share one database: a service point's rate limit, a login (session) and
  an idempotent submission hold across them (decisions 0168, 0169).
- `rencai serve --workers 2` serves; more than one worker on SQLite is refused in one line.
- A burst of online card checks beyond what the server can start within the verify wait gets
  prompt 503 ``busy`` answers with Retry-After, and no admitted check waits without bound
  (decision 0170).
- The calculator likewise (decision 0190): a burst beyond what it can start within its wait gets
  prompt 503 ``busy``; the admitted requests, computed together in micro-batches, each get the
  very answer their profile gets alone.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil
import pytest
from sqlalchemy import Connection, Engine, create_engine, text

from rencai.cards.usage import register_point
from rencai.db.session import engine_for, session_scope, upgrade
from rencai.policy.calculator import entitlements
from rencai.policy.contract.profile import parse_profile
from rencai.registry.accounts import register_talent
from rencai.registry.identifiers import id_check_character
from rencai.web.admission import Busy, Gate
from tests.profiles import doctor, doctor_today
from tests.support import ServerProcess, free_port, free_ports, random_first17
from tests.web.test_workers_latency import answers_promptly

PASSWORD = "secret123"


def _database(pg_url: str) -> str:
    """A fresh, migrated database on the session's PostgreSQL server."""
    name = f"serving_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    url = pg_url.rsplit("/", 1)[0] + "/" + name
    upgrade(url)
    return url


def _server(url: str, files: Path, **env: str) -> ServerProcess:
    server = ServerProcess(url, files)
    server.env.update(env)
    return server


def _login(base: str, username: str) -> dict[str, str]:
    response = httpx.post(
        f"{base}/api/v1/tokens", json={"username": username, "password": PASSWORD}, timeout=30
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


@pytest.fixture(scope="module")
def two_servers(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    url = _database(pg_url)
    with session_scope(url) as s:
        first17, profile = random_first17(), doctor_today()
        number = first17 + id_check_character(first17)
        register_talent(s, "twin", PASSWORD, "王博士", number, profile)
        register_point(s, "BUS-1", "公交1路", "bus", "gate", PASSWORD, "130102")
        register_point(s, "BUS-2", "公交2路", "bus", "gate2", PASSWORD, "130102")
    engine_for(url).dispose()
    files = tmp_path_factory.mktemp("serving-files")
    # half a check a second, a burst of one: a point's second check within two seconds is refused
    with (
        _server(url, files, RENCAI_VERIFY_RATE="0.5") as a,
        _server(url, files, RENCAI_VERIFY_RATE="0.5") as b,
    ):
        yield {"a": a.url, "b": b.url}


def test_a_points_rate_limit_holds_across_processes(two_servers: dict[str, str]) -> None:
    a, b = two_servers["a"], two_servers["b"]
    gate_a, gate_b = _login(a, "gate"), _login(b, "gate")
    started = time.monotonic()
    first = httpx.post(f"{a}/api/v1/cards/verify", headers=gate_a, json={"code": "x"})
    second = httpx.post(f"{b}/api/v1/cards/verify", headers=gate_b, json={"code": "x"})
    elapsed = time.monotonic() - started
    assert first.status_code == 200 and first.json()["verdict"] == "malformed"
    # the other process draws on the same bucket (a refill takes two seconds)
    assert elapsed >= 2 or second.status_code == 429, (second.status_code, elapsed)
    assert second.json()["errors"][0]["code"] == "rate_limited"
    # another point's bucket is its own, in either process
    other = httpx.post(f"{b}/api/v1/cards/verify", headers=_login(a, "gate2"), json={"code": "x"})
    assert other.status_code == 200


def test_a_session_holds_across_processes(two_servers: dict[str, str]) -> None:
    a, b = two_servers["a"], two_servers["b"]
    headers = _login(a, "twin")
    assert httpx.get(f"{b}/api/v1/me", headers=headers).json()["username"] == "twin"
    assert httpx.delete(f"{b}/api/v1/tokens/current", headers=headers).status_code == 204
    assert httpx.get(f"{a}/api/v1/me", headers=headers).status_code == 401


def test_an_idempotent_submission_holds_across_processes(two_servers: dict[str, str]) -> None:
    a, b = two_servers["a"], two_servers["b"]
    headers = _login(a, "twin")
    body = {"program": "card.b", "idempotency_key": uuid.uuid4().hex}

    def submit(base: str) -> httpx.Response:
        return httpx.post(f"{base}/api/v1/applications", headers=headers, json=body, timeout=30)

    # the same submission sent to both processes at once, then again to each
    with ThreadPoolExecutor(2) as pool:
        together = list(pool.map(submit, [a, b]))
    again = [submit(a), submit(b)]
    replies = [(r.status_code, r.text[:200]) for r in together + again]
    assert all(r.status_code in (200, 201) for r in together + again), replies
    numbers = {r.json()["id"] for r in together + again}
    assert len(numbers) == 1
    listed = httpx.get(f"{b}/api/v1/applications", headers=headers).json()["items"]
    assert [c["id"] for c in listed].count(numbers.pop()) == 1 and len(listed) == 1


def test_serve_with_workers(pg_url: str, tmp_path: Path) -> None:
    port, url = free_port(), _database(pg_url)
    env = {**os.environ, "RENCAI_DATABASE_URL": url, "RENCAI_FILES_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "rencai", "serve", "--port", str(port), "--workers", "2"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    try:
        deadline, answered = time.monotonic() + 60, 0
        while time.monotonic() < deadline and answered < 4:
            try:
                ok = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200
                answered += ok
            except httpx.HTTPError:
                time.sleep(0.2)
        assert answered == 4
        workers = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        assert len(workers) >= 2
        # a kept-alive connection is answered without Nagle's delay (decision 0246)
        answers_promptly(f"http://127.0.0.1:{port}")
        # connections opened together are shared out among the workers (decision 0261)
        serving = [int(w) for w in workers if b"resource_tracker" not in _command(int(w))]
        # a worker's socket listens once the worker has warmed up: until then the kernel gives
        # every connection to the others (/readyz above may all have been answered by one)
        while time.monotonic() < deadline and not all(_listening(pid, port) for pid in serving):
            time.sleep(0.2)
        held = _connections_per_worker(port, serving)
        assert sorted(held.values())[0] >= CONNECTIONS // 5, held
    finally:
        process.terminate()
        process.wait(timeout=30)
    sqlite = {**env, "RENCAI_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    refused = subprocess.run(
        [*command[:-1], "3"], env=sqlite, capture_output=True, text=True, timeout=60
    )
    assert refused.returncode == 2 and not refused.stdout.strip().startswith("rencai:")
    assert refused.stderr.strip().splitlines() == [
        "error: 多进程服务（--workers 大于 1）需要 PostgreSQL 数据库（RENCAI_DATABASE_URL）"
    ]


def test_each_worker_on_a_port_of_its_own(pg_url: str, tmp_path: Path) -> None:
    """`rencai serve --workers 2 --worker-ports P` (decision 0349): the workers share the port
    as before, and each also listens on a port of its own, P and P + 1, so that nginx can count
    each worker's requests in flight; a port range that takes in --port is refused."""
    port, first, url = free_port(), free_ports(2), _database(pg_url)
    env = {**os.environ, "RENCAI_DATABASE_URL": url, "RENCAI_FILES_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "rencai", "serve", "--port", str(port), "--workers", "2"]
    process = subprocess.Popen(
        [*command, "--worker-ports", str(first)], env=env, stdout=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        for each in (port, first, first + 1):
            while True:
                try:
                    answer = httpx.get(f"http://127.0.0.1:{each}/readyz", timeout=2)
                    break
                except httpx.HTTPError:
                    assert time.monotonic() < deadline, f"nothing answers on port {each}"
                    time.sleep(0.2)
            assert answer.status_code == 200
        workers = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        serving = [int(w) for w in workers if b"resource_tracker" not in _command(int(w))]
        own = {
            pid: {
                c.laddr.port
                for c in psutil.Process(pid).net_connections(kind="tcp")
                if c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port != port
            }
            for pid in serving
        }
        assert sorted(own.values(), key=min) == [{first}, {first + 1}], own
        assert all(_listening(pid, port) for pid in serving)  # the shared port, each worker
    finally:
        process.terminate()
        process.wait(timeout=30)
    overlapping = subprocess.run(
        [*command, "--worker-ports", str(port - 1)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert overlapping.returncode == 2
    assert overlapping.stderr.strip().splitlines() == [
        "error: 各工作进程的端口（--worker-ports 起共 2 个）不能与 --port 相同"
    ]


def test_a_restarted_worker_takes_its_predecessors_own_port(tmp_path: Path) -> None:
    """``serving.claim`` (decision 0349): a worker claims the first free rank and gets the shared
    port's socket of that rank with its own port's; once the worker of rank 0 is gone, the next
    one takes rank 0 again, its own port included."""
    from rencai.web import serving

    def bound(count: int) -> list[socket.socket]:
        made = []
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            made.append(sock)
        return made

    shared, own = bound(2), bound(2)
    ports = [sock.getsockname()[1] for sock in own]

    def worker() -> list[int]:
        """What a new worker gets: the ports of its sockets (copies, as a new process has)."""
        mine = serving.claim(str(tmp_path), [s.dup() for s in shared], [s.dup() for s in own])
        return [sock.getsockname()[1] for sock in mine]

    try:
        first = worker()
        assert first == [shared[0].getsockname()[1], ports[0]]
        assert worker()[1] == ports[1]
        os.close(serving._claimed.pop(0))  # the first worker ends: its lock goes with it
        assert worker()[1] == ports[0]
    finally:
        while serving._claimed:
            os.close(serving._claimed.pop())
        for sock in [*shared, *own]:
            sock.close()


CONNECTIONS = 40


def _command(pid: int) -> bytes:
    return Path(f"/proc/{pid}/cmdline").read_bytes()


def _listening(pid: int, port: int) -> bool:
    """Whether the worker ``pid`` listens on ``port`` (its own socket, decision 0261)."""
    return any(
        c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN
        for c in psutil.Process(pid).net_connections(kind="tcp")
    )


def _connections_per_worker(port: int, workers: list[int]) -> dict[int, int]:
    """Opens CONNECTIONS kept-alive connections at once, while the workers are stopped (so that
    all are pending when they resume), asks /healthz on each, and counts those each worker
    holds."""
    for pid in workers:
        os.kill(pid, signal.SIGSTOP)
    try:
        sockets = [
            socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(CONNECTIONS)
        ]
    finally:
        for pid in workers:
            os.kill(pid, signal.SIGCONT)
    try:
        for sock in sockets:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        for sock in sockets:
            assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        return {
            pid: sum(
                1
                for c in psutil.Process(pid).net_connections(kind="tcp")
                if c.laddr and c.laddr.port == port and c.status == psutil.CONN_ESTABLISHED
            )
            for pid in workers
        }
    finally:
        for sock in sockets:
            sock.close()


# --- shedding -----------------------------------------------------------------------------------

BURST = 80
WAIT = 0.1  # RENCAI_VERIFY_WAIT for the test server
BOUND = 5.0  # seconds: far above what an admitted check takes, far below an unbounded queue


async def _burst(base: str, headers: dict[str, str]) -> list[tuple[float, httpx.Response]]:
    limits = httpx.Limits(max_connections=BURST, max_keepalive_connections=BURST)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def one() -> tuple[float, httpx.Response]:
            started = time.monotonic()
            body = {"code": "x"}
            response = await client.post("/api/v1/cards/verify", headers=headers, json=body)
            return time.monotonic() - started, response

        return await asyncio.gather(*(one() for _ in range(BURST)))


def test_a_burst_beyond_capacity_is_refused_at_once(
    pg_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    url = _database(pg_url)
    with session_scope(url) as s:
        register_point(s, "BUS-9", "公交9路", "bus", "busy", PASSWORD, "130102")
    engine_for(url).dispose()
    settings = {
        "RENCAI_ADMISSION_SLOTS": "1",
        "RENCAI_VERIFY_WAIT": str(WAIT),
        "RENCAI_VERIFY_RATE": "100000",
    }
    with _server(url, tmp_path_factory.mktemp("shed-files"), **settings) as server:
        headers = _login(server.url, "busy")
        with ThreadPoolExecutor(1) as thread:
            timed = thread.submit(asyncio.run, _burst(server.url, headers)).result()
        after = httpx.post(f"{server.url}/api/v1/cards/verify", headers=headers, json={"code": "x"})
    admitted = [t for t, r in timed if r.status_code == 200]
    refused = [(t, r) for t, r in timed if r.status_code == 503]
    assert len(admitted) + len(refused) == BURST
    assert admitted and refused, (len(admitted), len(refused))
    for _, response in refused:
        assert response.json()["errors"][0]["code"] == "busy"
        assert response.headers["Retry-After"] == "1"
    # no request waits without bound, and a refusal is no slower than the slowest admission
    assert max(t for t, _ in timed) < BOUND
    assert min(t for t, _ in refused) <= max(admitted)
    assert after.status_code == 200  # and the server serves on


CALCULATIONS = 120


async def _calculations(base: str, profiles: list[dict]) -> list[tuple[float, httpx.Response]]:
    limits = httpx.Limits(max_connections=len(profiles), max_keepalive_connections=len(profiles))
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def one(profile: dict) -> tuple[float, httpx.Response]:
            started = time.monotonic()
            response = await client.post("/api/v1/entitlements", json=profile)
            return time.monotonic() - started, response

        return await asyncio.gather(*(one(p) for p in profiles))


def test_a_calculator_burst_is_batched_and_the_excess_refused_at_once(
    pg_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    profiles = []
    for i in range(CALCULATIONS):  # distinct profiles: nothing answered from the cache
        profile = doctor()
        profile["person"]["birth_date"] = f"{1970 + i % 30}-0{1 + i % 9}-1{i % 10}"
        profile["employment"]["annual_salary"] = str(100000 + 1000 * i)
        profiles.append(profile)
    settings = {"RENCAI_CALCULATOR_WAIT": "0.05", "RENCAI_CALCULATOR_CACHE": "0"}
    with _server(_database(pg_url), tmp_path_factory.mktemp("calc-files"), **settings) as server:
        with ThreadPoolExecutor(1) as thread:
            timed = thread.submit(asyncio.run, _calculations(server.url, profiles)).result()
        after = httpx.post(f"{server.url}/api/v1/entitlements", json=profiles[0], timeout=30)
    admitted = [(i, r) for i, (_, r) in enumerate(timed) if r.status_code == 200]
    refused = [(t, r) for t, r in timed if r.status_code == 503]
    assert len(admitted) + len(refused) == CALCULATIONS
    assert len(admitted) > 1 and refused, (len(admitted), len(refused))
    for _, response in refused:
        assert response.json()["errors"][0]["code"] == "busy"
        assert response.headers["Retry-After"] == "1"
    assert max(t for t, _ in timed) < BOUND
    assert min(t for t, _ in refused) <= max(t for t, r in timed if r.status_code == 200)
    for i, response in admitted:  # each answer is the one its profile gets alone
        assert response.json() == entitlements(parse_profile(profiles[i]))
    assert after.status_code == 200


def test_a_request_that_would_start_late_in_its_wait_is_refused_at_once() -> None:
    """The gate queues a request only when it should start well within its wait (decision
    0253): one that would start near the end of it is refused at once, not after waiting it out."""

    async def scenario() -> None:
        gate = Gate(1)
        held = await gate.acquire(WAIT)  # a free slot: taken at once
        gate.hold = 0.7 * WAIT  # a slot is held that long on average
        started = time.monotonic()
        with pytest.raises(Busy):
            await gate.acquire(WAIT)
        assert time.monotonic() - started < WAIT / 5  # refused at once
        gate.hold = 0.3 * WAIT  # it should start within the first half of its wait: it queues
        waiter = asyncio.create_task(gate.acquire(WAIT))
        await asyncio.sleep(WAIT / 10)
        assert not waiter.done() and gate.waiting == 1
        gate.release(held)
        gate.release(await waiter)
        assert gate.taken == 0 and not gate.full()

    # on a thread of its own: a browser test earlier in the session may leave an event loop
    # running on this one
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, scenario()).result(timeout=60)


def _hold_up(engine: Engine, username: str) -> Connection:
    """A transaction holding the bucket row of ``username``'s point: that point's checks are held
    up in the database (holding their slot) until it ends."""
    connection = engine.connect()
    connection.execute(
        text(
            "SELECT 1 FROM verify_buckets b JOIN accounts a ON a.id = b.account_id"
            " WHERE a.username = :u FOR UPDATE OF b"
        ),
        {"u": username},
    )
    return connection


def _verify(base: str, headers: dict[str, str]) -> tuple[float, httpx.Response]:
    started = time.monotonic()
    response = httpx.post(f"{base}/api/v1/cards/verify", headers=headers, json={"code": "x"})
    return time.monotonic() - started, response


LONG_WAIT = 1.5  # RENCAI_VERIFY_WAIT for the test below: long beside the checks' own times
BLOCKED = 1.4  # seconds the first check is held up in the database


def test_a_queued_check_that_can_no_longer_start_in_time_is_refused_before_its_wait_is_over(
    pg_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """One slot. The first check is held up in the database (its point's bucket row locked),
    three more queue behind it (fast at first sight: a slot has been held a few ms on average).
    When the first ends, its long hold raises the estimate and the second starts (held up in
    turn): a queued check that could then no longer start within its wait is refused at once,
    not when its wait runs out (decision 0267)."""
    url = _database(pg_url)
    with session_scope(url) as s:
        for i in range(4):
            register_point(s, f"LATE-{i}", f"公交{i}路", "bus", f"late{i}", PASSWORD, "130102")
    engine_for(url).dispose()
    settings = {
        "RENCAI_ADMISSION_SLOTS": "1",
        "RENCAI_VERIFY_WAIT": str(LONG_WAIT),
        "RENCAI_VERIFY_RATE": "100000",
    }
    with _server(url, tmp_path_factory.mktemp("late-files"), **settings) as server:
        headers = [_login(server.url, f"late{i}") for i in range(4)]
        for h in headers * 3:  # every point's bucket row made; a slot held a few ms on average
            check = httpx.post(f"{server.url}/api/v1/cards/verify", headers=h, json={"code": "x"})
            assert check.status_code == 200, check.text
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        first, second = _hold_up(engine, "late0"), _hold_up(engine, "late1")

        def send(i: int) -> tuple[float, httpx.Response]:
            time.sleep(0.1 * i)  # in order: the first takes the slot, the others queue
            return _verify(server.url, headers[i])

        try:
            with ThreadPoolExecutor(4) as pool:
                sent = [pool.submit(send, i) for i in range(4)]
                time.sleep(BLOCKED)
                first.rollback()  # the first check ends; the second starts and is held up
                fourth = sent[3].result(timeout=30)
                time.sleep(0.5)
                second.rollback()
                answers = [f.result(timeout=30) for f in sent]
        finally:
            first.close()
            second.close()
            engine.dispose()
    assert [r.status_code for _, r in answers] == [200, 200, 503, 503], [
        (t, r.status_code) for t, r in answers
    ]
    assert fourth[1].json()["errors"][0]["code"] == "busy"
    # one of the two refused when the first check ended (1.1–1.2 s after it was sent), not
    # after its 1.5 s (before: both after their whole wait). A refusal by the wait's timer comes
    # at least LONG_WAIT after the client sent the check (the wait starts when the server reads
    # it), so anything sooner was refused early.
    refused = [t for t, r in answers[2:]]
    assert min(refused) < LONG_WAIT, [(t, r.status_code) for t, r in answers]
    assert min(refused) > 0.8  # queued first, not refused at arrival
    assert max(refused) < LONG_WAIT + 0.5  # and none waits beyond its wait (with some slack)


def test_a_check_that_would_start_only_after_a_quarter_of_its_wait_is_refused_at_arrival(
    pg_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The online check's wait is short, of the order of the event loop's own stalls under
    overload: a check is queued only when it should start within the first quarter of its wait
    (other routes: the first half), else refused at arrival (decision 0267)."""
    url = _database(pg_url)
    with session_scope(url) as s:
        for i in range(2):
            register_point(s, f"EARLY-{i}", f"公交{i}路", "bus", f"early{i}", PASSWORD, "130102")
    engine_for(url).dispose()
    settings = {
        "RENCAI_ADMISSION_SLOTS": "1",
        "RENCAI_VERIFY_WAIT": "1",
        "RENCAI_VERIFY_RATE": "100000",
    }
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with (
        _server(url, tmp_path_factory.mktemp("early-files"), **settings) as server,
        ThreadPoolExecutor(1) as pool,
    ):
        headers = [_login(server.url, f"early{i}") for i in range(2)]
        for h in headers * 4:  # every point's bucket row made; a slot held a few ms on average
            assert _verify(server.url, h)[1].status_code == 200
        # one check held 1.8 s: a slot is now held about 0.36 s on average (a fifth of that)
        held = _hold_up(engine, "early0")
        slow = pool.submit(_verify, server.url, headers[0])
        time.sleep(1.8)
        held.rollback()
        held.close()
        assert slow.result(timeout=30)[1].status_code == 200
        held = _hold_up(engine, "early0")
        try:
            first = pool.submit(_verify, server.url, headers[0])  # takes the slot, held up
            time.sleep(0.3)
            # it should start in about 0.36 s: within half its wait (queued, before), not within
            # a quarter of it: refused at once
            elapsed, refused = _verify(server.url, headers[1])
        finally:
            held.rollback()
            held.close()
        assert first.result(timeout=30)[1].status_code == 200
    engine.dispose()
    assert refused.status_code == 503 and refused.json()["errors"][0]["code"] == "busy"
    # refused at arrival: a queued check would have waited for its 1 s (the slot is given back
    # only after this answer)
    assert elapsed < 0.6, elapsed
