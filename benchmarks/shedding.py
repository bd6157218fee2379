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
from pathlib import Path

from benchmarks.cards import online
from benchmarks.native import ensure


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.shedding")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--workers", default="1,2", help="server worker counts to measure")
    args = parser.parse_args()
    ensure("hey")
    for workers in (int(w) for w in args.workers.split(",")):
        log = Path(tempfile.mkdtemp(prefix="rencai-shed-")) / "server.log"
        os.environ["RENCAI_BENCH_LOG"] = str(log)
        online(workers, args.seconds)
        lines = [line for line in log.read_text().splitlines() if line.startswith("admission:")]
        for i, line in enumerate(lines):
            print(f"  server process {i + 1}: {line.removeprefix('admission: ')}")


if __name__ == "__main__":
    main()
