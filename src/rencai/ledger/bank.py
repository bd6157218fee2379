"""Four-eyes approval, the bank payment file, and the bank's confirmations.

Bank file (CSV, UTF-8 with BOM, layout in docs/ledger.md): one row per payment, sorted by
reference, so writing it again after a crash gives the same bytes. Confirmations are matched by
reference; an unknown, duplicated or mismatched row is reported and not applied.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import ARRAY, String, any_, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rencai import clock
from rencai.audit.log import append as audit
from rencai.db.session import session_scope
from rencai.ledger.bulk import on_postgresql, update_rows
from rencai.ledger.errors import LedgerError
from rencai.ledger.history import PAYMENT_STATUS
from rencai.ledger.journal import entry, record, record_payments
from rencai.ledger.models import Batch, ConfirmationImport, Line, Payment, Schedule
from rencai.ledger.money import parse_yuan, yuan
from rencai.ledger.recovery import paid_after_stop
from rencai.ledger.runs import checkpoint
from rencai.registry.models import Account, Role
from rencai.settings import settings

BANK_FILE_COLUMNS = ["付款参考号", "收款人户名", "收款账号", "开户银行", "金额（元）", "用途"]
CONFIRMATION_COLUMNS = ["付款参考号", "收款账号", "金额（元）", "结果", "原因"]
OUTCOMES = {"成功": "paid", "失败": "failed", "退回": "returned"}


def files_dir() -> Path:
    """Where bank files (and feed rejects) are kept: under the platform's files directory."""
    return settings().ledger_files_dir


def _finance(account: Account) -> None:
    if account.role not in (Role.finance, Role.admin):
        raise LedgerError("role", "仅财务人员可以审核发放批次", "forbidden")


def decide_batch(
    session: Session, batch_id: int, account: Account, decision: str, note: str | None = None
) -> Batch:
    """Approve or reject a batch; the approver must not be the person who ran it (四眼原则)."""
    _finance(account)
    batch = session.get(Batch, batch_id, with_for_update=True)
    if batch is None:
        raise LedgerError("batch", "发放批次不存在", "not_found")
    if batch.status != "pending_approval":
        raise LedgerError("batch", "该批次已审核，不能重复操作", "already_decided")
    if account.username == batch.created_by:
        raise LedgerError(
            "batch",
            "发放批次须由另一名财务人员审核（四眼原则），运行人不能审核本人生成的批次",
            "four_eyes",
        )
    if decision not in ("approve", "reject"):
        raise LedgerError("decision", "审核结果应为 approve 或 reject", "bad_decision")
    if decision == "reject" and not (note or "").strip():
        raise LedgerError("note", "退回批次须填写原因", "no_reason")
    now = clock.now()
    batch.status = "approved" if decision == "approve" else "rejected"
    batch.decided_by, batch.decided_at, batch.decision_note = account.username, now, note
    new_status = "approved" if decision == "approve" else "rejected"
    session.execute(
        update(Payment).where(Payment.batch_id == batch.id).values(status=new_status),
        execution_options={"synchronize_session": False},
    )
    if decision == "reject":  # the lines are due again in the next run
        session.execute(
            update(Line)
            .where(Line.id == Payment.line_id, Payment.batch_id == batch.id)
            .values(status="planned", reason=f"批次被退回：{note}"),
            execution_options={"synchronize_session": False},
        )
    # one entry per payment, written by the database (set-based; one timestamp for the step)
    record_payments(session, batch.id, at=now, kind=new_status, actor=account.username, note=note)
    if decision == "approve":
        _cancel_stopped(session, batch, account.username)
    audit(
        session,
        account.username,
        f"ledger.batch.{decision}",
        f"batch:{batch.id}",
        {"note": note, "total_fen": batch.total_fen},
    )
    return batch


def _cancel_stopped(session: Session, batch: Batch, actor: str) -> None:
    """Payments whose schedule stopped after the run (a departure applied meanwhile) are
    cancelled at approval: they never reach the bank file."""
    stopped = session.execute(
        select(Payment.id, Payment.line_id, Payment.amount_fen, Schedule.id, Schedule.stop_reason)
        .join(Line, Line.id == Payment.line_id)
        .join(Schedule, Schedule.id == Line.schedule_id)
        .where(Payment.batch_id == batch.id, Schedule.status == "stopped")
    ).all()
    if not stopped:
        return
    ids = [row[0] for row in stopped]
    session.execute(
        update(Payment).where(Payment.id.in_(ids)).values(status="cancelled"),
        execution_options={"synchronize_session": False},
    )
    session.execute(
        update(Line)
        .where(Line.id.in_([row[1] for row in stopped]))
        .values(status="stopped", reason="发放计划已停止，批次审核时取消"),
        execution_options={"synchronize_session": False},
    )
    record(
        session,
        [
            entry(
                "cancelled",
                amount,
                actor,
                schedule_id=sid,
                line_id=lid,
                payment_id=pid,
                note=reason,
            )
            for pid, lid, amount, sid, reason in stopped
        ],
    )
    batch.total_fen -= sum(row[2] for row in stopped)
    batch.item_count -= len(stopped)


