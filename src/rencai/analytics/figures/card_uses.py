"""Card uses: 公交、地铁、就医预约 by service type, point and month."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from rencai.analytics import rollups
from rencai.analytics.figures.catalogue import figure
from rencai.analytics.figures.periods import cutoff, month_label, month_sql, months_until
from rencai.analytics.tables import THRESHOLD, Table
from rencai.cards.models import CardUse, ServicePoint
from rencai.cards.points import POINT_LABELS


@figure(
    "card_uses",
    "人才绿卡服务使用（人次）",
    "统计期内各服务网点核验通过的用卡次数，按服务类型、网点或月份；离线核验以上传到平台的"
    "时间为准计入（上传前的统计不含）。",
    "card_uses, service_points",
    "001：为广大人才提供公交服务197万人次、地铁服务296万人次、就医预约服务604人次",
    ("by", "months", "county"),
)
def card_uses(
    session: Session,
    as_of: dt.date,
    by: str = "kind",
    months: int = 12,
    county: str | None = None,
    from_rollup: bool = True,
) -> Table:
    """Uses from the daily rollup plus the few uses beyond it (``from_rollup=False``: every
    use read from ``card_uses``, the reference the rollup is tested against); the persons
    behind each cell counted up to five (decision 0180)."""
    if by not in ("kind", "point", "month"):
        raise ValueError("用卡统计只能按服务类型、网点或月份分组")
    periods = months_until(as_of, months)
    start, end = cutoff(periods[0] - dt.timedelta(days=1)), cutoff(as_of)
    points = (
        list(session.scalars(select(ServicePoint.id).where(ServicePoint.county == county)))
        if county
        else None
    )
    last = rollups.current_mark(session) if from_rollup else 0
    counts: Counter[Any] = Counter()
    if last:
        day = rollups.CardUseDay
        rolled_key: Any = {"kind": day.point_kind, "point": day.point_id, "month": day.use_day}[by]
        rolled = select(rolled_key, func.sum(day.uses)).where(
            day.upload_day <= as_of, day.use_day >= periods[0], day.use_day <= as_of
        )
        if points is not None:
            rolled = rolled.where(day.point_id.in_(points))
        for group, uses in session.execute(rolled.group_by(rolled_key)):
            if by == "month":
                group = group if isinstance(group, dt.date) else dt.date.fromisoformat(group)
                group = group.strftime("%Y-%m")
            counts[group] += int(uses)
    conditions: list[Any] = [
        CardUse.verdict == "valid",
        CardUse.at >= start,
        CardUse.at < end,
        CardUse.uploaded_at < end,
    ]
    if points is not None:
        conditions.append(CardUse.point_id.in_(points))
    month = month_sql(session, CardUse.at)
    key: Any = {"kind": CardUse.point_kind, "point": CardUse.point_id, "month": month}[by]
    live = select(key, func.count()).where(*conditions, CardUse.id > last).group_by(key)
    for group, uses in session.execute(live):
        if isinstance(group, dt.datetime):
            group = group.strftime("%Y-%m")
        counts[group] += int(uses)
    found: dict[Any, tuple[str, int, int]] = {}
    names = {p.id: (p.code, p.name) for p in session.scalars(select(ServicePoint))}
    cells: dict[Any, list[Any]] = {}
    for group, uses in counts.items():
        if not uses:
            continue
        if by == "kind":
            cells[group] = [CardUse.point_kind == group]
        elif by == "point":
            cells[group] = [CardUse.point_id == group]
        else:
            first = dt.date.fromisoformat(f"{group}-01")
            following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            cells[group] = [
                CardUse.at >= cutoff(first - dt.timedelta(days=1)),
                CardUse.at < cutoff(following - dt.timedelta(days=1)),
            ]
    persons = _cards_up_to_five(session, conditions, cells)
    for group in cells:
        key, name = names[group] if by == "point" else (group, "")
        found[key] = (name, counts[group], persons[group])
    if by == "month":
        rows = [month_label(m) for m in periods]
    elif by == "kind":
        rows = [(k, POINT_LABELS.get(k, k)) for k in sorted(found, key=list(POINT_LABELS).index)]
    else:
        rows = [(k, found[k][0]) for k in sorted(found)]
    return Table(
        figure="card_uses",
        title="人才绿卡服务使用（人次）",
        as_of=as_of,
        row_label={"kind": "服务类型", "point": "服务网点", "month": "月份"}[by],
        rows=rows,
        columns=[("uses", "使用人次")],
        values=[[found.get(k, ("", 0, 0))[1]] for k, _ in rows],
        persons=[[found.get(k, ("", 0, 0))[2]] for k, _ in rows],
        unit="次",
        row_totals=False,
    )


def _cards_up_to_five(
    session: Session, conditions: list[Any], cells: dict[Any, list[Any]]
) -> dict[Any, int]:
    """Per cell, the distinct cards behind the uses matching ``conditions`` and the cell's own,
    counted up to five (enough to decide suppression): the cell's first uses in time order, a
    few at a time, stopping at five — on PostgreSQL all cells in one query (LATERAL)."""
    result: dict[Any, int] = {}
    pending = dict(cells)
    for limit in (64, 4096):
        if not pending:
            break
        numbers = _first_cards(session, conditions, pending, limit)
        for group, cards in numbers.items():
            distinct = len(set(cards))
            if distinct >= THRESHOLD or len(cards) < limit:
                result[group] = min(distinct, THRESHOLD)
                del pending[group]
    for group, cell in pending.items():
        query = select(func.count(func.distinct(CardUse.card_number))).where(*conditions, *cell)
        result[group] = min(int(session.scalar(query) or 0), THRESHOLD)
    return result


def _first_cards(
    session: Session, conditions: list[Any], cells: dict[Any, list[Any]], limit: int
) -> dict[Any, list[str | None]]:
    """The card numbers of each cell's first ``limit`` uses."""
    found: dict[Any, list[str | None]] = {}
    if session.get_bind().dialect.name != "postgresql" or len(cells) == 1:
        for group, cell in cells.items():
            query = select(CardUse.card_number).where(*conditions, *cell)
            found[group] = list(session.scalars(query.order_by(CardUse.at).limit(limit)))
        return found
    keys = list(cells)
    parts = []
    for k, group in enumerate(keys):
        inner = (
            select(literal(k).label("cell"), CardUse.card_number.label("card"))
            .where(*conditions, *cells[group])
            .order_by(CardUse.at)
            .limit(limit)
        )
        parts.append(inner.subquery().select())
    union = parts[0].union_all(*parts[1:])
    found = {group: [] for group in keys}
    for k, card in session.execute(union):
        found[keys[int(k)]].append(card)
    return found
