"""`rencai ledger ...`: the monthly run (with a progress bar), approval, bank files,
confirmations, feed loads, recovery settings and finance reports.

Every command names its actor, who must be an active finance officer of the city concerned
(the administrator alone for the recovery basis). Bad input, a refusal or a database outage
exits non-zero with ONE readable Chinese line on stderr and changes nothing; the detail of an
outage goes to the log (``RENCAI_LOG_FILE``, default var/log/rencai.log) without SQL or its
parameters, which can carry personal data.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import click
import typer

from rencai import clock
from rencai.settings import settings

ledger_app = typer.Typer(
    help="Subsidy payments (政策兑现): monthly runs, batches, bank files, recovery.",
    no_args_is_help=True,
)

Actor = Annotated[str, typer.Option(help="Username of the finance officer acting")]
City = Annotated[
    str | None,
    typer.Option(help="Jurisdiction code (default: the officer's own city, else the default city)"),
]
Command = TypeVar("Command", bound=Callable[..., Any])
logger = logging.getLogger("rencai.ledger.cli")


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _log(command: str, exc: BaseException) -> Path | None:
    """Write what went wrong to the log: the error's class, the driver's own message and the
    stack (code only). Never the SQL statement or its parameters."""
    from sqlalchemy.exc import StatementError

    cause: BaseException = exc
    if isinstance(exc, StatementError) and exc.orig is not None:
        cause = exc.orig
    summary = (str(cause).strip().splitlines() or [""])[0][:500]
    stack = "".join(traceback.format_tb(exc.__traceback__))
    path = settings().log_file
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(
                f"{clock.now().isoformat()} ledger {command}: "
                f"{type(exc).__name__} ({type(cause).__name__}): {summary}\n{stack}"
            )
        return path
    except OSError:
        logger.error("ledger %s: %s: %s", command, type(cause).__name__, summary)
        return None


def guarded(function: Command) -> Command:
    """One readable line and a non-zero exit for every failure of a command."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from sqlalchemy.exc import SQLAlchemyError

        from rencai.errors import Refusal

        command = function.__name__.replace("_", "-")
        try:
            return function(*args, **kwargs)
        except (typer.Exit, click.exceptions.ClickException, click.exceptions.Abort):
            raise
        except Refusal as exc:  # a LedgerError or a FeedError
            _fail(exc.message)
        except SQLAlchemyError as exc:
            where = _log(command, exc)
            _fail(
                "数据库无法连接或连接中断，本次操作未完成（已提交的步骤可再次执行同一命令续跑）"
                + (f"；详情见日志 {where}" if where else "")
            )
        except Exception as exc:
            where = _log(command, exc)
            _fail("系统内部错误，本次操作未完成" + (f"；详情见日志 {where}" if where else ""))

    return wrapper  # type: ignore[return-value]


def _month(text: str, jurisdiction: str) -> dt.date:
    from rencai.ledger.runs import parse_month

    return parse_month(text, jurisdiction)


def _city(actor: str, requested: str | None) -> str:
    """The city a run is for: ``--jurisdiction``, else the actor's own city, else the default
    city of the installation (whether the actor may act for it is checked by ``_officer``)."""
    from sqlalchemy import select

    from rencai.db.session import database_url, session_scope
    from rencai.ledger.officers import chosen_city
    from rencai.registry.models import Account

    if requested:
        return requested
    with session_scope(database_url()) as session:
        account = session.scalar(select(Account).where(Account.username == actor))
        return chosen_city(account, None)


def _officer(
    username: str,
    jurisdictions: str | set[str] | None = None,
    *,
    administrator: bool = False,
) -> None:
    """Refuse (one line) unless the actor is an active finance officer of those cities."""
    from rencai.db.session import database_url, session_scope
    from rencai.ledger.officers import finance_officer

    with session_scope(database_url()) as session:
        finance_officer(session, username, jurisdictions, administrator=administrator)


