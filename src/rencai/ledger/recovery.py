"""Receivables (收回): what must be recovered, under which clause, and how it is settled.

Each jurisdiction names its recovery clause in its folder (``recovery`` in ``jurisdiction.yaml``:
money paid is cancelled and recovered when the talent leaves the city within the support period
or the claim was false); a receivable cites its schedule's jurisdiction's clause, or none where
the city states none (decision 0089). The seeds do not say whether "拨付资金" means all money
paid or only the part for the unserved periods, so the basis is an administrator setting with
no default (decision 0058); until it is set, the receivable waits with its amount open and
payments to the person stay blocked. Periods paid after a failure date were never due and are
always a receivable.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from rencai import clock
from rencai.audit.log import append as audit
from rencai.feeds.models import Departure
from rencai.ledger.bulk import insert_rows
from rencai.ledger.errors import LedgerError
from rencai.ledger.journal import buffered, entry, receivable_balances, record
from rencai.ledger.models import AppliedEvent, Line, Receivable, Schedule, Setting
from rencai.ledger.money import yuan
from rencai.ledger.schedules import add_months, month_start
from rencai.policy.cities import Recovery, city
from rencai.registry.models import Account, Role

# administrator settings the seeds leave open: which part the recovery clause recovers, per reason
BASIS_SETTINGS = {
    "clawback_basis.moved_away": "支持期内离开本市的，收回全部拨付资金还是未服务期部分",
    "clawback_basis.fraud": "弄虚作假、违规使用的，收回全部拨付资金还是查实之后期间部分",
}
BASIS_LABELS = {"all": "全部拨付资金", "unserved": "未服务期部分"}
RECEIVABLE_STATUS = {
    "awaiting_administrator": "待管理员设定收回口径",
    "open": "待收回",
    "settled": "已收回",
    "written_off": "已核销",
}
PAID_STATES = ("paid",)
OPEN_STATES = ("awaiting_administrator", "open")


class Owner(NamedTuple):
    """A schedule as a departure applied in SQL reads it (no ORM object)."""

    id: int
    id_number: str
    jurisdiction: str
    status: str


def recovery_of(jurisdiction: str) -> Recovery | None:
    """The jurisdiction's recovery clause and hold wording, if its folder states one."""
    found = city(jurisdiction)
    return found.recovery if found else None


def cited(jurisdiction: str) -> str:
    """'（<document>第<n>条）' for a jurisdiction's recovery clause; empty without one."""
    recovery = recovery_of(jurisdiction)
    return f"（{recovery.label}）" if recovery else ""


def hold_reason(jurisdiction: str) -> str:
    """Why a person's payments wait while a receivable is open, in the jurisdiction's words."""
    recovery = recovery_of(jurisdiction)
    wording = recovery.hold if recovery else "存在待收回款项，暂停向该人员发放"
    return wording + cited(jurisdiction)


def setting(session: Session, key: str) -> str | None:
    memo = session.info.get(SETTINGS_MEMO)
    if memo is not None and key in memo:
        return memo[key]
    found = session.get(Setting, key)
    value = found.value if found else None
    if memo is not None:
        memo[key] = value
    return value


# --- a run's bulk reads (no round trip per schedule) ------------------------------------------
LINES_CACHE = "rencai.ledger.lines"
SETTINGS_MEMO = "rencai.ledger.settings"
PENDING_RECEIVABLES = "rencai.ledger.pending_receivables"
CHUNK = 5000


@contextmanager
def bulk_reads(session: Session) -> Iterator[None]:
    """Inside the block, the lines of the schedules ``preload_lines`` read are served from
    memory (the same ORM objects, so changes are seen), the settings read once, the receivables
    raised checked and written together at its end, and the journal written in one COPY at
    the end (``journal.buffered``). Nothing in the block may read what it writes."""
    session.info[LINES_CACHE] = {}
    session.info[SETTINGS_MEMO] = {}
    session.info[PENDING_RECEIVABLES] = []
    try:
        with buffered(session), session.no_autoflush:
            yield
            _raise_pending(session)
    finally:
        session.info.pop(LINES_CACHE, None)
        session.info.pop(SETTINGS_MEMO, None)
        session.info.pop(PENDING_RECEIVABLES, None)


