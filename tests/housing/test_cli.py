"""`rencai housing` as an operator runs it: a real process on a real database."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from rencai.db.session import session_scope, upgrade
from rencai.housing import allocation, batches, contracts, lottery
from rencai.housing.models import Batch, HousingApplication
from tests.housing import world


def _run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RENCAI_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "rencai", "housing", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_a_drawn_batch_reruns_from_its_published_files(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'housing.sqlite3'}"
    upgrade(url)
    with session_scope(url) as s:
        office = world.office(s)
        batch, buildings = world.batch(s, office, units={"一号楼": 2, "二号楼": 2})
        for i in range(7):
            t = world.talent(s, f"cli{i}", f"申请人{i}")
            allocation.apply(s, t, batch.id, list(buildings.values())[i % 2 :])
        batches.close_batch(s, office, batch.id)
        for a in s.query(HousingApplication).filter_by(batch_id=batch.id):
            allocation.review(s, office, a.id, True, group=0 if a.seq == 7 else None)
        allocation.publish_seed(s, office, batch.id, "2026-12-01-公证-0815")
        allocation.draw(s, office, batch.id)
        batch_id = batch.id
    exported = _run(url, "export", "--batch", str(batch_id), "--out", str(tmp_path / "pub"))
    assert exported.returncode == 0, exported.stderr
    rerun = _run(
        url,
        "rerun",
        "--seed",
        "2026-12-01-公证-0815",
        "--roster",
        str(tmp_path / "pub" / "roster.csv"),
        "--units",
        str(tmp_path / "pub" / "units.csv"),
        "--out",
        str(tmp_path / "again.csv"),
    )
    assert rerun.returncode == 0, rerun.stderr
    published = (tmp_path / "pub" / "result.csv").read_text(encoding="utf-8")
    rerun_order = [line.split(",")[1] for line in rerun.stdout.splitlines()]
    with session_scope(url) as s:  # another seed orders the same roster differently
        found = s.get(Batch, batch_id)
        assert found is not None
        entries = allocation.roster_of(s, found)
        units: dict[str, list[str]] = {}
        for unit, building in batches.batch_units(s, found):
            units.setdefault(str(building.id), []).append(str(unit.id))
    assert (tmp_path / "again.csv").read_text(encoding="utf-8") == published
    assert published.splitlines()[1].split(",")[1].endswith("00007")  # priority group first
    other = [p.entry.number for p in lottery.allocate("another", entries, units)]
    assert other != rerun_order and other[0] == rerun_order[0]  # the priority group stays first


def test_bad_input_is_one_line(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("编号,志愿\n1,2\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'unused.sqlite3'}"
    bad = _run(url, "rerun", "--seed", "x", "--roster", str(roster), "--units", str(roster))
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "表头" in bad.stderr


def test_recheck_starts_exit_for_a_departure(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'recheck.sqlite3'}"
    upgrade(url)
    with session_scope(url) as s:
        office = world.office(s)
        batch, buildings = world.batch(s, office)
        t = world.talent(s, "leaver", "王小明")
        application = allocation.apply(s, t, batch.id, list(buildings.values()))
        batches.close_batch(s, office, batch.id)
        allocation.review(s, office, application.id, True)
        allocation.publish_seed(s, office, batch.id, "seed-0001")
        allocation.draw(s, office, batch.id)
        allocation.publish_result(s, office, batch.id, on=dt.date(2026, 12, 1))
        allocation.finalize(s, office, batch.id, on=dt.date(2026, 12, 8))
        contracts.sign_contract(
            s, office, application.id, dt.date(2026, 12, 10), dt.date(2029, 12, 9)
        )
        world.departure(s, tmp_path, t.id_number, "moved_away", dt.date(2027, 5, 1))
    missing = _run(url, "export", "--batch", "99", "--out", str(tmp_path / "none"))
    assert missing.returncode == 2 and "尚未公布" in missing.stderr
    assert not (tmp_path / "none").exists()
    done = _run(url, "recheck", "--on", "2027-05-02")
    assert done.returncode == 0, done.stderr
    assert "离开本市" in done.stdout and "启动退出 1 份合同" in done.stdout
