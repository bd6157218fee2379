"""A small world for the ledger tests: finance officers, talents with schedules, feed files."""

from __future__ import annotations

import copy
import csv
import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import select

from rencai.db.session import session_scope
from rencai.feeds.load import load
from rencai.feeds.source import FileSource
from rencai.ledger.bank import decide_batch, import_confirmations, write_bank_file
from rencai.ledger.models import Batch, Line, Payment, Schedule
from rencai.ledger.payees import set_payee
from rencai.ledger.runs import run_month
from rencai.ledger.schedules import add_months, create_schedule, terms_for
from rencai.registry.accounts import create_account
from rencai.registry.identifiers import id_check_character, uscc_check_character
from rencai.registry.models import Account, Role
from tests.profiles import DOCTOR

RUNNER, APPROVER = "fin_runner", "fin_approver"


def id_number(seed: int) -> str:
    first17 = f"13010219940302{seed:03d}"  # born as DOCTOR is: the number carries the date
    return first17 + id_check_character(first17)


def uscc(seed: int) -> str:
    first17 = f"91130100MA0{seed:06d}"
    return first17 + uscc_check_character(first17)


def finance_officers(url: str) -> None:
    with session_scope(url) as session:
        for name in (RUNNER, APPROVER):
            create_account(session, name, "finance123", name, Role.finance)


def approver(session: Any, name: str = APPROVER) -> Account:
    account = session.scalar(select(Account).where(Account.username == name))
    assert account is not None
    return account


def add_schedule(
    url: str,
    seed: int,
    *,
    program: str = "sjz.b.rent_subsidy",
    start: str = "2020-01-15",
    profile_changes: dict[str, Any] | None = None,
    employer: int = 1,
    payee: bool = True,
    approved_on: dt.date = dt.date(2026, 11, 1),
    profile: dict[str, Any] | None = None,
) -> int:
    profile = copy.deepcopy(profile or DOCTOR)
    profile["employment"]["start_date"] = start
    for key, value in (profile_changes or {}).items():
        profile["employment"][key] = value
    terms = terms_for("shijiazhuang", profile, program, approved_on)
    assert terms is not None
    with session_scope(url) as session:
        schedule = create_schedule(
            session,
            terms=terms,
            program=program,
            jurisdiction="shijiazhuang",
            county=profile["employment"]["county"],
            id_number=id_number(seed),
            payee_name=f"人才{seed}",
            actor="test",
            employer_uscc=uscc(employer),
        )
        if payee:
            set_payee(
                session, id_number(seed), f"人才{seed}", f"62220000{seed:08d}", "工商银行", "test"
            )
        return schedule.id


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def contributions(
    url: str, tmp: Path, seeds: list[int], first: dt.date, months: int, employer: int = 1
) -> None:
    rows = [
        [id_number(s), uscc(employer), f"{add_months(first, i):%Y-%m}", "石家庄市"]
        for s in seeds
        for i in range(months)
    ]
    path = write_csv(
        tmp / f"contrib-{first:%Y%m}-{months}-{seeds[0]}-{employer}.csv",
        ["身份证号", "单位统一社会信用代码", "所属期", "参保地"],
        rows,
    )
    with session_scope(url) as session:
        load(session, "contributions", FileSource(path), "test", tmp / "rejects")


def departure(url: str, tmp: Path, seed: int, kind: str, on: str) -> None:
    label = {"moved_away": "迁出本市", "employment_ended": "解除劳动关系"}[kind]
    path = write_csv(
        tmp / f"dep-{seed}-{kind}-{on}.csv",
        ["身份证号", "类型", "日期", "城市", "单位统一社会信用代码"],
        [[id_number(seed), label, on, "石家庄市", ""]],
    )
    with session_scope(url) as session:
        load(session, "departures", FileSource(path), "test", tmp / "rejects")


def confirmation_file(
    url: str, batch_id: int, path: Path, outcomes: dict[str, str] | None = None
) -> Path:
    """The bank's answer for every payment of a batch (成功 unless ``outcomes`` says otherwise)."""
    with session_scope(url) as session:
        payments = session.scalars(
            select(Payment).where(Payment.batch_id == batch_id).order_by(Payment.reference)
        ).all()
        rows = [
            [
                p.reference,
                p.account_no,
                f"{p.amount_fen // 100}.{p.amount_fen % 100:02d}",
                (outcomes or {}).get(p.reference, "成功"),
                "" if (outcomes or {}).get(p.reference, "成功") == "成功" else "账户已销户",
            ]
            for p in payments
        ]
    return write_csv(path, ["付款参考号", "收款账号", "金额（元）", "结果", "原因"], rows)


