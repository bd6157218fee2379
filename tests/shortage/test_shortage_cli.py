"""`rencai shortage` as an operator runs it: a real process on a real database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

from rencai import clock
from rencai.db.session import session_scope, upgrade
from rencai.registry.accounts import create_account
from rencai.registry.employers import register_with_hr
from rencai.registry.identifiers import uscc_check_character
from rencai.registry.models import Account, Role
from rencai.shortage import service


def _run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RENCAI_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "rencai", "shortage", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_catalogues_export_and_waiting(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shortage.sqlite3'}"
    upgrade(url)
    year = clock.today().year
    with session_scope(url) as s:
        code17 = "91130100MA0CMK01A"
        unit = register_with_hr(
            s, code17 + uscc_check_character(code17), "某制药公司", "130102", "enterprise",
            None, False, "hr1", "secret123", "人事",
        )  # fmt: skip
        unit.verification_status = "verified"
        office = create_account(s, "city1", "secret123", "人才办", Role.city_reviewer)
        hr = s.query(Account).filter_by(username="hr1").one()
        fields = service.NeedInput(year, "130102", "药物研发", "C", "药学", "master", None, 2, 1, 9)
        published = service.submit(s, hr, fields)
        service.submit(s, hr, fields)  # a second one stays waiting
        service.review(s, office, published, "approve", None, None)
        service.publish(s, office, "shijiazhuang", year)
    assert _run(url, "catalogues").stdout.strip() == f"shijiazhuang\t{year}"
    waiting = _run(url, "waiting")
    assert waiting.stdout.count("\n") == 1 and "待审核" in waiting.stdout
    sheet = _run(url, "export", "--year", str(year), "--out", str(tmp_path / "c.xlsx"))
    assert sheet.returncode == 0, sheet.stderr
    rows = list(load_workbook(tmp_path / "c.xlsx").active.iter_rows(values_only=True))
    assert rows[3][3] == "药物研发"
    pdf = _run(url, "export", "--year", str(year), "--out", str(tmp_path / "c.pdf"))
    assert pdf.returncode == 0 and (tmp_path / "c.pdf").read_bytes().startswith(b"%PDF")
    missing = _run(url, "export", "--year", str(year - 1), "--out", str(tmp_path / "x.pdf"))
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1
    assert "该年度目录尚未发布" in missing.stderr and not (tmp_path / "x.pdf").exists()
    bad = _run(url, "export", "--year", str(year), "--out", str(tmp_path / "c.doc"))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
