"""`rencai housing`: the periodic re-check, a batch's published draw files, and re-running a
draw from those files alone (what anyone can do without the platform's database)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

from rencai import clock
from rencai.db.session import session_scope
from rencai.errors import Refusal
from rencai.housing import allocation, batches, contracts, lottery, records
from rencai.housing.models import Batch

housing_app = typer.Typer(
    help="人才安居: re-check, draw files, re-run a draw.", no_args_is_help=True
)

ROSTER_HEADER = ["申请编号", "优先顺序", "志愿"]
UNITS_HEADER = ["项目", "房源"]
RESULT_HEADER = ["顺位号", "申请编号", "摇号值", "项目", "房源"]


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


@housing_app.command("recheck")
def recheck_command(
    on: Annotated[str | None, typer.Option("--on", help="day of the re-check (YYYY-MM-DD)")] = None,
) -> None:
    """Start the exit of contracts whose tenant left the employer or the city (departure
    records), whose term ended, or (保租房) whom the rules no longer admit."""
    day = clock.today()
    if on is not None:
        try:
            day = dt.date.fromisoformat(on)
        except ValueError:
            _fail(f"--on: 日期格式应为 YYYY-MM-DD，收到 {on!r}")
    with session_scope() as session:
        moved = contracts.recheck(session, None, day)
        for contract in moved:
            typer.echo(f"合同 {contract.id}：{contract.exit_reason}")
    typer.echo(f"启动退出 {len(moved)} 份合同")


@housing_app.command("export")
def export_command(
    batch: Annotated[int, typer.Option("--batch", help="batch id")],
    out: Annotated[Path, typer.Option("--out", help="directory for roster.csv, units.csv")],
) -> None:
    """Write a batch's frozen roster and unit list (and its result once drawn) as published."""
    try:
        with session_scope() as session:
            found = session.get(Batch, batch)
            if found is None or found.seed is None:
                raise records.HousingError("batch", "该批次尚未公布摇号随机数", "bad_state")
            entries = allocation.roster_of(session, found)
            units = [(str(b.id), str(u.id)) for u, b in batches.batch_units(session, found)]
            rows = allocation.allocation_rows(session, found)
            seed, mode = found.seed, found.mode
    except Refusal as exc:
        _fail(exc.message)
        return
    out.mkdir(parents=True, exist_ok=True)
    with (out / "roster.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ROSTER_HEADER)
        for e in sorted(entries, key=lambda e: e.number):
            writer.writerow([e.number, e.tier, "|".join(e.preferences)])
    with (out / "units.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(UNITS_HEADER)
        writer.writerows(units)
    if rows:
        _write_result(out / "result.csv", rows)
    (out / "draw.json").write_text(
        json.dumps({"seed": seed, "mode": mode}, ensure_ascii=False), encoding="utf-8"
    )
    typer.echo(f"已写出 {out}")


def _write_result(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(RESULT_HEADER)
        writer.writerows(rows)


def _read(path: Path, header: list[str]) -> list[list[str]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"{path}: 无法读取（{exc.__class__.__name__}）")
    if not rows or rows[0] != header:
        _fail(f"{path}: 表头应为 {','.join(header)}")
    return rows[1:]


@housing_app.command("rerun")
def rerun_command(
    seed: Annotated[str, typer.Option("--seed", help="the published seed")],
    roster: Annotated[Path, typer.Option("--roster", help="roster.csv")],
    units: Annotated[Path, typer.Option("--units", help="units.csv")],
    mode: Annotated[str, typer.Option("--mode", help="order | fill")] = lottery.ORDER,
    out: Annotated[Path | None, typer.Option("--out", help="result.csv to write")] = None,
) -> None:
    """Re-run a draw from its published files: the same seed gives the same result."""
    if mode not in (lottery.ORDER, lottery.FILL):
        _fail("--mode: 分配方式只能是 order 或 fill")
    entries = []
    for line, row in enumerate(_read(roster, ROSTER_HEADER), start=2):
        if len(row) != 3 or not row[1].isdigit():
            _fail(f"{roster}:{line}: 应为 申请编号,优先顺序（整数）,志愿（以|分隔）")
        prefs = tuple(p for p in row[2].split("|") if p)
        entries.append(lottery.Entry(row[0], int(row[1]), prefs))
    listed: dict[str, list[str]] = {}
    for line, row in enumerate(_read(units, UNITS_HEADER), start=2):
        if len(row) != 2:
            _fail(f"{units}:{line}: 应为 项目,房源")
        listed.setdefault(row[0], []).append(row[1])
    placed = lottery.allocate(seed, entries, listed, mode)
    rows = [[str(p.place), p.entry.number, p.key, p.building or "", p.unit or ""] for p in placed]
    if out is not None:
        _write_result(out, rows)
    for row in rows:
        typer.echo(",".join(row))
