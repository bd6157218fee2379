"""Demo data for 政策模拟: a leadership account and two saved reforms to run at /reforms."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai.registry.accounts import create_account
from rencai.registry.models import Account, Role
from rencai.simulation.service import save

REFORM_ACCOUNTS = [("demo_leader_sim", "领导（政策模拟：运行与查看测算）")]

REFORMS = [
    {
        "name": "石字〔2021〕7号 提高博士房租补助和购房补贴（历史验证）",
        "description": "以2021年2月9日施行的政策为基准：对引进的博士学位研究生，"
        "每月房租补助由2000元提高到3000元，一次性购房补贴由15万元提高到30万元。",
        "baseline": "2021-02-09",
        "changes": [
            {"parameter": "b_card.rent_subsidy.doctorate", "from": "2021-02-10", "value": 3000},
            {
                "parameter": "b_card.purchase_subsidy.doctorate",
                "from": "2021-02-10",
                "value": 300000,
            },
        ],
    },
    {
        "name": "B卡房租补助与县卡房租补贴可同时享受",
        "description": "测算取消就高原则、两项房租补贴同时发放的支出。",
        "changes": [{"exclusivity": "sjz.exclusive.rent", "rule": "both"}],
    },
]


def load_reform_demo(session: Session, password: str) -> None:
    create_account(session, "demo_leader_sim", password, "市领导", Role.leadership)
    admin = session.scalar(select(Account).where(Account.role == Role.admin).limit(1))
    assert admin is not None
    for reform in REFORMS:
        save(session, admin, reform)
