"""The `rencai` command line: one sub-command (or group) per capability.

Bad input exits non-zero with one readable line per problem on stderr and changes nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import signal
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from rencai.analytics.cli import stats_command
from rencai.applications.cli import app as applications_app
from rencai.assistant.cli import ask_command
from rencai.cards.cli import app as card_app
from rencai.feeds.cli import feeds_app
from rencai.housing.cli import housing_app
from rencai.ledger.cli import ledger_app
from rencai.outreach.cli import screen_command  # also adds `feeds synthesize`
from rencai.policy.citations import heading
from rencai.policy.cities import names, with_cards
from rencai.registry.cli import admin_app
from rencai.settings import SettingsError, settings
from rencai.shortage.cli import app as shortage_app
from rencai.simulation.cli import app as reform_app
from rencai.stations.cli import app as stations_app
from rencai.wiring import wire

app = typer.Typer(
    name="rencai",
    help="rencai 人才一体化综合管理服务平台 — command line.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database: migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")
policies_app = typer.Typer(help="The policy catalogue (政策库).", no_args_is_help=True)
app.add_typer(policies_app, name="policies")
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
calendar_app = typer.Typer(help="Working days (official and provisional).", no_args_is_help=True)
app.add_typer(calendar_app, name="calendar")
app.add_typer(applications_app, name="applications")
app.add_typer(ledger_app, name="ledger")
app.add_typer(card_app, name="card")
app.add_typer(admin_app, name="admin")
app.add_typer(feeds_app, name="feeds")
app.add_typer(housing_app, name="housing")
app.command("stats")(stats_command)
app.command("screen")(screen_command)
app.command("ask")(ask_command)
app.add_typer(reform_app, name="reform")
app.add_typer(stations_app, name="stations")
app.add_typer(shortage_app, name="shortage")


@app.callback()
def _start() -> None:
    # before any command: settings read (a bad one is one line), consumers registered for events
    try:
        settings()
    except SettingsError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    wire()


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
        _fail([e.located() for e in exc.errors])  # the file's author finds the key
    if output is OutputFormat.json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        _print_table(result)


def _print_table(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    city = names().get(result["jurisdiction"], result["jurisdiction"])
    console.print(f"[bold]{city}[/bold]  查询日期 {result['on']}")
    # the card table is titled with the city's own card (a city issuing none has no such table)
    plan = with_cards().get(result["jurisdiction"])
    if plan is not None:
        cards = Table("卡别", "依据", "文号与条款", title=plan.title)
        for card in result["cards"]:
            relation = RELATIONS.get(card.get("holder", {}).get("relation"), "")
            holder = f"（{relation}）" if relation else ""
            cite = card["citation"]
            cards.add_row(
                card["name"] + holder,
                "；".join(card["because"]),
                heading(cite["document"], cite["clause"]),
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
            heading(cite["document"], cite["clause"]),
        )
    console.print(money)
    for item in result["benefits"]:  # the amount changed within the support period (0317)
        if "paid_by_period" in item:
            console.print(f"{item['name']}：{item['paid_by_period']['note']}")
    # a B-card holder enjoys the county card's items too: each item is named once (0206)
    services = list(dict.fromkeys(b["name"] for b in result["benefits"] if b["kind"] == "service"))
    console.print(f"服务项目 {len(services)} 项：" + "、".join(services))
    _print_recognitions_and_selections(console, result)
    if result["not_eligible"]:
        misses = Table("项目", "原因", title="不符合")
        for item in result["not_eligible"]:
            misses.add_row(item["name"], "；".join(item["why_not"]))
        console.print(misses)
    for item in result["needs_information"]:
        console.print(f"[yellow]待补充信息[/yellow] {item['name']}：{item['message']}")
    for item in result["needs_administrator"]:  # worded as a citizen reads it (decision 0331)
        cite = item.get("citation")
        source = f"（{heading(cite['document'], cite['clause'])}）" if cite else ""
        label = item.get("name") or item["description"]
        console.print(f"[yellow]待主管部门明确[/yellow] {label}：{item['note']}{source}")


def _print_recognitions_and_selections(console: Any, result: dict[str, Any]) -> None:
    """What the money and card tables do not hold: a title the person is recognised with, the
    selections open to them, and (a city whose texts state no criteria) the programs to ask
    the office about, with the result's note."""
    from rich.table import Table

    if result["recognitions"]:
        table = Table("认定", "依据", "说明", "文号与条款", title="直接认定")
        for item in result["recognitions"]:
            cite = item["citation"]
            table.add_row(
                item["name"],
                "；".join(item["because"]),
                item.get("condition") or "",
                heading(cite["document"], cite["clause"]),
            )
        console.print(table)
    if result["may_apply"]:
        table = Table("评选", "名额与待遇", "其余条件", "文号与条款", title="可以申报")
        for item in result["may_apply"]:
            cite = item["citation"]
            terms = "；".join(x for x in (item.get("quota"), item.get("award")) if x)
            table.add_row(
                item["name"],
                terms,
                item.get("condition") or "",
                heading(cite["document"], cite["clause"]),
            )
        console.print(table)
    if result.get("note"):  # it introduces the list below
        console.print(result["note"])
    if result.get("catalogued"):
        table = Table("项目", "概要", "文号与条款", title="须向主管部门咨询的项目")
        for item in result["catalogued"]:
            cite = item["citation"]
            table.add_row(item["name"], item["summary"], heading(cite["document"], cite["clause"]))
        console.print(table)


