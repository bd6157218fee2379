"""docs/deploy.md followed: the documented nginx configuration in front of two app processes on
one PostgreSQL database (TLS ended by nginx, static files from the folder, the calculator and a
card check through it), and a backup with pg_dump restored with pg_restore into a new database.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from sqlalchemy import create_engine, inspect, text

from rencai.cards.usage import register_point
from rencai.db.session import engine_for, head_revision, session_scope, upgrade
from rencai.web.admission import BUSY_BODY, BUSY_HEADERS
from tests.nginx import (
    MAIN_CONFIG,
    STATIC,
    client_when_ready,
    configure,
    nginx_binary,
    read_log,
    running,
)
from tests.support import ServerProcess, _pg_bin, free_port, free_ports

PASSWORD = "secret123"


def test_the_documented_nginx_configuration_is_valid(tmp_path: Path) -> None:
    main = configure(tmp_path, [free_port(), free_port()], free_port(), free_port())
    checked = subprocess.run(
        [nginx_binary(), "-t", "-p", str(tmp_path), "-c", str(main)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


def _documented_priority() -> int:
    found = re.search(r"^worker_priority (-?\d+);", MAIN_CONFIG.read_text(), re.MULTILINE)
    assert found is not None, "docs/deploy/nginx-main.conf sets the workers' priority"
    return int(found.group(1))


def _workers(folder: Path) -> list[psutil.Process]:
    deadline = time.monotonic() + 20
    while not (folder / "nginx.pid").exists():
        assert time.monotonic() < deadline, "nginx did not write its pid file"
        time.sleep(0.05)
    master = psutil.Process(int((folder / "nginx.pid").read_text()))
    while not master.children():
        assert time.monotonic() < deadline, "nginx started no worker"
        time.sleep(0.05)
    return master.children()


def test_the_edge_is_served_a_core_first_and_starts_without_root(tmp_path: Path) -> None:
    """docs/deploy.md §3: nginx's workers run at the documented priority (above the app's
    processes: a negative nice value) when the master runs as root; a master that may not
    raise it (not root) logs an alert and starts all the same."""
    priority = _documented_priority()
    assert priority < 0
    if os.geteuid() == 0:  # as a deployment runs it: the workers' nice value is the priority
        main = configure(tmp_path, [free_port(), free_port()], free_port(), free_port())
        with running(main, tmp_path):
            assert [worker.nice() for worker in _workers(tmp_path)] == [priority]
    # as a user that may not raise a priority (from root: `nobody`, in a folder it owns)
    folder = Path(tempfile.mkdtemp(prefix="rencai-edge-user-"))
    http = free_port()
    main = configure(folder, [free_port(), free_port()], http, free_port())
    as_user: list[str] = []
    if os.geteuid() == 0:
        for path in [folder, *folder.iterdir()]:
            os.chown(path, 65534, 65534)
        as_user = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    try:
        with running(main, folder, as_user):
            deadline = time.monotonic() + 20
            while True:
                try:
                    answer = httpx.get(f"http://127.0.0.1:{http}/healthz")
                    break
                except httpx.HTTPError:
                    assert time.monotonic() < deadline, "nginx did not start"
                    time.sleep(0.1)
            assert answer.status_code == 301  # served: the plain port sends to HTTPS
            # the worker kept the nice value it was started with (this test's)
            assert [worker.nice() for worker in _workers(folder)] == [os.nice(0)]
        alert = f"setpriority({priority}) failed"
        assert alert in (folder / "error.log").read_text()
    finally:
        shutil.rmtree(folder)


def _database(pg_url: str, prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return pg_url.rsplit("/", 1)[0] + "/" + name


def test_two_processes_behind_the_documented_nginx(
    pg_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from tests.profiles import doctor_today

    url = _database(pg_url, "deployed")
    upgrade(url)
    with session_scope(url) as s:
        register_point(s, "BUS-7", "公交7路", "bus", "gate7", PASSWORD, "130102")
    engine_for(url).dispose()
    files = tmp_path_factory.mktemp("deployed-files")
    folder = tmp_path_factory.mktemp("nginx")
    # as docs/deploy.md §2 runs them: `rencai serve` behind nginx, one of them with two workers
    # each on a port of its own too (an upstream line each), the other a single process
    documented = ["--host", "127.0.0.1", "--forwarded-allow-ips", "127.0.0.1"]
    env = {"RENCAI_SECURE_COOKIES": "1", "RENCAI_CARD_KEYS": str(files.parent / "card-keys")}
    first = free_ports(2)
    two = [*documented, "--workers", "2", "--worker-ports", str(first)]
    with (
        ServerProcess(url, files, serve=two, env=env),
        ServerProcess(url, files, serve=documented, env=env) as b,
    ):
        for port in (first, first + 1):
            _answers(port)
        https = free_port()
        main = configure(folder, [first, first + 1, b.port], free_port(), https)
        with running(main, folder):
            client = client_when_ready(folder, https)
            assert client.get("/readyz").json() == {"status": "ok"}
            # static files from the folder, by nginx
            css = client.get("/static/app.js")
            assert css.status_code == 200 and css.content == (STATIC / "app.js").read_bytes()
            assert css.headers["x-content-type-options"] == "nosniff"
            # the calculator, answered by either process
            profile = doctor_today()
            answers = [client.post("/api/v1/entitlements", json=profile) for _ in range(4)]
            assert all(r.status_code == 200 for r in answers)
            assert len({r.text for r in answers}) == 1 and "benefits" in answers[0].json()
            # a card check (an unreadable code: the verdict, and the use recorded)
            login = client.post("/api/v1/tokens", json={"username": "gate7", "password": PASSWORD})
            headers = {"Authorization": f"Bearer {login.json()['token']}"}
            check = client.post("/api/v1/cards/verify", headers=headers, json={"code": "x"})
            assert check.status_code == 200 and check.json()["verdict"] == "malformed"
            assert check.json()["recorded"] is True
            # the login holds through the proxy, whichever process answers
            assert client.get("/api/v1/me", headers=headers).json()["username"] == "gate7"
            client.close()


def _answers(port: int, seconds: float = 60) -> None:
    """Waits until the app answers /readyz on ``port``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, f"nothing answers on port {port}"
        time.sleep(0.2)


