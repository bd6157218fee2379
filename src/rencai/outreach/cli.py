"""`rencai feeds synthesize` (a synthetic screening store) and `rencai screen` (政策找人)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TimeRemainingColumn

from rencai import clock
from rencai.errors import Refusal

# `rencai feeds synthesize` joins the department-feed commands (`rencai feeds load …`)
from rencai.feeds.cli import feeds_app
from rencai.feeds.compact import synthesize
from rencai.feeds.store import check_store


class Engine(StrEnum):
    local = "local"
    dask = "dask"


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _date(value: str | None, option: str) -> dt.date:
    if value is None:
        return clock.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        _fail(f"{option}: 日期格式应为 YYYY-MM-DD，收到 {value!r}")
    raise AssertionError  # unreachable


def _progress(what: str) -> Progress:
    return Progress(
        f"[bold]{what}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=False,
        # redrawn at each step, not by a thread of its own: a process without other threads
        # can fork its screening workers warm (decision 0196)
        auto_refresh=False,
    )


def _step(bar: Progress, task: TaskID) -> Callable[[int], None]:
    def advance(k: int) -> None:
        bar.advance(task, k)
        bar.refresh()

    return advance


@feeds_app.command("synthesize")
def synthesize_command(
    persons: Annotated[int, typer.Option("--persons", help="number of persons")],
    out: Annotated[Path, typer.Option("--out", help="the store's directory")],
    seed: Annotated[int, typer.Option("--seed")] = 0,
    as_of: Annotated[str | None, typer.Option("--as-of", help="reference day (YYYY-MM-DD)")] = None,
) -> None:
    """Write a synthetic screening store (five feeds as Parquet) and planted.parquet."""
    if persons < 1:
        _fail("--persons: 人数应为正整数")
    day = _date(as_of, "--as-of")
    with _progress("生成") as bar:
        task = bar.add_task("生成", total=persons)
        planted = synthesize(persons, out, seed=seed, as_of=day, progress=_step(bar, task))
    typer.echo(f"{persons} persons, {planted} planted, in {out}")


def screen_command(
    store: Annotated[Path, typer.Argument(help="the screening store's directory")],
    out: Annotated[Path, typer.Option("--out", help="result Parquet file")],
    on: Annotated[str | None, typer.Option("--on", help="day screened (YYYY-MM-DD)")] = None,
    jurisdiction: Annotated[str, typer.Option("--jurisdiction")] = "shijiazhuang",
    engine: Annotated[Engine, typer.Option("--engine")] = Engine.local,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler address (tcp://…)")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="worker processes of --engine local (default: the cores)"),
    ] = None,
    applied: Annotated[
        bool,
        typer.Option(
            "--exclude-applied/--keep-applied",
            help="drop who already applied, holds the card or has a schedule (database)",
        ),
    ] = True,
) -> None:
    """政策找人: who qualifies for which card or benefit on a day and has not applied."""
    from rencai.outreach.screening import default_workers, run, without, write_result

    day = _date(on, "--on")
    if workers is not None and workers < 1:
        _fail("--workers: 进程数应为正整数")
    try:
        count = check_store(store)
        with _progress("筛查") as bar:
            task = bar.add_task("筛查", total=count)
            table = run(
                store,
                day,
                jurisdiction,
                engine=engine.value,
                scheduler=scheduler,
                progress=_step(bar, task),
                workers=workers if workers is not None else default_workers(),
            )
        found = table.num_rows
        if applied:
            from rencai.db.session import database_url, session_scope
            from rencai.outreach.applied import applied_pairs

            with session_scope(database_url()) as session:
                table = without(table, applied_pairs(session, jurisdiction))
    except Refusal as exc:
        _fail(exc.message)
    write_result(table, out)
    persons = len(set(table["pid"].to_pylist())) if table.num_rows < 2_000_000 else None
    typer.echo(
        f"{count} persons screened on {day}: {found} qualifying rows, "
        f"{table.num_rows} not applied"
        + (f" ({persons} persons)" if persons is not None else "")
        + f", written to {out}"
    )
