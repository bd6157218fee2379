"""`rencai stations` as an operator runs it: a real process on a real database."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

from rencai.db.session import session_scope, upgrade
from rencai.stations import service


def _run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RENCAI_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "rencai", "stations", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_open_rooms_list_release_and_costs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'stations.sqlite3'}"
    upgrade(url)
    with session_scope(url) as session:
        sid = service.create_station(session, "130102", "长安驿站", "中山路", 18000).id
    bad = _run(url, "open-rooms", "--station", str(sid), "--first", "2026-13-01",
               "--last", "2026-12-05", "--rooms", "2")  # fmt: skip
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "日期格式" in bad.stderr
    backwards = _run(url, "open-rooms", "--station", str(sid), "--first", "2026-12-05",
                     "--last", "2026-12-01", "--rooms", "2")  # fmt: skip
    assert backwards.returncode == 2 and backwards.stderr.count("\n") == 1
    assert "结束日期不能早于开始日期" in backwards.stderr
    with session_scope(url) as session:
        station = service.station_or_404(session, sid)
        assert (
            service.availability(session, station, dt.date(2026, 12, 1), dt.date(2026, 12, 9)) == []
        )
    opened = _run(url, "open-rooms", "--station", str(sid), "--first", "2026-12-01",
                  "--last", "2026-12-05", "--rooms", "2")  # fmt: skip
    assert opened.returncode == 0, opened.stderr
    assert "已开放 10 个房晚" in opened.stdout
    listed = _run(url, "list")
    assert "长安驿站" in listed.stdout and "180.00元/晚" in listed.stdout
    assert "已释放 0 项" in _run(url, "release-no-shows").stdout
    month = _run(url, "costs", "--month", "2026-12", "--out", str(tmp_path / "c.xlsx"))
    assert month.returncode == 0, month.stderr
    assert "长安驿站" in month.stdout and "0.00元" in month.stdout
    rows = list(load_workbook(tmp_path / "c.xlsx").active.iter_rows(values_only=True))
    assert rows[1][1] == "驿站"
    wrong = _run(url, "costs", "--month", "2026/12")
    assert wrong.returncode == 2 and wrong.stderr.count("\n") == 1 and "YYYY-MM" in wrong.stderr
