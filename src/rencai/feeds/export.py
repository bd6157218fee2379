"""The screening store built from the loaded department tables (decision 0127).

The person index is built here: every identity number found in 社保, 税务, 学信 or 户籍 gets a
dense int32 ``pid``, in the order of the numbers, once per build. Each table is read through a
server-side cursor in chunks (``yield_per``), already sorted by pid in the database, and each
chunk is written as a pyarrow table: no table is ever held whole as Python objects. The name of a
person is the one of their latest 学信 row (empty without one); birth date and sex are the
identity number's (GB 11643). Where the loads hold two registrations of one unit (市场监管), the
latest load's is written; the other sources' keys admit one row each (decision 0120).

A build is written into its own folder beside the store (``<store>.builds/<stamp>``), and the
store's path is then made to point at it by replacing a symbolic link in one rename: a screening
that resolved the path before sees the whole earlier build, one after sees the whole new one.
The build's ``export.json`` says when it was built, by whom, and from which loads.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from rencai import clock
from rencai.audit.log import append as audit
from rencai.feeds import compact
from rencai.feeds.departments import SOURCES
from rencai.feeds.models import FeedLoad
from rencai.feeds.source import FeedError
from rencai.feeds.store import SCHEMAS, StoreWriter, check_store
from rencai.policy.contract.identity import IdNumberError, parse_id_number

MANIFEST = "export.json"
CHUNK = 100_000  # rows fetched and written at a time
KEEP_BUILDS = 2  # the current build and the one before it (a screening may still read it)
PERSON_SOURCES = ("social_insurance", "tax", "degrees", "residence")
TABLES = {code: layout.model.__tablename__ for code, layout in SOURCES.items()}


@dataclass(frozen=True)
class LoadUsed:
    id: int
    source: str
    source_name: str
    loaded_at: str  # ISO instant (UTC)
    rows_loaded: int


@dataclass(frozen=True)
class StoreInfo:
    """What a store built from the loads says about itself."""

    built_at: dt.datetime
    built_by: str | None
    persons: int
    rows: dict[str, int]
    loads: list[LoadUsed]
    path: str  # the build's folder

    @property
    def load_ids(self) -> set[int]:
        return {load.id for load in self.loads}


def _builds(out: Path) -> Path:
    return out.parent / f"{out.name}.builds"


def store_info(directory: Path) -> StoreInfo | None:
    """The manifest of the store at ``directory``; None when there is none (no store, or one
    not built from the loads, such as a synthetic population)."""
    path = Path(directory) / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return StoreInfo(
            built_at=dt.datetime.fromisoformat(data["built_at"]),
            built_by=data.get("built_by"),
            persons=int(data["persons"]),
            rows={str(k): int(v) for k, v in data["rows"].items()},
            loads=[LoadUsed(**load) for load in data["loads"]],
            path=str(Path(directory).resolve()),
        )
    except (ValueError, KeyError, TypeError):
        return None


def department_loads(session: Session) -> list[FeedLoad]:
    """Every load of a department source, oldest first."""
    return list(
        session.scalars(
            select(FeedLoad).where(FeedLoad.kind.in_(list(SOURCES))).order_by(FeedLoad.id)
        )
    )


def is_stale(session: Session, directory: Path) -> bool:
    """True when the store should be built again from the loads: it was built from them and a
    load happened since, or there is no store at all while loads exist. A store not built from
    the loads (a synthetic population an administrator put there) is left as it is."""
    info = store_info(directory)
    loaded = {load.id for load in department_loads(session)}
    if info is None:
        return bool(loaded) and not Path(directory).exists()
    return not loaded <= info.load_ids


# --- reading the tables in chunks ---------------------------------------------------------------


def _chunks(session: Session, sql: str, params: dict[str, Any]) -> Iterator[Sequence[Any]]:
    """The rows of a query, ``CHUNK`` at a time, through a server-side cursor."""
    result = session.execute(text(sql).execution_options(yield_per=CHUNK), params)
    yield from result.partitions(CHUNK)


def _columns(rows: Sequence[Any], names: list[str]) -> dict[str, list[Any]]:
    return {name: [row[i] for row in rows] for i, name in enumerate(names)}


def _collate(session: Session) -> str:
    return ' COLLATE "C"' if session.get_bind().dialect.name == "postgresql" else ""


def _person_index(session: Session, upto: int) -> None:
    """A temporary table: each identity number of the person-keyed sources and its pid."""
    union = " UNION ".join(
        f"SELECT id_number FROM {TABLES[code]} WHERE load_id <= :upto" for code in PERSON_SOURCES
    )
    session.execute(text("DROP TABLE IF EXISTS export_person_index"))
    session.execute(
        text(
            "CREATE TEMPORARY TABLE export_person_index AS "
            "SELECT id_number, CAST(row_number() OVER (ORDER BY id_number"
            f"{_collate(session)}) - 1 AS INTEGER) AS pid FROM ({union}) ids"
        ),
        {"upto": upto},
    )
    session.execute(text("CREATE INDEX export_person_index_id ON export_person_index (id_number)"))


def _persons(session: Session, writer: StoreWriter, upto: int) -> int:
    names = ["pid", "id_number", "name"]
    sql = (
        "SELECT p.pid, p.id_number, d.name FROM export_person_index p LEFT JOIN ("
        "SELECT id_number, name, row_number() OVER (PARTITION BY id_number "
        "ORDER BY load_id DESC, row_number DESC) AS k FROM feed_degrees WHERE load_id <= :upto"
        ") d ON d.id_number = p.id_number AND d.k = 1 ORDER BY p.pid"
    )
    count = 0
    for rows in _chunks(session, sql, {"upto": upto}):
        columns = _columns(rows, names)
        births, sexes = [], []
        for number in columns["id_number"]:
            try:
                normalised, born = parse_id_number(number)
            except IdNumberError as exc:  # the loader admits valid numbers only
                raise FeedError("store", f"身份证号 {number} 无效：{exc}", "invalid") from None
            births.append(born)
            sexes.append(1 if int(normalised[16]) % 2 else 2)
        writer.write(
            "persons",
            pa.table(
                {
                    "pid": pa.array(columns["pid"], pa.int32()),
                    "id_number": pa.array(columns["id_number"], pa.string()),
                    "name": pa.array([n or "" for n in columns["name"]], pa.string()),
                    "birth_date": pa.array(births, pa.date32()),
                    "sex": pa.array(sexes, pa.int8()),
                }
            ),
        )
        count += len(rows)
    return count


# per person-keyed file: the source table, its columns in the store, the sort after pid
PERSON_FILES: dict[str, tuple[str, list[str], list[str]]] = {
    "social_insurance": (
        "social_insurance",
        ["employer_uscc", "period", "wage_base_fen", "region"],
        ["period", "employer_uscc"],
    ),
    "tax": ("tax", ["employer_uscc", "year", "wage_income_fen"], ["year", "employer_uscc"]),
    "degrees": (
        "degrees",
        ["school", "school_tags", "level", "discipline", "full_time", "graduated_on"],
        ["graduated_on", "level", "school"],
    ),
    "residence": ("residence", ["county", "event", "on_date"], ["on_date", "id"]),
}


def _person_file(session: Session, writer: StoreWriter, name: str, upto: int) -> int:
    source, columns, order = PERSON_FILES[name]
    collate = _collate(session)
    keys = ", ".join(
        f"t.{c}{collate}" if SCHEMAS[name].field(c).type == pa.string() else f"t.{c}"
        for c in order
        if c != "id"
    )
    keys += ", t.id" if "id" in order else ""
    sql = (
        f"SELECT p.pid, {', '.join(f't.{c}' for c in columns)} FROM {TABLES[source]} t "
        "JOIN export_person_index p ON p.id_number = t.id_number "
        f"WHERE t.load_id <= :upto ORDER BY p.pid, {keys}"
    )
    names = ["pid", *columns]
    count = 0
    for rows in _chunks(session, sql, {"upto": upto}):
        data = _columns(rows, names)
        writer.write(name, pa.table({c: data[c] for c in names}).cast(SCHEMAS[name]))
        count += len(rows)
    return count


def _employers(session: Session, writer: StoreWriter, upto: int) -> int:
    names = ["uscc", "name", "employer_type", "county", "industry", "status", "established_on"]
    sql = (
        f"SELECT {', '.join(names)} FROM (SELECT {', '.join(names)}, row_number() OVER "
        "(PARTITION BY uscc ORDER BY load_id DESC, row_number DESC) AS k "
        "FROM feed_employers WHERE load_id <= :upto) e "
        f"WHERE k = 1 ORDER BY uscc{_collate(session)}"
    )
    count = 0
    for rows in _chunks(session, sql, {"upto": upto}):
        data = _columns(rows, names)
        writer.write("employers", pa.table(data).cast(SCHEMAS["employers"]))
        count += len(rows)
    return count


# --- the build and its swap into place --------------------------------------------------------


def _utc(moment: dt.datetime) -> dt.datetime:
    # a naive instant read back from SQLite was stored as UTC
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _write_build(session: Session, folder: Path, loads: list[FeedLoad], actor: str | None) -> int:
    upto = max(load.id for load in loads)
    _person_index(session, upto)
    writer = StoreWriter(folder)
    rows: dict[str, int] = {}
    try:
        rows["persons"] = _persons(session, writer, upto)
        for name in PERSON_FILES:
            rows[name] = _person_file(session, writer, name, upto)
        rows["employers"] = _employers(session, writer, upto)
    finally:
        writer.close()
    session.execute(text("DROP TABLE IF EXISTS export_person_index"))
    if rows["persons"] == 0:
        raise FeedError(
            "store",
            "已导入的部门数据中没有人员记录（社保、税务、学信或户籍），无法生成筛查数据",
            "invalid",
        )
    manifest = {
        "built_at": clock.now().isoformat(),
        "built_by": actor,
        "persons": rows["persons"],
        "rows": rows,
        "loads": [
            {
                "id": load.id,
                "source": load.kind,
                "source_name": load.source_name,
                "loaded_at": _utc(load.loaded_at).isoformat(),
                "rows_loaded": load.rows_loaded,
            }
            for load in loads
        ],
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    check_store(folder)
    # the screening's one row per person, derived from this build's files (decision 0229)
    compact.build(folder)
    return rows["persons"]


def _swap(out: Path, build: Path) -> None:
    """Point ``out`` at ``build`` in one rename (a symbolic link replaced); a real folder at
    ``out`` (a store put there by hand) is moved into the builds first."""
    link = out.parent / f".{out.name}.link-{uuid.uuid4().hex[:8]}"
    os.symlink(os.path.relpath(build, out.parent), link, target_is_directory=True)
    try:
        if out.exists() and not out.is_symlink():
            os.rename(out, _builds(out) / f"replaced-{uuid.uuid4().hex[:8]}")
        os.replace(link, out)
    except OSError:
        link.unlink(missing_ok=True)
        raise


def _prune(out: Path) -> None:
    """Remove the builds older than the current one and the one before it."""
    current = out.resolve()
    builds = sorted(
        (p for p in _builds(out).iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    kept = [p for p in builds if p.resolve() == current]
    kept += [p for p in builds if p.resolve() != current][: KEEP_BUILDS - 1]
    for path in builds:
        if path not in kept:
            shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def build_lock(out: Path) -> Iterator[None]:
    """One build of a store at a time, across the processes of this machine: an exclusive lock
    on ``DIR.lock`` beside the store, held while the build is written and swapped in (decision
    0176)."""
    lock = out.with_name(out.name + ".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def export_store(session: Session, out: Path, actor: str | None = None) -> StoreInfo:
    """Build the screening store from the loaded department tables and put it at ``out``, one
    build at a time (``build_lock``)."""
    out = Path(out).absolute()
    with _locked(out):
        return _export(session, out, actor)


def refresh_if_stale(session: Session, out: Path, actor: str | None = None) -> bool:
    """Build the store when it is stale (``is_stale``), judged once the build lock is held:
    another build may just have brought it up to date. True when a build was made."""
    out = Path(out).absolute()
    with _locked(out):
        if not is_stale(session, out):
            return False
        _export(session, out, actor)
        return True


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    try:
        with build_lock(out):
            yield
    except OSError as exc:
        raise FeedError("store", f"无法写入筛查数据目录 {out}：{exc.strerror}", "invalid") from None


def _export(session: Session, out: Path, actor: str | None) -> StoreInfo:
    loads = department_loads(session)
    if not loads:
        raise FeedError("store", "尚未导入任何部门数据，无法生成筛查数据", "invalid")
    builds = _builds(out)
    try:
        builds.mkdir(parents=True, exist_ok=True)
        stamp = clock.now().strftime("%Y%m%dT%H%M%S")
        temporary = builds / f".tmp-{stamp}-{uuid.uuid4().hex[:8]}"
        try:
            _write_build(session, temporary, loads, actor)
            build = builds / temporary.name.removeprefix(".tmp-")
            os.rename(temporary, build)
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise
        _swap(out, build)
        _prune(out)
    except OSError as exc:
        raise FeedError("store", f"无法写入筛查数据目录 {out}：{exc.strerror}", "invalid") from None
    info = store_info(out)
    assert info is not None
    audit(
        session,
        actor or "system",
        "feeds.export_store",
        f"screening_store:{Path(info.path).name}",
        {"persons": info.persons, "loads": sorted(info.load_ids)},
    )
    return info