def preload_lines(session: Session, schedule_ids: Iterable[int]) -> None:
    """Read the lines of these schedules in a few statements (inside ``bulk_reads``)."""
    cache = session.info.get(LINES_CACHE)
    if cache is None:
        return
    ids = sorted(set(schedule_ids) - set(cache))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        found: dict[int, list[Line]] = {i: [] for i in chunk}
        for line in session.scalars(
            select(Line).where(Line.schedule_id.in_(chunk)).order_by(Line.schedule_id, Line.seq)
        ):
            found[line.schedule_id].append(line)
        cache.update(found)


def _raise(
    session: Session,
    *,
    event: str,
    schedule: Schedule | Owner,
    kind: str,
    reason: str,
    basis: str | None,
    amount_fen: int | None,
    blocks: bool,
    explanation: str,
    actor: str,
    failure_period: dt.date,
    run_id: str | None = None,
) -> Receivable | None:
    pending = session.info.get(PENDING_RECEIVABLES)
    if pending is None and (
        session.scalar(select(Receivable.id).where(Receivable.event == event)) is not None
    ):
        return None  # raised already: an event raises its receivable once
    receivable = Receivable(
        event=event,
        id_number=schedule.id_number,
        schedule_id=schedule.id,
        kind=kind,
        reason=reason,
        basis=basis,
        failure_period=failure_period,
        amount_fen=amount_fen,
        status="awaiting_administrator" if amount_fen is None else "open",
        blocks_payments=blocks,
        citation=json.dumps(_citation(schedule.jurisdiction), ensure_ascii=False),
        explanation=explanation,
        raised_at=clock.now(),
    )
    if pending is not None:  # inside ``bulk_reads``: checked, written and opened together
        pending.append((receivable, amount_fen, actor, run_id))
        return receivable
    session.add(receivable)
    session.flush()
    if amount_fen is not None:
        _open(session, receivable, amount_fen, actor, run_id)
    return receivable


def _raise_pending(session: Session) -> None:
    """The receivables raised inside ``bulk_reads``: those whose event has not raised one
    already (one read for all), written in one flush, then opened."""
    pending = session.info.get(PENDING_RECEIVABLES) or []
    session.info[PENDING_RECEIVABLES] = []
    events = [r.event for r, *_ in pending]
    raised: set[str] = set()
    for start in range(0, len(events), CHUNK):
        raised.update(
            session.scalars(
                select(Receivable.event).where(Receivable.event.in_(events[start : start + CHUNK]))
            )
        )
    fresh = []
    for receivable, amount_fen, actor, run_id in pending:
        if receivable.event in raised:
            continue  # raised already: an event raises its receivable once
        raised.add(receivable.event)
        session.add(receivable)
        fresh.append((receivable, amount_fen, actor, run_id))
    session.flush()
    for receivable, amount_fen, actor, run_id in fresh:
        if amount_fen is not None:
            _open(session, receivable, amount_fen, actor, run_id)


def _citation(jurisdiction: str) -> dict[str, str] | None:
    recovery = recovery_of(jurisdiction)
    return recovery.citation.as_dict() if recovery else None


def _by_clause(jurisdiction: str) -> str:
    """'依第17条' (the clause alone, as the explanation has always said it); empty without one."""
    recovery = recovery_of(jurisdiction)
    return f"依{recovery.clause_label}" if recovery else ""


def _open(
    session: Session, receivable: Receivable, amount_fen: int, actor: str, run_id: str | None
) -> None:
    receivable.amount_fen = amount_fen
    receivable.status = "open" if amount_fen > 0 else "settled"
    record(
        session,
        [
            entry(
                "receivable_raised",
                amount_fen,
                actor,
                schedule_id=receivable.schedule_id,
                receivable_id=receivable.id,
                run_id=run_id,
                note=receivable.explanation,
            )
        ],
    )


def _lines(session: Session, schedule_id: int) -> list[Line]:
    cache = session.info.get(LINES_CACHE)
    if cache is not None and schedule_id in cache:
        return list(cache[schedule_id])
    # by schedule only (its unique index); the status is filtered here, which keeps the planner
    # off the (status, period) index whose "paid" part covers most of the table
    return list(
        session.scalars(select(Line).where(Line.schedule_id == schedule_id).order_by(Line.seq))
    )


