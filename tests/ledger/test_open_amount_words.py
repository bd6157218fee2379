"""A line whose amount no parameter gives yet is planned with 0 fen and the officers' reason
"金额参数待管理员设定" — as for 石办字〔2017〕15号 可享受的服务项目（8）: "每月分别给予 1.5 万元、
0.5 万元的工作津贴", which tier is whose not said (decision 0337). The talent asking when the
subsidy is paid reads “金额待主管部门明确”, never "0元" nor the officers' words (decision 0367)."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from sqlalchemy.orm import Session

from rencai import clock
from rencai.assistant.cases import answer_case
from rencai.db.session import session_scope, upgrade
from rencai.ledger.decision import AMOUNT_OPEN, NO_AMOUNT
from rencai.ledger.history import payment_history
from rencai.ledger.models import Line, Schedule
from rencai.ledger.reports import summary
from rencai.registry.accounts import register_talent
from rencai.registry.identifiers import id_check_character
from rencai.registry.models import Account
from rencai.web.ledger_lists import parse_schedules, schedule_page


def _id_number() -> str:
    first17 = f"13010219900101{uuid.uuid4().int % 1000:03d}"
    return first17 + id_check_character(first17)


def _schedule(
    session: Session, talent_id: int, id_number: str, amounts: list[int | None]
) -> Schedule:
    """A schedule with its lines as ``create_schedule`` writes them: an open amount is 0 fen
    with the reason ``NO_AMOUNT``."""
    start = clock.today().replace(day=1)
    schedule = Schedule(
        talent_id=talent_id,
        id_number=id_number,
        payee_name="人才",
        program="sjz.a.flexible_work_allowance",
        program_name="柔性引进高层次人才工作津贴",
        jurisdiction="shijiazhuang",
        county="130102",
        level="city",
        per="month",
        parameter_path="a_card.flexible_allowance",
        periods=len(amounts),
        start_period=start,
        citation="{}",
        conditions="[]",
        status="active",
        created_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    )
    session.add(schedule)
    session.flush()
    for seq, amount in enumerate(amounts, start=1):
        session.add(
            Line(
                schedule_id=schedule.id,
                seq=seq,
                period=dt.date(
                    start.year + (start.month + seq - 2) // 12, (start.month + seq - 2) % 12 + 1, 1
                ),
                amount_fen=amount or 0,
                citation="{}",
                status="planned",
                reason=None if amount is not None else NO_AMOUNT,
            )
        )
    session.flush()
    return schedule


def test_a_talent_reads_an_open_amount_as_the_offices_to_make_clear(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'open_amount.sqlite3'}"
    upgrade(url)
    number = _id_number()
    with session_scope(url) as session:
        talent = register_talent(session, "flexible", "secret123", "人才", number)
        schedule = _schedule(session, talent.id, number, [None, None])
        account = session.get(Account, talent.account_id)
        planned = answer_case("我的补贴什么时候发", session, account).answer
        # a run holds the line for the same reason
        first = session.query(Line).filter_by(schedule_id=schedule.id, seq=1).one()
        first.status = "held"
        session.flush()
        held = answer_case("我的补贴什么时候发", session, account).answer
        # the finance officer's payment history keeps the officers' words: who is to act
        history = payment_history(session, number)
    for answer in (planned, held):
        assert "下一期（第1期）金额待主管部门明确，明确后发放" in answer
        assert "0元" not in answer and "参数" not in answer and "管理员" not in answer
    assert "状态：暂缓发放" in held
    assert [line["reason"] for line in history["schedules"][0]["lines"]] == [NO_AMOUNT] * 2


def test_a_set_amount_is_still_read_in_yuan(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'set_amount.sqlite3'}"
    upgrade(url)
    number = _id_number()
    with session_scope(url) as session:
        talent = register_talent(session, "flexible", "secret123", "人才", number)
        _schedule(session, talent.id, number, [1500000, 1500000])
        account = session.get(Account, talent.account_id)
        answer = answer_case("我的补贴什么时候发", session, account).answer
    assert "下一期（第1期）15000元计划于本月发放，状态：待发放" in answer
    assert "金额待主管部门明确" not in answer


def test_an_officer_reads_an_open_amount_as_to_be_made_clear_never_zero(tmp_path: Path) -> None:
    """Decision 0379: the payment history (page and API), the schedule list (and its Excel) and
    the summary by program show no "0.00" for a line awaiting its amount."""
    url = f"sqlite:///{tmp_path / 'officer_words.sqlite3'}"
    upgrade(url)
    number, other = _id_number(), _id_number()
    with session_scope(url) as session:
        talent = register_talent(session, "flexible", "secret123", "人才", number)
        waiting = _schedule(session, talent.id, number, [None, None])
        second = register_talent(session, "flexible2", "secret123", "人才", other)
        half = _schedule(session, second.id, other, [1500000, None])
        history = payment_history(session, number)
        mixed = payment_history(session, other)
        rows = {r["id"]: r for r in schedule_page(session, parse_schedules({})).rows}
        by_program = summary(session, "program")
    lines = history["schedules"][0]["lines"]
    assert [(ln["amount"], ln["amount_label"]) for ln in lines] == [(None, AMOUNT_OPEN)] * 2
    assert [ln["amount_label"] for ln in mixed["schedules"][0]["lines"]] == [
        "15000.00",
        AMOUNT_OPEN,
    ]
    assert (rows[waiting.id]["planned_fen"], rows[waiting.id]["open_periods"]) == (0, 2)
    assert (rows[half.id]["planned_fen"], rows[half.id]["open_periods"]) == (1500000, 1)
    [row] = by_program
    assert row["承诺金额（元）"] == "15000.00" and row["金额待主管部门明确（期）"] == 3
