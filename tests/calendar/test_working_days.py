"""Working days: the 2026 official schedule, provisional 2027, notices, pauses, local closures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from rencai.calendar.models import CalendarDay, CalendarNotice
from rencai.calendar.service import (
    CITY,
    add_local_closure,
    add_working_days,
    deadline_with_pauses,
    is_working_day,
    load_notice,
    statutory_holidays,
)
from rencai.db.session import downgrade, engine_for, session_scope, upgrade

D = dt.date


def span(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


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
    # the package's 2026 schedule: 春节 2月15日—23日 (9 days), 调休上班 2月14日 and 28日 (Saturdays)
    for day in span(D(2026, 2, 15), D(2026, 2, 23)):
        row = session.get(CalendarDay, (day, CITY))
        assert row is not None and (row.is_working, row.kind, row.name) == (
            False,
            "official",
            "春节",
        )
        assert row.source.startswith("chinesecalendar 1.11")
    for day in (D(2026, 2, 14), D(2026, 2, 28)):
        row = session.get(CalendarDay, (day, CITY))
        assert row is not None and (row.is_working, row.name) == (True, "调休上班")
    assert is_working_day(session, D(2026, 1, 4)) == (True, False)  # 元旦's make-up Sunday


def test_national_day_2026(session: Session) -> None:
    assert is_working_day(session, D(2026, 9, 20))[0]  # Sunday worked
    assert not is_working_day(session, D(2026, 9, 25))[0]  # 中秋节
    assert add_working_days(session, D(2026, 9, 30), 1).day == D(2026, 10, 8)
    assert add_working_days(session, D(2026, 9, 30), 3).day == D(2026, 10, 10)  # Saturday worked
    assert all(
        is_working_day(session, d) == (False, False) for d in span(D(2026, 10, 1), D(2026, 10, 7))
    )
    assert is_working_day(session, D(2026, 10, 10)) == (True, False)
    assert is_working_day(session, D(2026, 10, 11)) == (False, False)  # an ordinary Sunday


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
    notice = session.get(CalendarNotice, 2027)
    assert notice is not None and notice.document == "国办发明电〔2026〕测试号"
    row = session.get(CalendarDay, (D(2027, 1, 4), CITY))
    assert row is not None and (row.kind, row.name, row.source) == (
        "official",
        "元旦",
        "国办发明电〔2026〕测试号",
    )
    # later 2027 days are official too, even where the notice says nothing (weekends, workdays)
    assert is_working_day(session, D(2027, 3, 1)) == (True, False)
    assert is_working_day(session, D(2027, 2, 8)) == (True, False)  # the test notice omits 春节


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
    # the same through deadline_with_pauses; a pause over a weekend costs nothing
    assert deadline_with_pauses(session, monday, 5, [(D(2026, 3, 3), D(2026, 3, 4))]) == paused
    assert deadline_with_pauses(session, monday, 5, [(D(2026, 3, 7), D(2026, 3, 8))]).day == D(
        2026, 3, 9
    )
    # two pauses; the second one straddles the would-be deadline
    assert deadline_with_pauses(
        session, monday, 5, [(D(2026, 3, 3), D(2026, 3, 3)), (D(2026, 3, 9), D(2026, 3, 10))]
    ).day == D(2026, 3, 12)
    with pytest.raises(ValueError, match="起止颠倒"):
        deadline_with_pauses(session, monday, 5, [(D(2026, 3, 4), D(2026, 3, 3))])


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
    with pytest.raises(ValueError, match="同时是假期"):
        load_notice(session, 2027, "x", [(D(2027, 1, 1), D(2027, 1, 3), "元旦")], [D(2027, 1, 2)])
    with pytest.raises(ValueError, match="应为日期"):
        load_notice(session, 2027, "x", [], ["2027-1-9"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="文号不能为空"):
        load_notice(session, 2027, " ", [], [])
    assert add_working_days(session, D(2026, 12, 20), 10) == before
    assert session.get(CalendarNotice, 2027) is None


def test_years_outside_the_lunar_calendar_are_refused(session: Session) -> None:
    with pytest.raises(ValueError, match="1900—2099"):
        is_working_day(session, D(2100, 1, 4))
    with pytest.raises(ValueError, match="不能为负数"):
        add_working_days(session, D(2026, 3, 2), -1)


def test_calendar_migration_goes_down_and_up_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    upgrade(url)
    assert {"calendar_days", "calendar_notices"} <= set(inspect(engine_for(url)).get_table_names())
    downgrade(url, "0004")
    tables = set(inspect(engine_for(url)).get_table_names())
    assert "calendar_days" not in tables and "calendar_notices" not in tables
    downgrade(url)
    upgrade(url)
    with session_scope(url) as s:
        assert add_working_days(s, D(2026, 2, 13), 2).day == D(2026, 2, 24)


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


@settings(max_examples=40, deadline=None)
@given(
    start=st.dates(min_value=D(2026, 1, 1), max_value=D(2026, 12, 31)),
    n=st.integers(min_value=1, max_value=30),
    pause_from=st.integers(min_value=0, max_value=40),
    pause_days=st.integers(min_value=0, max_value=10),
)
def test_a_pause_never_brings_a_deadline_forward(
    shared_session: Session, start: dt.date, n: int, pause_from: int, pause_days: int
) -> None:
    first = start + dt.timedelta(days=pause_from)
    pause = (first, first + dt.timedelta(days=pause_days))
    plain = add_working_days(shared_session, start, n)
    paused = deadline_with_pauses(shared_session, start, n, [pause])
    assert paused.day >= plain.day
    assert is_working_day(shared_session, paused.day)[0]
    assert not pause[0] <= paused.day <= pause[1]


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
    for args in (
        ["add-working-days", "2100-01-01", "1"],
        ["add-working-days", "2026-01-01", "2000"],
    ):
        bad = subprocess.run([*run, *args], env=env, capture_output=True, text=True, timeout=120)
        assert bad.returncode == 2 and bad.stderr.count("\n") == 1, bad.stderr
    notice.write_text(
        'holidays:\n  - {from: "2027-1-1", to: 2027-01-03, name: 元旦}\n', encoding="utf-8"
    )
    bad = subprocess.run(
        [*run, "load-notice", "2027", str(notice), "--document", "测试通知二"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1, bad.stderr
    assert "应为日期" in bad.stderr
