"""The monthly run (cycle): select due lines, check continuing conditions, make the batch.

One transaction (decision 0256; they were two steps until then, decision 0060), so a run
killed anywhere rolls back and starts again; the run row records the step done:

1. select — apply new departures, then decide every due line (pay / hold / lapse / stop /
   exclude) from one frozen snapshot of the data (run items keep the facts each decision used);
2. batch — one payment per line to pay, for a second finance officer's approval.

On PostgreSQL the lines are decided in SQL (``ledger.run_sql``, decision 0263) and each due line
is written once, straight to its state after both.

A run is identified by its run id; one live run per (jurisdiction, month) (a partial unique
index: a cancelled run frees its month) and, on PostgreSQL, one run process at a time per city
(an advisory lock): a second process refuses, whatever its month. A payment exists at most once
per line (a partial unique index), whatever is retried; a run batches only lines it still holds.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import uuid
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import and_, case, delete, func, null, select, text, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from rencai import clock
from rencai.audit.log import append as audit
from rencai.db.session import engine_for, session_scope
from rencai.feeds.models import Contribution, Departure
from rencai.ledger.batching import (
    WHOLLY_OFFSET,
    close_batch,
    offset_entries,
    open_batch,
    receivable_state,
)
from rencai.ledger.bulk import insert_rows, large_statements, on_postgresql, update_rows
from rencai.ledger.decision import LineFacts
from rencai.ledger.decision import decide as decide_line
from rencai.ledger.errors import LedgerError
from rencai.ledger.exclusions import apply_exclusions, exclusivity_losers, once_duplicates
from rencai.ledger.journal import entry, record
from rencai.ledger.models import (
    DUE_LINE_STATES,
    AppliedEvent,
    Batch,
    Line,
    OpenLine,
    Payee,
    Payment,
    Run,
    RunItem,
    Schedule,
)
from rencai.ledger.money import yuan
from rencai.ledger.recovery import (
    CHUNK,
    Owner,
    apply_departure,
    apply_departures_in_sql,
    bulk_reads,
    hold_reason,
    preload_lines,
)
from rencai.ledger.run_items import decision_counts
from rencai.ledger.run_sql import select_and_batch
from rencai.ledger.schedules import add_months, amount_on, period_end
from rencai.policy.engine.system import system_for

Progress = Callable[[str, int, int], None]
_checkpoint_hooks: list[Callable[[str], None]] = []


def on_checkpoint(hook: Callable[[str], None]) -> None:
    """Call ``hook(name)`` at every named point between the steps' transactions. Only the test
    setup registers one (crash injection: tests kill the process there, as a power cut would;
    decision 0105); production registers none."""
    _checkpoint_hooks.append(hook)


def checkpoint(name: str) -> None:
    """A named point between the steps' transactions: a process may die here and resume."""
    for hook in _checkpoint_hooks:
        hook(name)


@dataclass
class RunSummary:
    run_id: str
    jurisdiction: str
    month: dt.date
    resumed: bool
    decisions: dict[str, int] = field(default_factory=dict)
    batch_id: int | None = None
    batch_total_fen: int = 0
    budget_alerts: list[dict[str, Any]] = field(default_factory=list)
    skipped: int = 0  # lines chosen to pay that already had a live payment elsewhere


def parse_month(text: str, jurisdiction: str | None = None) -> dt.date:
    """A run month from ``YYYY-MM``: its first day, within the months a run can pay.

    From the month the jurisdiction's modelled policies begin to the month after the current
    one at the office (a run may be prepared a month ahead; decision 0071). Anything else is
    refused with a Chinese message before anything is written."""
    if (
        not isinstance(text, str)
        or len(text) != 7
        or text[4] != "-"
        or not (text[:4].isdigit() and text[5:].isdigit())
    ):
        raise LedgerError("month", f"发放月份“{text}”无效，格式应为 YYYY-MM", "bad_month")
    try:
        month = dt.date(int(text[:4]), int(text[5:]), 1)
    except ValueError:
        raise LedgerError("month", f"发放月份“{text}”无效，格式应为 YYYY-MM", "bad_month") from None
    if jurisdiction is None:
        from rencai.policy.cities import default_code

        jurisdiction = default_code()
    check_month(jurisdiction, month)
    return month


