"""The monthly run's one step on PostgreSQL, set-based: decided and written in the database.

No due line travels to Python (decision 0263). The due lines are copied on the server into a
temporary table (``INSERT … SELECT``); the cross-schedule checks (就高, once-only), the open
receivables, the loaded contribution months and each distinct (parameter path, period) amount
are worked out in Python — a few rows — and sent with the statement that decides every line.
That statement is ``ledger.decision.decide`` written as SQL (``CHECKS`` below, in the same
order; ``tests/ledger/test_decision_sql.py`` compares the two over every branch). From the
decided table the database then writes each line's single update (locking it and re-checking
that it is still as read), the run items, the journal and the payments.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from rencai import clock
from rencai.ledger.batching import (
    WHOLLY_OFFSET,
    BudgetRow,
    OffsetRow,
    close_batch,
    offset_entries,
    open_batch,
    receivable_state,
)
from rencai.ledger.decision import NO_AMOUNT
from rencai.ledger.errors import LedgerError
from rencai.ledger.exclusions import apply_exclusions, exclusivity_losers, once_duplicates
from rencai.ledger.journal import record
from rencai.ledger.models import DUE_LINE_STATES, Run
from rencai.ledger.recovery import hold_reason
from rencai.ledger.schedules import amount_on, period_end
from rencai.policy.engine.system import system_for

TEMP_STATISTICS = 10  # ANALYZE samples 300 × this many rows of each temporary table
NO_PAYEE = "未登记收款银行账户"
CN_MONTH = 'to_char({f}.period, \'YYYY"年"MM"月"\')'  # f"{period:%Y年%m月}"

# ``decide`` as SQL, check by check in its order: (condition, decision, reason, new employer).
# The columns of ``{f}``: excluded (text), blocked, recurring, loaded, has_payee (boolean),
# amount (bigint), employers (text[], NULL when none), employer (text), period (date); the
# receivable hold's wording is the parameter ``receivable_hold``.
CHECKS = (
    ("{f}.excluded IS NOT NULL", "'exclude'", "{f}.excluded", "NULL"),
    ("{f}.blocked", "'hold'", "%(receivable_hold)s", "NULL"),
    ("{f}.amount IS NULL", "'hold'", f"'{NO_AMOUNT}'", "NULL"),
    (
        "{f}.recurring AND NOT {f}.loaded",
        "'hold'",
        CN_MONTH + " || '社会保险缴费数据尚未导入'",
        "NULL",
    ),
    (
        "{f}.recurring AND coalesce(cardinality({f}.employers), 0) = 0",
        "'lapse'",
        CN_MONTH + " || '未在本市缴纳社会保险，本期不予发放'",
        "NULL",
    ),
    (
        "{f}.recurring AND coalesce({f}.employer, '') <> '' "
        "AND NOT ({f}.employer = ANY({f}.employers))",
        "'hold'",
        "'用人单位变更为' || {new} || '，待确认后继续发放（支持期跨单位累计计算）'",
        "{new}",
    ),
    ("NOT {f}.has_payee", "'hold'", f"'{NO_PAYEE}'", "NULL"),
)
NEW_EMPLOYER = '(SELECT min(e COLLATE "C") FROM unnest({f}.employers) AS e)'  # min() in Python


def decision_columns(f: str) -> str:
    """``decision, reason, new_employer`` of the relation aliased ``f`` (see ``CHECKS``)."""
    new = NEW_EMPLOYER.format(f=f)
    columns = []
    for index, default, name in (
        (1, "'pay'", "decision"),
        (2, "NULL", "reason"),
        (3, "NULL", "new_employer"),
    ):
        whens = " ".join(
            f"WHEN {check[0].format(f=f)} THEN {check[index].format(f=f, new=new)}"
            for check in CHECKS
        )
        columns.append(f"CASE {whens} ELSE {default} END AS {name}")
    return ", ".join(columns)


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _yuan(x: str) -> str:
    """``ledger.money.yuan`` in SQL: 180000.00."""
    return (
        f"(CASE WHEN {x} < 0 THEN '-' ELSE '' END || (abs({x}) / 100)::text || '.' "
        f"|| lpad(mod(abs({x}), 100)::text, 2, '0'))"
    )


ENTRY_KIND = (  # the journal entry of the decision (a line's status after the select)
    "CASE d.decision WHEN 'pay' THEN 'selected' WHEN 'hold' THEN 'held' "
    "WHEN 'lapse' THEN 'lapsed' WHEN 'stop' THEN 'stopped' WHEN 'exclude' THEN 'excluded' END"
)
PAYING = "(d.decision = 'pay' AND NOT d.in_flight)"
WHOLLY = f"({PAYING} AND d.amount_fen = d.offset_fen)"  # paid by offset, no bank transfer


def select_and_batch(
    session: Session, run: Run, progress: Any, checkpoint: Callable[[str], None]
) -> int:
    """Decide every due line of the run and make its batch (one transaction with the caller's).
    Returns how many lines chosen to pay were skipped (a live payment already has them).
    ``checkpoint("decided")`` is called between the decisions and the writes."""
    session.flush()
    connection = session.connection()
    tag = uuid.uuid4().hex[:12]
    due, decided = f"run_due_{tag}", f"run_decided_{tag}"
    params: dict[str, Any] = {
        "j": run.jurisdiction,
        "month": run.month,
        "run": run.id,
        "actor": run.started_by,
    }
    # 1. the due lines, as read now (no lock: the update below locks and re-checks each)
    connection.exec_driver_sql(
        f"CREATE TEMP TABLE {due} (line_id integer, schedule_id integer, seq integer, "
        "period date, planned bigint, line_status text, id_number text, per text, path text, "
        "employer text, program text, has_payee boolean, in_flight boolean) ON COMMIT DROP"
    )
    # each due line found by its key (a nested loop): the planner, not knowing how few lines
    # are due, would otherwise hash the whole lines table
    connection.exec_driver_sql("SET LOCAL enable_hashjoin = off")
    connection.exec_driver_sql("SET LOCAL enable_mergejoin = off")
    connection.exec_driver_sql(
        f"INSERT INTO {due} SELECT l.id, l.schedule_id, l.seq, l.period, l.amount_fen, "
        "l.status, s.id_number, s.per, s.parameter_path, s.employer_uscc, s.program, "
        "p.id_number IS NOT NULL, EXISTS (SELECT 1 FROM ledger_payments AS m "
        "WHERE m.line_id = l.id AND m.live) "
        # found through the open lines (decision 0271); the status is read from the line
        "FROM ledger_open_lines AS o JOIN ledger_lines AS l ON l.id = o.line_id "
        "JOIN ledger_schedules AS s ON s.id = l.schedule_id "
        "LEFT JOIN ledger_payees AS p ON p.id_number = s.id_number "
        "WHERE s.jurisdiction = %(j)s AND s.status <> 'stopped' AND o.period <= %(month)s "
        f"AND l.status IN ({_quoted(DUE_LINE_STATES)})",
        params,
    )
    connection.exec_driver_sql("SET LOCAL enable_hashjoin = on")
    connection.exec_driver_sql("SET LOCAL enable_mergejoin = on")
    # the temporary tables are analysed for their size and rough spread, all the plans need:
    # a sample of 3,000 rows, not the default 30,000 (decision 0308)
    connection.exec_driver_sql(f"SET LOCAL default_statistics_target = {TEMP_STATISTICS}")
    connection.exec_driver_sql(f"ANALYZE {due}")
    # 2. the checks across schedules, on the few people and schedules they concern
    losers = exclusivity_losers(session, run.jurisdiction, _contested(connection, run, due))
    once = {
        int(sid)
        for (sid,) in connection.exec_driver_sql(
            f"SELECT DISTINCT schedule_id FROM {due} WHERE per = 'once'"
        )
    }
    losers.update(once_duplicates(session, run.jurisdiction, once))
    apply_exclusions(session, run, losers)
    blocked, credit = receivable_state(session)
    # 3. what the decisions read that is not in the due lines: a few rows, worked out here
    keys = connection.exec_driver_sql(f"SELECT DISTINCT path, period, per FROM {due}").all()
    amounts = [
        (path, period, per, *amount_on(run.jurisdiction, path, period_end(period, per)))
        for path, period, per in keys
    ]
    loaded = [
        m
        for (m,) in connection.exec_driver_sql(
            "SELECT DISTINCT month FROM feed_contributions WHERE city = %(j)s "
            f"AND month IN (SELECT DISTINCT period FROM {due})",
            params,
        )
    ]
    params.update(
        receivable_hold=hold_reason(run.jurisdiction),
        blocked=sorted(blocked),
        loaded=loaded,
        a_path=[a[0] for a in amounts],
        a_period=[a[1] for a in amounts],
        a_per=[a[2] for a in amounts],
        a_amount=[a[3] for a in amounts],
        a_citation=[a[4] for a in amounts],
        x_schedule=sorted(losers),
        x_reason=[losers[s]["reason"] for s in sorted(losers)],
        x_json=[json.dumps(losers[s], ensure_ascii=False) for s in sorted(losers)],
    )
    # 4. every decision, by the database
    connection.exec_driver_sql(
        f"CREATE TEMP TABLE {decided} (line_id integer, schedule_id integer, seq integer, "
        "period date, planned bigint, line_status text, id_number text, program text, "
        "in_flight boolean, decision text, reason text, new_employer text, amount_fen bigint, "
        "offset_fen bigint, facts text, citation text) ON COMMIT DROP"
    )
    facts = (
        "'{\"period\": \"' || to_char(g.period, 'YYYY-MM') || '\", \"employer\": ' "
        "|| coalesce(to_json(g.employer)::text, 'null') "
        "|| CASE WHEN g.excluded IS NOT NULL THEN ', \"exclusivity\": ' || g.exclusivity "
        "ELSE '' END "
        "|| CASE WHEN g.new_employer IS NOT NULL THEN ', \"new_employer\": ' "
        "|| to_json(g.new_employer)::text ELSE '' END "
        "|| ', \"contribution_employers\": ' || coalesce(g.employers_json, '[]') || '}'"
    )
    connection.exec_driver_sql(
        f"INSERT INTO {decided} SELECT g.line_id, g.schedule_id, g.seq, g.period, g.planned, "
        "g.line_status, g.id_number, g.program, g.in_flight, g.decision, g.reason, "
        "g.new_employer, coalesce(g.amount, g.planned), 0, "
        f"{facts}, CASE WHEN g.decision = 'pay' THEN g.amount_citation END "
        f"FROM (SELECT f.*, {decision_columns('f')} FROM ("
        "SELECT d.*, x.reason AS excluded, x.json AS exclusivity, "
        "d.id_number = ANY(%(blocked)s::text[]) AS blocked, a.amount, "
        "a.citation AS amount_citation, d.per <> 'once' AS recurring, "
        "d.period = ANY(%(loaded)s::date[]) AS loaded, c.employers, c.employers_json "
        f"FROM {due} AS d "
        "JOIN unnest(%(a_path)s::text[], %(a_period)s::date[], %(a_per)s::text[], "
        "%(a_amount)s::bigint[], %(a_citation)s::text[]) AS a(path, period, per, amount, "
        "citation) ON a.path = d.path AND a.period = d.period AND a.per = d.per "
        "LEFT JOIN unnest(%(x_schedule)s::integer[], %(x_reason)s::text[], "
        "%(x_json)s::text[]) AS x(schedule_id, reason, json) ON x.schedule_id = d.schedule_id "
        "LEFT JOIN (SELECT id_number, month, array_agg(e ORDER BY e) AS employers, "
        "'[' || string_agg(to_json(e)::text, ', ' ORDER BY e) || ']' AS employers_json "
        'FROM (SELECT DISTINCT id_number, month, employer_uscc COLLATE "C" AS e '
        "FROM feed_contributions WHERE city = %(j)s "
        f"AND month IN (SELECT DISTINCT period FROM {due})) AS k "
        "GROUP BY id_number, month) AS c ON c.id_number = d.id_number AND c.month = d.period"
        ") AS f) AS g",
        params,
    )
    if progress:
        count = connection.exec_driver_sql(f"SELECT count(*) FROM {decided}").scalar_one()
        progress("select", count, count)
    # 5. offsets against what the person owes (few people: in Python, in decision order)
    owing = sorted(p for p, balance in credit.items() if balance > 0)
    if owing:
        rows = connection.exec_driver_sql(
            f"SELECT line_id, id_number, amount_fen FROM {decided} WHERE decision = 'pay' "
            "AND id_number = ANY(%(owing)s::text[]) ORDER BY schedule_id, period",
            {"owing": owing},
        ).all()
        offsets = []
        for line_id, id_number, amount in rows:
            take = min(int(amount), credit[id_number])
            credit[id_number] -= take
            offsets.append((line_id, take))
        connection.exec_driver_sql(
            f"UPDATE {decided} AS d SET offset_fen = o.take FROM unnest(%(ids)s::integer[], "
            "%(takes)s::bigint[]) AS o(line_id, take) WHERE d.line_id = o.line_id",
            {"ids": [o[0] for o in offsets], "takes": [o[1] for o in offsets]},
        )
    connection.exec_driver_sql(f"ANALYZE {decided}")
    checkpoint("decided")
    return _write(session, connection, run, decided, params)


def _contested(connection: Connection, run: Run, due: str) -> set[str]:
    """People with a due line who hold two or more schedules of a 就高 group's programs: the only
    ones who can lose one (``exclusivity_losers`` reads their schedules)."""
    groups = system_for(run.jurisdiction).program.exclusivity
    members = sorted({m for g in groups for m in g.members})
    if not members:
        return set()
    return {
        p
        for (p,) in connection.exec_driver_sql(
            "SELECT id_number FROM ledger_schedules WHERE jurisdiction = %(j)s "
            "AND status <> 'stopped' AND program = ANY(%(members)s::text[]) "
            f"AND id_number IN (SELECT id_number FROM {due}) "
            "GROUP BY id_number HAVING count(*) > 1",
            {"j": run.jurisdiction, "members": members},
        )
    }


def _write(
    session: Session, connection: Connection, run: Run, decided: str, params: dict[str, Any]
) -> int:
    """The batch and every write of the step, from the decided table."""
    actor = run.started_by
    now = clock.now()  # one timestamp for the step's entries
    budget = [
        BudgetRow(program, period, int(total), 0)
        for program, period, total in connection.exec_driver_sql(
            f"SELECT program, period, sum(amount_fen - offset_fen) FROM {decided} AS d "
            f"WHERE {PAYING} GROUP BY program, period ORDER BY program, period"
        )
    ]
    batch = open_batch(session, run, actor, now, budget)
    offsetting = [
        OffsetRow(*row)
        for row in connection.exec_driver_sql(
            f"SELECT offset_fen, id_number, line_id, schedule_id, seq FROM {decided} AS d "
            f"WHERE {PAYING} AND offset_fen > 0 ORDER BY schedule_id, period"
        )
    ]
    journal = offset_entries(session, offsetting, actor, now, run.id)
    count, total, skipped, lines = connection.exec_driver_sql(
        f"SELECT count(*) FILTER (WHERE {PAYING} AND NOT {WHOLLY}), "
        f"coalesce(sum(amount_fen - offset_fen) FILTER (WHERE {PAYING} AND NOT {WHOLLY}), 0), "
        f"count(*) FILTER (WHERE decision = 'pay' AND in_flight), count(*) FROM {decided} AS d"
    ).one()
    params.update(at=now, batch=batch.id, prefix=f"RC{batch.id:06d}", wholly=WHOLLY_OFFSET)
    reference = (
        f"CASE WHEN {PAYING} AND NOT {WHOLLY} THEN %(prefix)s || lpad(d.line_id::text, 10, '0') END"
    )
    # each line once, straight to its state after the batch; locked as it is written and
    # re-checked: a line another transaction changed since it was read is not overwritten
    connection.exec_driver_sql("SET LOCAL enable_hashjoin = off")
    connection.exec_driver_sql("SET LOCAL enable_mergejoin = off")
    updated = connection.exec_driver_sql(
        "UPDATE ledger_lines AS t SET "
        f"status = CASE WHEN d.decision <> 'pay' THEN {ENTRY_KIND} WHEN {WHOLLY} THEN 'paid' "
        "ELSE 'batched' END, "
        "reason = CASE WHEN d.decision <> 'pay' THEN d.reason "
        f"WHEN {WHOLLY} THEN %(wholly)s END, "
        "amount_fen = d.amount_fen, citation = coalesce(d.citation, t.citation) "
        f"FROM {decided} AS d WHERE t.id = d.line_id AND t.status = d.line_status "
        "AND t.amount_fen = d.planned",
        params,
    ).rowcount
    connection.exec_driver_sql("SET LOCAL enable_hashjoin = on")
    connection.exec_driver_sql("SET LOCAL enable_mergejoin = on")
    if updated != lines:
        raise LedgerError(
            "ledger", "发放期间有待发放记录被他人修改，本次未执行，请重新运行", "lines_changed"
        )
    connection.exec_driver_sql(
        "INSERT INTO ledger_run_items "
        "(run_id, line_id, decision, reason, amount_fen, offset_fen, facts) "
        f"SELECT %(run)s, line_id, decision, reason, amount_fen, offset_fen, facts FROM {decided} "
        # a line paid by a payment of this step: the payment holds its decision (0307)
        f"AS d WHERE NOT ({PAYING} AND NOT {WHOLLY}) ORDER BY schedule_id, period",
        params,
    )
    journal_columns = (
        "INSERT INTO ledger_journal (at, kind, amount_fen, actor, schedule_id, line_id, "
        "payment_id, receivable_id, run_id, note) "
    )
    connection.exec_driver_sql(
        journal_columns
        + f"SELECT %(at)s, {ENTRY_KIND}, d.amount_fen, %(actor)s, d.schedule_id, d.line_id, "
        f"NULL::integer, NULL::integer, %(run)s, d.reason FROM {decided} AS d "
        # a line paid by a payment of this step never holds `selected`: its record is the
        # payment (decisions 0272, 0306)
        f"WHERE NOT ({PAYING} AND NOT {WHOLLY}) "
        # a parameter changed since the line was planned: unpaid lines follow it
        f"UNION ALL SELECT %(at)s, 'repriced', d.amount_fen - d.planned, %(actor)s, "
        f"d.schedule_id, d.line_id, NULL, NULL, %(run)s, {_yuan('d.planned')} || '→' || "
        f"{_yuan('d.amount_fen')} || '元' FROM {decided} AS d "
        "WHERE d.decision = 'pay' AND d.amount_fen <> d.planned "
        f"UNION ALL SELECT %(at)s, 'paid', d.amount_fen, %(actor)s, d.schedule_id, d.line_id, "
        f"NULL, NULL, %(run)s, %(wholly)s FROM {decided} AS d WHERE {WHOLLY}",
        params,
    )
    # the payments, each holding its line's decision (0307); a payment row is its line's
    # `batched` record (its batch names the run, the time and the officer), so no journal
    # entry repeats it (decision 0306)
    made = connection.exec_driver_sql(
        "INSERT INTO ledger_payments (batch_id, line_id, reference, amount_fen, payee_name, "
        "account_no, bank_name, status, offset_fen, facts) "
        f"SELECT %(batch)s, d.line_id, {reference}, d.amount_fen - d.offset_fen, "
        f"p.account_name, p.account_no, p.bank_name, 'pending', d.offset_fen, d.facts "
        f"FROM {decided} AS d "
        f"JOIN ledger_payees AS p ON p.id_number = d.id_number WHERE {PAYING} AND NOT {WHOLLY} "
        "ORDER BY d.line_id",
        params,
    )
    if made.rowcount != count:  # chosen to pay only with a payee account
        raise LedgerError(
            "ledger", "收款账户在发放过程中被删除，本次未执行，请重新运行", "payee_gone"
        )
    # a schedule whose contributions another employer paid waits for the change to be confirmed
    connection.exec_driver_sql(
        "UPDATE ledger_schedules SET status = 'suspended' WHERE status = 'active' AND id IN "
        f"(SELECT schedule_id FROM {decided} WHERE new_employer IS NOT NULL)"
    )
    record(session, journal)
    close_batch(session, run, batch, actor, int(count), int(total), int(skipped))
    return int(skipped)