def _paid_lines(session: Session, schedule_id: int) -> list[Line]:
    return [line for line in _lines(session, schedule_id) if line.status in PAID_STATES]


def _paid_fen(session: Session, schedule_id: int, after: dt.date, *, served: bool = False) -> int:
    """Fen paid for the periods after ``after`` (or, with ``served``, up to and including it)."""
    return sum(
        line.amount_fen
        for line in _paid_lines(session, schedule_id)
        if (line.period <= after) == served
    )


UNPAID_STATES = ("planned", "held", "failed", "returned")


def _stop(
    session: Session, schedule: Schedule, after: dt.date | None, reason: str, actor: str
) -> None:
    """Stop a schedule: its unpaid lines (after ``after``, or all) will not be paid."""
    schedule.status = "stopped"
    schedule.stop_reason = reason
    schedule.stopped_after = after or add_months(schedule.start_period, -1)
    entries = []
    for line in _lines(session, schedule.id):
        if line.status not in UNPAID_STATES or (after is not None and line.period <= after):
            continue
        line.status, line.reason = "stopped", reason
        entries.append(
            entry(
                "stopped",
                line.amount_fen,
                actor,
                schedule_id=schedule.id,
                line_id=line.id,
                note=reason,
            )
        )
    record(session, entries)


def _clawback_receivables(
    session: Session,
    schedule: Schedule,
    *,
    reason: str,
    failure_period: dt.date,
    event: str,
    actor: str,
    run_id: str | None,
) -> None:
    """After a departure or a finding of fraud: the periods paid after the failure (always) and
    the served part (per the administrator's basis)."""
    paid = _paid_lines(session, schedule.id)
    after = sum(line.amount_fen for line in paid if line.period > failure_period)
    served = sum(line.amount_fen for line in paid if line.period <= failure_period)
    _raise_clawbacks(
        session,
        schedule,
        after,
        served,
        reason=reason,
        failure_period=failure_period,
        event=event,
        actor=actor,
        run_id=run_id,
    )


def _raise_clawbacks(
    session: Session,
    schedule: Schedule | Owner,
    after: int,
    served: int,
    *,
    reason: str,
    failure_period: dt.date,
    event: str,
    actor: str,
    run_id: str | None,
) -> None:
    """The clawback receivables of ``_clawback_receivables``, given what was paid for the
    periods after the failure (``after``) and up to it (``served``)."""
    label = "离开本市" if reason == "moved_away" else "弄虚作假、违规使用"
    if after:
        _raise(
            session,
            event=f"{event}:after:{schedule.id}",
            schedule=schedule,
            kind="clawback",
            reason=reason,
            basis="after_failure",
            amount_fen=after,
            blocks=True,
            explanation=f"{label}（{failure_period:%Y年%m月}）之后期间已发放{yuan(after)}元，应予收回",
            actor=actor,
            failure_period=failure_period,
            run_id=run_id,
        )
    if served:
        basis = setting(session, f"clawback_basis.{reason}")
        amount = None if basis is None else (served if basis == "all" else 0)
        _raise(
            session,
            event=f"{event}:served:{schedule.id}",
            schedule=schedule,
            kind="clawback",
            reason=reason,
            basis=basis,
            amount_fen=amount,
            blocks=True,
            explanation=f"{label}前已发放{yuan(served)}元；{_by_clause(schedule.jurisdiction)}是否收回此部分"
            + ("，待管理员设定收回口径" if basis is None else f"，按{BASIS_LABELS[basis]}口径"),
            actor=actor,
            failure_period=failure_period,
            run_id=run_id,
        )


def _moved_away_reason(departure: Departure, jurisdiction: str) -> str:
    return f"{departure.occurred_on:%Y年%m月%d日}迁出本市，自下一期起停止发放{cited(jurisdiction)}"


def _raise_overpayment(
    session: Session,
    departure: Departure,
    schedule: Schedule | Owner,
    overpaid: int,
    actor: str,
    run_id: str | None,
) -> None:
    """Employment ended: the periods already paid after it (``overpaid``) were not due."""
    if overpaid:
        _raise(
            session,
            event=f"departure:{departure.id}:after:{schedule.id}",
            schedule=schedule,
            kind="overpayment",
            reason="employment_ended",
            basis="after_failure",
            amount_fen=overpaid,
            blocks=False,
            explanation=f"{departure.occurred_on:%Y年%m月%d日}解除劳动关系，之后期间已发放"
            f"{yuan(overpaid)}元；重新符合条件的从以后发放中抵扣，否则收回",
            actor=actor,
            failure_period=month_start(departure.occurred_on),
            run_id=run_id,
        )


