"""Where monthly rows come from: the interface department feeds implement, and the file source."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

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


CHUNK = 1 << 18  # bytes read at a time when hashing and checking a delivery
BATCH = 4096  # Parquet rows decoded at a time


def _parquet_rows(handle: BinaryIO) -> Iterator[list[str]]:
    """The header, then the rows of a Parquet file, one record batch at a time."""
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(handle)
        yield list(parquet.schema_arrow.names)
        for batch in parquet.iter_batches(batch_size=BATCH):
            columns = [column.to_pylist() for column in batch.columns]
            for i in range(batch.num_rows):
                yield [cell_text(column[i]) for column in columns]
    except FeedError:
        raise
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise FeedError("file", f"无法读取 Parquet 文件：{exc}", "bad_file") from None


def _excel_rows(handle: BinaryIO) -> Iterator[list[str]]:
    """The rows of the first sheet of an Excel file (openpyxl read-only: row by row)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise FeedError("file", f"无法读取 Excel 文件：{exc}", "bad_file") from None
    try:
        for row in rows:
            yield [cell_text(cell) for cell in row]
    finally:
        workbook.close()


def _csv_rows(handle: BinaryIO) -> Iterator[list[str]]:
    """The rows of a CSV file (UTF-8, with or without BOM), decoded as they are read."""
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    try:
        for row in csv.reader(text):
            yield [cell.strip() for cell in row]
    except UnicodeDecodeError:
        raise FeedError("file", "CSV 文件须为 UTF-8 编码", "bad_encoding") from None
    finally:
        text.detach()


def iter_table(suffix: str, handle: BinaryIO) -> Iterator[list[str]]:
    """A CSV, Excel (.xlsx, first sheet) or Parquet file as rows of cell texts (the first row the
    header), read as it is iterated: never the whole table in memory."""
    if suffix.lower() == ".parquet":
        return _parquet_rows(handle)
    if suffix.lower() == ".xlsx":
        return _excel_rows(handle)
    return _csv_rows(handle)


def _first_pass(suffix: str, handle: BinaryIO) -> str:
    """One cheap pass over the bytes: the SHA-256 of the delivery and, for a CSV, the check that
    it is UTF-8 throughout (so a bad byte refuses it whole before any row loads); an Excel or
    Parquet file is opened, so a damaged one is refused here too."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")() if suffix.lower() == ".csv" else None
    try:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            if decoder is not None:
                decoder.decode(chunk)
        if decoder is not None:
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise FeedError("file", "CSV 文件须为 UTF-8 编码", "bad_encoding") from None
    if decoder is None:
        handle.seek(0)
        next(iter_table(suffix, handle), None)
    return digest.hexdigest()


class _Table:
    """A delivery read as a stream: each reading opens it again and decodes row by row."""

    name: str
    _suffix: str
    _digest: str

    def _open(self) -> BinaryIO:
        raise NotImplementedError

    def _table(self) -> Generator[list[str]]:
        handle = self._open()
        try:
            yield from iter_table(self._suffix, handle)
        finally:
            handle.close()

    def content_hash(self) -> str:
        return self._digest

    def header(self) -> list[str]:
        rows = self._table()
        try:
            first = next(rows, None)
        finally:
            rows.close()
        if first is None:
            raise FeedError("file", "文件为空", "empty")
        return first

    def rows(self) -> Iterator[list[str]]:
        for _, row in self.numbered_rows():
            yield row

    def numbered_rows(self) -> Iterator[tuple[int, list[str]]]:
        """Data rows with their line in the file (the header is line 1; blank lines skipped but
        counted, so a rejected row's number is the one an editor shows)."""
        rows = self._table()
        next(rows, None)
        for line, row in enumerate(rows, start=2):
            if any(row):
                yield line, row


class FileSource(_Table):
    """A CSV, Excel or Parquet file on disk, streamed from the disk."""

    def __init__(self, path: Path):
        self.path = path
        self.name = path.name
        if not path.is_file():
            raise FeedError("file", f"文件不存在：{path}", "no_file")
        if path.suffix.lower() not in SUFFIXES:
            raise FeedError("file", FORMATS, "bad_format")
        self._suffix = path.suffix
        with path.open("rb") as handle:
            self._digest = _first_pass(self._suffix, handle)

    def _open(self) -> BinaryIO:
        return self.path.open("rb")


class UploadedSource(_Table):
    """A file uploaded through a page or pushed through the API (its bytes in memory, its rows
    decoded as they are read)."""

    def __init__(self, name: str, content: bytes):
        self.name = Path(name).name or "upload"
        self._content = content
        if Path(self.name).suffix.lower() not in SUFFIXES:
            raise FeedError("file", FORMATS, "bad_format")
        if not content:
            raise FeedError("file", "文件为空", "empty")
        self._suffix = Path(self.name).suffix
        self._digest = _first_pass(self._suffix, io.BytesIO(content))

    def _open(self) -> BinaryIO:
        return io.BytesIO(self._content)
