"""An approval made by the command line (`rencai applications close-notices`, a real process)
still issues the card and schedules the payments: the consumers of an approval register at
the command line's start-up as they do in the web app."""

from __future__ import annotations

import copy
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from rencai import clock
from rencai.applications.models import Application, Status
from rencai.applications.programs import configure
from rencai.applications.service import apply, decide
from rencai.cards.models import Card
from rencai.db.session import session_scope, upgrade
from rencai.ledger.models import Line, Schedule
from rencai.registry.accounts import create_account, register_talent
from rencai.registry.models import Role
from tests.profiles import doctor_today
from tests.support import random_id_number

CARD, MONEY = "card.b", "sjz.b.rent_subsidy"


def test_an_approval_by_the_command_line_issues_the_card_and_schedules_payments(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    upgrade(url)
    profile = doctor_today()
    with session_scope(url) as s:
        admin = create_account(s, "adm", "secret123", "管理员", Role.admin)
        county = create_account(
            s, "cty", "secret123", "长安区", Role.county_reviewer, county="130102"
        )
        talent = register_talent(
            s, "doctor1", "secret123", "王小明", random_id_number(), copy.deepcopy(profile)
        )
        cases = []
        for program in (CARD, MONEY):  # one step, then a one-day notice the CLI closes
            configure(
                s, admin, program, chain=["county"], notice_required=True, notice_days=1,
                notice_unit="days",
            )  # fmt: skip
            case = apply(s, talent, program, f"cli-{program}")
            decide(s, county, case, "approve", None, case.version)
            assert case.status == Status.publicity
            cases.append(case.id)
    on = clock.today() + dt.timedelta(days=10)  # the office's day, as the cases were filed
    result = subprocess.run(
        [sys.executable, "-m", "rencai", "applications", "close-notices", "--on", on.isoformat()],
        env={**os.environ, "RENCAI_DATABASE_URL": url, "RENCAI_FILES_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "审核通过 2 件" in result.stdout
    with session_scope(url) as s:
        card_case, money_case = (s.get(Application, i) for i in cases)
        assert card_case is not None and money_case is not None
        assert card_case.status == money_case.status == Status.approved
        cards = list(s.scalars(select(Card).where(Card.application_id == card_case.id)))
        assert [c.tier for c in cards if c.main_card_id is None] == ["B"]
        schedule = s.scalar(select(Schedule).where(Schedule.application_id == money_case.id))
        assert schedule is not None and schedule.program == MONEY
        assert s.scalar(select(Line.id).where(Line.schedule_id == schedule.id)) is not None
