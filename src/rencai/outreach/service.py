"""The office's 政策找人: start a screening of the store, read its result, export it, tell people.

A screening is recorded by the request that starts it and runs in the background (``jobs``,
decision 0176, replacing 0125's run inside the request); a province's store can also be
screened with `rencai screen --engine dask` against its cluster.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai import clock, sheets
from rencai.errors import Refusal
from rencai.feeds.export import StoreInfo, export_store, is_stale, store_info
from rencai.feeds.source import FeedError
from rencai.feeds.store import check_store
from rencai.outreach.jobs import ABANDONED
from rencai.outreach.models import Screening
from rencai.outreach.notify import notify_found
from rencai.outreach.screening import ScreeningError, check_jurisdiction
from rencai.outreach.views import StoreView, store_view
from rencai.registry.models import Account, Role
from rencai.settings import settings

SHOWN = 500  # rows a page or an API answer shows; the export has them all


def may_screen(account: Account) -> bool:
    """The city's talent office and the administrator run 政策找人."""
    return account.role in (Role.city_reviewer, Role.admin)


def build_store(session: Session, account: Account) -> StoreInfo:
    """The office's screening store built again from the loaded department data (decision
    0128)."""
    return export_store(session, settings().screening_store_dir, account.username)


def store_state(session: Session) -> StoreView:
    """The store the office screens: built from the loads or not, when, from which loads, and
    whether a load happened since (the next screening then builds it again)."""
    directory = settings().screening_store_dir
    return store_view(store_info(directory), directory.exists(), is_stale(session, directory))


def start(session: Session, account: Account, on: dt.date, jurisdiction: str) -> Screening:
    """Record a screening to run in the background (``jobs.run_screening``, launched by the
    caller once this transaction is committed). One screening of a city runs at a time; one
    whose process stopped giving signs of life is marked failed first."""
    check_jurisdiction(jurisdiction)
    now = clock.now()
    running = session.scalars(
        select(Screening)
        .where(Screening.jurisdiction == jurisdiction, Screening.status == "running")
        .with_for_update()
    ).all()
    for other in running:
        if clock.office_time(other.heartbeat_at or other.started_at) >= now - ABANDONED:
            raise ScreeningError(
                "screening", f"第{other.id}次筛查正在进行，请待其完成后再开始", "bad_state"
            )
        other.status, other.message, other.finished_at = "failed", "筛查进程已停止运行", now
    directory = settings().screening_store_dir
    if not is_stale(session, directory):  # else the run builds it first
        try:
            check_store(directory)
        except FeedError as exc:
            raise ScreeningError("store", f"筛查数据不可用：{exc.message}", "invalid") from None
    screening = Screening(
        jurisdiction=jurisdiction,
        on_date=on,
        store=str(directory),
        status="running",
        started_by=account.id,
        started_at=now,
        heartbeat_at=now,
        done=0,
    )
    session.add(screening)
    session.flush()
    return screening


def screening_or_404(session: Session, screening_id: int) -> Screening:
    screening = session.get(Screening, screening_id)
    if screening is None:
        raise Refusal("screening", "没有这次筛查", "not_found")
    return screening


def recent(session: Session, limit: int = 20) -> list[Screening]:
    return list(session.scalars(select(Screening).order_by(Screening.id.desc()).limit(limit)))


@dataclass(frozen=True)
class Filters:
    program: str | None = None
    county: str | None = None
    degree: str | None = None


def result(screening: Screening, filters: Filters = Filters()) -> pa.Table:
    if screening.result_path is None:
        return pa.table({})
    table = pq.read_table(screening.result_path)
    for column in ("program", "county", "degree"):
        value = getattr(filters, column)
        if value:
            table = table.filter(pc.equal(table[column], value))
    return table


def choices(screening: Screening) -> dict[str, list[tuple[str, str]]]:
    """The values the filters offer: (code, label) of programs, counties and degrees found."""
    from rencai.policy.contract.vocabulary import vocabulary

    table = result(screening)
    if table.num_rows == 0:
        return {"program": [], "county": [], "degree": []}
    programs = dict(
        zip(table["program"].to_pylist(), table["program_name"].to_pylist(), strict=True)
    )
    counties = vocabulary().counties
    degrees = vocabulary().codes("degree")
    return {
        "program": sorted(programs.items()),
        "county": [
            (c, counties[c].name if c in counties else c)
            for c in sorted(set(table["county"].to_pylist()))
            if c
        ],
        "degree": [(d, degrees.get(d, d)) for d in sorted(set(table["degree"].to_pylist()))],
    }


HEADERS = [
    "身份证号",
    "姓名",
    "政策项目",
    "依据条款",
    "工作地（县、市、区）",
    "最高学历",
    "金额（元）",
]


def export(screening: Screening, filters: Filters) -> bytes:
    """The (filtered) result as an Excel workbook, identity numbers masked."""
    from rencai.outreach.views import row_views

    rows = (
        [
            row.id_number,
            row.name,
            row.program_name,
            row.clause,
            row.county_name,
            row.degree_name,
            row.amount,
        ]
        for row in row_views(result(screening, filters))
    )
    return sheets.write([sheets.Sheet("政策找人", sheets.columns_of(HEADERS), rows)])


def send_notices(session: Session, screening: Screening) -> int:
    if screening.status != "done":
        raise Refusal("screening", "筛查尚未完成", "bad_state")
    return notify_found(session, screening, result(screening))