def check_month(jurisdiction: str, month: dt.date) -> None:
    """Refuse an unknown jurisdiction, or a month before its policies or after next month."""
    from rencai.policy.cities import registry

    known = registry().get(jurisdiction)
    if known is None:
        raise LedgerError("jurisdiction", f"未知的地区：{jurisdiction}", "bad_jurisdiction")
    first = known.earliest.replace(day=1)
    last = add_months(clock.today().replace(day=1), 1)
    if not first <= month.replace(day=1) <= last:
        raise LedgerError(
            "month",
            f"发放月份{month:%Y年%m月}超出可发放范围（{first:%Y年%m月}至{last:%Y年%m月}），"
            "本次未执行",
            "bad_month",
        )


def _lock_key(jurisdiction: str) -> int:
    return zlib.crc32(f"rencai-ledger:{jurisdiction}".encode())


@contextlib.contextmanager
def city_lock(url: str, jurisdiction: str) -> Iterator[None]:
    """One ledger run (or run cancellation) per city at a time, whatever its month: a
    PostgreSQL session advisory lock, released when the run ends or its process dies.
    SQLite serialises writers itself.

    A run selects every due line up to its month, so two months' runs of one city would claim
    the same lines; the lock is per city (decision 0072). If the database connection dies, the
    lock dies with it: releasing it then fails, and that failure must not hide the cause."""
    engine = engine_for(url)
    if engine.dialect.name != "postgresql":
        yield
        return
    key = _lock_key(jurisdiction)
    with engine.connect() as connection:
        got = connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
        connection.commit()
        if not got:
            raise LedgerError(
                "ledger",
                "本市的另一发放运行正在另一进程中进行，本次未执行；请待其结束后查看结果",
                "run_in_progress",
            )
        failed = False
        try:
            yield
        except BaseException:
            failed = True
            raise
        finally:
            try:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                connection.commit()
            except SQLAlchemyError:
                if not failed:
                    raise
                # the connection is gone, and the lock with it; the run's own error stands
                connection.invalidate()


FINISHED_STEPS = ("batched", "cancelled")


def _open_run(
    session: Session, jurisdiction: str, month: dt.date, actor: str, run_id: str | None
) -> tuple[Run, bool]:
    """Under the city lock: the month's live run (resumed), or a new one if no other month of
    the city is unfinished — earlier or later (decision 0072)."""
    existing = session.scalar(
        select(Run).where(
            Run.jurisdiction == jurisdiction, Run.month == month, Run.step != "cancelled"
        )
    )
    if existing is not None:
        if run_id is not None and existing.id != run_id:
            raise LedgerError(
                "ledger",
                f"{month:%Y年%m月}已有发放运行（编号 {existing.id}），不能以另一编号重复发放",
                "month_already_run",
            )
        return existing, True
    unfinished = session.scalar(
        select(Run)
        .where(
            Run.jurisdiction == jurisdiction,
            Run.month != month,
            Run.step.not_in(FINISHED_STEPS),
        )
        .order_by(Run.month)
    )
    if unfinished is not None:
        raise LedgerError(
            "ledger",
            f"{unfinished.month:%Y年%m月}的发放运行（编号 {unfinished.id}）尚未完成，本次未执行；"
            f"请先执行 rencai ledger run {unfinished.month:%Y-%m} 完成该月，"
            f"或执行 rencai ledger cancel-run {unfinished.month:%Y-%m} 取消该月运行",
            "earlier_run_unfinished" if unfinished.month < month else "later_run_unfinished",
        )
    if run_id is not None and session.get(Run, run_id) is not None:
        raise LedgerError(
            "ledger", f"运行编号 {run_id} 已用于其他月份或已取消的运行", "run_id_used"
        )
    run = Run(
        id=run_id or uuid.uuid4().hex,
        jurisdiction=jurisdiction,
        month=month,
        step="created",
        started_by=actor,
        started_at=clock.now(),
    )
    try:
        with session.begin_nested():
            session.add(run)
            session.flush()
    except IntegrityError:
        raise LedgerError(
            "ledger", f"{month:%Y年%m月}的发放运行已由他人启动", "month_already_run"
        ) from None
    audit(session, actor, "ledger.run.start", f"run:{run.id}", {"month": f"{month:%Y-%m}"})
    return run, False


