"""Talents and cards: the talent stock and the green cards in force, and their changes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import and_, func, literal, or_, select, true
from sqlalchemy.orm import Session

from rencai.analytics import snapshots
from rencai.analytics.figures.catalogue import figure
from rencai.analytics.figures.labels import (
    ACTIVE_AFTER,
    AGE_BANDS,
    DEGREE_LABELS,
    DEGREE_ORDER,
    DIMENSIONS,
    OTHER_INDUSTRY,
    SOURCE_LABELS,
    TIER_LABELS,
    UNKNOWN,
    county_label,
)
from rencai.analytics.figures.periods import cutoff, month_label, month_sql, months_until
from rencai.analytics.tables import Table
from rencai.applications.models import Application
from rencai.cards.models import Card, CardEvent
from rencai.registry.models import LEADING_INDUSTRIES, Employer


@dataclasses.dataclass(frozen=True)
class Holding:
    card_id: int
    talent_id: int
    tier: str
    county: str
    main: bool
    application_id: int | None
    industry: str | None = None  # the case's employer's leading industry (when asked for)
    snapshot: str | None = None  # the case's profile snapshot (JSON, when asked for)


def active_cards(
    session: Session, as_of: dt.date, *, industry: bool = False, snapshot: bool = False
) -> list[Holding]:
    """Cards usable at the end of ``as_of``: issued by then and whose last lifecycle step by
    then is an issue, renewal or resumption (card_events); a card past its recorded validity
    without an ``expire`` step yet is still counted as the register counted it that day. With
    ``industry`` / ``snapshot``, the case's employer industry and profile snapshot come along
    (one query)."""
    end = cutoff(as_of)
    last = (
        select(CardEvent.card_id, func.max(CardEvent.id).label("last_id"))
        .where(CardEvent.at < end, CardEvent.action != "validity")
        .group_by(CardEvent.card_id)
        .subquery()
    )
    columns: list[Any] = [
        Card.id,
        Card.talent_id,
        Card.tier,
        Card.county,
        Card.main_card_id,
        Card.application_id,
        CardEvent.action,
    ]
    if industry:
        columns.append(Employer.leading_industry)
    if snapshot:
        columns.append(Application.profile_snapshot)
    query = (
        select(*columns)
        .join(last, last.c.card_id == Card.id)
        .join(CardEvent, CardEvent.id == last.c.last_id)
        .where(Card.issued_at < end, CardEvent.action.in_(ACTIVE_AFTER))
    )
    if industry or snapshot:
        query = query.join(Application, Application.id == Card.application_id, isouter=True)
    if industry:
        query = query.join(Employer, Employer.id == Application.employer_id, isouter=True)
    return [
        Holding(
            r.id,
            r.talent_id,
            r.tier,
            r.county,
            r.main_card_id is None,
            r.application_id,
            r.leading_industry if industry else None,
            r.profile_snapshot if snapshot else None,
        )
        for r in session.execute(query)
    ]


def _parsed(snapshot: str | None) -> dict[str, Any] | None:
    if snapshot is None:
        return None
    try:
        value = json.loads(snapshot)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _degree(snapshot: dict[str, Any]) -> str:
    found = {e.get("degree") for e in (snapshot.get("person") or {}).get("education") or []}
    return next((d for d in DEGREE_ORDER if d in found), "none")


def _age_band(snapshot: dict[str, Any], on: dt.date) -> tuple[str, str]:
    born = (snapshot.get("person") or {}).get("birth_date")
    if not born:
        return UNKNOWN
    birth = dt.date.fromisoformat(str(born))
    age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    return next((k, label) for k, label, low, high in AGE_BANDS if low <= age <= high)


def _source(snapshot: dict[str, Any]) -> str:
    origin = (snapshot.get("employment") or {}).get("introduced_from")
    if origin == "local":
        return "local"
    if origin in ("outside_city", "abroad"):
        return "introduced"
    return "unknown"


def _classify(
    session: Session, holdings: list[Holding], by: str, as_of: dt.date
) -> list[tuple[str, str]]:
    """Each holding's (key, label) along one dimension."""
    if by == "tier":
        return [(h.tier, TIER_LABELS.get(h.tier, h.tier)) for h in holdings]
    if by == "county":
        return [county_label(h.county) for h in holdings]
    if by == "industry":
        return [
            (h.industry, LEADING_INDUSTRIES[h.industry])
            if h.industry is not None and h.industry in LEADING_INDUSTRIES
            else OTHER_INDUSTRY
            for h in holdings
        ]
    result = []
    for h in holdings:
        snapshot = _parsed(h.snapshot)
        if snapshot is None:
            result.append(UNKNOWN)
        elif by == "degree":
            degree = _degree(snapshot)
            result.append((degree, DEGREE_LABELS[degree]))
        elif by == "age":
            result.append(_age_band(snapshot, as_of))
        else:
            source = _source(snapshot)
            result.append((source, SOURCE_LABELS[source]))
    return result