def pay_month(
    url: str, tmp: Path, month: dt.date, jurisdiction: str = "shijiazhuang"
) -> int | None:
    """The whole cycle for one month, every payment confirmed paid. Returns the batch id."""
    summary = run_month(url, jurisdiction, month, RUNNER)
    if summary.batch_id is None:
        return None
    with session_scope(url) as session:
        batch = session.get(Batch, summary.batch_id)
        assert batch is not None
        if batch.item_count == 0:
            return batch.id
        decide_batch(session, batch.id, approver(session), "approve")
    write_bank_file(url, summary.batch_id, tmp / "bank", RUNNER)
    import_confirmations(
        url,
        confirmation_file(url, summary.batch_id, tmp / f"confirm-{summary.batch_id}.csv"),
        RUNNER,
    )
    return summary.batch_id


def line_states(url: str, schedule_id: int) -> dict[str, int]:
    with session_scope(url) as session:
        states: dict[str, int] = {}
        for line in session.scalars(select(Line).where(Line.schedule_id == schedule_id)):
            states[line.status] = states.get(line.status, 0) + 1
        return states


def paid_count_per_line(url: str) -> dict[int, int]:
    with session_scope(url) as session:
        counts: dict[int, int] = {}
        for payment in session.scalars(select(Payment).where(Payment.status == "paid")):
            counts[payment.line_id] = counts.get(payment.line_id, 0) + 1
        return counts


def schedule_status(url: str, schedule_id: int) -> str:
    with session_scope(url) as session:
        schedule = session.get(Schedule, schedule_id)
        assert schedule is not None
        return schedule.status


def fresh_id_number(check: str | None = None) -> str:
    """A valid identity number no other test uses; ``check``: its check character (e.g. "X")."""
    from tests.support import random_first17

    while True:
        first17 = random_first17()
        if check is None or id_check_character(first17) == check:
            return first17 + id_check_character(first17)


def person_with_receivable(url: str, paid: int = 3) -> dict[str, Any]:
    """A person (fresh identity number) whose rent subsidy from 2023-01 had ``paid`` months paid,
    then was found false in 2023-01: the months paid after it are an open 第17条 receivable."""
    from rencai.ledger.models import Receivable
    from rencai.ledger.recovery import declare_fraud

    number = fresh_id_number()
    profile = copy.deepcopy(DOCTOR)
    profile["employment"]["start_date"] = "2023-01-01"
    terms = terms_for("shijiazhuang", profile, "sjz.b.rent_subsidy", dt.date(2026, 11, 1))
    assert terms is not None
    with session_scope(url) as session:
        schedule = create_schedule(
            session,
            terms=terms,
            program="sjz.b.rent_subsidy",
            jurisdiction="shijiazhuang",
            county=profile["employment"]["county"],
            id_number=number,
            payee_name="测试人才",
            actor="test",
            employer_uscc=uscc(1),
        )
        set_payee(session, number, "测试人才", "6222000012345678", "工商银行", "test")
        for line in session.scalars(
            select(Line).where(Line.schedule_id == schedule.id, Line.seq <= paid)
        ):
            line.status = "paid"  # as if the bank had confirmed these months
        session.flush()
        declare_fraud(session, schedule.id, "test", dt.date(2023, 1, 10), "学历证书系伪造")
        receivable = session.scalar(
            select(Receivable).where(Receivable.event == f"fraud:{schedule.id}:after:{schedule.id}")
        )
        assert receivable is not None and receivable.status == "open"
        return {"id_number": number, "schedule_id": schedule.id, "receivable_id": receivable.id}


def person_with_schedule(url: str, status: str = "active") -> dict[str, Any]:
    """A person with a fresh rent-subsidy schedule (nothing paid), in the given status."""
    number = fresh_id_number()
    profile = copy.deepcopy(DOCTOR)
    profile["employment"]["start_date"] = "2024-01-01"
    terms = terms_for("shijiazhuang", profile, "sjz.b.rent_subsidy", dt.date(2026, 11, 1))
    assert terms is not None
    with session_scope(url) as session:
        schedule = create_schedule(
            session,
            terms=terms,
            program="sjz.b.rent_subsidy",
            jurisdiction="shijiazhuang",
            county=profile["employment"]["county"],
            id_number=number,
            payee_name="测试人才",
            actor="test",
            employer_uscc=uscc(1),
        )
        schedule.status = status
        return {"id_number": number, "schedule_id": schedule.id}