def run_month(
    url: str,
    jurisdiction: str,
    month: dt.date,
    actor: str,
    run_id: str | None = None,
    progress: Progress | None = None,
) -> RunSummary:
    """Start (or resume) the run of ``month`` (its first day) for a jurisdiction."""
    month = month.replace(day=1)
    check_month(jurisdiction, month)  # before anything is written
    system_for(jurisdiction)
    with city_lock(url, jurisdiction):
        with session_scope(url) as session:
            run, resumed = _open_run(session, jurisdiction, month, actor, run_id)
        summary = RunSummary(run.id, jurisdiction, month, resumed)
        if run.step == "created":
            # select and batch are one transaction (decision 0256): a crash anywhere in it
            # rolls both back and the run starts them again
            for attempt in (1, 2):
                try:
                    with session_scope(url) as session:
                        skipped = _select(session, run.id, progress)
                        checkpoint("select")
                        if skipped is None:  # the lines chosen wait as `selected` here
                            skipped = _batch(session, run.id, actor)
                        summary.skipped = skipped
                        checkpoint("batch")
                    break
                except LedgerError as refused:
                    # a due line another transaction changed meanwhile: nothing was written;
                    # decided once more as it now is, then refused (decision 0273)
                    if refused.code != "lines_changed" or attempt == 2:
                        raise
            checkpoint("batched")
        elif run.step == "selected":  # a run an earlier version left between its two steps
            with session_scope(url) as session:
                summary.skipped = _batch(session, run.id, actor)
                checkpoint("batch")
            checkpoint("batched")
        with session_scope(url) as session:
            summary.decisions = decision_counts(session, run.id)
            batch = session.scalar(select(Batch).where(Batch.run_id == run.id))
            if batch is not None:
                summary.batch_id = batch.id
                summary.batch_total_fen = batch.total_fen
                summary.budget_alerts = json.loads(batch.budget_alerts)
        return summary


@dataclass
class RunState:
    run_id: str
    month: dt.date
    step: str
    started_by: str
    started_at: dt.datetime
    batch_id: int | None
    live_lock: bool | None  # whether a process holds the city's lock now (PostgreSQL)


def run_states(url: str, jurisdiction: str, limit: int = 24) -> list[RunState]:
    """The city's latest runs and whether a process is running one now (for operators)."""
    check_month(jurisdiction, clock.today())
    engine = engine_for(url)
    live: bool | None = None
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            live = bool(
                connection.execute(
                    text(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                        "AND objid::bigint = :k AND granted AND database = "
                        "(SELECT oid FROM pg_database WHERE datname = current_database())"
                    ),
                    {"k": _lock_key(jurisdiction) & 0xFFFFFFFF},
                ).scalar()
            )
    with session_scope(url) as session:
        rows = session.execute(
            select(Run, Batch.id)
            .outerjoin(Batch, Batch.run_id == Run.id)
            .where(Run.jurisdiction == jurisdiction)
            .order_by(Run.month.desc(), Run.started_at.desc())
            .limit(limit)
        ).all()
        return [
            RunState(r.id, r.month, r.step, r.started_by, r.started_at, batch_id, live)
            for r, batch_id in rows
        ]


