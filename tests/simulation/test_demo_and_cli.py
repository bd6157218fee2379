"""The demo's saved reforms run on the demo's registered talents; `rencai reform` as a user runs
it (real processes): a result file, and one readable line for a bad reform."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from rencai.db.session import session_scope, upgrade
from rencai.registry.models import Account
from rencai.simulation import service
from rencai.simulation.models import ReformRun, SavedReform

HERE = Path(__file__).parent


def test_the_demo_reform_runs_on_the_registered_talents(demo_url: str) -> None:
    url = demo_url
    with session_scope(url) as session:
        reforms = list(session.scalars(select(SavedReform).order_by(SavedReform.id)))
        assert len(reforms) == 2
        leader = session.scalar(select(Account).where(Account.username == "demo_leader_sim"))
        assert leader is not None and service.may_simulate(leader)
        assert not service.may_define(leader)
        request = service.RunRequest([reforms[1].id], [], "registered", dt.date(2026, 1, 1), 12)
        run_id = service.start(session, leader, request).id
    service.execute(run_id, url)  # what the background thread does
    with session_scope(url) as session:
        run = session.get(ReformRun, run_id)
        assert run is not None and run.status == "done", run and run.error
        result = json.loads(run.result or "{}")
    assert result["population"] > 0 and run.done_months == 12
    assert result["total"]["losers"] == 0  # receiving both never loses anyone money


def _run(*args: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if url is not None:
        env["RENCAI_DATABASE_URL"] = url
    return subprocess.run(
        [sys.executable, "-m", "rencai", "reform", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_reform_save_by_the_administrator_only(tmp_path: Path) -> None:
    from rencai.registry.accounts import create_account
    from rencai.registry.models import Role

    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    upgrade(url)
    with session_scope(url) as session:
        create_account(session, "cliadmin", "secret123", "管理员", Role.admin)
        create_account(session, "clilead", "secret123", "领导", Role.leadership)
    refused = _run("save", str(HERE / "r2021.yaml"), "--actor", "clilead", url=url)
    assert refused.returncode == 2 and "不是系统管理员" in refused.stderr
    for _ in range(2):  # saved, then replaced under the same name
        saved = _run("save", str(HERE / "r2021.yaml"), "--actor", "cliadmin", url=url)
        assert saved.returncode == 0, saved.stderr
    with session_scope(url) as session:
        rows = list(session.scalars(select(SavedReform)))
    assert len(rows) == 1 and rows[0].name.startswith("石字〔2021〕7号")


def test_reform_run_writes_the_result_and_refuses_in_one_line(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    done = _run(
        "run",
        str(HERE / "r2021.yaml"),
        "--population",
        "synthetic:500",
        "--years",
        "1",
        "--start",
        "2021-03",
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["window"] == {"start": "2021-03-01", "months": 12, "end": "2022-02-01"}
    assert result["total"]["difference_fen"] == sum(y["difference_fen"] for y in result["by_year"])
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: 错误\nchanges:\n"
        "  - {parameter: b_card.rent_subsidy.doc, from: 2022-01-01, value: 1}\n",
        encoding="utf-8",
    )
    refused = _run("run", str(bad), "--population", "synthetic:10", "--out", str(out))
    assert refused.returncode == 2
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and "没有参数“b_card.rent_subsidy.doc”" in lines[0]
    missing = _run(
        "run", str(HERE / "r2021.yaml"), "--population", str(tmp_path / "no"), "--out", str(out)
    )
    assert missing.returncode == 2 and "筛查数据目录不存在" in missing.stderr


def test_a_feed_store_is_a_population(tmp_path: Path) -> None:
    from rencai.feeds.store import synthesize
    from rencai.simulation.population import from_store
    from rencai.simulation.reform import parse_reform
    from rencai.simulation.run import simulate

    synthesize(400, tmp_path, seed=2, as_of=dt.date(2026, 6, 15))
    loaded = from_store(tmp_path, dt.date(2026, 6, 1), "shijiazhuang")
    assert loaded.population.count == 400 and "400" in loaded.source
    off = parse_reform(
        {"name": "停发房租补助", "changes": [{"benefit": "sjz.b.rent_subsidy", "enabled": False}]}
    )
    result = simulate(loaded.population, dt.date(2026, 6, 1), 12, off)
    rent = next(p for p in result["programs"] if p["program"] == "sjz.b.rent_subsidy")
    # the store plants B-card doctorates: they lose their rent subsidy; those whose county rent
    # subsidy lost out to it under 就高 now receive that one instead
    assert rent["lost"] == rent["baseline_recipients"] > 0 and rent["reform_fen"] == 0
    county = next(p for p in result["programs"] if p["program"] == "sjz.county.rent_subsidy")
    assert county["gained"] > 0 and county["lost"] == 0
    assert result["total"]["difference_fen"] == rent["difference_fen"] + county["difference_fen"]
    assert result["total"]["difference_fen"] < 0 and result["total"]["winners"] == 0


def test_a_feed_store_is_read_from_its_compact_file_with_the_same_results(
    tmp_path: Path,
) -> None:
    """Decision 0260: the compact file (fresh, the day on or after its horizon) gives the
    Parquet files' columns and the same simulation; a stale one is not read."""
    import os

    import numpy as np

    from rencai.feeds.compact import synthesize
    from rencai.simulation.population import from_store
    from rencai.simulation.reform import parse_reform
    from rencai.simulation.run import simulate

    synthesize(1_200, tmp_path, seed=4, as_of=dt.date(2026, 6, 15))
    off = parse_reform(
        {"name": "停发房租补助", "changes": [{"benefit": "sjz.b.rent_subsidy", "enabled": False}]}
    )
    on = dt.date(2026, 6, 15)  # the store's day: on its horizon (the last graduation)
    fast = from_store(tmp_path, on, "shijiazhuang")
    slow = from_store(tmp_path, on, "shijiazhuang", use_compact=False)
    assert (fast.read_from, slow.read_from) == ("compact", "parquet")
    assert fast.source == slow.source and fast.population.count == slow.population.count == 1_200
    for side in ("persons", "employers"):
        a, b = getattr(fast.population, side), getattr(slow.population, side)
        assert list(a) == list(b), side
        for name in a:
            assert a[name].dtype == b[name].dtype and np.array_equal(a[name], b[name]), name
    result = simulate(fast.population, on, 12, off)
    assert result == simulate(slow.population, on, 12, off)
    assert result["total"]["difference_fen"] < 0  # the comparison compares something

    # a day before the store's horizon, or a source file changed since: the Parquet files
    assert from_store(tmp_path, dt.date(2026, 6, 1), "shijiazhuang").read_from == "parquet"
    os.utime(tmp_path / "tax.parquet")
    assert from_store(tmp_path, on, "shijiazhuang").read_from == "parquet"
