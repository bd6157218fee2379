"""`rencai feeds synthesize` and `rencai screen` as a user runs them (real processes)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

from rencai.db.session import session_scope, upgrade
from rencai.registry.accounts import register_talent
from tests.outreach.applied import record_application


def _run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RENCAI_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "rencai", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_synthesize_then_screen_leaves_out_who_applied(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    upgrade(url)
    store = tmp_path / "store"
    made = _run(
        url,
        "feeds",
        "synthesize",
        "--persons",
        "3000",
        "--out",
        str(store),
        "--as-of",
        "2026-06-15",
        "--seed",
        "4",
    )
    assert made.returncode == 0, made.stderr
    planted = pq.read_table(store / "planted.parquet").to_pylist()
    with session_scope(url) as s:
        talent = register_talent(s, "applied1", "secret123", "已申请", planted[0]["id_number"])
        record_application(s, talent.id)
    out = tmp_path / "found.parquet"
    screened = _run(url, "screen", str(store), "--on", "2026-06-15", "--out", str(out))
    assert screened.returncode == 0, screened.stderr
    assert "3000 persons screened" in screened.stdout
    found = pq.read_table(out)
    pairs = set(zip(found["id_number"].to_pylist(), found["program"].to_pylist(), strict=True))
    assert (planted[0]["id_number"], "card.b") not in pairs
    assert {(p["id_number"], "card.b") for p in planted[1:]} <= pairs


def test_bad_input_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    upgrade(url)
    out = tmp_path / "found.parquet"
    cases = [
        (
            ["screen", str(tmp_path / "none"), "--on", "2026-06-15", "--out", str(out)],
            "筛查数据目录不存在",
        ),
        (["screen", str(tmp_path), "--on", "2026-13-01", "--out", str(out)], "日期格式"),
        (["screen", str(tmp_path), "--workers", "0", "--out", str(out)], "进程数"),
        (["feeds", "synthesize", "--persons", "0", "--out", str(tmp_path / "s")], "人数"),
    ]
    for args, words in cases:
        result = _run(url, *args)
        assert result.returncode == 2, (args, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0], (args, result.stderr)
    assert not out.exists()
    assert not (tmp_path / "s").exists()
    # a city without computed rules
    store = tmp_path / "store"
    assert _run(url, "feeds", "synthesize", "--persons", "100", "--out", str(store)).returncode == 0
    result = _run(url, "screen", str(store), "--jurisdiction", "cangzhou", "--out", str(out))
    assert result.returncode == 2 and "没有可计算的政策规则" in result.stderr
    assert not out.exists()


def test_the_progress_bar_starts_no_thread_so_workers_fork_warm() -> None:
    """`rencai screen` forks its worker processes after compiling the rules only when it runs
    no other thread (decision 0196): its progress bar redraws at each step instead of from a
    thread of its own, and still counts every step."""
    import threading

    from rencai.outreach.cli import _progress, _step

    before = threading.active_count()
    with _progress("筛查") as bar:
        task = bar.add_task("筛查", total=10)
        assert threading.active_count() == before
        step = _step(bar, task)
        step(4)
        step(6)
        assert bar.tasks[0].completed == 10