def cancel_run(url: str, jurisdiction: str, month: dt.date, actor: str, reason: str) -> RunState:
    """Cancel a month's unfinished run (one that stopped before its batch was made): the lines
    it chose to pay go back to due, so the next run (this month again, or a later one) decides
    them afresh; its other decisions and its frozen facts stay on record. A batched run is not
    cancelled: its batch is rejected by the second officer instead (decision 0072)."""
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError("reason", "取消发放运行须填写原因", "no_reason")
    month = month.replace(day=1)
    check_month(jurisdiction, month)
    # a run that is really running holds the city's lock: cancelling it is refused
    with city_lock(url, jurisdiction), session_scope(url) as session:
        run = session.scalar(
            select(Run)
            .where(
                Run.jurisdiction == jurisdiction,
                Run.month == month,
                Run.step != "cancelled",
            )
            .with_for_update()
        )
        if run is None:
            raise LedgerError("month", f"{month:%Y年%m月}没有可取消的发放运行", "not_found")
        if run.step == "batched":
            raise LedgerError(
                "month",
                f"{month:%Y年%m月}的发放运行已生成批次，不能取消；请由审核人退回该批次",
                "already_batched",
            )
        selected = session.execute(
            select(Line.id, Line.amount_fen, Line.schedule_id)
            .join(RunItem, RunItem.line_id == Line.id)
            .where(
                RunItem.run_id == run.id,
                RunItem.decision == "pay",
                Line.status == "selected",
                ~Line.id.in_(select(Payment.line_id).where(Payment.live)),
            )
        ).all()
        note = f"发放运行{run.id}已取消：{reason}"
        if selected:
            session.execute(
                update(Line)
                .where(Line.id.in_([row[0] for row in selected]))
                .values(status="planned", reason=note),
                execution_options={"synchronize_session": False},
            )
        record(
            session,
            [
                entry(
                    "unselected",
                    amount,
                    actor,
                    schedule_id=sid,
                    line_id=lid,
                    run_id=run.id,
                    note=note,
                )
                for lid, amount, sid in selected
            ],
        )
        previous = run.step
        run.step = "cancelled"
        run.finished_at = clock.now()
        audit(
            session,
            actor,
            "ledger.run.cancel",
            f"run:{run.id}",
            {
                "month": f"{month:%Y-%m}",
                "step": previous,
                "reason": reason,
                "lines_released": len(selected),
            },
        )
        return RunState(run.id, run.month, run.step, run.started_by, run.started_at, None, None)


# --- step 1: select -------------------------------------------------------------------------


def _apply_departures(session: Session, run: Run, *, in_sql: bool | None = None) -> None:
    """Apply the city's departures not applied yet (inside ``bulk_reads``): on PostgreSQL
    set-based (``apply_departures_in_sql``), elsewhere — or with ``in_sql=False``, the
    reference — through the ORM, one ``apply_departure`` each."""
    applied = set(
        session.scalars(select(AppliedEvent.event).where(AppliedEvent.event.like("departure:%")))
    )
    departures = [
        d
        for d in session.scalars(
            select(Departure)
            .where(
                Departure.city == run.jurisdiction,
                Departure.id_number.in_(
                    select(Schedule.id_number).where(Schedule.jurisdiction == run.jurisdiction)
                ),
            )
            .order_by(Departure.occurred_on, Departure.id)
        )
        if f"departure:{d.id}" not in applied
    ]
    # the departing persons' schedules and their lines in a few statements, not per person
    people = sorted({d.id_number for d in departures})
    if on_postgresql(session) if in_sql is None else in_sql:
        owners: dict[str, list[Owner]] = defaultdict(list)
        for start in range(0, len(people), CHUNK):
            for row in session.execute(
                select(Schedule.id, Schedule.id_number, Schedule.jurisdiction, Schedule.status)
                .where(
                    Schedule.id_number.in_(people[start : start + CHUNK]),
                    Schedule.jurisdiction == run.jurisdiction,
                )
                .order_by(Schedule.id)
            ):
                owners[row.id_number].append(Owner(*row))
        apply_departures_in_sql(session, departures, owners, run.started_by, run.id)
        return
    of_person: dict[str, list[Schedule]] = defaultdict(list)
    for start in range(0, len(people), CHUNK):
        for schedule in session.scalars(
            select(Schedule)
            .where(
                Schedule.id_number.in_(people[start : start + CHUNK]),
                Schedule.jurisdiction == run.jurisdiction,
            )
            .order_by(Schedule.id)
        ):
            of_person[schedule.id_number].append(schedule)
    preload_lines(session, [s.id for found in of_person.values() for s in found])
    for departure in departures:
        schedules = of_person[departure.id_number]
        apply_departure(session, departure, schedules, run.started_by, run.id, known_unapplied=True)
    session.flush()


