"""The five department sources: their layouts, row validation and the load of a delivery.

社保 (social_insurance), 税务 (tax), 学信 (degrees), 市场监管 (employers) and 户籍/公安
(residence) deliver a file (CSV, Excel or Parquet; layouts in docs/feeds.md) or push one through
the API; every delivery is a ``source.MonthlySource``. A header that differs from the layout
refuses the delivery whole; a row that fails validation goes to the rejects file with its reason
(Chinese); a row already loaded by an earlier delivery goes there too, marked as such; the rest
load, each keeping its load and its line. The same delivery (same SHA-256) loads once, also when
two loads of it race: the load record's unique (kind, sha256) lets one of them in.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rencai import clock
from rencai.audit.log import append as audit
from rencai.db.models import Base
from rencai.feeds.models import (
    DegreeRow,
    EmployerRow,
    FeedLoad,
    ResidenceRow,
    SocialInsuranceRow,
    TaxRow,
)
from rencai.feeds.source import FeedError, MonthlySource
from rencai.policy.contract.vocabulary import vocabulary
from rencai.registry.identifiers import IdentifierError, validate_id_number, validate_uscc

MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
YEAR = re.compile(r"^\d{4}$")
MONEY = re.compile(r"^\d{1,13}(\.\d{1,2})?$")
INDUSTRY = re.compile(r"^[A-T](\d{2}(\d{1,2})?)?$")  # GB/T 4754: section letter, then 2-4 digits
FULL_TIME = {"全日制": True, "非全日制": False, "是": True, "否": False}
STATUS = {"存续": "active", "在业": "active", "吊销": "revoked", "注销": "cancelled"}
EVENTS = {"落户": "settled", "迁入": "moved_in", "迁出": "moved_out"}


class RowError(ValueError):
    """A row that does not pass; the message is Chinese, for the rejects file."""


# --- cells ---------------------------------------------------------------------------------------


def _id_number(value: str) -> str:
    try:
        return validate_id_number(value)
    except IdentifierError as exc:
        raise RowError(f"身份证号“{value}”无效：{exc}") from None


def _uscc(value: str, label: str = "统一社会信用代码") -> str:
    try:
        return validate_uscc(value)
    except IdentifierError as exc:
        raise RowError(f"{label}“{value}”无效：{exc}") from None


def _county(value: str, label: str) -> str:
    if value not in vocabulary().counties:
        raise RowError(f"{label}“{value}”不是本平台所辖县（市、区）的区划代码（GB/T 2260）")
    return value


def _month(value: str, label: str) -> dt.date:
    found = MONTH.match(value)
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise RowError(f"{label}“{value}”无效，格式应为 YYYY-MM")
    return dt.date(int(found.group(1)), int(found.group(2)), 1)


def _day(value: str, label: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise RowError(f"{label}“{value}”无效，格式应为 YYYY-MM-DD") from None
    if day > clock.today():
        raise RowError(f"{label}“{value}”晚于今天")
    return day


def _fen(value: str, label: str) -> int:
    """A sum in yuan (at most two decimals) as integer fen."""
    if not MONEY.match(value):
        raise RowError(f"{label}“{value}”无效，应为不小于0的金额（元，最多两位小数）")
    try:
        return int(Decimal(value) * 100)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise RowError(f"{label}“{value}”无效") from None


def _code(kind: str, value: str, label: str) -> str:
    """A vocabulary code, given as the code or as its Chinese label."""
    codes = vocabulary().codes(kind)
    if value in codes:
        return value
    by_label = {text: code for code, text in codes.items()}
    if value in by_label:
        return by_label[value]
    raise RowError(f"{label}“{value}”无效，应为{'、'.join(codes.values())}之一")


def _choice(table: dict[str, Any], value: str, label: str) -> Any:
    if value not in table:
        raise RowError(f"{label}“{value}”无效，应为{'、'.join(table)}之一")
    return table[value]


def _text(value: str, label: str, limit: int) -> str:
    if not value:
        raise RowError(f"{label}不能为空")
    if len(value) > limit:
        raise RowError(f"{label}超过{limit}个字")
    return value


def _cells(row: list[str], width: int) -> list[str]:
    return (row + [""] * width)[:width]


# --- one parser per source -----------------------------------------------------------------------


def _social_insurance(row: list[str]) -> dict[str, Any]:
    id_number, uscc, month, base, region = _cells(row, 5)
    return {
        "id_number": _id_number(id_number),
        "employer_uscc": _uscc(uscc, "单位统一社会信用代码"),
        "period": _month(month, "所属期"),
        "wage_base_fen": _fen(base, "缴费基数"),
        "region": _county(region, "参保地区划代码"),
    }


def _tax(row: list[str]) -> dict[str, Any]:
    id_number, uscc, year, income = _cells(row, 4)
    if not YEAR.match(year) or not 1990 <= int(year) <= clock.today().year:
        raise RowError(f"所属年度“{year}”无效，应为四位年份且不晚于今年")
    return {
        "id_number": _id_number(id_number),
        "employer_uscc": _uscc(uscc, "扣缴单位统一社会信用代码"),
        "year": int(year),
        "wage_income_fen": _fen(income, "工资薪金收入"),
    }


def _degree(row: list[str]) -> dict[str, Any]:
    id_number, name, school, tags, level, discipline, form, graduated = _cells(row, 8)
    codes = [t.strip() for t in re.split(r"[,，、;；]", tags) if t.strip()]
    level_code = _code("degree", level, "学历层次")
    if level_code == "none":
        raise RowError("学历层次不能为“无”")
    return {
        "id_number": _id_number(id_number),
        "name": _text(name, "姓名", 100),
        "school": _text(school, "毕业院校", 200),
        "school_tags": ",".join(_code("school_tag", t, "院校类别") for t in codes),
        "level": level_code,
        "discipline": _text(discipline, "专业", 200),
        "full_time": _choice(FULL_TIME, form, "学习形式"),
        "graduated_on": _day(graduated, "毕业日期"),
    }


def _employer(row: list[str]) -> dict[str, Any]:
    uscc, name, kind, county, industry, status, established = _cells(row, 7)
    if not INDUSTRY.match(industry):
        raise RowError(f"行业代码“{industry}”无效，应为 GB/T 4754 代码（如 C2710）")
    return {
        "uscc": _uscc(uscc),
        "name": _text(name, "单位名称", 200),
        "employer_type": _code("employer_type", kind, "单位类型"),
        "county": _county(county, "登记地区划代码"),
        "industry": industry,
        "status": _choice(STATUS, status, "登记状态"),
        "established_on": _day(established, "成立日期"),
    }


def _residence(row: list[str]) -> dict[str, Any]:
    id_number, county, event, on = _cells(row, 4)
    return {
        "id_number": _id_number(id_number),
        "county": _county(county, "区划代码"),
        "event": _choice(EVENTS, event, "事项"),
        "on_date": _day(on, "日期"),
    }


@dataclass(frozen=True)
class Layout:
    code: str
    label: str  # the department's data, as the office names it
    columns: list[str]
    parse: Callable[[list[str]], dict[str, Any]]
    model: type[Base]
    period: Callable[[dict[str, Any]], dt.date] | None  # the period a row belongs to
    key_label: str  # what makes two rows the same record (its unique key), in Chinese


SOURCES: dict[str, Layout] = {
    layout.code: layout
    for layout in (
        Layout(
            "social_insurance",
            "社保（社会保险缴费）",
            ["身份证号", "单位统一社会信用代码", "所属期", "缴费基数（元）", "参保地区划代码"],
            _social_insurance,
            SocialInsuranceRow,
            lambda row: row["period"],
            "同一人员、单位、所属期",
        ),
        Layout(
            "tax",
            "税务（工资薪金收入）",
            ["身份证号", "扣缴单位统一社会信用代码", "所属年度", "工资薪金收入（元）"],
            _tax,
            TaxRow,
            lambda row: dt.date(row["year"], 1, 1),
            "同一人员、扣缴单位、所属年度",
        ),
        Layout(
            "degrees",
            "学信（学历学位）",
            [
                "身份证号",
                "姓名",
                "毕业院校",
                "院校类别",
                "学历层次",
                "专业",
                "学习形式",
                "毕业日期",
            ],
            _degree,
            DegreeRow,
            None,
            "同一人员、学历层次、院校、毕业日期",
        ),
        Layout(
            "employers",
            "市场监管（市场主体登记）",
            [
                "统一社会信用代码",
                "单位名称",
                "单位类型",
                "登记地区划代码",
                "行业代码",
                "登记状态",
                "成立日期",
            ],
            _employer,
            EmployerRow,
            None,
            "内容完全相同",
        ),
        Layout(
            "residence",
            "户籍（公安户籍迁移）",
            ["身份证号", "区划代码", "事项", "日期"],
            _residence,
            ResidenceRow,
            None,
            "同一人员、区划、事项、日期",
        ),
    )
}


def layout_of(source: str) -> Layout:
    if source not in SOURCES:
        raise FeedError("source", f"未知的数据来源：{source}", "not_found")
    return SOURCES[source]


# --- the load ------------------------------------------------------------------------------------


@dataclass
class DeliveryResult:
    load: FeedLoad
    already_loaded: bool
    rejects: list[tuple[int, str]]  # (line in the delivery, reason), invalid and duplicate rows


def _numbered(source: MonthlySource) -> Iterator[tuple[int, list[str]]]:
    """The rows with their line in the delivery (a file source counts blank lines too)."""
    numbered = getattr(source, "numbered_rows", None)
    if numbered is not None:
        yield from numbered()
    else:
        yield from enumerate(source.rows(), start=2)


def _insert(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> set[int]:
    """Insert the rows no earlier load holds; the line numbers of those inserted."""
    inserted: set[int] = set()
    table: Any = model.__table__
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    for start in range(0, len(rows), 2000):
        chunk = rows[start : start + 2000]
        statement = dialect.insert(table).on_conflict_do_nothing().returning(table.c.row_number)
        inserted.update(session.scalars(statement, chunk))
    return inserted


CHUNK_ROWS = 2000  # rows parsed, inserted and forgotten at a time: memory stays bounded


def _chunks(
    rows: Iterator[tuple[int, list[str]]], size: int
) -> Iterator[list[tuple[int, list[str]]]]:
    chunk: list[tuple[int, list[str]]] = []
    for item in rows:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _RejectsFile:
    """The rejects file of a load, written in line order as the chunks go by; created at the
    first reject (under a temporary name, renamed when the load is through)."""

    def __init__(self, path: Path, layout: Layout):
        self.path, self.layout = path, layout
        self.partial = path.with_name(path.name + ".part")
        self.written = False
        self._handle: Any = None
        self._writer: Any = None

    def __enter__(self) -> _RejectsFile:
        return self

    def write(self, line: int, cells: list[str], reason: str) -> None:
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.partial.open("w", encoding="utf-8-sig", newline="")
            self._writer = csv.writer(self._handle)
            self._writer.writerow(["行号", *self.layout.columns, "拒收原因"])
        self._writer.writerow([line, *_cells(cells, len(self.layout.columns)), reason])
        self.written = True

    def __exit__(self, kind: object, *_: object) -> None:
        if self._handle is None:
            return
        self._handle.close()
        if kind is None:
            self.partial.replace(self.path)
        else:
            self.partial.unlink(missing_ok=True)


def _load_chunk(
    session: Session,
    layout: Layout,
    record: FeedLoad,
    chunk: list[tuple[int, list[str]]],
    out: _RejectsFile,
    rejects: list[tuple[int, str]],
) -> None:
    """Parse, insert and count one chunk of rows; its invalid and duplicate rows go to the
    rejects file in line order; the load record's counts and periods grow."""
    good: list[dict[str, Any]] = []
    reasons: dict[int, str] = {}
    for line, row in chunk:
        try:
            parsed = layout.parse(row)
        except RowError as exc:
            reasons[line] = str(exc)
            continue
        parsed["row_number"], parsed["load_id"] = line, record.id
        good.append(parsed)
    record.rows_rejected += len(reasons)
    if layout.period is not None and good:
        periods = [layout.period(parsed) for parsed in good]
        low, high = min(periods), max(periods)
        record.period_from = min(record.period_from or low, low)
        record.period_to = max(record.period_to or high, high)
    inserted = _insert(session, layout.model, good)
    record.rows_loaded += len(inserted)
    duplicate = f"此前已导入{layout.key_label}的记录，本行未重复导入"
    duplicates = [parsed["row_number"] for parsed in good if parsed["row_number"] not in inserted]
    reasons.update(dict.fromkeys(duplicates, duplicate))
    record.rows_duplicate = (record.rows_duplicate or 0) + len(duplicates)
    for line, row in chunk:
        if line in reasons:
            out.write(line, row, reasons[line])
            rejects.append((line, reasons[line]))


