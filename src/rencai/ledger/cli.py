"""`rencai ledger ...`: the monthly run (with a progress bar), approval, bank files,
confirmations, feed loads, recovery settings and finance reports.

Bad input exits non-zero with one readable line and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

ledger_app = typer.Typer(
    help="Subsidy payments (政策兑现): monthly runs, batches, bank files, recovery.",
    no_args_is_help=True,
)

Actor = Annotated[str, typer.Option(help="Username of the finance officer acting")]


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _month(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text + "-01")
    except ValueError:
        _fail(f"月份“{text}”无效，格式应为 YYYY-MM")
        raise


def _finance_account(url: str, username: str) -> None:
    from sqlalchemy import select

    from rencai.db.session import session_scope
    from rencai.registry.models import Account, Role

    with session_scope(url) as session:
        account = session.scalar(select(Account).where(Account.username == username))
        if account is None or account.role not in (Role.finance, Role.admin):
            _fail(f"“{username}”不是财务人员账号")


@ledger_app.command("run")
def run(
    month: Annotated[str, typer.Argument(help="YYYY-MM")],
    actor: Actor,
    jurisdiction: Annotated[str, typer.Option(help="Jurisdiction code")] = "shijiazhuang",
    run_id: Annotated[str | None, typer.Option(help="Resume this run id")] = None,
) -> None:
    """Run (or resume) a month: check every due line, then make the batch for approval."""
    from rich.progress import Progress

    from rencai.db.session import database_url
    from rencai.ledger.errors import LedgerError
    from rencai.ledger.money import yuan
    from rencai.ledger.runs import run_month

    url = database_url()
    day = _month(month)
    _finance_account(url, actor)
    with Progress(transient=True) as bar:
        task = bar.add_task("检查到期发放明细", total=None)

        def progress(_: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            summary = run_month(url, jurisdiction, day, actor, run_id, progress)
        except LedgerError as exc:
            _fail(exc.message)
            return
    typer.echo(
        json.dumps(
            {
                "run_id": summary.run_id,
                "resumed": summary.resumed,
                "decisions": summary.decisions,
                "batch_id": summary.batch_id,
                "batch_total": yuan(summary.batch_total_fen),
                "budget_alerts": summary.budget_alerts,
            },
            ensure_ascii=False,
        )
    )


@ledger_app.command("approve")
def approve(
    batch_id: int,
    actor: Actor,
    reject: Annotated[bool, typer.Option(help="Send the batch back instead")] = False,
    note: Annotated[str | None, typer.Option(help="Reason (required to reject)")] = None,
) -> None:
    """Approve (or reject) a batch as the second finance officer."""
    from sqlalchemy import select

    from rencai.db.session import database_url, session_scope
    from rencai.ledger.bank import decide_batch
    from rencai.ledger.errors import LedgerError
    from rencai.registry.models import Account

    try:
        with session_scope(database_url()) as session:
            account = session.scalar(select(Account).where(Account.username == actor))
            if account is None:
                _fail(f"账号“{actor}”不存在")
                return
            batch = decide_batch(
                session, batch_id, account, "reject" if reject else "approve", note
            )
            typer.echo(f"batch {batch.id}: {batch.status}")
    except LedgerError as exc:
        _fail(exc.message)


@ledger_app.command("bank-file")
def bank_file(batch_id: int, actor: Actor) -> None:
    """Write an approved batch's bank payment file (CSV)."""
    from rencai.db.session import database_url
    from rencai.ledger.bank import files_dir, write_bank_file
    from rencai.ledger.errors import LedgerError

    try:
        path = write_bank_file(database_url(), batch_id, files_dir(), actor)
    except LedgerError as exc:
        _fail(exc.message)
        return
    typer.echo(str(path))


@ledger_app.command("confirm")
def confirm(path: Path, actor: Actor) -> None:
    """Import the bank's confirmations; prints what was applied and every problem."""
    from rencai.db.session import database_url
    from rencai.ledger.bank import import_confirmations
    from rencai.ledger.errors import LedgerError

    try:
        report = import_confirmations(database_url(), path, actor)
    except LedgerError as exc:
        _fail(exc.message)
        return
    typer.echo(json.dumps(report, ensure_ascii=False))


@ledger_app.command("load-feed")
def load_feed(
    kind: Annotated[str, typer.Argument(help="contributions | departures")],
    path: Path,
    actor: Actor,
) -> None:
    """Load a monthly feed file (CSV or Excel; layout in docs/feeds.md)."""
    from rencai.db.session import database_url, session_scope
    from rencai.feeds.load import load
    from rencai.feeds.source import FeedError, FileSource
    from rencai.ledger.bank import files_dir

    try:
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
    except FeedError as exc:
        _fail(exc.message)