LINE_STATUS = {  # a line's status after the run's decision on it
    "pay": "selected",
    "hold": "held",
    "lapse": "lapsed",
    "stop": "stopped",
    "exclude": "excluded",
}


class Decided(NamedTuple):
    """One due line as the run decided it (the portable path, before any write)."""

    line_id: int
    schedule_id: int
    id_number: str
    seq: int
    period: dt.date
    program: str
    decision: str
    reason: str | None
    amount_fen: int
    offset_fen: int
    facts: str  # JSON
    citation: str | None  # the citation of the amount paid; None keeps the line's
    in_flight: bool  # a live payment already has the line (it is not paid again)


def _select(session: Session, run_id: str, progress: Progress | None) -> int | None:
    """Decide every due line. On PostgreSQL the batch is made in the same pass (each line is
    written once, decision 0256): returns how many lines chosen to pay were skipped. Elsewhere
    the lines chosen are left ``selected`` for ``_batch`` in the same transaction: None."""
    run = session.get(Run, run_id)
    assert run is not None
    large_statements(session)
    with bulk_reads(session):
        _apply_departures(session, run)
    if on_postgresql(session):  # decided in SQL, each line written once with its batch
        return select_and_batch(session, run, progress, checkpoint)
    due = session.execute(
        select(
            Line.id,
            Line.period,
            Line.amount_fen,
            Schedule.id,
            Schedule.id_number,
            Schedule.per,
            Schedule.parameter_path,
            Schedule.employer_uscc,
            Payee.id_number.is_not(None),
            Line.seq,
            Schedule.program,
            # whether a live payment already has the line (read under the same lock)
            select(Payment.id).where(Payment.line_id == Line.id, Payment.live).exists(),
        )
        .select_from(OpenLine)  # the due lines are found through the open lines (0271)
        .join(Line, Line.id == OpenLine.line_id)
        .join(Schedule, Schedule.id == Line.schedule_id)
        .outerjoin(Payee, Payee.id_number == Schedule.id_number)
        .where(
            Schedule.jurisdiction == run.jurisdiction,
            Schedule.status != "stopped",
            OpenLine.period <= run.month,
            Line.status.in_(DUE_LINE_STATES),
        )
        # claimed conditionally: a line another transaction is deciding is waited for and
        # then re-checked (no longer due), never decided twice
        .with_for_update(of=Line)
    ).all()
    # decided in schedule and period order (offsets are taken in it); sorted here, not in
    # SQL, so that the planner reads the due lines by their index, not every period's line
    due = sorted(due, key=lambda row: (row[3], row[1]))
    id_numbers = {row[4] for row in due}
    periods = sorted({row[1] for row in due})
    # the frozen snapshot: everything the decisions read, read once
    contributions: dict[tuple[str, dt.date], set[str]] = defaultdict(set)
    loaded_months: set[dt.date] = set()
    for start in range(0, len(periods), 500):
        chunk = periods[start : start + 500]
        for id_number, uscc, month in session.execute(
            select(Contribution.id_number, Contribution.employer_uscc, Contribution.month).where(
                Contribution.city == run.jurisdiction, Contribution.month.in_(chunk)
            )
        ):
            loaded_months.add(month)
            if id_number in id_numbers:
                contributions[(id_number, month)].add(uscc)
    losers = exclusivity_losers(session, run.jurisdiction, id_numbers)
    once = {row[3] for row in due if row[5] == "once"}
    losers.update(once_duplicates(session, run.jurisdiction, once))
    apply_exclusions(session, run, losers)
    blocked, credit = receivable_state(session)
    hold_wording = hold_reason(run.jurisdiction)
    # whether each due line's person has a payee account: read with the lines (set-based)
    payees = {row[4] for row in due if row[8]}

    decided: list[Decided] = []
    amounts: dict[tuple[str, dt.date, str], tuple[int | None, str]] = {}
    facts_of: dict[tuple[dt.date, str | None, tuple[str, ...]], str] = {}
    journal: list[dict[str, Any]] = []
    suspended: set[int] = set()
    actor = run.started_by
    now = clock.now()  # one timestamp for the step's entries
    for index, (
        line_id,
        period,
        planned,
        schedule_id,
        id_number,
        per,
        path,
        employer,
        _,
        seq,
        program,
        in_flight,
    ) in enumerate(due):
        if progress and index % 1000 == 0:
            progress("select", index, len(due))
        amount_key = (path, period, per)
        if amount_key not in amounts:  # most lines share one: the parameter looked up once
            amounts[amount_key] = amount_on(run.jurisdiction, path, period_end(period, per))
        amount, citation = amounts[amount_key]
        offset = 0
        paid_by = contributions.get((id_number, period), set())
        decision, reason, new_employer = decide_line(
            LineFacts(
                period=period,
                recurring=per != "once",
                amount_fen=amount,
                excluded=losers[schedule_id]["reason"] if schedule_id in losers else None,
                receivable_open=id_number in blocked,
                contributions_loaded=period in loaded_months,
                contribution_employers=paid_by,
                employer=employer,
                has_payee=id_number in payees,
            ),
            receivable_hold=hold_wording,
        )
        employers = tuple(sorted(paid_by))
        if new_employer is not None or schedule_id in losers:
            facts: dict[str, Any] = {"period": f"{period:%Y-%m}", "employer": employer}
            if schedule_id in losers:
                facts["exclusivity"] = losers[schedule_id]
            if new_employer is not None:
                facts["new_employer"] = new_employer
                suspended.add(schedule_id)
            facts["contribution_employers"] = list(employers)
            facts_json = json.dumps(facts, ensure_ascii=False)
        else:  # most lines share their facts with others (one employer, one period): once each
            facts_key = (period, employer, employers)
            facts_json = facts_of.get(facts_key)  # type: ignore[assignment]
            if facts_json is None:
                facts_json = facts_of[facts_key] = json.dumps(
                    {
                        "period": f"{period:%Y-%m}",
                        "employer": employer,
                        "contribution_employers": list(employers),
                    },
                    ensure_ascii=False,
                )
        if decision == "pay":
            assert amount is not None
            offset = min(amount, credit[id_number])
            credit[id_number] -= offset
            if amount != planned:  # a parameter changed since: unpaid lines follow it
                journal.append(
                    entry(
                        "repriced",
                        amount - planned,
                        actor,
                        at=now,
                        schedule_id=schedule_id,
                        line_id=line_id,
                        run_id=run.id,
                        note=f"{yuan(planned)}→{yuan(amount)}元",
                    )
                )
        decided.append(
            Decided(
                line_id,
                schedule_id,
                id_number,
                seq,
                period,
                program,
                decision,
                reason,
                amount if amount is not None else planned,
                offset,
                facts_json,
                # the citation of the amount paid (never None: JSON); None keeps the line's
                citation if decision == "pay" else None,
                bool(in_flight),
            )
        )
    suspending = sorted(suspended)
    for start in range(0, len(suspending), CHUNK):  # one statement, not one per schedule
        session.execute(
            update(Schedule)
            .where(Schedule.id.in_(suspending[start : start + CHUNK]), Schedule.status == "active")
            .values(status="suspended"),
            execution_options={"synchronize_session": "fetch"},
        )
    if progress:
        progress("select", len(due), len(due))
    items = []
    line_updates = []
    for d in decided:
        status = LINE_STATUS[d.decision]
        items.append(
            {
                "run_id": run.id,
                "line_id": d.line_id,
                "decision": d.decision,
                "reason": d.reason,
                "amount_fen": d.amount_fen,
                "offset_fen": d.offset_fen,
                "facts": d.facts,
            }
        )
        line_updates.append(
            {
                "id": d.line_id,
                "status": status,
                "reason": d.reason,
                "amount_fen": d.amount_fen,
                "citation": d.citation,
            }
        )
        if d.decision == "pay" and not d.in_flight and d.offset_fen < d.amount_fen:
            continue  # paid by a payment in this transaction, its record (0272, 0306)
        journal.append(
            entry(
                status,
                d.amount_fen,
                actor,
                at=now,
                schedule_id=d.schedule_id,
                line_id=d.line_id,
                run_id=run.id,
                note=d.reason,
            )
        )
    insert_rows(session, RunItem.__table__, items)  # type: ignore[arg-type]
    update_rows(session, Line.__table__, line_updates, keep_if_null=("citation",))  # type: ignore[arg-type]
    record(session, journal)
    run.step = "selected"
    return None