def apply_departure(
    session: Session,
    departure: Departure,
    schedules: list[Schedule],
    actor: str,
    run_id: str | None,
    *,
    known_unapplied: bool = False,
) -> None:
    """Apply one departure event to the person's schedules in that city (once;
    ``known_unapplied``: the caller has just read that it is not applied yet). The ORM path:
    ``apply_departures_in_sql`` does the same for many departures at once on PostgreSQL."""
    event = f"departure:{departure.id}"
    if not known_unapplied and session.get(AppliedEvent, event) is not None:
        return
    failure_period = month_start(departure.occurred_on)
    for schedule in schedules:
        if departure.kind == "moved_away":
            if schedule.status == "stopped":
                continue
            reason = _moved_away_reason(departure, schedule.jurisdiction)
            _stop(session, schedule, failure_period, reason, actor)
            _clawback_receivables(
                session,
                schedule,
                reason="moved_away",
                failure_period=failure_period,
                event=event,
                actor=actor,
                run_id=run_id,
            )
        else:  # employment ended: periods already paid after it were not due
            overpaid = _paid_fen(session, schedule.id, failure_period)
            _raise_overpayment(session, departure, schedule, overpaid, actor, run_id)
    session.add(AppliedEvent(event=event, run_id=run_id, applied_at=clock.now()))


def apply_departures_in_sql(
    session: Session,
    departures: list[Departure],
    of_person: dict[str, list[Owner]],
    actor: str,
    run_id: str | None,
) -> None:
    """``apply_departure`` for each of ``departures`` (not applied yet, in their order) on
    PostgreSQL, set-based: the schedules stopped and their unpaid lines after the departure's
    month stopped by two statements, each line's ``stopped`` entry written by the database
    (``INSERT … SELECT``), what each schedule was paid summed by one query. The receivables
    are raised as ``apply_departure`` raises them (inside ``bulk_reads``: written together at
    its end). The rows written are those of the ORM path, in the same order
    (``tests/ledger/test_departures_sql.py``)."""
    at = clock.now()
    stopped = {s.id for found in of_person.values() for s in found if s.status == "stopped"}
    stops: list[tuple[int, dt.date, str]] = []  # (schedule, after, reason), in the ORM's order
    raised: list[tuple[Departure, Owner, dt.date]] = []  # who raises a receivable, in order
    for departure in departures:
        failure_period = month_start(departure.occurred_on)
        for schedule in of_person.get(departure.id_number, []):
            if departure.kind == "moved_away":
                if schedule.id in stopped:
                    continue
                stopped.add(schedule.id)
                reason = _moved_away_reason(departure, schedule.jurisdiction)
                stops.append((schedule.id, failure_period, reason))
            raised.append((departure, schedule, failure_period))
    connection = session.connection()
    paid: dict[int, tuple[int, int]] = {}  # per ``raised`` row: paid after, paid up to the month
    if raised:
        rows = connection.execute(
            text(
                "SELECT t.n, coalesce(sum(l.amount_fen) FILTER (WHERE l.period > t.month), 0), "
                "coalesce(sum(l.amount_fen) FILTER (WHERE l.period <= t.month), 0) "
                "FROM unnest(CAST(:n AS int[]), CAST(:schedule AS int[]), "
                "CAST(:month AS date[])) AS t(n, schedule_id, month) "
                "JOIN ledger_lines AS l ON l.schedule_id = t.schedule_id AND l.status = :paid "
                "GROUP BY t.n"
            ),
            {
                "n": list(range(len(raised))),
                "schedule": [schedule.id for _, schedule, _ in raised],
                "month": [month for *_, month in raised],
                "paid": PAID_STATES[0],
            },
        )
        paid = {int(n): (int(after), int(served)) for n, after, served in rows}
    if stops:
        stop_rows = {
            "n": list(range(len(stops))),
            "schedule": [schedule_id for schedule_id, _, _ in stops],
            "after": [after for _, after, _ in stops],
            "reason": [reason for *_, reason in stops],
        }
        unnested = (
            "unnest(CAST(:n AS int[]), CAST(:schedule AS int[]), CAST(:after AS date[]), "
            "CAST(:reason AS text[])) AS t(n, schedule_id, after, reason)"
        )
        connection.execute(
            text(
                "UPDATE ledger_schedules AS s SET status = 'stopped', stop_reason = t.reason, "
                f"stopped_after = t.after FROM {unnested} WHERE s.id = t.schedule_id"
            ),
            stop_rows,
        )
        # by schedule (its unique index) with the status filtered, as ``_lines`` reads them;
        # the entries in the ORM path's order: stop by stop, each schedule's lines by seq
        connection.execute(
            text(
                "WITH stopped AS (UPDATE ledger_lines AS l SET status = 'stopped', "
                f"reason = t.reason FROM {unnested} WHERE l.schedule_id = t.schedule_id "
                "AND l.status IN :unpaid AND l.period > t.after "
                "RETURNING t.n, l.seq, l.id, l.schedule_id, l.amount_fen, t.reason) "
                "INSERT INTO ledger_journal (at, kind, amount_fen, actor, schedule_id, line_id, "
                "note) SELECT :at, 'stopped', amount_fen, :actor, schedule_id, id, reason "
                "FROM stopped ORDER BY n, seq"
            ).bindparams(bindparam("unpaid", expanding=True)),
            {**stop_rows, "unpaid": list(UNPAID_STATES), "at": at, "actor": actor},
        )
    for n, (departure, schedule, failure_period) in enumerate(raised):
        after, served = paid.get(n, (0, 0))
        if departure.kind == "moved_away":
            _raise_clawbacks(
                session,
                schedule,
                after,
                served,
                reason="moved_away",
                failure_period=failure_period,
                event=f"departure:{departure.id}",
                actor=actor,
                run_id=run_id,
            )
        else:
            _raise_overpayment(session, departure, schedule, after, actor, run_id)
    insert_rows(
        session,
        AppliedEvent.__table__,  # type: ignore[arg-type]
        [{"event": f"departure:{d.id}", "run_id": run_id, "applied_at": at} for d in departures],
    )