def _city_of(model: Any, key: int, label: str) -> str:
    """The city of a batch, schedule or receivable (not found: one line)."""
    from rencai.db.session import database_url, session_scope
    from rencai.ledger.errors import LedgerError
    from rencai.ledger.models import Receivable, Schedule

    with session_scope(database_url()) as session:
        if model is Receivable:
            found = session.get(Receivable, key)
            schedule = session.get(Schedule, found.schedule_id) if found else None
            if schedule is None:
                raise LedgerError("ledger", f"{label}{key}不存在", "not_found")
            return schedule.jurisdiction
        row = session.get(model, key)
        if row is None:
            raise LedgerError("ledger", f"{label}{key}不存在", "not_found")
        return str(row.jurisdiction)


@ledger_app.command("run")
@guarded
def run(
    month: Annotated[str, typer.Argument(help="YYYY-MM")],
    actor: Actor,
    jurisdiction: City = None,
    run_id: Annotated[str | None, typer.Option(help="Resume this run id")] = None,
) -> None:
    """Run (or resume) a month: check every due line, then make the batch for approval."""
    from rich.progress import Progress

    from rencai.db.session import database_url
    from rencai.ledger.runs import run_month
    from rencai.ledger.views import run_summary_view

    url = database_url()
    jurisdiction = _city(actor, jurisdiction)
    day = _month(month, jurisdiction)
    _officer(actor, jurisdiction)
    with Progress(transient=True) as bar:
        task = bar.add_task("检查到期发放明细", total=None)

        def progress(_: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        summary = run_month(url, jurisdiction, day, actor, run_id, progress)
    view = run_summary_view(summary).model_dump()
    typer.echo(json.dumps({**view, "skipped_in_flight": summary.skipped}, ensure_ascii=False))


@ledger_app.command("runs")
@guarded
def runs(
    actor: Actor,
    jurisdiction: City = None,
) -> None:
    """List the city's latest runs, their step, and whether a process is running one now."""
    from rencai.db.session import database_url
    from rencai.ledger.runs import run_states

    jurisdiction = _city(actor, jurisdiction)
    _officer(actor, jurisdiction)
    states = run_states(database_url(), jurisdiction)
    typer.echo(
        json.dumps(
            [
                {
                    "month": f"{s.month:%Y-%m}",
                    "run_id": s.run_id,
                    "step": s.step,
                    "started_by": s.started_by,
                    "batch_id": s.batch_id,
                    "running_now": s.live_lock,
                }
                for s in states
            ],
            ensure_ascii=False,
        )
    )


@ledger_app.command("cancel-run")
@guarded
def cancel_run(
    month: Annotated[str, typer.Argument(help="YYYY-MM")],
    actor: Actor,
    reason: Annotated[str, typer.Option(help="Why the run is cancelled (Chinese)")],
    jurisdiction: City = None,
) -> None:
    """Cancel a month's run that stopped before its batch: its chosen lines are due again."""
    from rencai.db.session import database_url
    from rencai.ledger.runs import cancel_run as cancel

    jurisdiction = _city(actor, jurisdiction)
    day = _month(month, jurisdiction)
    _officer(actor, jurisdiction)
    state = cancel(database_url(), jurisdiction, day, actor, reason)
    typer.echo(
        f"{state.month:%Y年%m月}的发放运行（编号 {state.run_id}）已取消；"
        f"可再次执行 rencai ledger run {state.month:%Y-%m}"
    )


@ledger_app.command("approve")
@guarded
def approve(
    batch_id: int,
    actor: Actor,
    reject: Annotated[bool, typer.Option(help="Send the batch back instead")] = False,
    note: Annotated[str | None, typer.Option(help="Reason (required to reject)")] = None,
) -> None:
    """Approve (or reject) a batch as the second finance officer."""
    from rencai.db.session import database_url, session_scope
    from rencai.ledger.bank import decide_batch
    from rencai.ledger.models import Batch
    from rencai.ledger.officers import finance_officer

    city = _city_of(Batch, batch_id, "发放批次")
    with session_scope(database_url()) as session:
        account = finance_officer(session, actor, city)
        batch = decide_batch(session, batch_id, account, "reject" if reject else "approve", note)
        typer.echo(f"batch {batch.id}: {batch.status}")


@ledger_app.command("bank-file")
@guarded
def bank_file(batch_id: int, actor: Actor) -> None:
    """Write an approved batch's bank payment file (CSV); send the bank only the file printed."""
    from rencai.db.session import database_url
    from rencai.ledger.bank import files_dir, write_bank_file
    from rencai.ledger.models import Batch

    _officer(actor, _city_of(Batch, batch_id, "发放批次"))
    path = write_bank_file(database_url(), batch_id, files_dir(), actor)
    typer.echo(str(path))


@ledger_app.command("confirm")
@guarded
def confirm(path: Path, actor: Actor) -> None:
    """Import the bank's confirmations; prints what was applied and every problem."""
    from rencai.db.session import database_url
    from rencai.ledger.bank import confirmation_cities, import_confirmations

    _officer(actor)
    _officer(actor, confirmation_cities(database_url(), path))
    report = import_confirmations(database_url(), path, actor)
    if report.get("already_imported"):
        typer.echo(report["message"], err=True)
    typer.echo(json.dumps(report, ensure_ascii=False))


@ledger_app.command("load-feed")
@guarded
def load_feed(
    kind: Annotated[str, typer.Argument(help="contributions | departures")],
    path: Path,
    actor: Actor,
) -> None:
    """Load a monthly feed file (CSV or Excel; layout in docs/feeds.md)."""
    from rencai.db.session import database_url, session_scope
    from rencai.feeds.load import load
    from rencai.feeds.source import FileSource
    from rencai.ledger.bank import files_dir

    _officer(actor)
    with session_scope(database_url()) as session:
        result = load(session, kind, FileSource(path), actor, files_dir() / "rejects")
        record = result.load
        typer.echo(
            json.dumps(
                {
                    "load_id": record.id,
                    "already_loaded": result.already_loaded,
                    "loaded": record.rows_loaded,
                    "rejected": record.rows_rejected,
                    "rejects_file": record.rejects_file,
                },
                ensure_ascii=False,
            )
        )


@ledger_app.command("set-basis")
@guarded
def set_basis(
    key: Annotated[str, typer.Argument(help="clawback_basis.moved_away | clawback_basis.fraud")],
    value: Annotated[str, typer.Argument(help="all | unserved")],
    actor: Actor,
) -> None:
    """Set which part the recovery clause recovers (the seeds do not say)."""
    from rencai.db.session import database_url, session_scope
    from rencai.ledger.recovery import set_basis as set_it

    _officer(actor, administrator=True)
    with session_scope(database_url()) as session:
        computed = set_it(session, key, value, actor)
    typer.echo(f"{key} = {value}; {computed} receivable(s) computed")


@ledger_app.command("report")
@guarded
def report(
    name: Annotated[
        str, typer.Argument(help="program|county|month|year|budgets|receivables|reconciliation")
    ],
    actor: Actor,
    xlsx: Annotated[Path | None, typer.Option(help="Write an Excel file here")] = None,
) -> None:
    """Print a finance report (JSON), or write it to Excel."""
    from rencai.db.session import database_url, session_scope
    from rencai.ledger.bank import files_dir
    from rencai.ledger.reports import REPORTS, to_xlsx
    from rencai.ledger.reports import report as build

    if name not in REPORTS:
        _fail(f"未知的报表：{name}（可用：{'、'.join(REPORTS)}）")
    _officer(actor)
    with session_scope(database_url()) as session:
        title, rows = build(session, name, files_dir())
    if xlsx is not None:
        xlsx.write_bytes(to_xlsx(title, rows))
        typer.echo(str(xlsx))
    else:
        typer.echo(json.dumps({"title": title, "rows": rows}, ensure_ascii=False))


@ledger_app.command("budget")
@guarded
def budget(
    program: Annotated[str, typer.Argument(help="Program (benefit) id")],
    year: int,
    amount: Annotated[str, typer.Argument(help="Budget in yuan, e.g. 1200000.00")],
    actor: Actor,
) -> None:
    """Set a program's budget for a year; runs that would exceed it raise an alert."""
    from rencai.db.session import database_url, session_scope
    from rencai.ledger.money import parse_yuan
    from rencai.ledger.reports import set_budget

    try:
        fen = parse_yuan(amount)
    except (ValueError, ArithmeticError):
        _fail(f"金额“{amount}”无效，应为精确到分的元数")
    if fen < 0:
        _fail("预算不能为负数")
    if not 2000 <= year <= 2100:
        _fail(f"年度“{year}”无效")
    _officer(actor)
    with session_scope(database_url()) as session:
        set_budget(session, program, year, fen)
    typer.echo(f"{program} {year}: {amount}")


@ledger_app.command("payee")
@guarded
def payee(id_number: str, account_name: str, account_no: str, bank_name: str, actor: Actor) -> None:
    """Register (or change) the bank account a person is paid to."""
    from rencai.db.session import database_url, session_scope
    from rencai.ledger.payees import set_payee

    _officer(actor)
    with session_scope(database_url()) as session:
        set_payee(session, id_number, account_name, account_no, bank_name, actor)
    typer.echo("ok")


@ledger_app.command("confirm-employer")
@guarded
def confirm_employer(schedule_id: int, uscc: str, actor: Actor) -> None:
    """Confirm a change of employer: the suspended schedule resumes."""
    from rencai.db.session import database_url, session_scope
    from rencai.ledger.models import Schedule
    from rencai.ledger.payees import confirm_employer as confirm

    _officer(actor, _city_of(Schedule, schedule_id, "发放计划"))
    with session_scope(database_url()) as session:
        confirm(session, schedule_id, uscc, actor)
    typer.echo("ok")


@ledger_app.command("fraud")
@guarded
def fraud(
    schedule_id: int,
    found_on: Annotated[str, typer.Option(help="Date the claim was found false, YYYY-MM-DD")],
    note: Annotated[str, typer.Option(help="What was found (Chinese)")],
    actor: Actor,
) -> None:
    """Record a claim found false (弄虚作假): stop the schedule, raise the clawback receivables."""
    from rencai.db.session import database_url, session_scope
    from rencai.ledger.models import Schedule
    from rencai.ledger.recovery import declare_fraud

    try:
        day = dt.date.fromisoformat(found_on)
    except ValueError:
        _fail(f"日期“{found_on}”无效，格式应为 YYYY-MM-DD")
    _officer(actor, _city_of(Schedule, schedule_id, "发放计划"))
    with session_scope(database_url()) as session:
        declare_fraud(session, schedule_id, actor, day, note)
    typer.echo("ok")


@ledger_app.command("repay")
@guarded
def repay(
    receivable_id: int,
    amount: Annotated[str, typer.Argument(help="Yuan, e.g. 3000.00")],
    actor: Actor,
    note: Annotated[str, typer.Option(help="Voucher or reason")] = "",
    write_off: Annotated[
        bool, typer.Option(help="Write off (核销) instead of a repayment")
    ] = False,
) -> None:
    """Record a repayment of (or write off) a receivable; prints what is still outstanding."""
    from rencai.db.session import database_url, session_scope
    from rencai.ledger.models import Receivable
    from rencai.ledger.money import parse_yuan, yuan
    from rencai.ledger.recovery import repay as record_repayment

    try:
        fen = parse_yuan(amount)
    except (ValueError, ArithmeticError):
        _fail(f"金额“{amount}”无效，应为精确到分的元数")
    _officer(actor, _city_of(Receivable, receivable_id, "应收款"))
    with session_scope(database_url()) as session:
        left = record_repayment(
            session, receivable_id, fen, actor, note, "write_off" if write_off else "repayment"
        )
    typer.echo(f"outstanding {yuan(left)}")