# --- step 2: batch --------------------------------------------------------------------------


def _read_selected(session: Session, run_id: str) -> tuple[list[Any], int]:
    """Elsewhere than PostgreSQL: read (and lock) the lines this run chose to pay; those still
    waiting beside a live payment are batched here, the others returned (the batch updates
    them). Returns them, in line order, and how many were skipped."""
    chosen = session.execute(
        select(
            RunItem.amount_fen.label("item_amount"),
            RunItem.offset_fen.label("offset"),
            RunItem.facts,
            Line.id.label("line_id"),
            Line.seq,
            Line.period,
            Schedule.id.label("schedule_id"),
            Schedule.id_number,
            Schedule.program,
            # the payee's account, read with the lines (set-based)
            Payee.id_number.label("payee_id_number"),
            Payee.account_name,
            Payee.account_no,
            Payee.bank_name,
            # whether the line still waits for this run, and whether a live payment has it:
            # read with the lines (the lines are locked, so neither changes until commit)
            Line.status.label("line_status"),
            select(Payment.id)
            .where(Payment.line_id == Line.id, Payment.live)
            .exists()
            .label("in_flight"),
        )
        .join(Line, Line.id == RunItem.line_id)
        .join(Schedule, Schedule.id == Line.schedule_id)
        .outerjoin(Payee, Payee.id_number == Schedule.id_number)
        .where(RunItem.run_id == run_id, RunItem.decision == "pay")
        .order_by(Line.id)
        .with_for_update(of=Line)
    ).all()
    in_flight = {r.line_id for r in chosen if r.in_flight}
    still_selected = {r.line_id for r in chosen if r.line_status == "selected"}
    pay = [r for r in chosen if r.line_id in still_selected and r.line_id not in in_flight]
    skipped = len(chosen) - len(pay)
    if in_flight & still_selected:  # left `selected` beside a live payment: it is batched
        session.execute(
            update(Line)
            .where(Line.id.in_(in_flight & still_selected))
            .values(status="batched", reason=None),
            execution_options={"synchronize_session": False},
        )
    return pay, skipped


