"""Flows: inflow, outflow and 人才净流入率."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai.analytics.figures.catalogue import figure
from rencai.analytics.figures.labels import county_label
from rencai.analytics.figures.periods import cutoff, month_label, months_until
from rencai.analytics.tables import Table
from rencai.feeds.models import DegreeRow, FeedLoad, ResidenceRow
from rencai.registry.models import TalentProfile

INFLOW_EVENTS = ("settled", "moved_in")
OUTFLOW_EVENTS = ("moved_out",)


def _talent_ids(session: Session, end: dt.datetime) -> Any:
    """Who counts as a talent in the flows: a registered talent, or a person the 学信 feed (as
    loaded by then) shows with a bachelor's degree or higher (decision 0136)."""
    degrees = (
        select(DegreeRow.id_number)
        .join(FeedLoad, FeedLoad.id == DegreeRow.load_id)
        .where(FeedLoad.loaded_at < end, DegreeRow.level.in_(("bachelor", "master", "doctorate")))
    )
    return select(TalentProfile.id_number).union(degrees)


def _residence(session: Session, as_of: dt.date) -> list[tuple[str, str, str, dt.date]]:
    end = cutoff(as_of)
    talents = _talent_ids(session, end).subquery()
    return [
        (r.id_number, r.county, r.event, r.on_date)
        for r in session.execute(
            select(
                ResidenceRow.id_number,
                ResidenceRow.county,
                ResidenceRow.event,
                ResidenceRow.on_date,
            )
            .join(FeedLoad, FeedLoad.id == ResidenceRow.load_id)
            .where(
                FeedLoad.loaded_at < end,
                ResidenceRow.on_date <= as_of,
                ResidenceRow.id_number.in_(select(talents.c[0])),
            )
            .order_by(ResidenceRow.on_date, ResidenceRow.id)
        )
    ]


def _stock(events: list[tuple[str, str, str, dt.date]], before: dt.date) -> dict[str, set[str]]:
    """Who lived in which county at the start of ``before``: each person's last event."""
    where: dict[str, str | None] = {}
    for person, county, event, day in events:
        if day >= before:
            break
        where[person] = county if event in INFLOW_EVENTS else None
    result: dict[str, set[str]] = defaultdict(set)
    for person, place in where.items():
        if place is not None:
            result[place].add(person)
    return result


def _rate(net: int, stock: int) -> str | None:
    if stock == 0:
        return None
    value = (Decimal(net * 100) / stock).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return f"{value}%"


FLOW_COLUMNS = [
    ("inflow", "流入"),
    ("outflow", "流出"),
    ("net", "净流入"),
    ("rate", "人才净流入率"),
]


@figure(
    "flows",
    "人才流入流出与人才净流入率",
    "流入：户籍数据中人才落户、迁入本市（县）的人次；流出：迁出的人次；净流入 = 流入 − 流出；"
    "人才净流入率 = 净流入 ÷ 当年年初人才存量 × 100%（年初存量：当年1月1日前最后一条户籍记录为"
    "落户或迁入该地的人才数）。按月份（全市或一个县）或按县（市、区）（统计日所在年度1月至统计月）。"
    "以统计日前已导入的数据为准。",
    "feed_residence_rows, feed_degree_rows, feed_loads, talent_profiles",
    "003 第17条：建立人才工作通报制度，将人才净流入率、人才发展主要指标纳入经济社会发展"
    "统计公报内容",
    ("by", "months", "county"),
)
def flows(
    session: Session,
    as_of: dt.date,
    by: str = "month",
    months: int = 12,
    county: str | None = None,
) -> Table:
    if by not in ("month", "county"):
        raise ValueError("人才流动只能按月份或县（市、区）分组")
    events = _residence(session, as_of)
    if county:
        events = [e for e in events if e[1] == county]
    if by == "month":
        periods = months_until(as_of, months)
        row_keys: list[Any] = periods
        rows = [month_label(m) for m in periods]
        stock_of = {
            y: sum(len(s) for s in _stock(events, dt.date(y, 1, 1)).values())
            for y in {m.year for m in periods}
        }

        def row_of(event: tuple[str, str, str, dt.date]) -> Any:
            return event[3].replace(day=1)

        def base(k: Any) -> int:
            return stock_of[k.year]
    else:
        start = dt.date(as_of.year, 1, 1)
        events_in = [e for e in events if e[3] >= start]
        stocks = _stock(events, start)
        counties = sorted({e[1] for e in events_in} | set(stocks))
        row_keys = counties
        rows = [county_label(c) for c in counties]

        def row_of(event: tuple[str, str, str, dt.date]) -> Any:
            return event[1] if event[3] >= start else None

        def base(k: Any) -> int:
            return len(stocks.get(k, set()))

    counts: Counter[tuple[Any, str]] = Counter()
    people: dict[tuple[Any, str], set[str]] = defaultdict(set)
    for event in events:
        k = row_of(event)
        if k is None:
            continue
        kind = "inflow" if event[2] in INFLOW_EVENTS else "outflow"
        counts[k, kind] += 1
        people[k, kind].add(event[0])
    values = []
    persons = []
    rates: list[str | None] = []
    for k in row_keys:
        inflow, outflow = counts[k, "inflow"], counts[k, "outflow"]
        values.append([inflow, outflow, inflow - outflow, 0])
        persons.append(
            [
                len(people[k, "inflow"]),
                len(people[k, "outflow"]),
                len(people[k, "inflow"] | people[k, "outflow"]),
                0,
            ]
        )
        rates.append(_rate(inflow - outflow, base(k)))
    return Table(
        figure="flows",
        title="人才流入流出与人才净流入率",
        as_of=as_of,
        row_label="月份" if by == "month" else "县（市、区）",
        rows=rows,
        columns=FLOW_COLUMNS,
        values=values,
        persons=persons,
        unit="人次",
        row_totals=False,
        derived={"rate": ("inflow", "outflow", "net"), "net": ("inflow", "outflow")},
        derived_values={"rate": rates, "net": [v[2] for v in values]},
    )