def _lock_waiters(connection: Any, count: int) -> None:
    """Waits until ``count`` statements wait for a lock in PostgreSQL."""
    waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
    deadline = time.monotonic() + 20
    while connection.execute(text(waiting)).scalar_one() < count:
        assert time.monotonic() < deadline, f"{count} checks did not reach the lock"
        time.sleep(0.05)


def test_the_edge_gives_each_worker_its_share_of_the_requests_in_flight(
    pg_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """docs/deploy.md §2–3 (decision 0349): `rencai serve --workers 2 --worker-ports P` behind
    the documented upstream, one line per worker's port, balanced by the requests in flight
    (least_conn). While a check is held in one worker (blocked on a table lock in PostgreSQL),
    every other request goes to the other worker, and so does a second check: nginx's access log
    names the port, so the worker, that answered each."""
    url = _database(pg_url, "spread")
    upgrade(url)
    with session_scope(url) as s:
        register_point(s, "BUS-7", "公交7路", "bus", "gate7", PASSWORD, "130102")
    files = tmp_path_factory.mktemp("spread-files")
    folder = tmp_path_factory.mktemp("spread-nginx")
    log = folder / "access.log"
    first = free_ports(2)
    serve = ["--host", "127.0.0.1", "--forwarded-allow-ips", "127.0.0.1", "--workers", "2"]
    env = {"RENCAI_CARD_KEYS": str(files.parent / "spread-card-keys")}
    with ServerProcess(url, files, serve=[*serve, "--worker-ports", str(first)], env=env):
        for port in (first, first + 1):
            _answers(port)
        https = free_port()
        main = configure(folder, [first, first + 1], free_port(), https, access_log=log)
        with running(main, folder):
            client = client_when_ready(folder, https)
            login = client.post("/api/v1/tokens", json={"username": "gate7", "password": PASSWORD})
            headers = {"Authorization": f"Bearer {login.json()['token']}"}
            trust = ssl.create_default_context(cafile=str(folder / "fullchain.pem"))

            def check() -> httpx.Response:
                with httpx.Client(verify=trust, timeout=30) as own:
                    return own.post(
                        f"https://127.0.0.1:{https}/api/v1/cards/verify",
                        headers=headers,
                        json={"code": "x"},
                    )

            blocker = create_engine(url)
            with blocker.connect() as lock, ThreadPoolExecutor(2) as pool:
                lock.execute(text("LOCK TABLE verify_buckets IN ACCESS EXCLUSIVE MODE"))
                held = [pool.submit(check)]
                _lock_waiters(lock, 1)
                others = [client.get("/api/v1/me", headers=headers) for _ in range(6)]
                held.append(pool.submit(check))
                _lock_waiters(lock, 2)
                lock.rollback()
                assert [h.result().status_code for h in held] == [200, 200]
            blocker.dispose()
            assert all(r.status_code == 200 for r in others)
            client.close()
    rows = read_log(log)
    ports = {f"127.0.0.1:{first}", f"127.0.0.1:{first + 1}"}
    checks = [r["upstream_addr"] for r in rows if r["request_uri"] == "/api/v1/cards/verify"]
    elsewhere = {r["upstream_addr"] for r in rows if r["request_uri"] == "/api/v1/me"}
    assert set(checks) == ports and len(checks) == 2  # one check held in each worker
    # while the first check was held, every other request went to the other worker
    assert len(elsewhere) == 1 and elsewhere < ports, elsewhere
    engine_for(url).dispose()


def test_a_backup_restores_into_a_new_database(pg_url: str, tmp_path: Path) -> None:
    from rencai.demo import load_demo

    source = _database(pg_url, "backed")
    upgrade(source)
    with session_scope(source) as s:
        load_demo(s)
    dump = tmp_path / "rencai.dump"
    host, port = re.search(r"@([^:/]+):(\d+)/", source).groups()  # type: ignore[union-attr]
    common = ["-h", host, "-p", port, "-U", "postgres"]
    subprocess.run(
        [_pg_bin("pg_dump"), *common, "-Fc", "-f", str(dump), source.rsplit("/", 1)[1]],
        check=True,
        capture_output=True,
    )
    target = _database(pg_url, "restored")
    subprocess.run(
        [_pg_bin("pg_restore"), *common, "--no-owner", "-d", target.rsplit("/", 1)[1], str(dump)],
        check=True,
        capture_output=True,
    )

    def counts(url: str) -> dict[str, int]:
        engine = engine_for(url)
        with engine.connect() as connection:
            tables = inspect(connection).get_table_names()
            return {
                t: connection.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()
                for t in tables
            }

    before, after = counts(source), counts(target)
    assert before == after and before["accounts"] > 0 and before["applications"] > 0
    with engine_for(target).connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert version == head_revision()
    # the sequences came along: a new row in the restored database gets a fresh number
    with engine_for(target).begin() as connection:
        biggest = connection.execute(text("SELECT max(id) FROM accounts")).scalar_one()
        fresh = connection.execute(
            text("SELECT nextval(pg_get_serial_sequence('accounts', 'id'))")
        ).scalar_one()
    assert fresh > biggest
    engine_for(source).dispose()
    engine_for(target).dispose()


def test_readiness_follows_the_schema_of_the_release(
    pg_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """docs/deploy.md §6–7: a process is alive at once, and ready only while its database
    carries this release's schema (not before `rencai db upgrade`, not after a downgrade)."""
    from rencai.db.session import downgrade

    url = _database(pg_url, "readiness")
    with ServerProcess(url, tmp_path_factory.mktemp("ready-files")) as server:
        assert httpx.get(f"{server.url}/healthz").json() == {"status": "ok"}
        not_yet = httpx.get(f"{server.url}/readyz")
        assert not_yet.status_code == 503 and not_yet.json() == {"status": "unavailable"}
        upgrade(url)
        ready = httpx.get(f"{server.url}/readyz")
        assert ready.status_code == 200 and ready.json() == {"status": "ok"}
        downgrade(url, "-1")  # the schema of the release before
        assert httpx.get(f"{server.url}/readyz").status_code == 503
        upgrade(url)
        assert httpx.get(f"{server.url}/readyz").status_code == 200
    engine_for(url).dispose()


def _held_check(https: int, trust: ssl.SSLContext, token: str) -> tuple[ssl.SSLSocket, bytes]:
    """A card check to nginx whose headers are sent and whose body is held back: in flight at
    the edge (counted by its cap) while no app process has seen it. Returns the socket and the
    rest of the body, to be sent later."""
    body = json.dumps({"code": "x"}).encode()
    raw = socket.create_connection(("127.0.0.1", https), timeout=30)
    held = trust.wrap_socket(raw, server_hostname="127.0.0.1")
    held.sendall(
        b"POST /api/v1/cards/verify HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n".encode()
        + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body[:3]
    )
    return held, body[3:]


def _answer(held: ssl.SSLSocket) -> tuple[int, dict[str, Any]]:
    chunks = []
    while chunk := held.recv(65536):
        chunks.append(chunk)
    held.close()
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), json.loads(body)


def _uses(url: str) -> int:
    with engine_for(url).connect() as connection:
        return connection.execute(text("SELECT count(*) FROM card_uses")).scalar_one()


WHOLE_ANSWER = ("date", "server", "connection")  # set by nginx for every answer, refusals or not


def test_the_edge_refuses_checks_beyond_its_cap_exactly_as_the_app_refuses(
    pg_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """docs/deploy.md §3: nginx caps the online checks in flight (a test-sized cap of 2 here);
    a burst beyond it is answered 503 busy by nginx at once with the app's own body and headers,
    and no app process sees it (no use recorded); the checks within it are the app's. The app's
    own refusal (one admission slot, no wait, the slot held by a check blocked in PostgreSQL)
    passes through nginx unchanged, and the edge's is the same answer."""
    url = _database(pg_url, "edge")
    upgrade(url)
    with session_scope(url) as s:
        register_point(s, "BUS-7", "公交7路", "bus", "gate7", PASSWORD, "130102")
    files = tmp_path_factory.mktemp("edge-files")
    folder = tmp_path_factory.mktemp("edge-nginx")
    env = {
        "RENCAI_CARD_KEYS": str(files.parent / "edge-card-keys"),
        "RENCAI_ADMISSION_SLOTS": "1",
        "RENCAI_VERIFY_WAIT": "0",
    }
    serve = ["--host", "127.0.0.1", "--forwarded-allow-ips", "127.0.0.1"]
    with ServerProcess(url, files, serve=serve, env=env) as app:
        https = free_port()
        # one app process behind both documented upstream lines: every check reaches its gate
        main = configure(folder, [app.port, app.port], free_port(), https, verify_cap=2)
        with running(main, folder):
            client = client_when_ready(folder, https)
            trust = ssl.create_default_context(cafile=str(folder / "fullchain.pem"))
            login = client.post("/api/v1/tokens", json={"username": "gate7", "password": PASSWORD})
            token = login.json()["token"]
            headers = {"Authorization": f"Bearer {token}"}
            check = client.post("/api/v1/cards/verify", headers=headers, json={"code": "x"})
            assert check.status_code == 200 and check.json()["recorded"] is True  # within the cap

            held = [_held_check(https, trust, token) for _ in range(2)]  # the cap, in flight
            time.sleep(0.3)  # nginx has read their headers
            before = _uses(url)

            def burst(_: int) -> tuple[httpx.Response, float]:
                with httpx.Client(verify=trust, timeout=30) as own:
                    own.get(f"https://127.0.0.1:{https}/healthz")  # connected and warm
                    started = time.perf_counter()
                    refused = own.post(
                        f"https://127.0.0.1:{https}/api/v1/cards/verify",
                        headers=headers,
                        json={"code": "x"},
                    )
                    return refused, time.perf_counter() - started

            with ThreadPoolExecutor(8) as pool:
                refusals = list(pool.map(burst, range(8)))
            for refused, took in refusals:
                assert refused.status_code == 503, refused.text
                assert refused.content == BUSY_BODY
                for name, value in BUSY_HEADERS:
                    assert refused.headers[name.decode()] == value.decode(), name
                assert took < 0.25, took  # answered at once, by nginx alone
            assert _uses(url) == before  # no app process saw them
            edge = refusals[0][0]

            for socket_, rest in held:  # within the cap: answered by the app (in turn: it
                socket_.sendall(rest)  # admits one at a time here, and no wait)
                status, answer = _answer(socket_)
                assert status == 200 and answer["verdict"] == "malformed" and answer["recorded"]
            assert _uses(url) == before + 2
            again = client.post("/api/v1/cards/verify", headers=headers, json={"code": "x"})
            assert again.status_code == 200  # the cap's count was given back

            # the app's own refusal, through nginx: a check holds the process's only slot,
            # blocked on a lock taken here; the next is refused by the app (no wait)
            blocker = create_engine(url)
            with blocker.connect() as lock, ThreadPoolExecutor(1) as pool:
                lock.execute(text("LOCK TABLE verify_buckets IN ACCESS EXCLUSIVE MODE"))
                blocked = pool.submit(
                    client.post, "/api/v1/cards/verify", headers=headers, json={"code": "x"}
                )
                waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                deadline = time.monotonic() + 20
                while not lock.execute(text(waiting)).scalar_one():
                    assert time.monotonic() < deadline, "the check did not reach the lock"
                    time.sleep(0.05)
                own = client.post("/api/v1/cards/verify", headers=headers, json={"code": "x"})
                lock.rollback()
                assert blocked.result().status_code == 200
            blocker.dispose()
            assert own.status_code == 503 and own.content == edge.content
            assert {k: v for k, v in own.headers.items() if k not in WHOLE_ANSWER} == {
                k: v for k, v in edge.headers.items() if k not in WHOLE_ANSWER
            }
            client.close()
    engine_for(url).dispose()


def _send_check(connection: ssl.SSLSocket, token: str) -> None:
    """A whole card check on a connection kept open (HTTP/1.1: kept alive unless told)."""
    body = json.dumps({"code": "x"}).encode()
    connection.sendall(
        b"POST /api/v1/cards/verify HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n".encode()
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )


def _one_answer(connection: ssl.SSLSocket) -> tuple[int, dict[str, str], bytes]:
    """One answer read off a connection that stays open: its status, headers and body (by its
    Content-Length), and not a byte more."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        assert chunk, "the connection was closed before an answer"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    while len(body) < int(headers["content-length"]):
        chunk = connection.recv(65536)
        assert chunk, "the connection was closed inside an answer"
        body += chunk
    assert len(body) == int(headers["content-length"])
    return int(lines[0].split(" ", 2)[1]), headers, body


def test_a_check_refused_at_the_edge_keeps_its_connection(
    pg_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """docs/deploy.md §3 (decision 0326): nginx's refusal of a check beyond its cap (the
    limit_conn 503 answered by the named location) leaves the gate's connection open, so its
    next check needs no new TLS handshake: on one connection a check refused by the edge, then
    a check answered by the app, one after the other; nginx's access log shows them as the
    first and second requests of one connection."""
    url = _database(pg_url, "kept")
    upgrade(url)
    with session_scope(url) as s:
        register_point(s, "BUS-7", "公交7路", "bus", "gate7", PASSWORD, "130102")
    files = tmp_path_factory.mktemp("kept-files")
    folder = tmp_path_factory.mktemp("kept-nginx")
    log = folder / "access.log"
    env = {"RENCAI_CARD_KEYS": str(files.parent / "kept-card-keys")}
    serve = ["--host", "127.0.0.1", "--forwarded-allow-ips", "127.0.0.1"]
    with ServerProcess(url, files, serve=serve, env=env) as app:
        https = free_port()
        main = configure(
            folder, [app.port, app.port], free_port(), https, verify_cap=1, access_log=log
        )
        with running(main, folder):
            client = client_when_ready(folder, https)
            login = client.post("/api/v1/tokens", json={"username": "gate7", "password": PASSWORD})
            token = login.json()["token"]
            client.close()
            trust = ssl.create_default_context(cafile=str(folder / "fullchain.pem"))
            held, rest = _held_check(https, trust, token)  # the cap of one, in flight
            time.sleep(0.3)  # nginx has read its headers
            raw = socket.create_connection(("127.0.0.1", https), timeout=30)
            with trust.wrap_socket(raw, server_hostname="127.0.0.1") as gate:
                _send_check(gate, token)
                status, headers, body = _one_answer(gate)
                assert status == 503 and body == BUSY_BODY  # refused by the edge
                assert headers["connection"] == "keep-alive"
                held.sendall(rest)  # the held check is answered: the cap is free again
                assert _answer(held)[0] == 200
                _send_check(gate, token)  # the same connection, no new handshake
                status, headers, body = _one_answer(gate)
                assert status == 200 and json.loads(body)["recorded"] is True
                assert headers["connection"] == "keep-alive"
    checks = [row for row in read_log(log) if row["status"] in ("503", "200")]
    refused = next(row for row in checks if row["status"] == "503")
    assert refused["upstream_addr"] == "-"  # nginx's own refusal
    answered = [
        row
        for row in checks
        if row["connection"] == refused["connection"] and row["upstream_addr"] != "-"
    ]
    assert refused["connection_requests"] == "1" and refused["ssl_session_reused"] == "."
    assert [row["connection_requests"] for row in answered] == ["2"]
    engine_for(url).dispose()