@policies_app.command("list")
def policies_list(
    query: Annotated[str | None, typer.Argument(help="Keywords: name, 文号, issuer, text")] = None,
    jurisdiction: Annotated[
        str | None, typer.Option(help="Jurisdiction code: " + ", ".join(names()))
    ] = None,
    target: Annotated[str | None, typer.Option(help="person, employer or team")] = None,
    status: Annotated[str | None, typer.Option(help="computed, catalogued, not_encodable")] = None,
    output: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table,
) -> None:
    """Find programs in the catalogue."""
    from rencai.policy.catalogue import catalogue

    cat = catalogue()
    found = cat.search(query, jurisdiction, target, status=status)
    if output is OutputFormat.json:
        typer.echo(
            json.dumps([e.as_dict(cat.documents) for e in found], ensure_ascii=False, indent=2)
        )
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("ID", "名称", "文号", "对象", "状态", title=f"政策库：{len(found)} 项")
    for entry in found:
        data = entry.as_dict(cat.documents)
        table.add_row(
            entry.id, entry.name, entry.document, data["target_label"], data["status_label"]
        )
    Console().print(table)


@policies_app.command("show")
def policies_show(
    program_id: Annotated[str, typer.Argument(help="Program id, e.g. sjz.b.rent_subsidy")],
    output: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table,
) -> None:
    """Show one program: conditions, amounts, process, exclusivity, clawback, quoted clause."""
    from rencai.policy.catalogue import catalogue

    cat = catalogue()
    entry = cat.entries.get(program_id)
    if entry is None:
        _fail([f"{program_id}: 政策库中没有此项目（可用 `rencai policies list 关键词` 查找）"])
        return
    data = entry.as_dict(cat.documents)
    if output is OutputFormat.json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    labels = [
        ("name", "名称"),
        ("jurisdiction_name", "地区"),
        ("document", "文号"),
        ("document_title", "文件"),
        ("issuer", "发文机关"),
        ("clause", "条款"),
        ("target_label", "对象"),
        ("kind_label", "类别"),
        ("status_label", "状态"),
        ("summary", "概要"),
        ("conditions", "条件"),
        ("amounts", "标准"),
        ("process", "程序"),
        ("deadlines", "时限"),
        ("exclusivity", "不重复享受"),
        ("clawback", "收回"),
        ("quota", "名额"),
        ("funding", "资金来源"),
        ("valid_from", "起始"),
        ("valid_until", "截止"),
        ("computed_by", "计算项目"),
        ("quote", "原文"),
    ]
    for key, label in labels:
        value = data.get(key)
        if key == "funding" and value:
            # who pays, with the clause saying so (石政办函〔2021〕42号 …细则 第二条)
            where = heading(value["document"], value["clause"])
            value = f"{value['source']}（{where}：“{value['quote']}”）"
        if value:
            text = "；".join(value) if isinstance(value, list) else str(value)
            typer.echo(f"{label}：{text}")


@policies_app.command("coverage")
def policies_coverage() -> None:
    """Print docs/policy-coverage.md (every granting clause per document, then every program)."""
    from rencai.policy.catalogue import catalogue, coverage_markdown

    typer.echo(coverage_markdown(catalogue()), nl=False)


@audit_app.command("verify")
def audit_verify(
    url: Annotated[
        str | None, typer.Option(help="Database URL (default: RENCAI_DATABASE_URL)")
    ] = None,
) -> None:
    """Recompute the audit chain; exit 1 and name the first bad entry if it was tampered with."""
    from rencai.audit.log import verify
    from rencai.db.session import database_url, session_scope

    with session_scope(url or database_url()) as session:
        result = verify(session)
    if not result.ok:
        _fail([f"审计日志第 {result.first_bad_seq} 条：{result.problem}"], code=1)
    typer.echo(f"审计日志完整：共 {result.entries} 条，哈希链校验通过")


@app.command("deliver-notifications")
def deliver_notifications(
    outbox: Annotated[
        Path, typer.Option(help="File adapter: append messages as JSON lines")
    ] = Path("var/outbox-sms.jsonl"),
) -> None:
    """Send pending SMS notifications through the file adapter (a gateway implements the same)."""
    from rencai.db.session import database_url, session_scope
    from rencai.notifications.outbox import FileChannel, deliver

    with session_scope(database_url()) as session:
        sent, failed = deliver(session, FileChannel(outbox))
    typer.echo(f"已发送 {sent} 条，失败 {failed} 条（失败的将在下次重试）")