def declare_fraud(
    session: Session, schedule_id: int, actor: str, found_on: dt.date, note: str
) -> None:
    """A claim found false (弄虚作假): stop the schedule and raise the clawback receivables."""
    schedule = session.get(Schedule, schedule_id)
    if schedule is None:
        raise LedgerError("ledger", "发放计划不存在", "not_found")
    if not note.strip():
        raise LedgerError("note", "请填写查实情况", "no_reason")
    if found_on > clock.today():
        raise LedgerError("found_on", "查实日期不能晚于今天", "bad_date")
    if schedule.status == "stopped" and schedule.stop_reason and "弄虚作假" in schedule.stop_reason:
        raise LedgerError("schedule", "该发放计划已认定弄虚作假并停止发放", "already_stopped")
    failure_period = month_start(found_on)
    reason = f"经查实弄虚作假、违规使用：{note}{cited(schedule.jurisdiction)}"
    _stop(session, schedule, None, reason, actor)
    _clawback_receivables(
        session,
        schedule,
        reason="fraud",
        failure_period=failure_period,
        event=f"fraud:{schedule.id}",
        actor=actor,
        run_id=None,
    )
    audit(session, actor, "ledger.fraud", f"schedule:{schedule.id}", {"note": note})


def set_basis(session: Session, key: str, value: str, actor: str) -> int:
    """The administrator sets a recovery basis; receivables waiting for it are computed now.
    Returns how many were computed."""
    if key not in BASIS_SETTINGS:
        raise LedgerError("key", "没有这项设定（可设定的是各市的收回口径）", "bad_setting")
    if value not in BASIS_LABELS:
        raise LedgerError(
            "value", "收回口径应为 all（全部）或 unserved（未服务期部分）", "bad_value"
        )
    found = session.get(Setting, key)
    if found is not None and found.value != value:
        raise LedgerError("key", "收回口径已设定，不能更改已形成的应收款", "already_set")
    session.merge(Setting(key=key, value=value, set_by=actor, set_at=clock.now()))
    reason = key.removeprefix("clawback_basis.")
    waiting = list(
        session.scalars(
            select(Receivable).where(
                Receivable.status == "awaiting_administrator", Receivable.reason == reason
            )
        )
    )
    for receivable in waiting:
        served = _paid_fen(session, receivable.schedule_id, receivable.failure_period, served=True)
        receivable.basis = value
        receivable.explanation += f"；管理员已设定按{BASIS_LABELS[value]}口径"
        _open(session, receivable, served if value == "all" else 0, actor, None)
    audit(session, actor, "ledger.setting", key, {"value": value, "computed": len(waiting)})
    return len(waiting)


