"""`rencai ask` as a user runs it: a real process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def rencai(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rencai", *args], capture_output=True, text=True, timeout=120
    )


def test_json_answer_with_citations_and_amounts() -> None:
    done = rencai("ask", "锦州硕士生活补贴发几年", "--on", "2026-12-01", "--format", "json")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["refused"] is False
    assert body["citations"][0]["clause"] == "高校学子留锦来锦 发放普惠性生活补贴"
    living = [a for a in body["amounts"] if a["benefit"] == "jz.graduate.living_allowance"]
    assert living[0]["amount"] == "1000.00" and living[0]["periods"] == 36
    assert done.stderr == ""


def test_text_answer_quotes_the_clause() -> None:
    done = rencai("ask", "县卡和B卡能同时拿吗", "--jurisdiction", "shijiazhuang")
    assert done.returncode == 0, done.stderr
    assert "就高原则" in done.stdout
    assert "[1] 各县（市、区）人才绿卡管理办法" in done.stdout


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("ask", "博士补贴", "--on", "2026-13-01"), "--on"),
        (("ask", "   "), "请输入问题"),
        (("ask", "博士补贴", "--jurisdiction", "beijing"), "--jurisdiction"),
    ],
)
def test_bad_input_is_one_readable_line_and_exit_2(args: tuple[str, ...], said: str) -> None:
    done = rencai(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert said in lines[0]