def _refuse_header(layout: Layout, header: list[str]) -> None:
    if [cell.strip() for cell in header] != layout.columns:
        raise FeedError(
            "file",
            f"{layout.label}数据的表头应为：{'，'.join(layout.columns)}；"
            f"实际为：{'，'.join(header)}。整批未导入",
            "bad_header",
        )


def load_delivery(
    session: Session,
    source_code: str,
    source: MonthlySource,
    actor: str,
    rejects_dir: Path,
    channel: str = "file",
) -> DeliveryResult:
    """Load one delivery of a department source; see the module's description."""
    layout = layout_of(source_code)
    digest = source.content_hash()
    query = select(FeedLoad).where(FeedLoad.kind == layout.code, FeedLoad.sha256 == digest)
    earlier = session.scalar(query)
    if earlier is not None:
        return DeliveryResult(earlier, True, [])
    _refuse_header(layout, source.header())
    record = FeedLoad(
        kind=layout.code,
        source_name=source.name[:200],
        sha256=digest,
        rows_total=0,
        rows_loaded=0,
        rows_rejected=0,
        rows_duplicate=0,
        loaded_by=actor,
        loaded_at=clock.now(),
        channel=channel,
    )
    try:
        with session.begin_nested():  # a racing load of the same delivery waits here, then fails
            session.add(record)
            session.flush()
    except IntegrityError:
        winner = session.scalar(query)
        if winner is None:  # pragma: no cover - the unique key can only be this one
            raise
        return DeliveryResult(winner, True, [])
    rejects: list[tuple[int, str]] = []
    with _RejectsFile(rejects_dir / f"{layout.code}-load{record.id}-rejects.csv", layout) as out:
        for chunk in _chunks(_numbered(source), CHUNK_ROWS):
            _load_chunk(session, layout, record, chunk, out, rejects)
        record.rejects_file = str(out.path) if out.written else None
    record.rows_total = record.rows_loaded + record.rows_rejected + (record.rows_duplicate or 0)
    audit(
        session,
        actor,
        f"feeds.load.{layout.code}",
        f"feed_load:{record.id}",
        {
            "source": source.name,
            "channel": channel,
            "loaded": record.rows_loaded,
            "rejected": record.rows_rejected,
            "duplicate": record.rows_duplicate,
        },
    )
    return DeliveryResult(record, False, rejects)


def recent_loads(session: Session, limit: int = 100, source: str | None = None) -> list[FeedLoad]:
    """The department sources' load records (of one source if given), newest first."""
    return list(
        session.scalars(
            select(FeedLoad)
            .where(FeedLoad.kind.in_([source] if source else list(SOURCES)))
            .order_by(FeedLoad.id.desc())
            .limit(limit)
        )
    )


def rejects_of(session: Session, load_id: int, source: str | None = None) -> tuple[str, bytes]:
    """The rejects file of a department load (of one source if given): name and content."""
    record = session.get(FeedLoad, load_id)
    if record is None or record.kind not in SOURCES or (source and record.kind != source):
        raise FeedError("load_id", "没有找到该批数据", "not_found")
    path = Path(record.rejects_file) if record.rejects_file else None
    if path is None or not path.is_file():
        raise FeedError("load_id", "该批数据没有拒收记录", "not_found")
    return f"{record.kind}-load{record.id}-rejects.csv", path.read_bytes()