def outstanding(session: Session, receivable: Receivable) -> int:
    return receivable_balances(session, [receivable.id])[receivable.id]


def repay(
    session: Session,
    receivable_id: int,
    amount_fen: int,
    actor: str,
    note: str,
    kind: str = "repayment",
) -> int:
    """Record a repayment (or a write-off); returns what is still outstanding. The receivable
    row is locked, so two officers cannot both settle the same balance."""
    if kind not in ("repayment", "write_off"):
        raise LedgerError("kind", f"未知的收回方式：{kind}", "bad_kind")
    if kind == "write_off" and not note.strip():
        raise LedgerError("reason", "核销须填写原因（如批准文件、无法收回的情况）", "no_reason")
    receivable = session.get(Receivable, receivable_id, with_for_update=True)
    if receivable is None:
        raise LedgerError("receivable", f"应收款{receivable_id}不存在", "not_found")
    if receivable.status != "open":
        label = RECEIVABLE_STATUS.get(receivable.status, receivable.status)
        raise LedgerError(
            "receivable", f"应收款{receivable_id}不在待收回状态（{label}）", "not_open"
        )
    balance = outstanding(session, receivable)
    if amount_fen <= 0 or amount_fen > balance:
        raise LedgerError("amount", f"金额应大于0且不超过未收回余额{yuan(balance)}元", "bad_amount")
    record(
        session,
        [
            entry(
                kind,
                amount_fen,
                actor,
                schedule_id=receivable.schedule_id,
                receivable_id=receivable.id,
                note=note,
            )
        ],
    )
    if balance == amount_fen:
        receivable.status = "settled" if kind == "repayment" else "written_off"
    audit(
        session, actor, f"ledger.{kind}", f"receivable:{receivable.id}", {"amount_fen": amount_fen}
    )
    return balance - amount_fen


def write_off(
    session: Session, receivable_id: int, amount_fen: int | None, account: Account, reason: str
) -> int:
    """Write off (核销) what cannot be recovered: finance officers and administrators only, always
    with a reason (decision 0065). Without an amount the whole outstanding balance is written
    off. Returns what is still outstanding."""
    if account.role not in (Role.finance, Role.admin):
        raise LedgerError("role", "仅财务人员或系统管理员可以核销应收款", "forbidden")
    if amount_fen is None:
        receivable = session.get(Receivable, receivable_id)
        amount_fen = 0 if receivable is None else outstanding(session, receivable)
    return repay(session, receivable_id, amount_fen, account.username, reason, "write_off")


def receivable_view(receivable: Receivable, balance: int) -> dict[str, Any]:
    return {
        "id": receivable.id,
        "kind": receivable.kind,
        "reason": receivable.reason,
        "basis": receivable.basis,
        "amount": None if receivable.amount_fen is None else yuan(receivable.amount_fen),
        "outstanding": yuan(balance),
        "status": receivable.status,
        "blocks_payments": receivable.blocks_payments,
        "explanation": receivable.explanation,
        "citation": json.loads(receivable.citation),
        "needs_administrator": receivable.status == "awaiting_administrator",
    }


