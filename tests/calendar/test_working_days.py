"""Working days: the 2026 official schedule, provisional 2027, notices, pauses, local closures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.orm import Session

from rencai.calendar.service import (
    add_local_closure,
    add_working_days,
    is_working_day,
    load_notice,
    statutory_holidays,
)
from rencai.db.session import engine_for, session_scope, upgrade

D = dt.date


@pytest.fixture(params=["postgresql", "sqlite"])
def session(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Session]:
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_url")
        upgrade(url)
        with engine_for(url).begin() as connection:
            connection.execute(text("DELETE FROM calendar_days"))
            connection.execute(text("DELETE FROM calendar_notices"))
    else:
        url = f"sqlite:///{tmp_path / 'calendar.sqlite3'}"
        upgrade(url)
    with session_scope(url) as s:
        yield s


def test_spring_festival_2026_with_make_up_saturdays(session: Session) -> None:
    assert is_working_day(session, D(2026, 2, 14)) == (True, False)  # 调休上班 (Saturday)
    assert is_working_day(session, D(2026, 2, 16)) == (False, False)
    friday = D(2026, 2, 13)
    assert add_working_days(session, friday, 1).day == D(2026, 2, 14)
    assert add_working_days(session, friday, 2).day == D(2026, 2, 24)  # 15–23 are holidays
    assert add_working_days(session, D(2026, 2, 27), 1).day == D(2026, 2, 28)  # Saturday worked
    assert not add_working_days(session, friday, 2).provisional


def test_national_day_2026(session: Session) -> None:
    assert is_working_day(session, D(2026, 9, 20))[0]  # Sunday worked
    assert not is_working_day(session, D(2026, 9, 25))[0]  # 中秋节
    assert add_working_days(session, D(2026, 9, 30), 1).day == D(2026, 10, 8)
    assert add_working_days(session, D(2026, 9, 30), 3).day == D(2026, 10, 10)  # Saturday worked


def test_deadline_into_2027_is_provisional_until_the_notice(session: Session) -> None:
    deadline = add_working_days(session, D(2026, 12, 20), 10)
    assert deadline.day == D(2027, 1, 4) and deadline.provisional
    assert deadline.label() == "2027-01-04（暂定）"
    changed = load_notice(
        session,
        2027,
        "国办发明电〔2026〕测试号",
        holidays=[(D(2027, 1, 1), D(2027, 1, 4), "元旦")],
        makeup_days=[D(2027, 1, 9)],
    )
    assert changed >= 2
    recomputed = add_working_days(session, D(2026, 12, 20), 10)
    assert recomputed.day == D(2027, 1, 5) and not recomputed.provisional
    assert is_working_day(session, D(2027, 1, 9)) == (True, False)


def test_provisional_2027_keeps_the_statutory_holidays(session: Session) -> None:
    days = statutory_holidays(2027)
    assert days[D(2027, 2, 5)] == "春节" and days[D(2027, 2, 8)] == "春节"  # 除夕 to 初三
    assert days[D(2027, 4, 5)] == "清明节"
    assert days[D(2027, 6, 9)] == "端午节" and days[D(2027, 9, 15)] == "中秋节"
    assert is_working_day(session, D(2027, 2, 8)) == (False, True)
    assert is_working_day(session, D(2027, 2, 9)) == (True, True)


def test_pause_while_returned_for_correction(session: Session) -> None:
    monday = D(2026, 3, 2)
    assert add_working_days(session, monday, 5).day == D(2026, 3, 9)
    paused = add_working_days(session, monday, 5, pauses=[(D(2026, 3, 3), D(2026, 3, 4))])
    assert paused.day == D(2026, 3, 11)


def test_local_closure_affects_only_that_county(session: Session) -> None:
    add_local_closure(session, "130102", D(2026, 3, 3), "区内停工", "长安区通知")
    assert add_working_days(session, D(2026, 3, 2), 1, county="130102").day == D(2026, 3, 4)
    assert add_working_days(session, D(2026, 3, 2), 1, county="130104").day == D(2026, 3, 3)
    assert add_working_days(session, D(2026, 3, 2), 1).day == D(2026, 3, 3)


def test_bad_notice_is_refused_and_changes_nothing(session: Session) -> None:
    before = add_working_days(session, D(2026, 12, 20), 10)
    with pytest.raises(ValueError, match="不在 2027 年内"):
        load_notice(session, 2027, "x", [(D(2026, 12, 31), D(2027, 1, 2), "元旦")], [])
    assert add_working_days(session, D(2026, 12, 20), 10) == before


@pytest.fixture(scope="module")
def shared_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    url = f"sqlite:///{tmp_path_factory.mktemp('cal') / 'calendar.sqlite3'}"
    upgrade(url)
    with session_scope(url) as s:
        yield s


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(min_value=D(2025, 1, 1), max_value=D(2027, 6, 30)),
    n=st.integers(min_value=0, max_value=40),
)
def test_adding_working_days_is_monotonic_and_lands_on_a_working_day(
    shared_session: Session, start: dt.date, n: int
) -> None:
    deadline = add_working_days(shared_session, start, n)
    following = add_working_days(shared_session, start, n + 1)
    assert following.day > deadline.day
    if n > 0:
        assert is_working_day(shared_session, deadline.day)[0]
    else:
        assert deadline.day == start


def test_cli(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "RENCAI_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}
    run = [sys.executable, "-m", "rencai", "calendar"]
    done = subprocess.run(
        [*run, "add-working-days", "2026-12-20", "10"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and done.stdout.strip() == "2027-01-04（暂定）"
    notice = tmp_path / "2027.yaml"
    notice.write_text(
        "holidays:\n  - {from: 2027-01-01, to: 2027-01-04, name: 元旦}\n"
        "makeup_days: [2027-01-09]\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [*run, "load-notice", "2027", str(notice), "--document", "测试通知"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [*run, "add-working-days", "2026-12-20", "10"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.strip() == "2027-01-05"
    bad = subprocess.run(
        [*run, "add-working-days", "2026-13-01", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
