"""`rencai reform`: check, run and save reforms (政策模拟) from the command line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from rencai import clock
from rencai.errors import Refusal
from rencai.simulation.reform import ReformError, ReformSpec, catalogue, parse_reform, stack

app = typer.Typer(help="政策模拟: reforms of the dated parameters and rules, and their cost.")


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _read(path: Path) -> ReformSpec:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        _fail(f"无法读取改革方案文件 {path}")
    except UnicodeDecodeError:
        _fail(f"改革方案文件 {path} 不是 UTF-8 编码的文本")
    try:
        return parse_reform(text)
    except ReformError as exc:
        _fail(f"{path.name}：{exc.one_line()}")
    raise AssertionError  # unreachable


def _month(value: str | None) -> dt.date:
    if value is None:
        return clock.today().replace(day=1)
    try:
        return dt.date.fromisoformat(value if len(value) > 7 else f"{value}-01").replace(day=1)
    except ValueError:
        _fail(f"--start: 起始月份应为 YYYY-MM 或 YYYY-MM-DD，收到 {value!r}")
    raise AssertionError  # unreachable


@app.command("check")
def check_command(
    reforms: Annotated[list[Path], typer.Argument(help="reform YAML files (stacked in order)")],
) -> None:
    """Validate reforms (and their stack): every problem on one line, or what they change."""
    specs = [_read(p) for p in reforms]
    try:
        spec = specs[0] if len(specs) == 1 else stack(specs)
    except ReformError as exc:
        _fail(exc.one_line())
    typer.echo(f"{spec.name}: {len(spec.changes)} change(s), valid")


@app.command("save")
def save_command(
    reform: Annotated[Path, typer.Argument(help="reform YAML file")],
    actor: Annotated[str, typer.Option("--actor", help="username of the administrator saving")],
) -> None:
    """Save a reform (or replace the one of the same name) for the page and leadership."""
    from sqlalchemy import select

    from rencai.db.session import database_url, session_scope
    from rencai.registry.models import Account
    from rencai.simulation.models import SavedReform
    from rencai.simulation.service import may_define, save

    spec = _read(reform)
    try:
        with session_scope(database_url()) as session:
            account = session.scalar(select(Account).where(Account.username == actor))
            if account is None or not may_define(account):
                raise Refusal("actor", f"账户 {actor} 不存在或不是系统管理员", "forbidden")
            existing = session.scalar(select(SavedReform).where(SavedReform.name == spec.name))
            saved = save(session, account, spec.as_dict(), existing.id if existing else None)
            number = saved.id
    except Refusal as exc:
        _fail(exc.message)
    typer.echo(f"{spec.name}: saved as reform {number}")


@app.command("parameters")
def parameters_command(
    jurisdiction: Annotated[str, typer.Option("--jurisdiction")] = "shijiazhuang",
    like: Annotated[
        str | None, typer.Option("--like", help="only paths or labels with this")
    ] = None,
) -> None:
    """The parameters a reform may change, with their values in force by date."""
    try:
        found = catalogue(jurisdiction)
    except KeyError:
        _fail(f"城市“{jurisdiction}”没有可计算的政策规则")
    for p in found.parameters:
        if like and like not in p["path"] and like not in p["label"]:
            continue
        values = "; ".join(f"{v['from']}: {v['value']}" for v in p["values"])
        typer.echo(f"{p['path']}\t{p['label']}\t{values}")


@app.command("run")
def run_command(
    reforms: Annotated[list[Path], typer.Argument(help="reform YAML files (stacked in order)")],
    population: Annotated[
        str,
        typer.Option(
            "--population",
            help="a screening store's directory, 'registered' (the database's talents) or "
            "'synthetic:N' (N generated talents)",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="result JSON file")],
    years: Annotated[int, typer.Option("--years", help="budget window in years")] = 10,
    start: Annotated[
        str | None, typer.Option("--start", help="first month (YYYY-MM; default this month)")
    ] = None,
    baseline: Annotated[
        list[Path] | None,
        typer.Option("--baseline", help="reform YAML the run is compared against (a stack's step)"),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="synthetic population's seed")] = 0,
) -> None:
    """Cost of the reform(s) against the baseline month by month, written as JSON (fen)."""
    from rencai.simulation.run import simulate

    if not 1 <= years <= 20:
        _fail("--years: 测算年数应为1至20")
    specs = [_read(p) for p in reforms]
    bases = [_read(p) for p in baseline or []]
    try:
        spec = specs[0] if len(specs) == 1 else stack(specs)
        base = None if not bases else bases[0] if len(bases) == 1 else stack(bases)
    except ReformError as exc:
        _fail(exc.one_line())
    first = _month(start)
    try:
        loaded = _population(population, first, spec.jurisdiction, seed)
    except Refusal as exc:
        _fail(exc.message)

    def progress(done: int, total: int) -> None:
        if done % 12 == 0 or done == total:
            typer.echo(f"{done}/{total} months", err=True)

    result: dict[str, Any] = simulate(
        loaded.population,
        first,
        years * 12,
        spec,
        baseline=base,
        progress=progress,
        person_names=loaded.names,
        profiles=loaded.profiles,
    )
    result["population_label"] = loaded.source
    try:
        out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    except OSError:
        _fail(f"无法写入结果文件 {out}")
    total = result["total"]
    typer.echo(
        f"{spec.name}: {loaded.population.count} persons, {years * 12} months from "
        f"{first:%Y-%m}: baseline {total['baseline_fen']} fen, reform {total['reform_fen']} fen, "
        f"difference {total['difference_fen']} fen; written to {out}"
    )


def _population(text: str, first: dt.date, jurisdiction: str, seed: int) -> Any:
    from rencai.simulation import population as populations

    if text == "registered":
        from rencai.db.session import database_url, session_scope

        with session_scope(database_url()) as session:
            return populations.registered(session)
    if text.startswith("synthetic:"):
        try:
            count = int(text.removeprefix("synthetic:"))
        except ValueError:
            raise Refusal(
                "population", "--population synthetic:N 中的 N 应为人数", "invalid"
            ) from None
        return populations.synthetic(count, seed, first, jurisdiction)
    return populations.from_store(Path(text), first, jurisdiction)
