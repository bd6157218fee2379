"""政策找人 at scale: synthesize a store, then load + screen every card and benefit.

python -m benchmarks.screening [--persons 5000000] [--keep DIR]

Each phase runs in its own process so that its peak memory (getrusage) is its own: the
synthesis, the local screening in one process (end to end: Parquet load, engine, result rows),
the same with the machine's cores as worker processes, the same ranges instrumented (load and
engine apart, and a plain-numpy version of one rule on the loaded columns), and the Dask
LocalCluster run (2 worker processes) of the same input, as a ratio to the local run. The
screening reads the store's compact file (one row per person, decision 0229); the same run
reading the Parquet files instead is the baseline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ON = dt.date(2026, 11, 23)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    """CPU seconds of this process and its finished children (worker processes): unlike the
    wall clock, not inflated by other work sharing the machine."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _children_peak_mb() -> float:
    """The largest peak of one finished worker process."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _written(table: object, store: Path, name: str) -> str:
    """The result file's SHA-256 (written after the timing, as ``rencai screen`` writes it):
    the engines' files are compared byte for byte."""
    from rencai.outreach.screening import write_result

    path = store.parent / f"result-{name}.parquet"
    write_result(table, path)  # type: ignore[arg-type]
    return hashlib.sha256(path.read_bytes()).hexdigest()


def phase(name: str, store: Path, persons: int) -> dict[str, Any]:
    from rencai.feeds import compact
    from rencai.feeds.store import synthesize

    if name == "synthesize":
        start = time.perf_counter()
        synthesize(persons, store, seed=1, as_of=ON)
        middle = time.perf_counter()
        compact.build(store)
        return {
            "seconds": middle - start,
            "compact_seconds": time.perf_counter() - middle,
            "peak_mb": _peak_mb(),
        }
    from rencai.outreach.screening import default_workers, run

    if name in ("local", "parquet"):
        start, cpu = time.perf_counter(), _cpu()
        table = run(store, ON, "shijiazhuang", use_compact=name == "local")
        seconds, cpu = time.perf_counter() - start, _cpu() - cpu
        return {
            "seconds": seconds,
            "cpu_seconds": cpu,
            "rows": table.num_rows,
            "peak_mb": _peak_mb(),
            "digest": _written(table, store, name),
        }
    if name == "workers":
        workers = default_workers()
        start, cpu = time.perf_counter(), _cpu()
        table = run(store, ON, "shijiazhuang", workers=workers)
        seconds, cpu = time.perf_counter() - start, _cpu() - cpu
        return {
            "digest": _written(table, store, name),
            "seconds": seconds,
            "cpu_seconds": cpu,
            "rows": table.num_rows,
            "workers": workers,
            "peak_mb": _peak_mb(),
            "worker_peak_mb": _children_peak_mb(),
        }
    if name == "dask":
        from distributed import LocalCluster

        with LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster:
            start = time.perf_counter()
            table = run(store, ON, "shijiazhuang", engine="dask", cluster=cluster)
            seconds = time.perf_counter() - start
            return {
                "seconds": seconds,
                "rows": table.num_rows,
                "digest": _written(table, store, name),
            }
    if name == "detail":
        return _detail(store, persons)
    raise ValueError(name)


def _detail(store: Path, persons: int) -> dict[str, float]:
    """The stages apart, as ``screen_range`` runs them (decisions 0196, 0229): the first part
    of the load from the compact file (社保, 市场监管, 税务), the gate, the rest of the load for
    those who pass, the engine; and one rule in plain numpy on the same columns as the engine."""
    from rencai.feeds.columns import LATER, Employers
    from rencai.feeds.compact import open_compact
    from rencai.outreach.screening import ranges
    from rencai.policy.contract.vocabulary import vocabulary
    from rencai.policy.engine.model import County, IntroducedFrom, county_member
    from rencai.policy.screening import gate, screen_whole

    employers = Employers(store)
    fast = open_compact(store)
    assert fast is not None and fast.usable_on(ON)
    sjz = np.array(
        [
            County[county_member(c)].index
            for c, v in vocabulary().counties.items()
            if v.jurisdiction == "shijiazhuang"
        ]
    )
    limit = np.datetime64(ON.replace(year=ON.year - 36).isoformat())
    first = gated = rest = engine = plain = 0.0
    passed = 0
    agree = True
    for lo, hi in ranges(persons):
        t0 = time.process_time()
        employment = fast.employment(lo, hi, ON, "shijiazhuang", employers)
        t1 = time.process_time()
        at = gate("shijiazhuang", employment.population, ON, ("person",), LATER)
        t2 = time.process_time()
        chunk = fast.rest(employment, "shijiazhuang", employers, at)
        t3 = time.process_time()
        result = screen_whole(
            "shijiazhuang", chunk.population, ON, categories=True, targets={"person"}
        )
        t4 = time.process_time()
        p = chunk.population.persons
        # the B card, category 2 through a doctorate only: in the city, introduced, full-time
        # employment, a doctorate, at most 35 (石办字〔2017〕39号 申领范围（2）)
        doctor_b = (
            np.isin(p["county"], sjz)
            & np.isin(
                p["introduced_from"],
                [IntroducedFrom.outside_city.index, IntroducedFrom.abroad.index],
            )
            & (p["highest_degree"] == 4)
            & (p["birth_date"] > limit)
        )
        t5 = time.process_time()
        first, gated, rest = first + t1 - t0, gated + t2 - t1, rest + t3 - t2
        engine, plain = engine + t4 - t3, plain + t5 - t4
        passed += chunk.population.count
        # every numpy doctor qualifies for the card through the engine too
        agree &= bool((~doctor_b | result.cards["card.b"]).all())
    return {
        "first_load_seconds": first,
        "gate_seconds": gated,
        "rest_load_seconds": rest,
        "engine_seconds": engine,
        "numpy_rule_seconds": plain,
        "passed": passed,
        "numpy_agrees": float(agree),
        "peak_mb": _peak_mb(),
    }


