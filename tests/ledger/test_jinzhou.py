"""Jinzhou pays its allowances only while social insurance is paid in Jinzhou (seed 002)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import select

from rencai.db.session import session_scope
from rencai.feeds.load import load
from rencai.feeds.source import FileSource
from rencai.ledger.models import Receivable, Schedule
from rencai.ledger.payees import set_payee
from rencai.ledger.runs import run_month
from rencai.ledger.schedules import create_schedule, terms_for
from tests.ledger.world import (
    RUNNER,
    finance_officers,
    id_number,
    line_states,
    pay_month,
    uscc,
    write_csv,
)

GRADUATE = {
    "jurisdiction": "jinzhou",
    "person": {
        "birth_date": "1999-04-01",
        "education": [{"degree": "master", "full_time": True, "graduation_date": "2024-06-30"}],
    },
    "employment": {
        "employer_type": "enterprise",
        "county": "210702",
        "introduced_from": "outside_city",
        "start_date": "2024-09-01",
        "social_insurance_local": True,
    },
    "family": [],
}


def test_three_years_monthly_only_while_insured_in_jinzhou(db_url: str, tmp_path: Path) -> None:
    finance_officers(db_url)
    terms = terms_for("jinzhou", GRADUATE, "jz.graduate.living_allowance", dt.date(2024, 9, 20))
    assert terms is not None and terms.periods == 36 and terms.per == "month"
    with session_scope(db_url) as session:
        schedule = create_schedule(
            session,
            terms=terms,
            program="jz.graduate.living_allowance",
            jurisdiction="jinzhou",
            county="210702",
            id_number=id_number(21),
            payee_name="锦州硕士",
            actor="test",
            employer_uscc=uscc(21),
        ).id
        set_payee(session, id_number(21), "锦州硕士", "6222000000000021", "锦州银行", "test")
    path = write_csv(
        tmp_path / "jz.csv",
        ["身份证号", "单位统一社会信用代码", "所属期", "参保地"],
        [
            [id_number(21), uscc(21), "2024-09", "锦州市"],
            [id_number(21), uscc(21), "2024-10", "石家庄市"],  # insured elsewhere that month
            [id_number(99), uscc(99), "2024-10", "锦州市"],  # someone else: October is loaded
        ],
    )
    with session_scope(db_url) as session:
        load(session, "contributions", FileSource(path), "test", tmp_path / "rejects")
    summary = run_month(db_url, "jinzhou", dt.date(2024, 10, 1), RUNNER)
    assert summary.decisions == {"pay": 1, "lapse": 1}
    assert summary.batch_total_fen == 100000  # 1000 元 for September (硕士)
    assert line_states(db_url, schedule) == {"batched": 1, "lapsed": 1, "planned": 34}


def test_a_jinzhou_clawback_cites_no_shijiazhuang_clause(db_url: str, tmp_path: Path) -> None:
    """Jinzhou's seed states no recovery clause: moving away stops the allowance and raises the
    receivables, citing nothing rather than Shijiazhuang's 石字〔2021〕7号第17条."""
    finance_officers(db_url)
    terms = terms_for("jinzhou", GRADUATE, "jz.graduate.living_allowance", dt.date(2024, 9, 20))
    assert terms is not None
    with session_scope(db_url) as session:
        schedule = create_schedule(
            session,
            terms=terms,
            program="jz.graduate.living_allowance",
            jurisdiction="jinzhou",
            county="210702",
            id_number=id_number(22),
            payee_name="锦州硕士",
            actor="test",
            employer_uscc=uscc(22),
        ).id
        set_payee(session, id_number(22), "锦州硕士", "6222000000000022", "锦州银行", "test")
    path = write_csv(
        tmp_path / "jz.csv",
        ["身份证号", "单位统一社会信用代码", "所属期", "参保地"],
        [[id_number(22), uscc(22), month, "锦州市"] for month in ("2024-09", "2024-10")],
    )
    with session_scope(db_url) as session:
        load(session, "contributions", FileSource(path), "test", tmp_path / "rejects")
    pay_month(db_url, tmp_path, dt.date(2024, 10, 1), "jinzhou")
    assert line_states(db_url, schedule) == {"paid": 2, "planned": 34}
    left = write_csv(
        tmp_path / "left.csv",
        ["身份证号", "类型", "日期", "城市", "单位统一社会信用代码"],
        [[id_number(22), "迁出本市", "2024-09-15", "锦州市", ""]],
    )
    with session_scope(db_url) as session:
        load(session, "departures", FileSource(left), "test", tmp_path / "rejects")
    run_month(db_url, "jinzhou", dt.date(2024, 11, 1), RUNNER)
    with session_scope(db_url) as session:
        stopped = session.get(Schedule, schedule)
        assert stopped is not None and stopped.status == "stopped"
        assert stopped.stop_reason == "2024年09月15日迁出本市，自下一期起停止发放"
        receivables = session.scalars(
            select(Receivable).where(Receivable.schedule_id == schedule).order_by(Receivable.id)
        ).all()
        assert [r.amount_fen for r in receivables] == [100000, None]  # October; September open
        for receivable in receivables:
            assert json.loads(receivable.citation) is None
            assert "石字" not in receivable.explanation and "第17条" not in receivable.explanation


def test_the_schedule_begins_at_the_graduation_of_someone_already_at_work() -> None:
    """ "为2023年以后毕业…的博士…发放为期3年的生活补贴": a doctorate finished in June 2024 by
    someone insured in Jinzhou since 2018 is paid for 36 months from June 2024 (decision 0280)."""
    worker = json.loads(json.dumps(GRADUATE))
    worker["person"]["education"] = [
        {"degree": "doctorate", "full_time": False, "graduation_date": "2024-06-30"}
    ]
    worker["employment"]["start_date"] = "2018-01-01"
    terms = terms_for("jinzhou", worker, "jz.graduate.living_allowance", dt.date(2024, 9, 20))
    assert terms is not None and terms.periods == 36
    assert terms.start_period == dt.date(2024, 6, 1)
    # someone who started after graduating keeps the start of the work
    terms = terms_for("jinzhou", GRADUATE, "jz.graduate.housing_allowance", dt.date(2024, 9, 20))
    assert terms is not None and terms.start_period == dt.date(2024, 9, 1)