def _order(by: str, keys: set[str]) -> list[str]:
    fixed = {
        "tier": list(TIER_LABELS),
        "degree": DEGREE_ORDER,
        "age": [k for k, *_ in AGE_BANDS],
        "source": list(SOURCE_LABELS),
        "industry": [*LEADING_INDUSTRIES, OTHER_INDUSTRY[0]],
    }.get(by, [])
    ordered = [k for k in fixed if k in keys]
    return ordered + sorted(keys - set(ordered))


def _cross(
    figure_name: str,
    title: str,
    as_of: dt.date,
    by: str,
    rows: list[tuple[str, str]],
    cols: list[tuple[str, str]],
    persons_of: list[Any],
    unit: str,
    count_persons: bool,
    by2: str | None,
) -> Table:
    """rows × columns of distinct persons (or of items when ``count_persons`` is False)."""
    cells: dict[tuple[str, str], set[Any]] = defaultdict(set)
    items: Counter[tuple[str, str]] = Counter()
    labels_r: dict[str, str] = {}
    labels_c: dict[str, str] = {}
    for (rk, rl), (ck, cl), who in zip(rows, cols, persons_of, strict=True):
        cells[rk, ck].add(who)
        items[rk, ck] += 1
        labels_r[rk], labels_c[ck] = rl, cl
    row_keys = _order(by, set(labels_r))
    col_keys = _order(by2, set(labels_c)) if by2 else ["all"]
    if not by2:
        labels_c = {"all": "合计" if not count_persons else "人数"}
    values = [
        [len(cells[r, c]) if count_persons else items[r, c] for c in col_keys] for r in row_keys
    ]
    persons = [[len(cells[r, c]) for c in col_keys] for r in row_keys]
    return Table(
        figure=figure_name,
        title=title,
        as_of=as_of,
        row_label=DIMENSIONS.get(by, by),
        rows=[(k, labels_r[k]) for k in row_keys],
        columns=[(k, labels_c[k]) for k in col_keys],
        values=values,
        persons=persons,
        unit=unit,
        row_totals=bool(by2),
    )


def _check_dimension(by: str) -> None:
    if by not in DIMENSIONS:
        raise ValueError(f"不支持的分组：{by}（可用：{'、'.join(DIMENSIONS)}）")


def _filtered(
    session: Session,
    holdings: list[Holding],
    as_of: dt.date,
    county: str | None,
    tier: str | None,
    industry: str | None,
) -> list[Holding]:
    if county:
        holdings = [h for h in holdings if h.county == county]
    if tier:
        holdings = [h for h in holdings if h.tier == tier]
    if industry:
        keys = _classify(session, holdings, "industry", as_of)
        holdings = [h for h, (k, _) in zip(holdings, keys, strict=True) if k == industry]
    return holdings


