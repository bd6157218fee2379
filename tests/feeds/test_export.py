"""The screening store built from the loaded department tables (PostgreSQL): its layout, the
person index, the latest registration winning, the swap into place, and screening it."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from rencai import clock
from rencai.cli import app
from rencai.db.session import session_scope
from rencai.feeds.compact import open_compact
from rencai.feeds.export import (
    MANIFEST,
    _export,
    build_lock,
    export_store,
    is_stale,
    refresh_if_stale,
    store_info,
)
from rencai.feeds.models import SocialInsuranceRow
from rencai.feeds.source import FeedError
from rencai.feeds.store import SCHEMAS, check_store
from rencai.outreach.applied import applied_pairs
from rencai.outreach.screening import run, without
from rencai.policy.contract.identity import id_birth_date, id_sex
from rencai.registry.accounts import register_talent
from tests.feeds.world import Delivery, a_uscc, id_number_born
from tests.outreach.applied import record_application

SORTED_BY = {
    "persons": ["pid"],
    "social_insurance": ["pid", "period"],
    "insurance_spells": ["pid", "first"],
    "tax": ["pid", "year"],
    "degrees": ["pid"],
    "employers": ["uscc"],
    "residence": ["pid", "on_date"],
}
CARD_B_CLAUSE = "石办字〔2017〕39号 申领范围（2）"


def _world(rng: random.Random) -> dict[str, str]:
    today = clock.today()
    born = dt.date(today.year - 30, 3, 2)
    return {
        "doctor": id_number_born(born, rng=rng),
        "applicant": id_number_born(born + dt.timedelta(days=1), rng=rng),
        "resident": id_number_born(dt.date(1980, 5, 6), region="130102", rng=rng),
        "employer": a_uscc(rng),
    }


def _load(url: str, folder: Path, people: dict[str, str]) -> list[int]:
    today = clock.today()
    first, second = Delivery(), Delivery()
    first.doctor(people["doctor"], "赵博士", people["employer"], today)
    first.doctor(people["applicant"], "钱博士", people["employer"], today)
    first.rows["residence"].append([people["resident"], "130102", "落户", "1980-05-06"])
    first.employer(people["employer"], "石家庄旧名有限公司", status="注销")
    # a later delivery: the unit registered again (the latest load is its registration), and a
    # master's degree of the doctor under a newer spelling of the name
    second.employer(people["employer"], "石家庄智造科技有限公司")
    second.rows["degrees"].append(
        [people["doctor"], "赵新名", "河北大学", "", "master", "机械工程", "全日制", "2018-07-01"]
    )
    with session_scope(url) as session:
        return first.load(session, folder, "data1", "a") + second.load(
            session, folder, "data1", "b"
        )


def _sorted(table, keys: list[str]) -> bool:  # type: ignore[no-untyped-def]
    rows = list(zip(*(table[k].to_pylist() for k in keys), strict=True))
    return rows == sorted(rows)


def test_the_store_is_built_from_the_loads(db_url: str, tmp_path: Path) -> None:
    people = _world(random.Random(1))
    loads = _load(db_url, tmp_path / "deliveries", people)
    out = tmp_path / "store"
    with session_scope(db_url) as session:
        assert is_stale(session, out)  # no store yet, loads exist
        info = export_store(session, out, actor="city1")
        assert not is_stale(session, out)
        si_rows = session.scalar(select(func.count()).select_from(SocialInsuranceRow))
    assert check_store(out) == 3 and info.persons == 3
    assert out.is_symlink() and (out / MANIFEST).is_file()
    assert sorted(info.load_ids) == sorted(loads) and info.built_by == "city1"
    for name, schema in SCHEMAS.items():
        table = pq.read_table(out / f"{name}.parquet")
        assert table.schema.remove_metadata() == schema, name
        assert _sorted(table, SORTED_BY[name]), name
    persons = pq.read_table(out / "persons.parquet").to_pylist()
    # the person index: dense, in the order of the identity numbers
    assert [p["pid"] for p in persons] == [0, 1, 2]
    assert [p["id_number"] for p in persons] == sorted(people[k] for k in SORTED_PEOPLE)
    by_number = {p["id_number"]: p for p in persons}
    for number in (people["doctor"], people["resident"]):
        assert by_number[number]["birth_date"] == id_birth_date(number)
        assert by_number[number]["sex"] == (1 if id_sex(number) == "male" else 2)
    # the name of the latest 学信 row; none without one
    assert by_number[people["doctor"]]["name"] == "赵新名"
    assert by_number[people["applicant"]]["name"] == "钱博士"
    assert by_number[people["resident"]]["name"] == ""
    si = pq.read_table(out / "social_insurance.parquet")
    assert si.num_rows == si_rows == 36
    doctor_pid = by_number[people["doctor"]]["pid"]
    assert set(si.filter(np.asarray(si["pid"]) == doctor_pid)["wage_base_fen"].to_pylist()) == {
        900_000
    }
    residence = pq.read_table(out / "residence.parquet").to_pylist()
    assert [r["event"] for r in residence if r["pid"] == doctor_pid] == ["settled", "moved_in"]
    employers = pq.read_table(out / "employers.parquet").to_pylist()
    assert [(e["uscc"], e["name"], e["status"]) for e in employers] == [
        (people["employer"], "石家庄智造科技有限公司", "active")
    ]


SORTED_PEOPLE = ("doctor", "applicant", "resident")


def test_the_exported_store_is_screened(db_url: str, tmp_path: Path) -> None:
    people = _world(random.Random(2))
    _load(db_url, tmp_path / "deliveries", people)
    out = tmp_path / "store"
    with session_scope(db_url) as session:
        export_store(session, out)
        talent = register_talent(
            session, "talent1", "Passw0rd!23456", "钱博士", people["applicant"]
        )
        record_application(session, talent.id)
    found = run(out, clock.today(), "shijiazhuang")
    with session_scope(db_url) as session:
        left = without(found, applied_pairs(session, "shijiazhuang")).to_pylist()
    card_b = {r["id_number"]: r for r in left if r["program"] == "card.b"}
    assert card_b[people["doctor"]]["clause"] == CARD_B_CLAUSE
    assert card_b[people["doctor"]]["name"] == "赵新名"
    assert card_b[people["doctor"]]["county"] == "130102"
    assert people["applicant"] not in card_b  # applied
    assert people["resident"] not in card_b  # no degree, no work


def test_a_new_build_replaces_the_store_whole(db_url: str, tmp_path: Path) -> None:
    people = _world(random.Random(3))
    _load(db_url, tmp_path / "deliveries", people)
    out = tmp_path / "store"
    out.mkdir()  # a store put there by hand is moved aside, not mixed with the new one
    (out / "persons.parquet").write_bytes(b"old")
    with session_scope(db_url) as session:
        first = export_store(session, out)
    assert out.is_symlink() and check_store(out) == 3
    later = Delivery()
    later.rows["residence"].append(
        [id_number_born(dt.date(1990, 1, 1), rng=random.Random(9)), "130102", "落户", "1990-01-01"]
    )
    with session_scope(db_url) as session:
        later.load(session, tmp_path / "deliveries", "data1", "c")
        assert is_stale(session, out)
        second = export_store(session, out)
        assert not is_stale(session, out)
    assert second.path != first.path and check_store(out) == 4
    # each build carries its own compact screening file, made from that build's files
    # (decision 0229): the new one knows the fourth person, the first build's still three
    fresh, old = open_compact(out), open_compact(Path(first.path))
    assert fresh is not None and old is not None
    assert fresh.table.num_rows == 4 and old.table.num_rows == 3
    with session_scope(db_url) as session:
        export_store(session, out)
    builds = [p for p in (tmp_path / "store.builds").iterdir() if not p.name.startswith(".")]
    assert len(builds) == 2  # the current build and the one before it
    assert store_info(out) is not None and Path(store_info(out).path) in builds  # type: ignore[union-attr]


def test_builds_take_turns_and_a_fresh_store_is_not_built_again(
    db_url: str, tmp_path: Path
) -> None:
    """Two builds of one store never write at once (a lock beside the store, held across
    processes), and a build asked for when another has just brought the store up to date
    builds nothing (decision 0176)."""
    import subprocess
    import sys
    import threading

    people = _world(random.Random(5))
    _load(db_url, tmp_path / "deliveries", people)
    out = tmp_path / "store"
    probe = (
        "import fcntl, sys\n"
        "f = open(sys.argv[1], 'a')\n"
        "try:\n    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\nexcept BlockingIOError:\n"
        "    sys.exit(3)\n"
    )
    lock = tmp_path / "store.lock"
    with build_lock(out):
        held = subprocess.run([sys.executable, "-c", probe, str(lock)], check=False)
        assert held.returncode == 3  # another process cannot take it meanwhile
        finished: list[bool] = []
        waiting = threading.Thread(target=lambda: finished.append(_refresh(db_url, out)))
        waiting.start()
        waiting.join(timeout=1.0)
        assert waiting.is_alive() and not out.exists()  # the second build waits its turn
        with session_scope(db_url) as session:  # the build the lock holder makes
            _export(session, out.absolute(), None)
    waiting.join(timeout=60)
    assert finished == [False]  # up to date once it got the lock: nothing built again
    free = subprocess.run([sys.executable, "-c", probe, str(lock)], check=False)
    assert free.returncode == 0
    builds = [p for p in (tmp_path / "store.builds").iterdir() if not p.name.startswith(".")]
    assert len(builds) == 1


def _refresh(db_url: str, out: Path) -> bool:
    with session_scope(db_url) as session:
        return refresh_if_stale(session, out)


def test_nothing_loaded_is_refused(db_url: str, tmp_path: Path) -> None:
    with session_scope(db_url) as session, pytest.raises(FeedError, match="尚未导入"):
        export_store(session, tmp_path / "store")
    assert not (tmp_path / "store").exists()


def test_the_command_line_exports_and_fails_in_one_line(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rencai import settings

    monkeypatch.setenv("RENCAI_DATABASE_URL", db_url)
    monkeypatch.setenv("RENCAI_SCREENING_STORE", str(tmp_path / "default-store"))
    settings.reset()
    runner = CliRunner()
    failed = runner.invoke(app, ["feeds", "export-store"])
    assert failed.exit_code == 1
    assert len(failed.stderr.strip().splitlines()) == 1 and "尚未导入" in failed.stderr
    _load(db_url, tmp_path / "deliveries", _world(random.Random(4)))
    done = runner.invoke(app, ["feeds", "export-store"])
    assert done.exit_code == 0, done.output
    assert check_store(tmp_path / "default-store") == 3
    elsewhere = runner.invoke(app, ["feeds", "export-store", "--out", str(tmp_path / "other")])
    assert elsewhere.exit_code == 0 and check_store(tmp_path / "other") == 3
    settings.reset()
