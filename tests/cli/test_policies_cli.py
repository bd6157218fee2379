"""`rencai policies` as a process."""

from __future__ import annotations

import json

from tests.cli.test_entitlements_cli import rencai


def test_list_show_and_unknown() -> None:
    done = rencai("policies", "list", "房租", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert "sjz.b.rent_subsidy" in {item["id"] for item in json.loads(done.stdout)}
    done = rencai("policies", "show", "sjz.b.rent_subsidy")
    assert done.returncode == 0 and "原文：" in done.stdout and "石办字〔2017〕39号" in done.stdout
    assert "资金来源" not in done.stdout  # the rent subsidy's sentence names no payer
    done = rencai("policies", "show", "sjz.skills.worldskills_award")
    assert "资金来源：市财政创业扶持资金（" in done.stdout
    assert "第七条：“上述支持资金由市财政创业扶持资金负担。”" in done.stdout
    done = rencai("policies", "show", "sjz.none")
    assert done.returncode == 2 and done.stderr.count("\n") == 1


def test_coverage_command_prints_markdown() -> None:
    done = rencai("policies", "coverage")
    assert done.returncode == 0 and done.stdout.startswith("# Policy coverage")