def bank_file_bytes(session: Session, batch: Batch) -> bytes:
    rows = session.execute(
        select(
            Payment.reference,
            Payment.payee_name,
            Payment.account_no,
            Payment.bank_name,
            Payment.amount_fen,
            Schedule.program_name,
            Line.period,
        )
        .join(Line, Line.id == Payment.line_id)
        .join(Schedule, Schedule.id == Line.schedule_id)
        .where(Payment.batch_id == batch.id, Payment.status != "cancelled")
        .order_by(Payment.reference)
    ).all()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(BANK_FILE_COLUMNS)
    for reference, name, account, bank, amount, program_name, period in rows:
        writer.writerow(
            [reference, name, account, bank, yuan(amount), f"{program_name}（{period:%Y年%m月}）"]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_bank_file(url: str, batch_id: int, directory: Path, actor: str) -> Path:
    """Write an approved batch's bank file (again, identically, if asked again)."""
    with session_scope(url) as session:
        batch = session.get(Batch, batch_id)
        if batch is None:
            raise LedgerError("batch", "发放批次不存在", "not_found")
        if batch.status not in ("approved", "filed"):
            raise LedgerError(
                "ledger", "批次未经第二名财务人员审核通过，不能生成银行文件", "not_approved"
            )
        content = bank_file_bytes(session, batch)
        digest = hashlib.sha256(content).hexdigest()
        name = f"{batch.jurisdiction}-{batch.month:%Y%m}-batch{batch.id}.csv"
        path = directory / name
        if batch.status == "filed":
            if batch.file_sha256 != digest:
                raise LedgerError("ledger", "银行文件内容与已生成的不一致，请核查", "file_changed")
            if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
                _write_atomically(path, content)
            return path
        _write_atomically(path, content)
        checkpoint("file")
        batch.status, batch.file_name, batch.file_sha256 = "filed", name, digest
        # set-based: the entries first (they pick the approved payments), then both updates
        # join the payments rather than listing their lines
        record_payments(
            session,
            batch.id,
            at=clock.now(),
            kind="sent",
            actor=actor,
            note=name,
            status="approved",
        )
        session.execute(
            update(Line)
            .where(
                Line.id == Payment.line_id,
                Payment.batch_id == batch.id,
                Payment.status == "approved",
            )
            .values(status="sent"),
            execution_options={"synchronize_session": False},
        )
        session.execute(
            update(Payment)
            .where(Payment.batch_id == batch.id, Payment.status == "approved")
            .values(status="sent"),
            execution_options={"synchronize_session": False},
        )
        audit(
            session,
            actor,
            "ledger.bank_file",
            f"batch:{batch.id}",
            {"file": name, "sha256": digest},
        )
    checkpoint("filed")
    return path


def _write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(content)
    temporary.replace(path)


def _read_rows(path: Path) -> list[list[str]]:
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        return [
            ["" if c is None else str(c).strip() for c in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise LedgerError(
            "ledger", "回执文件须为 UTF-8 编码的 CSV 或 Excel 文件", "bad_encoding"
        ) from None
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text)) if any(row)]


def confirmation_cities(url: str, path: Path) -> set[str]:
    """The cities whose batches a confirmation file names (to check who may import it)."""
    if not path.is_file():
        raise LedgerError("ledger", f"文件不存在：{path}", "no_file")
    references = sorted({row[0] for row in _read_rows(path)[1:] if row})
    cities: set[str] = set()
    with session_scope(url) as session:
        for start in range(0, len(references), 5000):
            cities.update(
                session.scalars(
                    select(Batch.jurisdiction)
                    .join(Payment, Payment.batch_id == Batch.id)
                    .where(Payment.reference.in_(references[start : start + 5000]))
                    .distinct()
                )
            )
    return cities