def _claim_selected(session: Session, run_id: str) -> list[Any]:
    """PostgreSQL: claim the lines this run chose to pay and that still wait for it, in one
    UPDATE that locks them as it writes (no separate locking read, no per-line update): each
    becomes ``batched`` — or ``paid`` when wholly offset and no live payment has it. Returns
    each claimed line with what the batch needs, in line order."""
    live = (
        select(Payment.id).where(Payment.line_id == Line.id, Payment.live).correlate(Line).exists()
    )
    wholly_offset = and_(RunItem.amount_fen - RunItem.offset_fen == 0, ~live)  # rare: first

    def payee(column: Any) -> Any:
        return (
            select(column)
            .where(Payee.id_number == Schedule.id_number)
            .correlate(Schedule)
            .scalar_subquery()
        )

    rows = session.execute(
        update(Line)
        .where(
            Line.id == RunItem.line_id,
            RunItem.run_id == run_id,
            RunItem.decision == "pay",
            Line.status == "selected",
            Schedule.id == Line.schedule_id,
        )
        .values(
            status=case((wholly_offset, "paid"), else_="batched"),
            reason=case((wholly_offset, WHOLLY_OFFSET), else_=null()),
        )
        .returning(
            RunItem.amount_fen.label("item_amount"),
            RunItem.offset_fen.label("offset"),
            RunItem.facts,
            Line.id.label("line_id"),
            Line.seq,
            Line.period,
            Schedule.id.label("schedule_id"),
            Schedule.id_number,
            Schedule.program,
            payee(Payee.id_number).label("payee_id_number"),
            payee(Payee.account_name).label("account_name"),
            payee(Payee.account_no).label("account_no"),
            payee(Payee.bank_name).label("bank_name"),
            live.label("in_flight"),
        ),
        execution_options={"synchronize_session": False},
    ).all()
    return sorted(rows, key=lambda r: r.line_id)