@ledger_app.command("set-basis")
def set_basis(
    key: Annotated[str, typer.Argument(help="clawback_basis.moved_away | clawback_basis.fraud")],
    value: Annotated[str, typer.Argument(help="all | unserved")],
    actor: Actor,
) -> None:
    """Set which part 石字〔2021〕7号第17条 recovers (the seeds do not say)."""
    from rencai.db.session import database_url, session_scope
    from rencai.ledger.errors import LedgerError
    from rencai.ledger.recovery import set_basis as set_it

    try:
        with session_scope(database_url()) as session:
            computed = set_it(session, key, value, actor)
    except LedgerError as exc:
        _fail(exc.message)
        return
    typer.echo(f"{key} = {value}; {computed} receivable(s) computed")


@ledger_app.command("report")
def report(
    name: Annotated[
        str, typer.Argument(help="program|county|month|year|budgets|receivables|reconciliation")
    ],
    xlsx: Annotated[Path | None, typer.Option(help="Write an Excel file here")] = None,
) -> None:
    """Print a finance report (JSON), or write it to Excel."""
    from rencai.db.session import database_url, session_scope
    from rencai.ledger.bank import files_dir
    from rencai.ledger.reports import REPORTS, to_xlsx
    from rencai.ledger.reports import report as build

    if name not in REPORTS:
        _fail(f"未知的报表：{name}（可用：{'、'.join(REPORTS)}）")
    with session_scope(database_url()) as session:
        title, rows = build(session, name, files_dir())
    if xlsx is not None:
        xlsx.write_bytes(to_xlsx(title, rows))
        typer.echo(str(xlsx))
    else:
        typer.echo(json.dumps({"title": title, "rows": rows}, ensure_ascii=False))


@ledger_app.command("budget")
def budget(
    program: Annotated[str, typer.Argument(help="Program (benefit) id")],
    year: int,
    amount: Annotated[str, typer.Argument(help="Budget in yuan, e.g. 1200000.00")],
) -> None:
    """Set a program's budget for a year; runs that would exceed it raise an alert."""
    from rencai.db.session import database_url, session_scope
    from rencai.ledger.money import parse_yuan
    from rencai.ledger.reports import set_budget

    try:
        fen = parse_yuan(amount)
    except (ValueError, ArithmeticError):
        _fail(f"金额“{amount}”无效，应为精确到分的元数")
        return
    if fen < 0:
        _fail("预算不能为负数")
    with session_scope(database_url()) as session:
        set_budget(session, program, year, fen)
    typer.echo(f"{program} {year}: {amount}")


@ledger_app.command("payee")
def payee(id_number: str, account_name: str, account_no: str, bank_name: str, actor: Actor) -> None:
    """Register (or change) the bank account a person is paid to."""
    from rencai.db.session import database_url, session_scope
    from rencai.ledger.errors import LedgerError
    from rencai.ledger.payees import set_payee

    try:
        with session_scope(database_url()) as session:
            set_payee(session, id_number, account_name, account_no, bank_name, actor)
    except LedgerError as exc:
        _fail(exc.message)
    typer.echo("ok")


@ledger_app.command("confirm-employer")
def confirm_employer(schedule_id: int, uscc: str, actor: Actor) -> None:
    """Confirm a change of employer: the suspended schedule resumes."""
    from rencai.db.session import database_url, session_scope
    from rencai.ledger.errors import LedgerError
    from rencai.ledger.payees import confirm_employer as confirm

    try:
        with session_scope(database_url()) as session:
            confirm(session, schedule_id, uscc, actor)
    except LedgerError as exc:
        _fail(exc.message)
    typer.echo("ok")


@ledger_app.command("fraud")
def fraud(
    schedule_id: int,
    found_on: Annotated[str, typer.Option(help="Date the claim was found false, YYYY-MM-DD")],
    note: Annotated[str, typer.Option(help="What was found (Chinese)")],
    actor: Actor,
) -> None:
    """Record a claim found false (弄虚作假): stop the schedule, raise the 第17条 receivables."""
    from rencai.db.session import database_url, session_scope
    from rencai.ledger.errors import LedgerError
    from rencai.ledger.recovery import declare_fraud

    try:
        day = dt.date.fromisoformat(found_on)
    except ValueError:
        _fail(f"日期“{found_on}”无效，格式应为 YYYY-MM-DD")
        return
    try:
        with session_scope(database_url()) as session:
            declare_fraud(session, schedule_id, actor, day, note)
    except LedgerError as exc:
        _fail(exc.message)
    typer.echo("ok")


@ledger_app.command("repay")
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
    from rencai.ledger.errors import LedgerError
    from rencai.ledger.money import parse_yuan, yuan
    from rencai.ledger.recovery import repay as record_repayment

    try:
        fen = parse_yuan(amount)
    except (ValueError, ArithmeticError):
        _fail(f"金额“{amount}”无效，应为精确到分的元数")
        return
    try:
        with session_scope(database_url()) as session:
            left = record_repayment(
                session, receivable_id, fen, actor, note, "write_off" if write_off else "repayment"
            )
    except LedgerError as exc:
        _fail(exc.message)
        return
    typer.echo(f"outstanding {yuan(left)}")
