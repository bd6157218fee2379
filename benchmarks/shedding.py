"""Where the online check's refusals come from under overload (decision 0267).

Runs ``benchmarks.cards``' online figures (capacity, then twice it offered) and prints, beside
them, what each server process's gate did (``rencai.web.admission.Counts``, written by each
process at its end): how many checks started at once, were refused at arrival, were queued and
then started or refused, and how long the queued ones waited as the server saw it. Against the
generator's figures (as `hey` saw them) this splits a refusal's latency into the server's wait
and the rest (the event loop, HTTP, the machine).

    python -m benchmarks.shedding [--seconds 5] [--workers 1,2]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
from pathlib import Path

import psutil

from benchmarks.cards import online
from benchmarks.native import ensure


class CpuWatch(threading.Thread):
    """CPU-seconds of this process's descendants (the server, `hey`), read every 0.2 s while they
    live: the last reading of each process is what it used. PostgreSQL's server processes are
    not descendants (``pg_ctl`` detaches them) and are left out."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.used: dict[int, tuple[str, float]] = {}
        self.done = threading.Event()

    def run(self) -> None:
        me = psutil.Process()
        while not self.done.wait(0.2):
            for child in me.children(recursive=True):
                try:
                    times = child.cpu_times()
                    name = child.name()
                except psutil.Error:
                    continue
                kind = (
                    "PostgreSQL"
                    if name.startswith("postgres")
                    else "hey"
                    if name == "hey"
                    else "server"
                )
                self.used[child.pid] = (kind, times.user + times.system)

    def by_name(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for name, seconds in self.used.values():
            totals[name] = totals.get(name, 0.0) + seconds
        return totals


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.shedding")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--workers", default="1,2", help="server worker counts to measure")
    args = parser.parse_args()
    ensure("hey")
    for workers in (int(w) for w in args.workers.split(",")):
        log = Path(tempfile.mkdtemp(prefix="rencai-shed-")) / "server.log"
        os.environ["RENCAI_BENCH_LOG"] = str(log)
        watch = CpuWatch()
        watch.start()
        online(workers, args.seconds, edge=False)  # the app's own gate: no nginx in front
        watch.done.set()
        watch.join()
        used = watch.by_name()
        print(
            "  CPU-seconds (whole run, start-up included): "
            + ", ".join(f"{name} {seconds:.1f}" for name, seconds in sorted(used.items()))
        )
        lines = [line for line in log.read_text().splitlines() if line.startswith("admission:")]
        for i, line in enumerate(lines):
            print(f"  server process {i + 1}: {line.removeprefix('admission: ')}")


if __name__ == "__main__":
    main()