def exclude_schedule(
    session: Session,
    schedule_id: int,
    after: dt.date,
    decision: dict[str, Any],
    actor: str,
    run_id: str | None,
) -> None:
    """A schedule loses a 就高 group at payment time: it stops, its lines after ``after`` are
    excluded, and what it already paid is offset against the winner's payments (不重复享受)."""
    schedule = session.get(Schedule, schedule_id)
    assert schedule is not None
    reason = decision["reason"]
    schedule.status, schedule.stop_reason, schedule.stopped_after = "stopped", reason, after
    entries = []
    for line in _lines(session, schedule.id):
        if line.status not in UNPAID_STATES or line.period <= after:
            continue
        line.status, line.reason = "excluded", reason
        entries.append(
            entry(
                "excluded",
                line.amount_fen,
                actor,
                schedule_id=schedule.id,
                line_id=line.id,
                run_id=run_id,
                note=reason,
            )
        )
    record(session, entries)
    paid = sum(line.amount_fen for line in _paid_lines(session, schedule.id))
    if paid:
        receivable = _raise(
            session,
            event=f"exclusivity:{schedule.id}:{decision['winner_schedule']}",
            schedule=schedule,
            kind="exclusivity",
            reason="exclusivity",
            basis="after_failure",
            amount_fen=paid,
            blocks=False,
            explanation=f"{reason}；本项目已发放{yuan(paid)}元，从总额更高项目的发放中抵扣",
            actor=actor,
            failure_period=schedule.start_period,
            run_id=run_id,
        )
        if receivable is not None:
            receivable.citation = json.dumps(decision["citation"], ensure_ascii=False)


def stop_for_revoked_card(
    session: Session, id_number: str, revoked_on: dt.date, actor: str
) -> list[int]:
    """The talent card was revoked: the person's schedules stop from the next period, and
    periods already paid after the revocation become a receivable. Called by the card
    capability; returns the schedules stopped."""
    failure_period = month_start(revoked_on)
    reason = f"{revoked_on:%Y年%m月%d日}人才绿卡被撤销，自下一期起停止发放"
    stopped = []
    for schedule in session.scalars(
        select(Schedule).where(Schedule.id_number == id_number, Schedule.status != "stopped")
    ):
        _stop(session, schedule, failure_period, reason, actor)
        overpaid = _paid_fen(session, schedule.id, failure_period)
        if overpaid:
            _raise(
                session,
                event=f"card_revoked:{schedule.id}:{revoked_on.isoformat()}",
                schedule=schedule,
                kind="overpayment",
                reason="card_revoked",
                basis="after_failure",
                amount_fen=overpaid,
                blocks=True,
                explanation=f"{reason}；之后期间已发放{yuan(overpaid)}元，应予收回",
                actor=actor,
                failure_period=failure_period,
            )
        stopped.append(schedule.id)
    audit(session, actor, "ledger.card_revoked", f"id:{id_number[:6]}", {"schedules": stopped})
    return stopped


def stop_program(
    session: Session,
    id_number: str,
    program: str,
    last_period: dt.date,
    reason: str,
    actor: str,
) -> list[int]:
    """A person's schedules of one program stop after ``last_period``: the lines of later
    periods not yet paid are not paid. Called by another capability when the person no longer
    qualifies for a reason it records itself (the 保租房 rental subsidy once the family rents a
    unit in kind); returns the schedules stopped."""
    stopped = []
    for schedule in session.scalars(
        select(Schedule).where(
            Schedule.id_number == id_number,
            Schedule.program == program,
            Schedule.status != "stopped",
        )
    ):
        _stop(session, schedule, month_start(last_period), reason, actor)
        stopped.append(schedule.id)
    if stopped:
        audit(
            session,
            actor,
            "ledger.program_stopped",
            f"id:{id_number[:6]}",
            {"program": program, "schedules": stopped, "after": last_period.isoformat()},
        )
    return stopped


def paid_after_stop(
    session: Session, schedule_id: int, line_id: int, period: dt.date, amount_fen: int, actor: str
) -> None:
    """A payment confirmed paid for a period after its schedule stopped (it was already at the
    bank when the stop was applied): the period was not due, so it becomes a receivable."""
    schedule = session.get(Schedule, schedule_id)
    assert schedule is not None and schedule.stopped_after is not None
    _raise(
        session,
        event=f"paid_after_stop:{line_id}",
        schedule=schedule,
        kind="clawback",
        reason="paid_after_stop",
        basis="after_failure",
        amount_fen=amount_fen,
        blocks=True,
        explanation=f"发放计划已停止（{schedule.stop_reason}），银行仍已支付{period:%Y年%m月}"
        f"的{yuan(amount_fen)}元，应予收回",
        actor=actor,
        failure_period=schedule.stopped_after,
    )
