"""Real servers for the tests: a throwaway PostgreSQL cluster and the app over real HTTP."""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import uvicorn

# How long an app may take to start serving. It builds every city's rules engine before it
# listens (rencai.web.warm): about ten seconds alone, minutes on two cores shared with the rest
# of the suite. The wait ends as soon as the app answers, or at once if its process exits.
STARTUP_LIMIT = 300


# A day on which the “石家庄工匠” selection takes applications. Its rules' 第七条 reads
# “自 2022 年起，每两年选拔一次……当年度 8 月份组织申报”, so 2027, 2029 … hold none, and a case
# filed then is pre-checked 不符合条件 and cannot be approved (decision 0352). A test that
# reviews such a case files it on this day (``with clock.frozen(CRAFTSMAN_SELECTION_DAY):``),
# whatever year the suite runs in; what follows the filing runs on the office's own day.
CRAFTSMAN_SELECTION_DAY = dt.datetime(2026, 8, 3, 2, 0, tzinfo=dt.UTC)  # 10:00 at the office


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def free_ports(count: int) -> int:
    """The first of ``count`` consecutive free ports on the loopback address (``rencai serve
    --worker-ports``)."""
    while True:
        first, taken = free_port(), []
        try:
            for port in range(first, first + count):
                sock = socket.socket()
                taken.append(sock)
                sock.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for sock in taken:
                sock.close()


def _pg_bin(name: str) -> str:
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    found = candidates[0] if candidates else shutil.which(name)
    if not found:
        raise RuntimeError(
            f"PostgreSQL server binary {name!r} not found: run `make test`, which installs it"
        )
    return found


@contextlib.contextmanager
def postgres_cluster() -> Iterator[str]:
    """initdb + pg_ctl in a temp directory on a free port; yields a database URL.

    PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` user.
    """
    as_root = os.geteuid() == 0
    prefix: list[str] = ["runuser", "-u", "postgres", "--"] if as_root else []
    workdir = Path(tempfile.mkdtemp(prefix="rencai-pg-"))
    if as_root:
        shutil.chown(workdir, "postgres", "postgres")
    data = workdir / "data"
    port = free_port()
    run = lambda *args: subprocess.run(  # noqa: E731
        [*prefix, *args], check=True, capture_output=True, text=True
    )
    try:
        run(
            _pg_bin("initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        run(
            _pg_bin("pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(workdir / "log"),
            "-w",
            "-o",
            f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )
        run(_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "rencai")
    except subprocess.CalledProcessError as exc:
        log = (workdir / "log").read_text() if (workdir / "log").exists() else ""
        raise RuntimeError(
            f"could not start PostgreSQL: {exc.stderr.strip()} {log[-500:]}"
        ) from exc
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/rencai"
    finally:
        subprocess.run(
            [*prefix, _pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(workdir, ignore_errors=True)


class LiveServer:
    def __init__(self, app: object) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + STARTUP_LIMIT
        while time.monotonic() < deadline and self.thread.is_alive():
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            time.sleep(0.05)
        raise RuntimeError("the app did not start")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


class ServerProcess:
    """The app in its own process over real HTTP, on the database it is given (the in-process
    ``LiveServer`` reads the database URL from this process's environment, shared by all)."""

    def __init__(
        self,
        database_url: str,
        files_dir: Path,
        serve: list[str] | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        """``serve``: run `rencai serve --port P` with these further options (the production
        command) instead of uvicorn itself; ``env``: further environment variables."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url
        self.serve = serve
        self.env = {
            **os.environ,
            "RENCAI_DATABASE_URL": database_url,
            "RENCAI_FILES_DIR": str(files_dir),
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> ServerProcess:
        import sys

        if self.serve is not None:
            command = [sys.executable, "-m", "rencai", "serve", "--port", str(self.port)]
            command += self.serve
        else:
            command = [sys.executable, "-m", "uvicorn", "rencai.web.app:create_app", "--factory"]
            command += ["--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"]
        self.process = subprocess.Popen(command, env=self.env)
        deadline = time.monotonic() + STARTUP_LIMIT
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("the app did not start")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser"):
        if found := shutil.which(name):
            return found
    raise RuntimeError("chromium not found: run `make test`, which installs Debian's chromium")


def random_first17(born: dt.date | str | None = None) -> str:
    """The first 17 characters of a fresh 身份证号 born on ``born`` (by default the birth date of
    the doctor asked today, tests/profiles.py ``doctor_today``: the number carries the birth
    date, and a profile that states another is refused). Test talents share one database per
    run: the region code and sequence are random, so the number is unique per account."""
    from tests.profiles import doctor_birth_date

    if born is None:
        day = doctor_birth_date()
    else:
        day = dt.date.fromisoformat(born) if isinstance(born, str) else born
    region = 110000 + secrets.randbelow(540_000)
    return f"{region}{day:%Y%m%d}{secrets.randbelow(1000):03d}"


def random_id_number(born: dt.date | str | None = None) -> str:
    """A complete, valid 身份证号 born on ``born`` (see random_first17)."""
    from rencai.registry.identifiers import id_check_character

    first17 = random_first17(born)
    return first17 + id_check_character(first17)


def with_csrf(request: httpx.Request) -> None:
    """An httpx request hook that does what the pages do: a state-changing request sent with
    the browser's cookies carries the CSRF token derived from them (``rencai.web.csrf``)."""
    from http.cookies import SimpleCookie

    from rencai.web.csrf import token_for

    unsafe = request.method in ("POST", "PUT", "PATCH", "DELETE")
    if not unsafe or "x-csrf-token" in request.headers:
        return
    jar: SimpleCookie = SimpleCookie()
    jar.load(request.headers.get("cookie", ""))
    key = jar.get("rencai_session") or jar.get("rencai_csrf")
    if key is not None and key.value:
        request.headers["X-CSRF-Token"] = token_for(key.value)


CSRF_HOOKS: dict[str, list[Any]] = {"request": [with_csrf]}


def csrf_headers(session_token: str) -> dict[str, str]:
    """The CSRF header of a browser whose session cookie is ``session_token``."""
    from rencai.web.csrf import token_for

    return {"X-CSRF-Token": token_for(session_token)}
