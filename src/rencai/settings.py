"""The platform's settings: every environment variable it reads, read here and nowhere else.

``settings()`` reads the environment the first time it is asked and keeps the answer for the
life of the process. Tests that change a variable inside the running process call ``reset()``
afterwards (the test setup does so around every test); a process started with another
environment reads its own. A value that cannot be used stops the process with one readable
line naming the variable, rather than being ignored.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class SettingsError(ValueError):
    """An environment variable whose value cannot be used (one line, for the operator)."""


@dataclass(frozen=True)
class Variable:
    name: str
    default: str | None
    meaning: str


# name, default (None: unset), meaning — the README's table is this list
VARIABLES: tuple[Variable, ...] = (
    Variable(
        "RENCAI_DATABASE_URL",
        "sqlite:///var/rencai.sqlite3",
        "the database (PostgreSQL in production; `postgresql://` URLs are accepted)",
    ),
    Variable(
        "RENCAI_FILES_DIR",
        "var/files",
        "uploaded materials and card photos; bank files and feed rejects under `ledger/`",
    ),
    Variable(
        "RENCAI_SCREENING_STORE",
        None,
        "the screening store 政策找人 reads (Parquet); unset: `screening-store` under "
        "RENCAI_FILES_DIR",
    ),
    Variable(
        "RENCAI_CARD_KEYS",
        None,
        "the card signing keys' folder; unset: `card-keys` beside RENCAI_FILES_DIR",
    ),
    Variable(
        "RENCAI_LOG_FILE",
        "var/log/rencai.log",
        "where `rencai ledger` writes the details of a failure (never SQL or its parameters)",
    ),
    Variable(
        "RENCAI_VERIFY_RATE",
        "20",
        "card verifications a service-point account may record per second (burst: twice that)",
    ),
    Variable(
        "RENCAI_CLOCK_AT",
        None,
        "an ISO instant that fixes the office clock of the whole process (drills, tests)",
    ),
    Variable(
        "RENCAI_DB_POOL_SIZE",
        "20",
        "PostgreSQL connections kept open per process (the web admits this many requests, "
        "plus the overflow, to the database at once)",
    ),
    Variable(
        "RENCAI_DB_POOL_OVERFLOW",
        "30",
        "PostgreSQL connections opened beyond the pool under load",
    ),
    Variable(
        "RENCAI_DB_POOL_TIMEOUT",
        "10",
        "seconds a request waits for a PostgreSQL connection before the answer is 503",
    ),
    Variable(
        "RENCAI_ADMISSION_SLOTS",
        "8",
        "requests a process runs against the database at once (at most the pool and its "
        "overflow); the others wait for a slot",
    ),
    Variable(
        "RENCAI_ADMISSION_WAIT",
        "2",
        "seconds a request may wait for a slot before it is answered 503 busy with Retry-After",
    ),
    Variable(
        "RENCAI_VERIFY_WAIT",
        "0.04",
        "the same wait for the online card check (a gate must not hold a queue of passengers)",
    ),
    Variable(
        "RENCAI_CALCULATOR_WAIT",
        "0.5",
        "the same wait for the calculator (POST /api/v1/entitlements, GET "
        "/api/v1/me/entitlements): a calculation that could not start within it is answered 503 "
        "busy at once",
    ),
    Variable(
        "RENCAI_CALCULATOR_WINDOW",
        "0.002",
        "seconds the calculator collects concurrent requests into one simulation (micro-batch)",
    ),
    Variable(
        "RENCAI_CALCULATOR_CACHE",
        "4096",
        "calculator answers kept per process (the same profile on the same day under the same "
        "rules gives the same answer); 0: none kept",
    ),
    Variable(
        "RENCAI_SECURE_COOKIES",
        "0",
        "1 behind HTTPS: the session and CSRF cookies are sent only over HTTPS (Secure)",
    ),
    Variable(
        "RENCAI_JURISDICTIONS_DIR",
        None,
        "a folder of further jurisdiction folders, beside the built-in ones (a city added "
        "without touching the package)",
    ),
)


def _text(value: str, name: str) -> str:
    if not value.strip():
        raise SettingsError(f"环境变量 {name} 不能为空")
    return value


def _number(minimum: float, integer: bool) -> Callable[[str, str], float | int]:
    def parse(value: str, name: str) -> float | int:
        try:
            number: float | int = int(value) if integer else float(value)
        except ValueError:
            kind = "整数" if integer else "数字"
            raise SettingsError(f"环境变量 {name} 的值“{value}”无效：应为{kind}") from None
        if not number >= minimum:  # also refuses NaN
            raise SettingsError(f"环境变量 {name} 的值“{value}”无效：应不小于 {minimum:g}")
        return number

    return parse


def _switch(value: str, name: str) -> bool:
    word = value.strip().lower()
    if word in {"1", "true", "yes", "on"}:
        return True
    if word in {"0", "false", "no", "off", ""}:
        return False
    raise SettingsError(f"环境变量 {name} 的值“{value}”无效：应为 1 或 0")


def _instant(value: str, name: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise SettingsError(
            f"环境变量 {name} 的值“{value}”无效：应为 ISO 时刻，如 2026-11-30T16:30:00+00:00"
        ) from None
    # a naive instant means UTC, as stored instants do
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)).astimezone(
        dt.UTC
    )


@dataclass(frozen=True)
class Settings:
    database_url: str
    files_dir: Path
    card_keys: Path | None
    log_file: Path
    verify_rate: float
    clock_at: dt.datetime | None
    pool_size: int
    pool_overflow: int
    pool_timeout: float
    admission_slots: int
    admission_wait: float
    verify_wait: float
    jurisdictions_dir: Path | None
    secure_cookies: bool
    screening_store: Path | None = None
    calculator_wait: float = 0.5
    calculator_window: float = 0.002
    calculator_cache: int = 4096

    @property
    def card_keys_dir(self) -> Path:
        """RENCAI_CARD_KEYS, else a folder beside the uploaded files (outside the repository)."""
        return self.card_keys if self.card_keys is not None else self.files_dir.parent / "card-keys"

    @property
    def screening_store_dir(self) -> Path:
        """The screening store the office's 政策找人 reads."""
        if self.screening_store is not None:
            return self.screening_store
        return self.files_dir / "screening-store"

    @property
    def ledger_files_dir(self) -> Path:
        """Where bank files and feed rejects are kept: under the platform's files directory."""
        return self.files_dir / "ledger"

    @classmethod
    def from_environment(cls, environment: Mapping[str, str]) -> Settings:
        def get(name: str, parse: Callable[[str, str], Any]) -> Any:
            default = next(v.default for v in VARIABLES if v.name == name)
            value = environment.get(name) or default
            return None if value is None else parse(value, name)

        files = get("RENCAI_FILES_DIR", lambda v, n: Path(_text(v, n)))
        return cls(
            database_url=get("RENCAI_DATABASE_URL", _text),
            files_dir=files,
            card_keys=get("RENCAI_CARD_KEYS", lambda v, n: Path(_text(v, n))),
            log_file=get("RENCAI_LOG_FILE", lambda v, n: Path(_text(v, n))),
            verify_rate=float(get("RENCAI_VERIFY_RATE", _number(0.001, integer=False))),
            clock_at=get("RENCAI_CLOCK_AT", _instant),
            pool_size=int(get("RENCAI_DB_POOL_SIZE", _number(1, integer=True))),
            pool_overflow=int(get("RENCAI_DB_POOL_OVERFLOW", _number(0, integer=True))),
            pool_timeout=float(get("RENCAI_DB_POOL_TIMEOUT", _number(0.1, integer=False))),
            admission_slots=int(get("RENCAI_ADMISSION_SLOTS", _number(1, integer=True))),
            admission_wait=float(get("RENCAI_ADMISSION_WAIT", _number(0, integer=False))),
            verify_wait=float(get("RENCAI_VERIFY_WAIT", _number(0, integer=False))),
            jurisdictions_dir=jurisdictions_dir(),
            secure_cookies=bool(get("RENCAI_SECURE_COOKIES", _switch)),
            screening_store=get("RENCAI_SCREENING_STORE", lambda v, n: Path(_text(v, n))),
            calculator_wait=float(get("RENCAI_CALCULATOR_WAIT", _number(0, integer=False))),
            calculator_window=float(get("RENCAI_CALCULATOR_WINDOW", _number(0, integer=False))),
            calculator_cache=int(get("RENCAI_CALCULATOR_CACHE", _number(0, integer=True))),
        )


_current: Settings | None = None
_lock = threading.Lock()


def settings() -> Settings:
    """The process's settings, read from the environment once."""
    global _current
    current = _current
    if current is None:
        with _lock:
            if _current is None:
                _current = Settings.from_environment(os.environ)
            current = _current
    return current


def reset() -> None:
    """Forget the settings read so far: the next ``settings()`` reads the environment again
    (for tests that change a variable inside the running process)."""
    global _current
    with _lock:
        _current = None


def jurisdictions_dir() -> Path | None:
    """RENCAI_JURISDICTIONS_DIR alone. The jurisdictions are discovered while modules are being
    imported (the engine's enumerations list their counties), before the command line can report
    a bad value of some other variable in one line; so this one is read on its own."""
    value = os.environ.get("RENCAI_JURISDICTIONS_DIR", "").strip()
    return Path(value) if value else None
