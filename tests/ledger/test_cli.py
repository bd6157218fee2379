"""The ledger CLI as a process: bad input exits non-zero with one readable line, changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from rencai.db.session import session_scope
from rencai.ledger.models import Payee, Run
from tests.ledger.world import RUNNER, finance_officers, id_number


def cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RENCAI_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "rencai", "ledger", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_bad_input_is_refused_in_one_line(db_url: str, tmp_path: Path) -> None:
    finance_officers(db_url)
    month = cli(db_url, "run", "2024-13", "--actor", RUNNER)
    stranger = cli(db_url, "run", "2024-01", "--actor", "nobody")
    account = cli(db_url, "payee", id_number(1), "人才1", "12ab", "工商银行", "--actor", RUNNER)
    amount = cli(db_url, "repay", "1", "12.345", "--actor", RUNNER)
    for result, words in (
        (month, "月份"),
        (stranger, "不是财务人员"),
        (account, "银行账号"),
        (amount, "精确到分"),
    ):
        assert result.returncode == 1
        assert result.stderr.startswith("error: ") and words in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    good = cli(
        db_url, "payee", id_number(1), "人才1", "6222000000000001", "工商银行", "--actor", RUNNER
    )
    assert good.returncode == 0, good.stderr
    with session_scope(db_url) as session:
        assert session.scalar(select(func.count()).select_from(Run)) == 0
        assert session.scalar(select(func.count()).select_from(Payee)) == 1


def test_a_run_is_for_the_officers_own_city_unless_one_is_named(db_url: str) -> None:
    import json

    from rencai.registry.accounts import create_account
    from rencai.registry.models import Role

    finance_officers(db_url)  # officers of no particular city
    with session_scope(db_url) as session:
        create_account(
            session, "jz_fin", "finance123", "锦州财务", Role.finance, jurisdiction="jinzhou"
        )
    own = cli(db_url, "runs", "--actor", "jz_fin")  # no --jurisdiction: Jinzhou's runs
    assert own.returncode == 0, own.stderr
    assert json.loads(own.stdout) == []
    other = cli(db_url, "runs", "--actor", "jz_fin", "--jurisdiction", "shijiazhuang")
    assert other.returncode == 1 and "不是石家庄市的财务人员" in other.stderr
    early = cli(db_url, "run", "2022-06", "--actor", "jz_fin")  # before Jinzhou's policies
    assert early.returncode == 1 and "2023年01月" in early.stderr
    assert len(early.stderr.strip().splitlines()) == 1
    nowhere = cli(db_url, "run", "2024-01", "--actor", RUNNER, "--jurisdiction", "nowhere")
    assert nowhere.returncode == 1 and "未知的地区：nowhere" in nowhere.stderr
    with session_scope(db_url) as session:
        assert session.scalar(select(func.count()).select_from(Run)) == 0
