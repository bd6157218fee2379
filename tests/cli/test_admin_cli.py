"""`rencai admin` as an operator runs it: a real process on a real database (decision 0082)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from rencai.cards.models import ServicePoint
from rencai.db.session import session_scope, upgrade
from rencai.registry.accounts import authenticate, create_account, register_employer
from rencai.registry.identifiers import uscc_check_character
from rencai.registry.models import Account, Employer, Role


def _run(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RENCAI_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "rencai", "admin", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        input=stdin,
    )


def test_admin_commands_open_and_stop_every_kind_of_account(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'admin.sqlite3'}"
    upgrade(url)
    with session_scope(url) as s:
        create_account(s, "root1", "secret123", "管理员", Role.admin)
        create_account(s, "city1", "secret123", "市委", Role.city_reviewer)
        first17 = "91130100MA0CMK01A"
        register_employer(
            s, first17 + uscc_check_character(first17), "某公司", "130102", "enterprise"
        )
    uscc = first17 + uscc_check_character(first17)

    no_city = _run(url, "create-account", "fin1", "--role", "finance", "--name", "财务",
                   "--actor", "root1", "--password", "secret123")  # fmt: skip
    assert no_city.returncode == 1 and no_city.stderr.count("\n") == 1
    assert "财务人员须指定所属城市" in no_city.stderr
    finance = _run(url, "create-account", "fin1", "--role", "finance", "--name", "财务",
                   "--actor", "root1", "--password", "secret123",
                   "--city", "shijiazhuang")  # fmt: skip
    assert finance.returncode == 0, finance.stderr
    point = _run(url, "create-account", "bus1", "--role", "service_point", "--name", "公交1路",
                 "--point-code", "BUS-1", "--point-kind", "bus", "--county", "130102",
                 "--actor", "root1", stdin="secret123\n")  # fmt: skip
    assert point.returncode == 0, point.stderr
    not_admin = _run(url, "list-accounts", "--actor", "city1")
    assert not_admin.returncode == 1 and "不是有效的系统管理员账号" in not_admin.stderr
    listed = _run(url, "list-accounts", "--actor", "root1")
    assert "fin1" in listed.stdout and "bus1" in listed.stdout and "shijiazhuang" in listed.stdout
    assert (
        _run(url, "set-role", "fin1", "--role", "city_reviewer", "--actor", "root1").returncode == 0
    )
    fixed = _run(url, "set-role", "bus1", "--role", "admin", "--actor", "root1")
    assert fixed.returncode == 1 and "不能改为其他角色" in fixed.stderr
    assert _run(url, "deactivate", "bus1", "--actor", "root1").returncode == 0
    reset = _run(url, "reset-password", "fin1", "--actor", "root1", "--password", "temp1234x")
    assert reset.returncode == 0, reset.stderr
    blank = _run(url, "verify-employer", uscc, "--evidence", " ", "--actor", "city1")
    assert blank.returncode == 1 and "核验依据" in blank.stderr
    verified = _run(
        url, "verify-employer", uscc, "--evidence", "营业执照原件已核", "--actor", "city1"
    )
    assert verified.returncode == 0, verified.stderr
    with session_scope(url) as s:
        fin = s.scalar(select(Account).where(Account.username == "fin1"))
        bus = s.scalar(select(Account).where(Account.username == "bus1"))
        assert fin is not None and bus is not None
        assert (fin.role, fin.jurisdiction, fin.must_change_password) == (
            "city_reviewer",
            None,
            True,
        )
        assert bus.active is False
        assert s.scalar(select(ServicePoint.kind).where(ServicePoint.account_id == bus.id)) == "bus"
        employer = s.scalar(select(Employer).where(Employer.uscc == uscc))
        assert employer is not None and employer.verification_status == "verified"
        assert employer.verified_by == "city1"
        assert authenticate(s, "fin1", "temp1234x").account.must_change_password
