"""Where monthly rows come from: the interface department feeds implement, and the file source."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from rencai.errors import Refusal


class FeedError(Refusal):
    """A delivery refused as a whole (unreadable file, wrong columns); nothing is loaded."""


class MonthlySource(Protocol):
    """A delivery of rows: a file today, a department's API later."""

    name: str

    def content_hash(self) -> str:
        """SHA-256 of the delivery, so the same delivery is never loaded twice."""
        ...

    def header(self) -> list[str]: ...

    def rows(self) -> Iterator[list[str]]:
        """Data rows (after the header), each a list of cell texts."""
        ...


SUFFIXES = (".csv", ".xlsx", ".parquet")
FORMATS = "仅支持 CSV（UTF-8）、Excel（.xlsx）或 Parquet 文件"


def cell_text(value: object) -> str:
    """A typed cell (Excel, Parquet) as the text a CSV carries: ISO dates, 是/否 for booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _parquet(content: bytes) -> list[list[str]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(pa.BufferReader(content))
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise FeedError("file", f"无法读取 Parquet 文件：{exc}", "bad_file") from None
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    rows = [[cell_text(column[i]) for column in columns] for i in range(table.num_rows)]
    return [list(table.column_names), *rows]


def read_table(suffix: str, content: bytes) -> list[list[str]]:
    """A CSV (UTF-8, with or without BOM), Excel (.xlsx, first sheet) or Parquet file as rows of
    cell texts (the first row the header)."""
    if suffix.lower() == ".parquet":
        return _parquet(content)
    if suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
        except Exception as exc:  # openpyxl raises many types for a damaged file
            raise FeedError("file", f"无法读取 Excel 文件：{exc}", "bad_file") from None
        return [[cell_text(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FeedError("file", "CSV 文件须为 UTF-8 编码", "bad_encoding") from None
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]


class _Table:
    name: str
    _table: list[list[str]]

    def header(self) -> list[str]:
        if not self._table:
            raise FeedError("file", "文件为空", "empty")
        return self._table[0]

    def rows(self) -> Iterator[list[str]]:
        for _, row in self.numbered_rows():
            yield row

    def numbered_rows(self) -> Iterator[tuple[int, list[str]]]:
        """Data rows with their line in the file (the header is line 1; blank lines skipped but
        counted, so a rejected row's number is the one an editor shows)."""
        for line, row in enumerate(self._table[1:], start=2):
            if any(row):
                yield line, row


class FileSource(_Table):
    """A CSV, Excel or Parquet file on disk."""

    def __init__(self, path: Path):
        self.path = path
        self.name = path.name
        if not path.is_file():
            raise FeedError("file", f"文件不存在：{path}", "no_file")
        if path.suffix.lower() not in SUFFIXES:
            raise FeedError("file", FORMATS, "bad_format")
        self._table = read_table(path.suffix, path.read_bytes())

    def content_hash(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


class UploadedSource(_Table):
    """A file uploaded through a page or pushed through the API."""

    def __init__(self, name: str, content: bytes):
        self.name = Path(name).name or "upload"
        self._content = content
        if Path(self.name).suffix.lower() not in SUFFIXES:
            raise FeedError("file", FORMATS, "bad_format")
        if not content:
            raise FeedError("file", "文件为空", "empty")
        self._table = read_table(Path(self.name).suffix, content)

    def content_hash(self) -> str:
        return hashlib.sha256(self._content).hexdigest()
