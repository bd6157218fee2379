"""A native load generator for the HTTP benchmarks: `hey` from Debian, pinned to its own core.

The generator is installed if absent (apt-get, through `sudo -n` when not root, as
scripts/ensure-system-deps.sh does) and runs under `taskset` on the last core, while the server
runs on the others (or all of them with several workers), so the two do not compete blindly.
Every figure is printed beside /healthz measured the same way in the same run: on a shared,
noisy machine the ratios are what compare.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

CORES = os.cpu_count() or 1
GENERATOR_CPU = str(CORES - 1)  # the load generator's core
PIN = ["taskset", "-c"]
# the generator's nice value (a benchmark may choose its own: benchmarks.cards, decision 0311)
GENERATOR_NICE = int(os.environ.get("RENCAI_BENCH_GENERATOR_NICE", "0"))


def ensure(tool: str, package: str | None = None) -> str:
    """The tool's path, installing its Debian package first if it is missing."""
    found = shutil.which(tool)
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", package or tool],
    ):
        done = subprocess.run([*sudo, *command], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            reason = done.stderr.strip()[-200:]
            raise SystemExit(f"error: could not install {package or tool} with apt-get: {reason}")
    found = shutil.which(tool)
    if not found:
        raise SystemExit(f"error: {tool} still not found after installing {package or tool}")
    return found


@dataclass
class Run:
    """Per-request timings of one generator run (seconds) with their HTTP status."""

    samples: list[tuple[float, int]]
    seconds: float
    errors: int = 0  # requests that got no HTTP answer (timeouts, refused connections)
    # per sample: the time spent opening its connection (hey's DNS+dialup, TLS handshake
    # included; 0 when the request was sent on a connection kept open), and when it started,
    # in seconds from its run's start
    connects: list[float] = field(default_factory=list)
    offsets: list[float] = field(default_factory=list)

    def _where(self, keep: Callable[[int], bool], seconds: float) -> Run:
        chosen = [i for i in range(len(self.samples)) if keep(i)]
        return Run(
            [self.samples[i] for i in chosen],
            seconds,
            connects=[self.connects[i] for i in chosen],
            offsets=[self.offsets[i] for i in chosen],
        )

    def after(self, start: float) -> Run:
        """The requests that started ``start`` seconds or more into their run (a warm-up left
        out); its rates are over the rest of the run."""
        return self._where(lambda i: self.offsets[i] >= start, max(1e-9, self.seconds - start))

    def kept(self, kept: bool = True) -> Run:
        """The requests sent on a connection already open (not a connection's first request;
        ``kept=False``: those that opened their connection)."""
        return self._where(lambda i: (self.connects[i] == 0) == kept, self.seconds)

    def of(self, status: int | None = None) -> list[float]:
        return sorted(t for t, s in self.samples if status is None or s == status)

    @property
    def rate(self) -> float:
        return len(self.samples) / self.seconds

    @property
    def answered(self) -> float:
        """Requests/s answered 200 (a refusal is not a computed answer)."""
        return self.count(200) / self.seconds

    def count(self, status: int) -> int:
        return sum(1 for _, s in self.samples if s == status)

    @staticmethod
    def pct(values: Sequence[float], q: float) -> float:
        return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")

    def p(self, q: float, status: int | None = None) -> float:
        return self.pct(self.of(status), q)

    def median(self, status: int | None = None) -> float:
        values = self.of(status)
        return statistics.median(values) if values else float("nan")


def hey(
    url: str,
    *,
    seconds: float,
    concurrency: int,
    method: str = "GET",
    body: str | None = None,
    headers: dict[str, str] | None = None,
    rate: float | None = None,
    requests: int | None = None,
    nice: int = GENERATOR_NICE,
) -> subprocess.Popen[str]:
    """Start one pinned `hey` run (``rate``: requests/s offered in all, spread over the workers;
    ``requests``: a fixed number instead of a duration; ``nice``: its nice value)."""
    command = ["nice", "-n", str(nice)] if nice else []
    command += ["taskset", "-c", GENERATOR_CPU, ensure("hey"), "-c", str(concurrency), "-o", "csv"]
    command += ["-n", str(requests)] if requests else ["-z", f"{seconds:g}s"]
    command += ["-m", method, "-t", "30", "-disable-compression"]
    if rate:
        command += ["-q", f"{rate / concurrency:.3f}"]
    if body is not None:
        command += ["-d", body, "-T", "application/json"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    return subprocess.Popen(
        [*command, url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def collect(processes: Sequence[subprocess.Popen[str]], expected: float | None = None) -> Run:
    """Wait for the runs started together and merge their samples."""
    samples: list[tuple[float, int]] = []
    connects: list[float] = []
    offsets: list[float] = []
    span = 0.0
    for process in processes:
        out, err = process.communicate()
        if process.returncode != 0:
            raise SystemExit(f"error: hey failed: {err.strip()[-300:]}")
        for row in csv.DictReader(io.StringIO(out)):
            samples.append((float(row["response-time"]), int(row["status-code"])))
            connects.append(float(row["DNS+dialup"]))
            offsets.append(float(row["offset"]))
            span = max(span, float(row["offset"]) + float(row["response-time"]))
    return Run(samples, expected or span or 1e-9, connects=connects, offsets=offsets)


def paced(
    url: str, rate: float, seconds: float, streams: int = 16, per_stream: int = 4, **spec: Any
) -> Run:
    """About ``rate`` requests/s offered evenly. One `hey` paces its workers in step (each
    worker waits for its own tick, and all ticks fall together), which offers bursts rather than
    a rate; so several small runs are started a fraction of the tick apart. ``spec(i)`` may give
    each run its own headers or body (a callable), beside the rest of ``spec``."""
    return collect(start_paced(url, rate, seconds, streams, per_stream, **spec), seconds)


def start_paced(
    url: str, rate: float, seconds: float, streams: int = 16, per_stream: int = 4, **spec: Any
) -> list[subprocess.Popen[str]]:
    """``paced``'s runs, started and not yet collected."""
    tick = streams * per_stream / rate  # seconds between one worker's requests
    started = []
    for i in range(streams):
        shared = {name: value for name, value in spec.items() if name != "each"}
        options = {**shared, **spec["each"](i)} if "each" in spec else shared
        started.append(
            hey(url, seconds=seconds, concurrency=per_stream, rate=rate / streams, **options)
        )
        time.sleep(tick / streams)
    return started


def measure(url: str, **options: object) -> Run:
    return collect([hey(url, **options)])  # type: ignore[arg-type]


@contextmanager
def server(
    database_url: str, workers: int = 1, worker_ports: int | None = None, **env: str
) -> Iterator[str]:
    """`rencai serve --workers N` on a free port, pinned away from the generator's core when one
    process serves (several workers get every core: that is what they are for);
    ``worker_ports``: each worker also on a port of its own, from this one up."""
    from tests.support import free_port

    port = free_port()
    cpus = ",".join(str(c) for c in range(max(1, CORES - 1))) if workers == 1 else f"0-{CORES - 1}"
    log = open(os.environ.get("RENCAI_BENCH_LOG", os.devnull), "w")  # noqa: SIM115
    process = subprocess.Popen(
        [
            *PIN,
            cpus,
            sys.executable,
            "-m",
            "rencai",
            "serve",
            "--port",
            str(port),
            *(["--workers", str(workers)] if workers > 1 else []),
            *([] if worker_ports is None else ["--worker-ports", str(worker_ports)]),
        ],
        env={**os.environ, "RENCAI_DATABASE_URL": database_url, **env},
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            raise SystemExit("error: the server did not become ready")
        for _ in range(50 * workers):  # every worker warm (imports, rules, first connection)
            httpx.get(base + "/healthz")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:7.1f} ms"


def layout(workers: int, nice: int = GENERATOR_NICE) -> str:
    return (
        f"{CORES} cores: load generator `hey` pinned to core {GENERATOR_CPU}"
        f" (nice {nice}), server "
        f"({workers} worker{'s' if workers > 1 else ''}) on "
        + (
            f"cores 0-{CORES - 2}"
            if workers == 1 and CORES > 2
            else "core 0"
            if workers == 1
            else "every core"
        )
    )


class RunQueueWaits:
    """How long each part of the benchmark waited for a core while it ran: the kernel's
    per-thread counters (/proc/PID/task/TID/schedstat: time on a core, time runnable but
    waiting for one, times put on a core), read in a thread of their own every ``period``
    seconds, summed over each group's threads. ``groups`` gives each group's process ids when
    called (the processes may come and go: a thread first seen after the start counts from
    zero, one gone counts up to its last reading)."""

    def __init__(self, groups: dict[str, Callable[[], list[int]]], period: float = 0.2):
        self.groups, self.period = groups, period
        self.first: dict[tuple[str, str], tuple[int, int, int]] = {}
        self.last: dict[tuple[str, str], tuple[int, int, int]] = {}
        self.owner: dict[tuple[str, str], str] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> RunQueueWaits:
        self._read(initial=True)
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join()
        self._read(initial=False)

    def _sample(self) -> None:
        while not self.stop.wait(self.period):
            self._read(initial=False)

    def _read(self, initial: bool) -> None:
        for group, pids in self.groups.items():
            for pid in pids():
                try:
                    tids = os.listdir(f"/proc/{pid}/task")
                except OSError:
                    continue
                for tid in tids:
                    try:
                        with open(f"/proc/{pid}/task/{tid}/schedstat") as counters:
                            on, waited, slices = (int(v) for v in counters.read().split())
                    except (OSError, ValueError):
                        continue
                    key = (str(pid), tid)
                    self.owner[key] = group
                    self.first.setdefault(key, (on, waited, slices) if initial else (0, 0, 0))
                    self.last[key] = (on, waited, slices)

    def summary(self) -> str:
        totals: dict[str, list[int]] = {group: [0, 0, 0] for group in self.groups}
        for key, last in self.last.items():
            total = totals[self.owner[key]]
            for i, (a, b) in enumerate(zip(self.first[key], last, strict=True)):
                total[i] += b - a
        return "; ".join(
            f"{group} on a core {on / 1e9:.2f} s, waited {waited / 1e9:.2f} s"
            f" ({waited / max(1, slices) / 1e6:.2f} ms a turn, {slices} turns)"
            for group, (on, waited, slices) in totals.items()
        )
