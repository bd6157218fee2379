"""政策找人: who, in the screening store, qualifies for which card or benefit on a day.

The store is read in ranges of persons (bounded memory); each range goes through the same
OpenFisca formulas as the calculator (``policy.screening.screen``). On one machine the ranges are
screened one after another; with Dask distributed each range is a task on the cluster (a
``LocalCluster`` or an existing scheduler's address). Both concatenate the ranges in order, so
their results are the same bytes.

A result row: the person (pid, identity number, name), the program, its name, the deciding
clause (the card category's or the benefit's citation), the employer's county, the highest
degree and, for money, the amount in fen. Those who already applied are removed afterwards
(``applied.py``: their application, card or payment schedule is in the database).
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import multiprocessing
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc
import pyarrow.parquet as pq

from rencai.errors import Refusal
from rencai.feeds import compact, store
from rencai.feeds.columns import LATER, Employers, load_employment, load_rest
from rencai.feeds.store import PARTITION, check_store
from rencai.policy.cities import registry
from rencai.policy.engine.system import system_for
from rencai.policy.screening import gate, screen_gated, screen_whole

RESULT = pa.schema(
    [
        ("pid", pa.int32()),
        ("id_number", pa.string()),
        ("name", pa.string()),
        ("program", pa.string()),
        ("program_name", pa.string()),
        ("clause", pa.string()),
        ("county", pa.string()),
        ("degree", pa.string()),
        ("amount_fen", pa.int64()),
    ]
)


# persons per range (a worker's or a Dask task's unit): five of the store's row groups. The
# engine's cost per range (some 750 OpenFisca calculations, the gate, the reads) is fixed, so a
# larger range screens more persons per CPU-second; about 1.4 GB per range at its peak
# (decision 0196)
RANGE = 5 * PARTITION


class ScreeningError(Refusal):
    """A screening that cannot run (no such store, city without computed rules, bad engine)."""


@dataclass(frozen=True)
class Item:
    id: str
    name: str
    clause: str  # "document clause" of the card or benefit
    category_clauses: tuple[tuple[int, str], ...] = ()  # a card's categories


@functools.cache
def items(jurisdiction: str) -> tuple[Item, ...]:
    """The cards (for the talent, not the 副卡) and the person benefits, in the result's order."""
    program = system_for(jurisdiction).program
    result = [
        Item(
            card.id,
            card.name,
            card.citation.heading,
            tuple((c.number, c.citation.heading) for c in card.categories),
        )
        for card in program.cards
        if not card.per_relative
    ]
    for benefit in program.benefits:
        if benefit.target != "person" or benefit.citation is None:
            continue
        result.append(
            Item(
                benefit.id,
                benefit.name,
                benefit.citation.heading,
            )
        )
    return tuple(result)


def check_jurisdiction(jurisdiction: str) -> None:
    cities = registry()
    if jurisdiction not in cities:
        raise ScreeningError("jurisdiction", f"城市 {jurisdiction} 没有可计算的政策规则", "invalid")


@functools.cache
def _employers(directory: str) -> Employers:
    return Employers(Path(directory))