def _batch(session: Session, run_id: str, actor: str) -> int:
    """Make the run's batch; returns how many lines chosen to pay were skipped because they
    are no longer waiting for this run (a live payment elsewhere, or released)."""
    run = session.get(Run, run_id)
    assert run is not None
    claimed_in_sql = on_postgresql(session)
    if claimed_in_sql:
        chosen_count = session.scalar(
            select(func.count())
            .select_from(RunItem)
            .where(RunItem.run_id == run_id, RunItem.decision == "pay")
        )
        claimed = _claim_selected(session, run_id)
        pay = [r for r in claimed if not r.in_flight]
        skipped = int(chosen_count or 0) - len(pay)
    else:
        pay, skipped = _read_selected(session, run_id)
    now = clock.now()  # one timestamp for the step's batch and entries
    batch = open_batch(session, run, actor, now, list(pay))
    journal = offset_entries(session, pay, actor, now, run_id)
    payments: list[dict[str, Any]] = []
    line_updates: list[dict[str, Any]] = []
    for r in pay:
        net = r.item_amount - r.offset
        if net == 0:  # wholly offset: paid without a bank transfer
            if not claimed_in_sql:
                line_updates.append({"id": r.line_id, "status": "paid", "reason": WHOLLY_OFFSET})
            journal.append(
                entry(
                    "paid",
                    r.item_amount,
                    actor,
                    at=now,
                    schedule_id=r.schedule_id,
                    line_id=r.line_id,
                    run_id=run_id,
                    note=WHOLLY_OFFSET,
                )
            )
            continue
        if r.payee_id_number is None:  # chosen to pay only with a payee account
            raise KeyError(r.id_number)
        payee = r
        payments.append(
            {
                "batch_id": batch.id,
                "line_id": r.line_id,
                "reference": f"RC{batch.id:06d}{r.line_id:010d}",
                "amount_fen": net,
                "payee_name": payee.account_name,
                "account_no": payee.account_no,
                "bank_name": payee.bank_name,
                "status": "pending",
                "offset_fen": r.offset,
                "facts": r.facts,
            }
        )
        if not claimed_in_sql:
            line_updates.append({"id": r.line_id, "status": "batched", "reason": None})
    insert_rows(session, Payment.__table__, payments)  # type: ignore[arg-type]
    # each payment made now holds its line's decision: the run item goes (decision 0307)
    paid = [p["line_id"] for p in payments]
    for start in range(0, len(paid), CHUNK):
        session.execute(
            delete(RunItem).where(
                RunItem.run_id == run_id,
                RunItem.decision == "pay",
                RunItem.line_id.in_(paid[start : start + CHUNK]),
            )
        )
    update_rows(session, Line.__table__, line_updates)  # type: ignore[arg-type]
    record(session, journal)  # each payment made is its line's `batched` record (0306)
    total = sum(p["amount_fen"] for p in payments)
    close_batch(session, run, batch, actor, len(payments), total, skipped)
    return skipped
