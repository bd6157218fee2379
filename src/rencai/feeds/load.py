"""Validate and load a monthly delivery: good rows in, bad rows to a rejects file, a load record.

A delivery whose columns are wrong is refused whole; a row that fails validation is written to
the rejects file with its reason (Chinese) and the rest is loaded. Loading the same delivery
again returns the first load record and changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from rencai import clock
from rencai.audit.log import append as audit
from rencai.feeds.models import Contribution, Departure, FeedLoad
from rencai.feeds.source import FeedError, MonthlySource
from rencai.policy.cities import names
from rencai.registry.identifiers import IdentifierError, validate_id_number, validate_uscc

CONTRIBUTION_COLUMNS = ["身份证号", "单位统一社会信用代码", "所属期", "参保地"]
DEPARTURE_COLUMNS = ["身份证号", "类型", "日期", "城市", "单位统一社会信用代码"]
DEPARTURE_KINDS = {"迁出本市": "moved_away", "解除劳动关系": "employment_ended"}
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass
class LoadResult:
    load: FeedLoad
    already_loaded: bool
    rejects: list[tuple[int, str]]  # (line number in the file, reason)


def cities() -> dict[str, str]:
    """Chinese name → code of every jurisdiction (a feed names the city in Chinese or by code)."""
    return {name: code for code, name in names().items()}


def _city(value: str) -> str:
    known = cities()
    code = known.get(value, value)
    if code not in known.values():
        raise ValueError(f"城市“{value}”无效，应为{'、'.join(known)}之一")
    return code


def _month(value: str) -> dt.date:
    found = MONTH.match(value)
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise ValueError(f"所属期“{value}”无效，格式应为 YYYY-MM")
    return dt.date(int(found.group(1)), int(found.group(2)), 1)


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise ValueError(f"日期“{value}”无效，格式应为 YYYY-MM-DD") from None


def _contribution(row: list[str]) -> dict[str, Any]:
    id_number, uscc, month, city = (row + [""] * 4)[:4]
    return {
        "id_number": validate_id_number(id_number),
        "employer_uscc": validate_uscc(uscc),
        "month": _month(month),
        "city": _city(city),
    }


def _departure(row: list[str]) -> dict[str, Any]:
    id_number, kind, on, city, uscc = (row + [""] * 5)[:5]
    if kind not in DEPARTURE_KINDS:
        raise ValueError(f"类型“{kind}”无效，应为{'、'.join(DEPARTURE_KINDS)}之一")
    return {
        "id_number": validate_id_number(id_number),
        "kind": DEPARTURE_KINDS[kind],
        "occurred_on": _day(on),
        "city": _city(city),
        "employer_uscc": validate_uscc(uscc) if uscc else None,
    }


LAYOUTS = {
    "contributions": (CONTRIBUTION_COLUMNS, _contribution, Contribution),
    "departures": (DEPARTURE_COLUMNS, _departure, Departure),
}


def _insert_ignoring_duplicates(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    for start in range(0, len(rows), 5000):
        statement = dialect.insert(table).on_conflict_do_nothing()
        session.execute(statement, rows[start : start + 5000])


def load(
    session: Session,
    kind: str,
    source: MonthlySource,
    actor: str,
    rejects_dir: Path,
) -> LoadResult:
    """Load one delivery of ``kind`` (contributions | departures)."""
    if kind not in LAYOUTS:
        raise FeedError("file", f"未知的数据类型：{kind}", "bad_kind")
    columns, parse, model = LAYOUTS[kind]
    digest = source.content_hash()
    earlier = session.scalar(
        select(FeedLoad).where(FeedLoad.kind == kind, FeedLoad.sha256 == digest)
    )
    if earlier is not None:
        return LoadResult(earlier, True, [])
    header = source.header()
    if header[: len(columns)] != columns:
        raise FeedError(
            "file", f"表头应为：{'，'.join(columns)}；实际为：{'，'.join(header)}", "bad_header"
        )
    good: list[dict[str, Any]] = []
    rejects: list[tuple[int, str]] = []
    raw_rejects: list[list[str]] = []
    for line, row in enumerate(source.rows(), start=2):
        try:
            good.append(parse(row))
        except (ValueError, IdentifierError) as exc:
            rejects.append((line, str(exc)))
            raw_rejects.append([*row, f"第{line}行：{exc}"])
    record = FeedLoad(
        kind=kind,
        source_name=source.name,
        sha256=digest,
        rows_total=len(good) + len(rejects),
        rows_loaded=len(good),
        rows_rejected=len(rejects),
        loaded_by=actor,
        loaded_at=clock.now(),
    )
    session.add(record)
    session.flush()
    if raw_rejects:
        rejects_dir.mkdir(parents=True, exist_ok=True)
        path = rejects_dir / f"{kind}-load{record.id}-rejects.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([*columns, "拒收原因"])
            writer.writerows(raw_rejects)
        record.rejects_file = str(path)
    for parsed in good:
        parsed["load_id"] = record.id
    _insert_ignoring_duplicates(session, model.__table__, good)
    audit(
        session,
        actor,
        f"feeds.load.{kind}",
        f"feed_load:{record.id}",
        {"source": source.name, "loaded": len(good), "rejected": len(rejects)},
    )
    return LoadResult(record, False, rejects)