def import_confirmations(url: str, path: Path, actor: str) -> dict[str, Any]:
    """Apply a bank confirmation file; returns the report (applied rows and problems)."""
    if not path.is_file():
        raise LedgerError("ledger", f"文件不存在：{path}", "no_file")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    rows = _read_rows(path)
    if not rows or rows[0][: len(CONFIRMATION_COLUMNS)] != CONFIRMATION_COLUMNS:
        raise LedgerError(
            "ledger", f"回执表头应为：{'，'.join(CONFIRMATION_COLUMNS)}", "bad_header"
        )
    with session_scope(url) as session:
        earlier = session.scalar(
            select(ConfirmationImport).where(ConfirmationImport.sha256 == digest)
        )
        if earlier is not None:  # nothing is applied again; the first import's report is shown
            report = json.loads(earlier.report)
            report["already_imported"] = True
            report["applied_now"] = 0
            report["message"] = (
                f"该回执文件已于{clock.display(earlier.imported_at)}由{earlier.imported_by}导入"
                f"（{earlier.file_name}），本次未重复处理任何一笔；以下为首次导入的结果"
            )
            return report
        report = _apply(session, rows[1:], actor)
        report["file"] = path.name
        report["already_imported"] = False
        report["applied_now"] = len(report["applied"])
        session.add(
            ConfirmationImport(
                sha256=digest,
                file_name=path.name,
                imported_by=actor,
                imported_at=clock.now(),
                report=json.dumps(report, ensure_ascii=False),
            )
        )
        try:
            session.flush()
        except IntegrityError:
            raise LedgerError("ledger", "该回执文件正在由他人导入", "concurrent_import") from None
        audit(
            session,
            actor,
            "ledger.confirmations",
            path.name,
            {"applied": len(report["applied"]), "problems": len(report["problems"])},
        )
        checkpoint("confirm")
    checkpoint("confirmed")
    return report


def _named_payments(session: Session, references: list[str], *, in_sql: bool) -> dict[str, Any]:
    """The payments (with their line and schedule) the file names, by reference, read and
    locked in bulk: on PostgreSQL by one statement (the references as one array), elsewhere in
    chunks of an IN list."""
    columns = (
        select(
            Payment.id,
            Payment.reference,
            Payment.line_id,
            Payment.amount_fen,
            Payment.account_no,
            Payment.status,
            Line.schedule_id,
            Line.period,
            Schedule.stopped_after,
        )
        .join(Line, Line.id == Payment.line_id)
        .join(Schedule, Schedule.id == Line.schedule_id)
        .with_for_update(of=Payment)
    )
    if in_sql:
        named = bindparam("references", references, type_=ARRAY(String(32)))
        found = session.execute(columns.where(Payment.reference == any_(named)))
        return {row.reference: row for row in found}
    payments: dict[str, Any] = {}
    for start in range(0, len(references), 5000):
        chunk = references[start : start + 5000]
        for row in session.execute(columns.where(Payment.reference.in_(chunk))):
            payments[row.reference] = row
    return payments


# The outcomes applied, one row per payment: the row's number in the file (the journal's
# order), the payment's new status and the bank's reason, its line's reason, and what the
# journal entry names (read with the payment, under its lock)
OUTCOME_COLUMNS = (
    ("id", "integer"),
    ("row", "integer"),
    ("status", "text"),
    ("bank_reason", "text"),
    ("line_reason", "text"),
    ("line_id", "integer"),
    ("schedule_id", "integer"),
    ("amount_fen", "bigint"),
)


def _write_outcomes(session: Session, outcomes: list[tuple[Any, ...]], actor: str) -> None:
    """PostgreSQL: the payments', the lines' and the journal's writes of the applied rows, by
    three statements over one temporary table of the outcomes, each row sent once (COPY). The
    journal entries are in the file's order, with one timestamp (decision 0341)."""
    if not outcomes:
        return
    connection = session.connection()
    scratch = f"outcomes_{uuid.uuid4().hex[:12]}"
    columns = ", ".join(f"{name} {kind}" for name, kind in OUTCOME_COLUMNS)
    connection.exec_driver_sql(f"CREATE TEMP TABLE {scratch} ({columns}) ON COMMIT DROP")
    raw = connection.connection.driver_connection
    with raw.cursor().copy(f"COPY {scratch} FROM STDIN") as copy:  # type: ignore[union-attr]
        for outcome in outcomes:
            copy.write_row(outcome)
    # each payment and line found by its key (a nested loop): the planner, knowing the
    # outcomes' size, hashed the whole lines table for ~100,000 of them (2.8 s of 6.3 s)
    connection.exec_driver_sql("SET LOCAL enable_hashjoin = off")
    connection.exec_driver_sql("SET LOCAL enable_mergejoin = off")
    connection.exec_driver_sql(
        f"UPDATE ledger_payments AS t SET status = s.status, bank_reason = s.bank_reason "
        f"FROM {scratch} AS s WHERE t.id = s.id"
    )
    connection.exec_driver_sql(
        f"UPDATE ledger_lines AS t SET status = s.status, reason = s.line_reason "
        f"FROM {scratch} AS s WHERE t.id = s.line_id"
    )
    connection.exec_driver_sql("SET LOCAL enable_hashjoin = on")
    connection.exec_driver_sql("SET LOCAL enable_mergejoin = on")
    connection.exec_driver_sql(
        "INSERT INTO ledger_journal (at, kind, amount_fen, actor, schedule_id, line_id, "
        "payment_id, receivable_id, run_id, note) "
        "SELECT %(at)s, s.status, s.amount_fen, %(actor)s, s.schedule_id, s.line_id, s.id, "
        f"NULL, NULL, s.bank_reason FROM {scratch} AS s ORDER BY s.row",
        {"at": clock.now(), "actor": actor},
    )


