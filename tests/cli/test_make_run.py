"""`make run` as a newcomer uses it: HOST and PORT honoured, progress said, and Ctrl-C ends the
server without make reporting an error."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support import free_port

ROOT = Path(__file__).parents[2]
BIN = Path(sys.executable).parent  # the environment running the tests has `rencai` installed


def _start(port: int, tmp_path: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "RENCAI_DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}"}
    # -o install: the environment is already installed; DEMO=: no demo data (a minute's work)
    command = ["make", "-s", "-o", "install", "run", "HOST=127.0.0.1", f"PORT={port}"]
    return subprocess.Popen(
        [*command, f"BIN={BIN}", "DEMO="],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )


def _wait_until_serving(process: subprocess.Popen[str], port: int) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[0]
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail("make run did not serve on the given port")


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "term"])
def test_make_run_serves_on_host_and_port_and_stops_cleanly(
    tmp_path: Path, stop: signal.Signals
) -> None:
    port = free_port()
    process = _start(port, tmp_path)
    try:
        _wait_until_serving(process, port)
    finally:
        os.killpg(process.pid, stop)  # what the terminal does on Ctrl-C: the whole job
        output = process.communicate(timeout=60)[0]
    assert f"serving http://127.0.0.1:{port}/" in output  # said before the wait
    assert f"rencai: http://127.0.0.1:{port}/" in output
    assert "Error" not in output and "Interrupt" not in output and "Terminated" not in output


def test_the_first_install_says_what_it_is_doing(tmp_path: Path) -> None:
    dry = subprocess.run(
        ["make", "-n", "install", f"VENV={tmp_path / 'venv'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert dry.returncode == 0, dry.stderr
    for step in ("[1/4] creating", "[2/4] installing the pinned", "[3/4]", "[4/4] installed"):
        assert step in dry.stdout
