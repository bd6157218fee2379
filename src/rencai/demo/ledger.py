"""Demo data for the payments: two finance officers (one runs, the other approves), a payee and
a month of social-insurance contributions, so `make run` can show a month's run at /ledger."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from rencai import clock
from rencai.feeds.load import load
from rencai.feeds.source import FileSource
from rencai.ledger.payees import set_payee
from rencai.ledger.schedules import add_months, month_start
from rencai.policy.cities import default_code, names
from rencai.registry.accounts import create_account
from rencai.registry.models import Role

DEMO_FINANCE = [
    ("demo_finance", "财务人员（执行发放运行）"),
    ("demo_finance2", "财务人员（审核发放批次）"),
]


def load_ledger_demo(
    session: Session, password: str, talent_id_number: str, talent_name: str, employer_uscc: str
) -> None:
    city = default_code()  # finance officers belong to a city (decision 0082)
    create_account(
        session, "demo_finance", password, "财务科 张会计", Role.finance, jurisdiction=city
    )
    create_account(
        session, "demo_finance2", password, "财务科 刘科长", Role.finance, jurisdiction=city
    )
    set_payee(
        session,
        talent_id_number,
        talent_name,
        "6222020200112233445",
        "中国工商银行石家庄分行",
        "demo",
    )
    this_month = month_start(clock.today())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "社保缴费-演示.csv"
        where = names()[city]
        rows = [
            f"{talent_id_number},{employer_uscc},{add_months(this_month, -back):%Y-%m},{where}"
            for back in range(3)
        ]
        path.write_text(
            "身份证号,单位统一社会信用代码,所属期,参保地\n" + "\n".join(rows) + "\n", "utf-8"
        )
        load(session, "contributions", FileSource(path), "demo", Path(folder) / "rejects")
