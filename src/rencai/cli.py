"""The `rencai` command line: one sub-command (or group) per capability.

Bad input exits non-zero with one readable line per problem on stderr and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(
    name="rencai",
    help="rencai 人才一体化综合管理服务平台 — command line.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database: migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")


RELATIONS = {"spouse": "配偶", "parent": "父母", "child": "子女"}


class OutputFormat(StrEnum):
    json = "json"
    table = "table"


def _fail(lines: list[str], code: int = 2) -> None:
    for line in lines:
        typer.echo(f"error: {line}", err=True)
    raise typer.Exit(code)


def _parse_date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        _fail([f"{option}: 日期格式应为 YYYY-MM-DD，收到 {value!r}"])
    return None  # unreachable


@app.command()
def entitlements(
    profile: Annotated[Path, typer.Argument(help="Profile file (.json, .yaml or .yml)")],
    on: Annotated[
        str | None, typer.Option("--on", help="Date whose law applies (YYYY-MM-DD)")
    ] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="json or table")] = (
        OutputFormat.json
    ),
) -> None:
    """What a profile is entitled to: cards, services and money, each with its citation."""
    from rencai.policy.calculator import entitlements as calculate
    from rencai.policy.contract.profile import ProfileError, load_profile_file

    day = _parse_date(on, "--on")
    try:
        result = calculate(load_profile_file(profile), day)
    except ProfileError as exc:
        _fail([e.line() for e in exc.errors])
    if output is OutputFormat.json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        _print_table(result)


def _print_table(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]{result['jurisdiction']}[/bold]  查询日期 {result['on']}")
    cards = Table("卡别", "依据", "文号与条款", title="人才绿卡")
    for card in result["cards"]:
        relation = RELATIONS.get(card.get("holder", {}).get("relation"), "")
        holder = f"（{relation}）" if relation else ""
        cite = card["citation"]
        cards.add_row(
            card["name"] + holder,
            "；".join(card["because"]),
            f"{cite['document']} {cite['clause']}",
        )
    console.print(cards)
    money = Table(
        "资金项目", "金额（元）", "期数", "总额（元）", "条件", "文号与条款", title="资金"
    )
    for item in (b for b in result["benefits"] if b["kind"] == "money"):
        cite = item["citation"]
        per = {"month": "/月", "year": "/年", "once": "（一次性）"}[item["per"]]
        money.add_row(
            item["name"],
            item["amount"] + per,
            str(item["periods"]),
            item["total"],
            item["condition"] or "",
            f"{cite['document']} {cite['clause']}",
        )
    console.print(money)
    services = [b for b in result["benefits"] if b["kind"] == "service"]
    console.print(f"服务项目 {len(services)} 项：" + "、".join(s["name"] for s in services))
    if result["not_eligible"]:
        misses = Table("项目", "原因", title="不符合")
        for item in result["not_eligible"]:
            misses.add_row(item["name"], "；".join(item["why_not"]))
        console.print(misses)
    for item in result["needs_information"]:
        console.print(f"[yellow]待补充信息[/yellow] {item['name']}：{item['message']}")
    for item in result["needs_administrator"]:
        console.print(f"[red]待管理员设定[/red] {item['parameter']}：{item['question']}")


@app.command("profile-schema")
def profile_schema() -> None:
    """Print the JSON Schema of the talent profile (calculator contract v1)."""
    from rencai.policy.contract.profile import profile_json_schema

    typer.echo(json.dumps(profile_json_schema(), ensure_ascii=False, indent=2))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    demo: Annotated[bool, typer.Option(help="Migrate the database first")] = False,
) -> None:
    """Serve the web app and the API."""
    import uvicorn

    from rencai.db.session import database_url, upgrade
    from rencai.web.app import create_app

    if demo:
        upgrade(database_url())
    typer.echo(f"rencai: http://{host}:{port}/  (database: {database_url()})")
    uvicorn.run(create_app(), host=host, port=port, log_level="info")


@db_app.command("upgrade")
def db_upgrade(
    url: Annotated[
        str | None, typer.Option(help="Database URL (default: RENCAI_DATABASE_URL)")
    ] = None,
) -> None:
    """Apply all migrations."""
    from rencai.db.session import database_url, upgrade

    upgrade(url or database_url())
    typer.echo("database is up to date")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