def _dask_range(
    directory: str, lo: int, hi: int, on: str, jurisdiction: str, use_compact: bool
) -> pa.Table:
    """A Dask task: ``screen_range`` with the cyclic garbage collector paused (decision 0230).
    A Dask worker holds many objects of its own, and the engine's allocations made it spend
    more CPU in collections than in the range; what the range leaves is collected after."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return screen_range(directory, lo, hi, on, jurisdiction, use_compact=use_compact)
    finally:
        if collecting:
            gc.enable()


def screen_range(
    directory: str,
    lo: int,
    hi: int,
    on: str,
    jurisdiction: str,
    targets: tuple[str, ...] | None = ("person",),
    use_compact: bool = True,
) -> pa.Table:
    """One range of persons: load, screen, and the rows of those who qualify (a worker's or a
    Dask task). Only the awards to persons are computed (``targets``; decision 0131): the store
    holds no facts of units, and the result lists persons."""
    day = dt.date.fromisoformat(on)
    employers = _employers(directory)
    # one row per person when the store's compact file is fresh and the day allows it, the
    # Parquet files otherwise: the same columns either way (decision 0229)
    fast = compact.open_compact(Path(directory)) if use_compact else None
    if fast is not None and not fast.usable_on(day):
        fast = None
    # the gate first, on what 社保, 市场监管 and 税务 say; the rest is read for those who pass
    # only (decision 0196)
    if fast is not None:
        employment = fast.employment(lo, hi, day, jurisdiction, employers)
    else:
        employment = load_employment(Path(directory), lo, hi, day, jurisdiction, employers)
    at = gate(jurisdiction, employment.population, day, targets, LATER)
    if fast is not None:
        chunk = fast.rest(employment, jurisdiction, employers, at)
    else:
        chunk = load_rest(Path(directory), employment, day, jurisdiction, employers, at)
    if at is not None:
        result = screen_whole(jurisdiction, chunk.population, day, categories=True, targets=targets)
    else:  # no gate from these facts alone: everything read, then the usual gate
        screened, result = screen_gated(
            jurisdiction, chunk.population, day, categories=True, targets=targets
        )
        # the result's rows are those screened; the others hold nothing (decision 0175)
        at = np.arange(chunk.population.count) if screened is None else screened
    pids, which, clauses, amounts = [], [], [], []
    clause_pool: list[str] = []
    clause_index: dict[str, int] = {}

    def clause_of(text: str) -> int:
        if text not in clause_index:
            clause_index[text] = len(clause_pool)
            clause_pool.append(text)
        return clause_index[text]

    for k, item in enumerate(items(jurisdiction)):
        if item.id in result.cards:
            held = result.cards[item.id].astype(bool)
            category = result.categories.get(item.id, np.zeros(result.count))
            rows = np.flatnonzero(held)
            table = np.full(
                max((n for n, _ in item.category_clauses), default=0) + 1, clause_of(item.clause)
            )
            for number, text in item.category_clauses:
                table[number] = clause_of(text)
            clause = table[category[rows].astype(np.int64)]
            amount = np.full(len(rows), -1, dtype=np.int64)
        else:
            rows = np.flatnonzero(result.granted[item.id].astype(bool))
            clause = np.full(len(rows), clause_of(item.clause))
            totals = result.totals_fen.get(item.id)
            amount = totals[rows] if totals is not None else np.full(len(rows), -1, np.int64)
        pids.append(at[rows])
        which.append(np.full(len(rows), k))
        clauses.append(clause)
        amounts.append(amount)
    row = np.concatenate(pids) if pids else np.zeros(0, dtype=np.int64)
    item_of = np.concatenate(which) if which else np.zeros(0, dtype=np.int64)
    order = np.lexsort((item_of, row))
    row, item_of = row[order], item_of[order]
    clause = np.concatenate(clauses)[order].astype(np.int32)
    amount = np.concatenate(amounts)[order]
    every = items(jurisdiction)
    taken = pa.array(row.astype(np.int64))
    item_index = pa.array(item_of.astype(np.int32))
    return pa.table(
        {
            "pid": pa.array((row + lo).astype(np.int32)),
            "id_number": chunk.id_number(taken),
            "name": chunk.name(taken),
            "program": pc.take(pa.array([i.id for i in every], pa.string()), item_index),
            "program_name": pc.take(pa.array([i.name for i in every], pa.string()), item_index),
            "clause": pc.take(pa.array(clause_pool, pa.string()), pa.array(clause)),
            "county": chunk.county(taken),
            "degree": chunk.degree(taken),
            "amount_fen": pa.array(amount, pa.int64(), mask=amount < 0),
        },
        schema=RESULT,
    )


def ranges(count: int, size: int = RANGE) -> list[tuple[int, int]]:
    return [(lo, min(count, lo + size)) for lo in range(0, count, size)]


def run(
    directory: Path,
    on: dt.date,
    jurisdiction: str,
    engine: str = "local",
    scheduler: str | None = None,
    partition: int = RANGE,
    progress: Callable[[int], None] | None = None,
    cluster: object | None = None,
    workers: int = 1,
    use_compact: bool = True,
) -> pa.Table:
    """Everyone in the store who qualifies for something on ``on``, in (pid, program) order.

    ``engine="local"`` with ``workers`` > 1 screens the ranges in that many worker processes of
    this machine; their tables come back in range order, so the result is the same bytes as with
    one process (decision 0132).

    ``engine="dask"`` sends each range to a Dask distributed cluster: ``scheduler`` is an existing
    scheduler's address (``tcp://host:8786``), ``cluster`` an object with one (a LocalCluster);
    with neither, a LocalCluster of this machine's cores is started for the run.

    ``use_compact=False`` reads the Parquet files even where the compact file would do (the
    same result; decision 0229).
    """
    check_jurisdiction(jurisdiction)
    # the build a store's link names now (decision 0127): a new build swapped in meanwhile is not
    # mixed into this run
    where = str(Path(directory).resolve())
    count = check_store(Path(where))
    parts = ranges(count, partition)
    if engine == "local" and workers > 1 and len(parts) > 1:
        tables = _run_processes(where, parts, on, jurisdiction, workers, progress, use_compact)
    elif engine == "local":
        tables = []
        for lo, hi in parts:
            tables.append(
                screen_range(where, lo, hi, on.isoformat(), jurisdiction, use_compact=use_compact)
            )
            if progress:
                progress(hi - lo)
    elif engine == "dask":
        tables = _run_dask(
            where, parts, on, jurisdiction, scheduler, cluster, progress, use_compact
        )
    else:
        raise ScreeningError("engine", f"未知的计算引擎 {engine}（local 或 dask）", "invalid")
    if not tables:
        return RESULT.empty_table()
    # the ranges' tables side by side, not copied into one buffer per column (a copy as long as
    # the rest of the run's result building): Parquet is written the same either way
    return pa.concat_tables(tables)


def default_workers() -> int:
    """The worker processes of a local run: this machine's cores, at most 8."""
    return max(1, min(os.cpu_count() or 1, 8))


