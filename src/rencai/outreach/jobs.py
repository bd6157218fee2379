"""A screening started from the office's page or the API runs in the background (decision 0176).

The request records the screening (status ``running``) and answers at once; after its
transaction is committed, ``run_screening`` builds the store if a load happened since (one build
at a time), screens it range by range and records the persons done and a heartbeat after each
range, then the result. The state lives in the database, so any server process shows it; a
screening whose process stopped (no heartbeat for ``ABANDONED``) is marked failed when the next
one starts.
"""

from __future__ import annotations

import datetime as dt

import pyarrow.parquet as pq
from sqlalchemy import Connection, Engine, update
from sqlalchemy.orm import Session

from rencai import clock
from rencai.errors import Refusal
from rencai.feeds.export import refresh_if_stale
from rencai.feeds.source import FeedError
from rencai.feeds.store import check_store
from rencai.outreach.applied import applied_pairs
from rencai.outreach.models import Screening
from rencai.outreach.screening import run, without, write_result
from rencai.registry.models import Account
from rencai.settings import settings

ABANDONED = dt.timedelta(minutes=5)


def result_path(screening: Screening) -> str:
    folder = settings().files_dir / "screenings"
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / f"{screening.id}.parquet")


def run_screening(bind: Engine | Connection, screening_id: int) -> None:
    """The screening's work, in sessions of its own (the request's is closed by now)."""
    engine = bind if isinstance(bind, Engine) else bind.engine
    try:
        _work(engine, screening_id)
    except Exception as exc:  # recorded for the office, never lost in a thread
        message = exc.message if isinstance(exc, Refusal) else "筛查运行出错，请联系系统管理员"
        with Session(engine) as session, session.begin():
            session.execute(
                update(Screening)
                .where(Screening.id == screening_id)
                .values(status="failed", message=message[:500], finished_at=clock.now())
            )
        if not isinstance(exc, Refusal):
            raise


def _work(engine: Engine, screening_id: int) -> None:
    directory = settings().screening_store_dir
    with Session(engine, expire_on_commit=False) as session, session.begin():
        screening = session.get(Screening, screening_id)
        assert screening is not None
        account = session.get(Account, screening.started_by) if screening.started_by else None
        try:  # never screen older data than was loaded (decision 0128)
            refresh_if_stale(session, directory, account.username if account else None)
            store = directory.resolve()  # this build, even if another is swapped in meanwhile
            total = check_store(store)
        except FeedError as exc:
            raise Refusal("store", f"筛查数据不可用：{exc.message}", "invalid") from None
        screening.store, screening.total, screening.heartbeat_at = str(store), total, clock.now()
        jurisdiction, on = screening.jurisdiction, screening.on_date
    done = 0

    def progress(persons: int) -> None:
        nonlocal done
        done += persons
        with Session(engine) as beat, beat.begin():
            beat.execute(
                update(Screening)
                .where(Screening.id == screening_id)
                .values(done=done, heartbeat_at=clock.now())
            )

    try:
        table = run(store, on, jurisdiction, progress=progress)
    except FeedError as exc:
        raise Refusal("store", f"筛查数据不可用：{exc.message}", "invalid") from None
    with Session(engine, expire_on_commit=False) as session, session.begin():
        screening = session.get(Screening, screening_id)
        assert screening is not None
        found = without(table, applied_pairs(session, jurisdiction))
        screening.result_path = result_path(screening)
        write_result(found, screening.result_path)  # type: ignore[arg-type]
        screening.persons = pq.ParquetFile(store / "persons.parquet").metadata.num_rows
        screening.rows = found.num_rows
        screening.done = screening.total or screening.persons
        screening.status = "done"
        screening.finished_at = clock.now()
