"""One settings object: every environment variable read in one place, with its default, and a
bad value refused in one line; start-up wiring of the events."""

from __future__ import annotations

import ast
import datetime as dt
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

import rencai
from rencai.db.session import engine_for
from rencai.hooks import Hook, NotWired
from rencai.settings import VARIABLES, Settings, SettingsError

SOURCE = Path(rencai.__file__).parent
README = SOURCE.parents[1] / "README.md"


def test_defaults_when_nothing_is_set() -> None:
    s = Settings.from_environment({})
    assert s.database_url == "sqlite:///var/rencai.sqlite3"
    assert s.files_dir == Path("var/files")
    assert s.card_keys_dir == Path("var/card-keys")  # beside the files, outside the repository
    assert s.ledger_files_dir == Path("var/files/ledger")
    assert s.log_file == Path("var/log/rencai.log")
    assert s.verify_rate == 20.0
    assert s.clock_at is None
    assert (s.pool_size, s.pool_overflow, s.pool_timeout) == (20, 30, 10.0)


def test_values_are_read_and_typed() -> None:
    s = Settings.from_environment(
        {
            "RENCAI_FILES_DIR": "/srv/rencai/files",
            "RENCAI_CARD_KEYS": "/media/keys",
            "RENCAI_VERIFY_RATE": "2.5",
            "RENCAI_CLOCK_AT": "2026-11-30T16:30:00+00:00",
            "RENCAI_DB_POOL_SIZE": "5",
            "RENCAI_DB_POOL_OVERFLOW": "0",
        }
    )
    assert s.card_keys_dir == Path("/media/keys")
    assert s.ledger_files_dir == Path("/srv/rencai/files/ledger")
    assert s.verify_rate == 2.5
    assert s.clock_at == dt.datetime(2026, 11, 30, 16, 30, tzinfo=dt.UTC)
    assert (s.pool_size, s.pool_overflow) == (5, 0)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("RENCAI_VERIFY_RATE", "fast"),
        ("RENCAI_VERIFY_RATE", "0"),
        ("RENCAI_VERIFY_RATE", "nan"),
        ("RENCAI_DB_POOL_SIZE", "2.5"),
        ("RENCAI_DB_POOL_SIZE", "0"),
        ("RENCAI_DB_POOL_OVERFLOW", "-1"),
        ("RENCAI_CLOCK_AT", "tomorrow"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_environment({name: value})


@pytest.mark.parametrize(
    ("name", "value", "why"),
    [
        ("RENCAI_DB_POOL_SIZE", "many", "应为整数"),
        ("RENCAI_VERIFY_RATE", "fast", "应为数字"),
        ("RENCAI_CLOCK_AT", "tomorrow", "应为 ISO 时刻"),
    ],
)
def test_a_bad_value_stops_the_command_line_in_one_line(name: str, value: str, why: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rencai", "profile-schema"],
        env={**os.environ, name: value},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: 环境变量 {name} 的值“{value}”无效：{why}"), lines[0]


def test_pool_sizes_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from rencai import settings

    monkeypatch.setenv("RENCAI_DB_POOL_SIZE", "3")
    monkeypatch.setenv("RENCAI_DB_POOL_OVERFLOW", "4")
    settings.reset()
    # an engine is made without connecting: its pool is sized from the settings
    engine = engine_for(f"postgresql://nobody@127.0.0.1:1/x{uuid.uuid4().hex}")
    assert engine.pool.size() == 3  # type: ignore[attr-defined]
    assert engine.pool._max_overflow == 4  # type: ignore[attr-defined]
    engine.dispose()


def test_only_the_settings_module_reads_the_environment() -> None:
    readers = []
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv")) or (
                isinstance(node, ast.alias) and node.name in ("environ", "getenv")
            ):
                readers.append(f"{path.relative_to(SOURCE)}:{getattr(node, 'lineno', '')}")
    assert readers and all(r.startswith("settings.py:") for r in readers), readers


def test_every_variable_is_in_the_readme_with_its_default() -> None:
    text = README.read_text("utf-8")
    for variable in VARIABLES:
        row = next((line for line in text.splitlines() if f"`{variable.name}`" in line), None)
        assert row is not None and row.startswith("|"), variable.name
        assert (variable.default or "(unset)") in row, variable.name


def test_a_required_event_refuses_to_fire_before_start_up_registered_its_handlers() -> None:
    hook = Hook("an approval", required=True)
    with pytest.raises(NotWired):
        hook.fire("case")
    seen: list[str] = []
    hook.register(seen.append)
    hook.register(seen.append)  # registering twice (wire() called again) changes nothing
    hook.fire("case")
    assert seen == ["case"]