def _active_select(as_of: dt.date, industry: bool = False) -> Any:
    """The active cards at the end of ``as_of`` as a query (for aggregation in the database);
    with ``industry``, the leading industry of the case's employer as ``industry``."""
    end = cutoff(as_of)
    last = (
        select(CardEvent.card_id, func.max(CardEvent.id).label("last_id"))
        .where(CardEvent.at < end, CardEvent.action != "validity")
        .group_by(CardEvent.card_id)
        .subquery()
    )
    columns: list[Any] = [Card.id, Card.talent_id, Card.tier, Card.county, Card.main_card_id]
    if industry:
        columns.append(Employer.leading_industry.label("industry"))
    query = (
        select(*columns)
        .join(last, last.c.card_id == Card.id)
        .join(CardEvent, CardEvent.id == last.c.last_id)
        .where(Card.issued_at < end, CardEvent.action.in_(ACTIVE_AFTER))
    )
    if industry:
        query = query.join(Application, Application.id == Card.application_id, isouter=True)
        query = query.join(Employer, Employer.id == Application.employer_id, isouter=True)
    return query


def _label(by: str, key: str | None) -> tuple[str, str]:
    if by == "industry":
        return (key, LEADING_INDUSTRIES[key]) if key in LEADING_INDUSTRIES else OTHER_INDUSTRY
    if by == "county":
        return county_label(key)
    return (str(key), TIER_LABELS.get(str(key), str(key)))


def _grouped_table(
    figure_name: str,
    title: str,
    as_of: dt.date,
    by: str,
    by2: str | None,
    rows: list[Any],
    unit: str,
    total_label: str,
) -> Table:
    """rows of (row key, column key or None, value, persons) → a Table."""
    cells: dict[tuple[str, str], tuple[int, int]] = {}
    labels_r: dict[str, str] = {}
    labels_c: dict[str, str] = {}
    for rk, ck, value, persons in rows:
        rkey, rlabel = _label(by, rk)
        ckey, clabel = _label(by2, ck) if by2 else ("all", total_label)
        labels_r[rkey], labels_c[ckey] = rlabel, clabel
        old = cells.get((rkey, ckey), (0, 0))
        cells[rkey, ckey] = (old[0] + int(value), old[1] + int(persons))
    row_keys = _order(by, set(labels_r))
    col_keys = _order(by2, set(labels_c)) if by2 else ["all"]
    labels_c.setdefault("all", total_label)
    return Table(
        figure=figure_name,
        title=title,
        as_of=as_of,
        row_label=DIMENSIONS.get(by, by),
        rows=[(k, labels_r[k]) for k in row_keys],
        columns=[(k, labels_c[k]) for k in col_keys],
        values=[[cells.get((r, c), (0, 0))[0] for c in col_keys] for r in row_keys],
        persons=[[cells.get((r, c), (0, 0))[1] for c in col_keys] for r in row_keys],
        unit=unit,
        row_totals=bool(by2),
    )


