"""Read models of 政策找人 for the API and the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa

from rencai.feeds.departments import SOURCES
from rencai.feeds.export import StoreInfo
from rencai.outreach.models import Screening
from rencai.policy.contract.vocabulary import vocabulary
from rencai.registry.identifiers import mask_id_number
from rencai.views import View

STATUS_LABELS = {"running": "筛查中", "done": "已完成", "failed": "失败"}


class ScreeningView(View):
    id: int
    jurisdiction: str
    on: dt.date
    status: str
    status_label: str
    persons: int | None
    rows: int | None
    started_at: dt.datetime
    finished_at: dt.datetime | None
    done: int  # persons screened so far (background run, decision 0176)
    total: int | None  # persons in the store, once the run has opened it
    percent: int  # 0–100
    message: str | None  # why it failed


class ScreeningRow(View):
    id_number: str  # masked
    name: str
    program: str
    program_name: str
    clause: str
    county: str
    county_name: str
    degree: str
    degree_name: str
    amount: str | None  # yuan, exact


class StoreLoadView(View):
    load_id: int
    source: str
    source_label: str
    source_name: str
    loaded_at: dt.datetime
    rows_loaded: int


class StoreView(View):
    """The screening store the office screens: whether it was built from the loaded department
    data, when, by whom, from which loads, and whether a load happened since."""

    exists: bool
    from_loads: bool
    built_at: dt.datetime | None
    built_by: str | None
    persons: int | None
    stale: bool
    loads: list[StoreLoadView]


def store_view(info: StoreInfo | None, exists: bool, stale: bool) -> StoreView:
    return StoreView(
        exists=exists,
        from_loads=info is not None,
        built_at=info.built_at if info else None,
        built_by=info.built_by if info else None,
        persons=info.persons if info else None,
        stale=stale,
        loads=[
            StoreLoadView(
                load_id=load.id,
                source=load.source,
                source_label=SOURCES[load.source].label if load.source in SOURCES else load.source,
                source_name=load.source_name,
                loaded_at=dt.datetime.fromisoformat(load.loaded_at),
                rows_loaded=load.rows_loaded,
            )
            for load in (info.loads if info else [])
        ],
    )


def screening_view(screening: Screening) -> ScreeningView:
    return ScreeningView(
        id=screening.id,
        jurisdiction=screening.jurisdiction,
        on=screening.on_date,
        status=screening.status,
        status_label=STATUS_LABELS.get(screening.status, screening.status),
        persons=screening.persons,
        rows=screening.rows,
        started_at=screening.started_at,
        finished_at=screening.finished_at,
        done=screening.done or 0,
        total=screening.total,
        percent=100
        if screening.status == "done"
        else (100 * (screening.done or 0) // screening.total if screening.total else 0),
        message=screening.message,
    )


def row_views(table: pa.Table, limit: int | None = None) -> list[ScreeningRow]:
    if table.num_rows == 0:
        return []
    counties = vocabulary().counties
    degrees = vocabulary().codes("degree")
    rows = table.slice(0, limit) if limit is not None else table
    return [
        ScreeningRow(
            id_number=mask_id_number(r["id_number"]),
            name=r["name"],
            program=r["program"],
            program_name=r["program_name"],
            clause=r["clause"],
            county=r["county"],
            county_name=counties[r["county"]].name if r["county"] in counties else "",
            degree=r["degree"],
            degree_name=degrees.get(r["degree"], r["degree"]),
            amount=None if r["amount_fen"] is None else str(Decimal(r["amount_fen"]) / 100),
        )
        for r in rows.to_pylist()
    ]