@calendar_app.command("add-working-days")
def calendar_add(
    start: Annotated[str, typer.Argument(help="YYYY-MM-DD (not counted)")],
    n: Annotated[int, typer.Argument(help="working days to add")],
    county: Annotated[str | None, typer.Option(help="county code, for local closures")] = None,
) -> None:
    """The date n working days after START; 暂定 when it depends on a provisional year."""
    from rencai.calendar.service import add_working_days
    from rencai.db.session import database_url, session_scope, upgrade

    day = _parse_date(start, "START")
    assert day is not None
    if n < 0:
        _fail(["N: 工作日数不能为负数"])
    upgrade(database_url())
    try:
        with session_scope(database_url()) as session:
            deadline = add_working_days(session, day, n, county)
    except ValueError as exc:  # a year outside the calendar, a deadline too far away
        _fail([str(exc)])
        return
    typer.echo(deadline.label())


@calendar_app.command("load-notice")
def calendar_load_notice(
    year: Annotated[int, typer.Argument(help="the year the notice covers")],
    notice: Annotated[Path, typer.Argument(help="YAML: holidays [{from, to, name}], makeup_days")],
    document: Annotated[str, typer.Option(help="the notice's 文号")],
) -> None:
    """Load the State Council's holiday notice for a year (replaces provisional days)."""
    import yaml

    from rencai.calendar.service import load_notice
    from rencai.db.session import database_url, session_scope, upgrade

    try:
        data = yaml.safe_load(notice.read_text(encoding="utf-8"))
        holidays = [(h["from"], h["to"], str(h["name"])) for h in data.get("holidays", [])]
        makeup = list(data.get("makeup_days", []))
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
        _fail([f"{notice}: 通知文件格式不正确（{type(exc).__name__}）"])
        return
    upgrade(database_url())
    try:
        with session_scope(database_url()) as session:
            changed = load_notice(session, year, document, holidays, makeup)
    except ValueError as exc:
        _fail([str(exc)])
        return
    typer.echo(f"已载入 {document}：{year} 年共有 {changed} 天的工作日安排发生变化")


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
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Worker processes (above 1: PostgreSQL only)")
    ] = 1,
    limit_concurrency: Annotated[
        int | None,
        typer.Option(help="Open connections per worker beyond which new ones are answered 503"),
    ] = None,
    forwarded_allow_ips: Annotated[
        str, typer.Option(help="Proxies whose X-Forwarded-For/-Proto are trusted (nginx)")
    ] = "127.0.0.1",
    worker_ports: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=65535,
            help="Each worker also listens on a port of its own, from this one up (one upstream"
            " line per worker in nginx)",
        ),
    ] = None,
) -> None:
    """Serve the web app and the API: one process, or N worker processes (production)."""
    from rencai.db.session import database_url, upgrade

    url = database_url()
    if workers > 1 and not url.startswith("postgresql"):
        _fail(["多进程服务（--workers 大于 1）需要 PostgreSQL 数据库（RENCAI_DATABASE_URL）"])
    if worker_ports is not None and worker_ports <= port < worker_ports + workers:
        _fail([f"各工作进程的端口（--worker-ports 起共 {workers} 个）不能与 --port 相同"])
    if demo:
        upgrade(url)
        _load_demo()
    typer.echo(f"rencai: http://{host}:{port}/  (database: {url}, workers: {workers})")
    # Ctrl-C or a TERM is the normal way to stop: after uvicorn's graceful shutdown (which
    # raises the signal again) the command ends with status 0, not as killed by the signal
    signal.signal(signal.SIGTERM, lambda *_: None)
    with contextlib.suppress(KeyboardInterrupt):
        _serve(host, port, workers, limit_concurrency, forwarded_allow_ips, worker_ports)
    typer.echo("rencai: stopped")


def _serve(
    host: str,
    port: int,
    workers: int,
    limit_concurrency: int | None,
    forwarded_allow_ips: str,
    worker_ports: int | None = None,
) -> None:
    from rencai.web.serving import run

    # decision 0168: uvicorn's own supervisor starts, watches and restarts the workers, each
    # building the app from the factory; every state they must share is in PostgreSQL
    # (decision 0246: on a listener that states it is TCP, so that replies are not held back;
    # decision 0349: each worker on a port of its own too, for nginx's balancing)
    run(
        "rencai.web.app:create_app",
        worker_ports=worker_ports,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        limit_concurrency=limit_concurrency,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        timeout_graceful_shutdown=20,
        log_level="info",
    )


def _load_demo() -> None:
    from rencai.db.session import database_url, session_scope
    from rencai.demo import DEMO_ACCOUNTS, PASSWORD, load_demo

    with session_scope(database_url()) as session:
        created = load_demo(session)
    typer.echo("demo data " + ("loaded" if created else "already present") + "; accounts:")
    for username, label in DEMO_ACCOUNTS:
        typer.echo(f"  {username} / {PASSWORD}  {label}")


@app.command()
def demo() -> None:
    """Migrate and fill the database with demo employers, talents, reviewers and cases."""
    from rencai.db.session import database_url, upgrade

    upgrade(database_url())
    _load_demo()


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