@figure(
    "talents",
    "人才总量",
    "截至统计日持有有效人才绿卡主卡（A卡、B卡、县级卡）的人数，一人多卡计一人（取最高类别）。"
    "类别、县（市、区）取卡面；学历、年龄段、来源取该卡申请提交时的人才信息；产业取用人单位"
    "的五大主导产业分类。",
    "cards, card_events, applications.profile_snapshot, employers.leading_industry",
    "003 第17条：做好全市人才资源统计工作；001：将用人单位按照五大产业科学分类",
    ("by", "by2", "county", "tier", "industry"),
)
def talents(
    session: Session,
    as_of: dt.date,
    by: str = "tier",
    by2: str | None = None,
    county: str | None = None,
    tier: str | None = None,
    industry: str | None = None,
    from_rollup: bool = True,
) -> Table:
    """The tier, county and industry figures read the daily talent states (decision 0238;
    ``from_rollup=False``: aggregated from the card events, the reference the states are tested
    against); degree, age band and source read each talent's case."""
    _check_dimension(by)
    if by2:
        _check_dimension(by2)
    wanted = {by, by2}
    if from_rollup and wanted <= {"tier", "county", "industry", None}:
        with_industry = "industry" in wanted or industry is not None
        kind = "talent_emp" if with_industry else "talent"
        if with_industry and not ({"county", "tier"} & wanted or county or tier):
            kind = "employer"  # talents per employer alone
        filters = {"county": county, "tier": tier, "industry": industry}
        cells = _from_states(session, kind, as_of, [by, by2], filters, snapshots.live(session))
        grouped = [(r, c, n, n) for (r, c), n in cells.items()]
        return _grouped_table("talents", "人才总量", as_of, by, by2, grouped, "人", "人数")
    if wanted <= {"tier", "county", "industry", None}:
        # aggregated in the database: each talent's highest main card (A before B before C)
        with_industry = "industry" in wanted or industry is not None
        active = _active_select(as_of, with_industry).where(Card.main_card_id.is_(None)).subquery()
        order = (active.c.tier, active.c.id)
        ranked = select(
            active.c.talent_id,
            active.c.tier,
            active.c.county,
            *([active.c.industry] if with_industry else []),
            func.row_number().over(partition_by=active.c.talent_id, order_by=order).label("n"),
        ).subquery()
        dims = [ranked.c[by], ranked.c[by2] if by2 else literal(None)]
        query = select(*dims, func.count(), func.count()).where(ranked.c.n == 1)
        if county:
            query = query.where(ranked.c.county == county)
        if tier:
            query = query.where(ranked.c.tier == tier)
        if industry == "other":
            known = list(LEADING_INDUSTRIES)
            query = query.where(or_(ranked.c.industry.is_(None), ranked.c.industry.not_in(known)))
        elif industry:
            query = query.where(ranked.c.industry == industry)
        grouped = list(session.execute(query.group_by(*dims[: 2 if by2 else 1])))
        return _grouped_table("talents", "人才总量", as_of, by, by2, grouped, "人", "人数")
    rank = {t: k for k, t in enumerate(TIER_LABELS)}
    best: dict[int, Holding] = {}
    cards = active_cards(
        session,
        as_of,
        industry="industry" in wanted or industry is not None,
        snapshot=bool(wanted & {"degree", "age", "source"}),
    )
    for h in cards:
        if h.main and (h.talent_id not in best or rank[h.tier] < rank[best[h.talent_id].tier]):
            best[h.talent_id] = h
    holdings = _filtered(session, list(best.values()), as_of, county, tier, industry)
    holdings.sort(key=lambda h: h.card_id)
    rows = _classify(session, holdings, by, as_of)
    cols = _classify(session, holdings, by2, as_of) if by2 else [("all", "人数")] * len(holdings)
    return _cross(
        "talents",
        "人才总量",
        as_of,
        by,
        rows,
        cols,
        [h.talent_id for h in holdings],
        "人",
        True,
        by2,
    )


@figure(
    "active_cards",
    "有效人才绿卡",
    "截至统计日有效的人才绿卡张数（含副卡）；一张卡的状态取其截至当日最后一次发卡、续期、"
    "暂停、恢复、注销或到期记录。",
    "cards, card_events",
    "001：人才绿卡服务（公交、地铁、就医预约）；003 第17条：人才资源统计",
    ("by", "by2", "county", "tier"),
)
def active_cards_table(
    session: Session,
    as_of: dt.date,
    by: str = "tier",
    by2: str | None = None,
    county: str | None = None,
    tier: str | None = None,
    from_rollup: bool = True,
) -> Table:
    """From the daily card and holder states (decision 0238; ``from_rollup=False``: from the
    card events, the reference)."""
    for dimension in (by, by2):
        if dimension and dimension not in ("tier", "county"):
            raise ValueError("有效人才绿卡只能按类别或县（市、区）分组")
    if from_rollup:
        filters = {"county": county, "tier": tier}
        live = snapshots.live(session)
        cards = _from_states(session, "card", as_of, [by, by2], filters, live)
        holders = _from_states(session, "holder", as_of, [by, by2], filters, live)
        rows = [(r, c, n, holders[r, c]) for (r, c), n in cards.items()]
        return _grouped_table("active_cards", "有效人才绿卡", as_of, by, by2, rows, "张", "张数")
    active = _active_select(as_of).subquery()
    dims = [active.c[by], active.c[by2] if by2 else literal(None)]
    query = select(*dims, func.count(), func.count(func.distinct(active.c.talent_id)))
    if county:
        query = query.where(active.c.county == county)
    if tier:
        query = query.where(active.c.tier == tier)
    grouped = list(session.execute(query.group_by(*dims[: 2 if by2 else 1])))
    return _grouped_table("active_cards", "有效人才绿卡", as_of, by, by2, grouped, "张", "张数")