def _child(name: str, store: Path, persons: int) -> dict[str, Any]:
    output = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.screening",
            "--phase",
            name,
            "--store",
            str(store),
            "--persons",
            str(persons),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=5_000_000)
    parser.add_argument("--phase")
    parser.add_argument("--store")
    parser.add_argument("--keep", help="write the store here and keep it")
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, Path(args.store), args.persons)))
        return
    with tempfile.TemporaryDirectory() as scratch:
        store = Path(args.keep or scratch) / "store"
        n = args.persons
        made = _child("synthesize", store, n)
        size = sum(f.stat().st_size for f in store.glob("*.parquet")) / 2**20
        compact_size = (store / "screening.arrow").stat().st_size / 2**20
        print(
            f"synthesize {n:,} persons: {made['seconds']:.1f} s, {size:.0f} MB of Parquet, "
            f"peak {made['peak_mb']:.0f} MB; the compact screening file (one row per person, "
            f"decision 0229) {made['compact_seconds']:.1f} s, {compact_size:.0f} MB"
        )
        parquet = _child("parquet", store, n)
        print(
            f"baseline, the Parquet files read as before (one process): "
            f"{parquet['seconds']:.1f} s = {n / parquet['seconds']:,.0f} persons/s, "
            f"{int(parquet['rows']):,} rows, peak {parquet['peak_mb']:.0f} MB; "
            f"{n / parquet['cpu_seconds']:,.0f} persons per CPU-second"
        )
        local = _child("local", store, n)
        print(
            f"local screening, one process (load + every card and benefit + result rows): "
            f"{local['seconds']:.1f} s = {n / local['seconds']:,.0f} persons/s, "
            f"{int(local['rows']):,} rows, peak {local['peak_mb']:.0f} MB; "
            f"{n / local['cpu_seconds']:,.0f} persons per CPU-second "
            f"({parquet['cpu_seconds'] / local['cpu_seconds']:.1f}× fewer CPU-seconds than the "
            f"baseline), same bytes: {parquet['digest'] == local['digest']}"
        )
        pool = _child("workers", store, n)
        print(
            f"local screening, {int(pool['workers'])} worker processes: "
            f"{pool['seconds']:.1f} s = {n / pool['seconds']:,.0f} persons/s, "
            f"same bytes: {pool['digest'] == local['digest']}, peak "
            f"{pool['peak_mb']:.0f} MB + {pool['worker_peak_mb']:.0f} MB per worker; "
            f"{n / pool['cpu_seconds']:,.0f} persons per CPU-second, so "
            f"{int(pool['workers']) * n / pool['cpu_seconds']:,.0f} persons/s on "
            f"{int(pool['workers'])} cores of their own (load average at the end: "
            f"{os.getloadavg()[0]:.1f})"
        )
        detail = _child("detail", store, n)
        load = detail["first_load_seconds"] + detail["rest_load_seconds"]
        print(
            f"  of which (CPU-seconds, one process): compact load {n / load:,.0f} persons/s "
            f"(社保+市场监管+税务 {detail['first_load_seconds']:.2f} s for everyone, the rest "
            f"{detail['rest_load_seconds']:.2f} s for the {int(detail['passed']):,} who pass "
            f"the gate), gate {detail['gate_seconds']:.2f} s, engine "
            f"{n / detail['engine_seconds']:,.0f} persons/s ({detail['engine_seconds']:.2f} s); "
            f"plain numpy, one rule (B card by doctorate) on the same columns: "
            f"{detail['numpy_rule_seconds']:.3f} s (engine / numpy = "
            f"{detail['engine_seconds'] / detail['numpy_rule_seconds']:.0f}×, numpy ⊆ engine: "
            f"{bool(detail['numpy_agrees'])})"
        )
        dask = _child("dask", store, n)
        print(
            f"Dask LocalCluster (2 worker processes): {dask['seconds']:.1f} s = "
            f"{n / dask['seconds']:,.0f} persons/s, {dask['seconds'] / local['seconds']:.2f}× "
            f"the local time, same bytes as the local run's result file: "
            f"{dask['digest'] == local['digest']}"
        )


if __name__ == "__main__":
    main()