def _apply(
    session: Session, rows: list[list[str]], actor: str, *, in_sql: bool | None = None
) -> dict[str, Any]:
    """Check every row and apply those that pass. ``in_sql`` (PostgreSQL's default) reads the
    named payments in one statement and writes the outcomes set-based (``_write_outcomes``);
    otherwise, and as the reference, in chunks and rows (``tests/ledger/test_confirmations.py``
    compares what the two write)."""
    if in_sql is None:
        in_sql = on_postgresql(session)
    applied: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    seen: dict[str, list[int]] = {}
    for number, row in enumerate(rows, start=2):
        seen.setdefault([*row, ""][0], []).append(number)
    journal = []
    payments = _named_payments(session, list(seen), in_sql=in_sql)
    payment_updates: list[dict[str, Any]] = []
    outcomes: list[tuple[Any, ...]] = []  # in_sql: one row of OUTCOME_COLUMNS per applied row
    line_updates: list[dict[str, Any]] = []
    late_paid: list[tuple[int, int, dt.date, int]] = []
    for number, row in enumerate(rows, start=2):
        reference, account_no, amount_text, outcome_text, reason = (row + [""] * 5)[:5]
        problem = {"line": number, "reference": reference}
        if len(seen[reference]) > 1:
            problems.append(
                {
                    **problem,
                    "code": "duplicate",
                    "message": "付款参考号在回执中重复出现（第"
                    + "、".join(map(str, seen[reference]))
                    + "行），均未处理",
                }
            )
            continue
        payment = payments.get(reference)
        if payment is None:
            problems.append(
                {
                    **problem,
                    "code": "unknown",
                    "message": "付款参考号不存在于任何已发送批次，未处理",
                }
            )
            continue
        outcome = OUTCOMES.get(outcome_text)
        if outcome is None:
            problems.append(
                {
                    **problem,
                    "code": "bad_outcome",
                    "message": f"结果“{outcome_text}”无效，应为成功、失败或退回",
                }
            )
            continue
        try:
            amount = parse_yuan(amount_text)
        except (ValueError, ArithmeticError):
            problems.append(
                {**problem, "code": "bad_amount", "message": f"金额“{amount_text}”无效，未处理"}
            )
            continue
        if amount != payment.amount_fen or account_no != payment.account_no:
            problems.append(
                {
                    **problem,
                    "code": "mismatch",
                    "message": f"与银行文件不符（应为账号{payment.account_no}、"
                    f"金额{yuan(payment.amount_fen)}元），未处理",
                }
            )
            continue
        allowed = {"sent": ("paid", "failed", "returned"), "paid": ("returned",)}.get(
            payment.status, ()
        )
        if outcome not in allowed:
            code = "already_confirmed" if payment.status == outcome else "bad_transition"
            problems.append(
                {
                    **problem,
                    "code": code,
                    "message": f"该笔付款当前状态为“{PAYMENT_STATUS[payment.status]}”，"
                    f"不能改为“{PAYMENT_STATUS[outcome]}”，未处理",
                }
            )
            continue
        line_reason = None if outcome == "paid" else f"银行{outcome_text}：{reason}"
        if outcome == "paid" and payment.stopped_after and payment.period > payment.stopped_after:
            late_paid.append(
                (payment.schedule_id, payment.line_id, payment.period, payment.amount_fen)
            )
        applied.append({"line": number, "reference": reference, "outcome": outcome})
        if in_sql:
            outcomes.append(
                (
                    payment.id,
                    number,
                    outcome,
                    reason or None,
                    line_reason,
                    payment.line_id,
                    payment.schedule_id,
                    payment.amount_fen,
                )
            )
            continue
        payment_updates.append({"id": payment.id, "status": outcome, "bank_reason": reason or None})
        line_updates.append({"id": payment.line_id, "status": outcome, "reason": line_reason})
        journal.append(
            entry(
                outcome,
                payment.amount_fen,
                actor,
                schedule_id=payment.schedule_id,
                line_id=payment.line_id,
                payment_id=payment.id,
                note=reason or None,
            )
        )
    if in_sql:
        _write_outcomes(session, outcomes, actor)
    else:
        update_rows(session, Payment.__table__, payment_updates)  # type: ignore[arg-type]
        update_rows(session, Line.__table__, line_updates)  # type: ignore[arg-type]
        record(session, journal)
    for late in late_paid:
        paid_after_stop(session, *late, actor)
    return {"applied": applied, "problems": problems}