CARD_ACTIONS = [
    ("issue", "新发"),
    ("renew", "续期"),
    ("suspend", "暂停"),
    ("revoke", "注销"),
]


@figure(
    "card_changes",
    "人才绿卡发放与变动（按月）",
    "每月新发、续期、暂停、注销的人才绿卡张数（按记录时间，北京时间月份）。",
    "card_events, cards",
    "003 第17条：人才资源统计",
    ("months", "county", "tier"),
)
def card_changes(
    session: Session,
    as_of: dt.date,
    months: int = 12,
    county: str | None = None,
    tier: str | None = None,
    from_rollup: bool = True,
) -> Table:
    """From the monthly rollup corrected for the talents touched since (decision 0238); the
    month of ``as_of`` from the events when steps recorded up to the mark fall after the date
    (``from_rollup=False``: every month from the events, the reference)."""
    periods = months_until(as_of, months)
    counts: Counter[tuple[dt.date, str]] = Counter()
    persons: Counter[tuple[dt.date, str]] = Counter()
    if from_rollup:
        snapshots.ensure_fresh(session)
        # the month of the date from the rollup too, unless steps in it recorded up to the mark
        # fall after the date
        last = periods[-1]
        following = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        later = select(CardEvent.id).where(
            CardEvent.at >= cutoff(as_of),
            CardEvent.at < cutoff(following - dt.timedelta(days=1)),
            CardEvent.id <= snapshots.marks(session)[1],
        )
        live = {last} if session.scalar(later.limit(1)) is not None else set()
        rolled = [m for m in periods if m not in live]
        change = snapshots.CardChangeMonth
        query = select(change.month, change.action, change.events, change.talents).where(
            change.month.in_(rolled), change.county == (county or ""), change.tier == (tier or "")
        )
        for first, action, count, talents in session.execute(query):
            counts[first, action] += int(count)
            persons[first, action] += int(talents)
        fix_events, fix_persons = snapshots.change_corrections(session, as_of, county, tier)
        for key, n in fix_events.items():
            if key[0] in rolled:
                counts[key] += n
        for key, n in fix_persons.items():
            if key[0] in rolled:
                persons[key] += n
        for first in live:
            start = cutoff(first - dt.timedelta(days=1))
            _changes_from_events(session, start, cutoff(as_of), county, tier, counts, persons)
    else:
        start = cutoff(periods[0] - dt.timedelta(days=1))
        _changes_from_events(session, start, cutoff(as_of), county, tier, counts, persons)
    actions = [a for a, _ in CARD_ACTIONS]
    return Table(
        figure="card_changes",
        title="人才绿卡发放与变动（按月）",
        as_of=as_of,
        row_label="月份",
        rows=[month_label(m) for m in periods],
        columns=CARD_ACTIONS,
        values=[[counts[m, a] for a in actions] for m in periods],
        persons=[[persons[m, a] for a in actions] for m in periods],
        unit="张",
        row_totals=False,
    )