def _context(where: str, jurisdiction: str) -> multiprocessing.context.BaseContext:
    """How worker processes start (decision 0196): forked from this process when it runs no
    other thread, after it compiled the rules and read the employers once, so that every worker
    starts with them (a fresh interpreter costs each worker about 0.6 CPU-seconds to import and
    compile); a fresh interpreter otherwise (a fork of a process with threads may copy a lock
    held by one of them)."""
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        system_for(jurisdiction)
        items(jurisdiction)
        _employers(where)
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _run_processes(
    where: str,
    parts: list[tuple[int, int]],
    on: dt.date,
    jurisdiction: str,
    workers: int,
    progress: Callable[[int], None] | None,
    use_compact: bool = True,
) -> list[pa.Table]:
    """The ranges in worker processes, their tables taken back in range order.

    A worker writes its table as an Arrow file in a scratch folder (in memory where the system
    has one) and answers with the file's path; this process maps the file instead of receiving
    the table through a pipe, which copied it four times (decision 0196)."""
    from concurrent.futures import ProcessPoolExecutor

    context = _context(where, jurisdiction)
    shm = Path("/dev/shm")
    scratch = tempfile.mkdtemp(
        prefix="rencai-screening-", dir=shm if shm.is_dir() and os.access(shm, os.W_OK) else None
    )
    tables = []
    try:
        with ProcessPoolExecutor(
            max_workers=min(workers, len(parts)), mp_context=context, initializer=_worker_start
        ) as pool:
            results = pool.map(
                _screen_to_file,
                [scratch] * len(parts),
                [where] * len(parts),
                [lo for lo, _ in parts],
                [hi for _, hi in parts],
                [on.isoformat()] * len(parts),
                [jurisdiction] * len(parts),
                [use_compact] * len(parts),
            )
            for (lo, hi), path in zip(parts, results, strict=True):
                tables.append(pa.ipc.open_file(pa.memory_map(path)).read_all())
                os.unlink(path)  # the mapping stays readable until the table is released
                if progress:
                    progress(hi - lo)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return tables


def _worker_start() -> None:
    """A worker process shares the cores with the others: no decoding threads of its own."""
    store.READ_THREADS = False


def _screen_to_file(
    scratch: str, where: str, lo: int, hi: int, on: str, jurisdiction: str, use_compact: bool
) -> str:
    """A worker's range, written as an Arrow file in ``scratch``; its path."""
    table = screen_range(where, lo, hi, on, jurisdiction, use_compact=use_compact)
    path = os.path.join(scratch, f"{lo}.arrow")
    with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return path


def _run_dask(
    where: str,
    parts: list[tuple[int, int]],
    on: dt.date,
    jurisdiction: str,
    scheduler: str | None,
    cluster: object | None,
    progress: Callable[[int], None] | None,
    use_compact: bool = True,
) -> list[pa.Table]:
    from distributed import Client, LocalCluster, as_completed

    own = None
    if scheduler is None and cluster is None:
        own = cluster = LocalCluster(processes=True, threads_per_worker=1, dashboard_address=None)
    try:
        client = Client(scheduler if scheduler is not None else cluster)
    except OSError as exc:
        raise ScreeningError(
            "scheduler", f"无法连接 Dask 调度器 {scheduler}：{exc}", "invalid"
        ) from None
    try:
        futures = [
            client.submit(
                _dask_range, where, lo, hi, on.isoformat(), jurisdiction, use_compact, pure=False
            )
            for lo, hi in parts
        ]
        size = {f.key: hi - lo for f, (lo, hi) in zip(futures, parts, strict=True)}
        for future in as_completed(futures):
            if progress:
                progress(size[future.key])
        return client.gather(futures)
    finally:
        client.close()
        if own is not None:
            own.close()


def write_result(table: pa.Table, path: Path) -> None:
    """The result as Parquet, written the same way by every engine (the same input gives the
    same bytes)."""
    pq.write_table(table, path, compression="zstd", write_statistics=True)


def without(table: pa.Table, applied: set[tuple[str, str]]) -> pa.Table:
    """The rows whose (identity number, program) is not in ``applied``."""
    if not applied or table.num_rows == 0:
        return table
    keys = pc.binary_join_element_wise(table["id_number"], table["program"], "|")
    done = pa.array(sorted(f"{i}|{p}" for i, p in applied), pa.string())
    return table.filter(pc.invert(pc.is_in(keys, value_set=done)))