def _changes_from_events(
    session: Session,
    start: dt.datetime,
    end: dt.datetime,
    county: str | None,
    tier: str | None,
    counts: Counter[tuple[dt.date, str]],
    persons: Counter[tuple[dt.date, str]],
) -> None:
    """Card events and distinct talents per office month and action, recorded in [start, end)."""
    month = month_sql(session, CardEvent.at)
    query = (
        select(month, CardEvent.action, func.count(), func.count(func.distinct(Card.talent_id)))
        .join(Card, Card.id == CardEvent.card_id)
        .where(
            CardEvent.at >= start,
            CardEvent.at < end,
            CardEvent.action.in_([a for a, _ in CARD_ACTIONS]),
        )
        .group_by(month, CardEvent.action)
    )
    if county:
        query = query.where(Card.county == county)
    if tier:
        query = query.where(Card.tier == tier)
    for group, action, count, talents in session.execute(query):
        first = (
            group.date() if isinstance(group, dt.datetime) else dt.date.fromisoformat(f"{group}-01")
        )
        counts[first, action] += int(count)
        persons[first, action] += int(talents)


def _from_states(
    session: Session,
    kind: str,
    as_of: dt.date,
    dims: list[str | None],
    filters: dict[str, Any],
    live: Counter[snapshots.Key],
) -> Counter[tuple[str | None, str | None]]:
    """The rolled-up states of one kind at the end of ``as_of`` (decision 0238), corrected by
    ``live`` for the talents touched since the roll-up, summed per (row key, column key);
    holders are read at the granularity the cells fix (a county, a tier or both)."""
    rows = snapshots.state_rows(session, kind, as_of)
    industry_of = Employer.leading_industry
    columns: dict[str, Any] = {"county": rows.c.county, "tier": rows.c.tier}
    columns["industry"] = industry_of
    wanted = {d for d in dims if d} | {k for k, v in filters.items() if v}
    keys = [columns[d] if d else literal(None) for d in dims]
    query = select(*keys, func.sum(rows.c.n)).select_from(rows)
    if "industry" in wanted:
        query = query.join(Employer, Employer.id == rows.c.employer_id, isouter=True)
    condition: Any = true()
    if kind == "holder":
        for dimension in ("county", "tier"):
            fixed = dimension in wanted
            column = rows.c[dimension]
            condition = and_(condition, column != "" if fixed else column == "")
    for dimension in ("county", "tier"):
        if filters.get(dimension):
            condition = and_(condition, rows.c[dimension] == filters[dimension])
    industry = filters.get("industry")
    if industry == "other":
        known = list(LEADING_INDUSTRIES)
        condition = and_(condition, or_(industry_of.is_(None), industry_of.not_in(known)))
    elif industry:
        condition = and_(condition, industry_of == industry)
    grouped = query.where(condition).group_by(*[k for k, d in zip(keys, dims, strict=True) if d])
    result: Counter[tuple[str | None, str | None]] = Counter()
    for row in session.execute(grouped):
        result[row[0], row[1]] += int(row[2])
    fixes = snapshots.corrected(live.items(), kind, as_of)
    if fixes:
        employers = {e for _, _, e in fixes}
        found_industries = select(Employer.id, Employer.leading_industry).where(
            Employer.id.in_(employers)
        )
        industries = {e: i for e, i in session.execute(found_industries)}
        for (county_key, tier_key, employer), n in fixes.items():
            found = {
                "county": county_key,
                "tier": tier_key,
                "industry": industries.get(employer),
            }
            if kind == "holder" and any(
                (found[d] != "") != (d in wanted) for d in ("county", "tier")
            ):
                continue
            if any(filters.get(d) and found[d] != filters[d] for d in ("county", "tier")):
                continue
            if industry == "other" and found["industry"] in LEADING_INDUSTRIES:
                continue
            if industry and industry != "other" and found["industry"] != industry:
                continue
            result[found[dims[0]] if dims[0] else None, found[dims[1]] if dims[1] else None] += n
    return Counter({k: v for k, v in result.items() if v})
