"""The published figures 人才统计: one function per figure, each for a past date.

Every function takes ``as_of`` (a civil date at the office) and reads only what had been
recorded by the end of that day: events and journal entries by their instant, feed rows by the
instant their load was recorded, a talent's facts from the profile snapshot taken when the case
behind the card was submitted. The same call on the same data gives the same table, whatever
happened afterwards (decision 0133). Where a table records no history, the figure says so
(decision 0134).

The figures and the clauses they answer:

- 001 (2022 工作总结): "将2869家用人单位按照五大产业科学分类…为人才动态管理、流向分析…提供数据
  支撑" — talents by industry (the 五大主导产业 and others), degree, county, tier, source; and
  the card-use figures (公交、地铁、就医预约 人次) — card uses by service type, point, month.
- 003 §17 (石字〔2021〕7号 第17条): "将人才净流入率、人才发展主要指标纳入经济社会发展统计公报内容。
  做好全市人才资源统计工作" — inflow, outflow and 人才净流入率; the talent stock figures.
- 003 §17 "加强高层次人才支持资金监管和绩效考核" — money committed, paid, held, recovered,
  written off, against budget.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from collections import Counter, defaultdict
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import and_, func, literal, or_, select, true
from sqlalchemy.orm import Session

from rencai import clock
from rencai.applications.models import Action, Application, ReviewLimit
from rencai.calendar.service import is_working_day
from rencai.cards.models import Card, CardEvent, CardUse, ServicePoint
from rencai.cards.points import POINT_LABELS
from rencai.feeds.models import DegreeRow, FeedLoad, ResidenceRow
from rencai.ledger.models import Budget, JournalEntry, Line, Receivable, Run, RunItem, Schedule
from rencai.policy.contract.vocabulary import vocabulary
from rencai.registry.models import LEADING_INDUSTRIES, Employer, TalentProfile

from . import rollups, snapshots
from .tables import THRESHOLD, Table

DIMENSIONS = {
    "tier": "人才绿卡类别",
    "county": "县（市、区）",
    "industry": "产业",
    "degree": "学历",
    "age": "年龄段",
    "source": "来源",
}
TIER_LABELS = {"A": "A卡", "B": "B卡", "C": "县（市、区）人才绿卡", "F": "副卡"}
DEGREE_LABELS = {
    "doctorate": "博士研究生",
    "master": "硕士研究生",
    "bachelor": "大学本科",
    "associate": "大专",
    "none": "其他",
}
DEGREE_ORDER = ["doctorate", "master", "bachelor", "associate", "none"]
AGE_BANDS = [
    ("lt30", "30岁以下", 0, 29),
    ("30_34", "30—34岁", 30, 34),
    ("35_39", "35—39岁", 35, 39),
]
AGE_BANDS += [
    ("40_49", "40—49岁", 40, 49),
    ("50plus", "50岁及以上", 50, 200),
]
SOURCE_LABELS = {"local": "本地培养", "introduced": "外地引进", "unknown": "未填报"}
OTHER_INDUSTRY = ("other", "其他产业")
UNKNOWN = ("unknown", "未填报")
ACTIVE_AFTER = {"issue", "resume", "renew"}  # the card is usable after these steps
INACTIVE_AFTER = {"suspend", "revoke", "expire"}


# time ------------------------------------------------------------------------------------------
def cutoff(as_of: dt.date) -> dt.datetime:
    """The first instant after ``as_of`` at the office, in UTC (what is stored)."""
    start = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), clock.OFFICE_ZONE)
    return start.astimezone(dt.UTC)


def month_of(moment: dt.datetime | dt.date) -> dt.date:
    day = clock.office_date(moment) if isinstance(moment, dt.datetime) else moment
    return day.replace(day=1)


def months_until(as_of: dt.date, count: int) -> list[dt.date]:
    """The ``count`` months ending with the month of ``as_of``, oldest first."""
    first = as_of.replace(day=1)
    result = []
    for back in range(count - 1, -1, -1):
        index = first.year * 12 + first.month - 1 - back
        result.append(dt.date(index // 12, index % 12 + 1, 1))
    return result


def month_label(month: dt.date) -> tuple[str, str]:
    return month.strftime("%Y-%m"), f"{month.year}年{month.month}月"


@functools.cache
def _counties() -> dict[str, str]:
    """County code → name (the vocabulary with the cities' own counties; read once)."""
    return {code: county.name for code, county in vocabulary().counties.items()}


def county_label(code: str | None) -> tuple[str, str]:
    if not code:
        return UNKNOWN
    return code, _counties().get(code, code)


# the figures' catalogue --------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Figure:
    name: str
    title: str
    definition: str
    sources: str
    clause: str
    compute: Callable[..., Table]
    options: tuple[str, ...]  # the filters it takes (by, months, county, tier, program, …)


FIGURES: dict[str, Figure] = {}


def figure(
    name: str, title: str, definition: str, sources: str, clause: str, options: tuple[str, ...]
) -> Callable[[Callable[..., Table]], Callable[..., Table]]:
    def register(function: Callable[..., Table]) -> Callable[..., Table]:
        FIGURES[name] = Figure(name, title, definition, sources, clause, function, options)
        return function

    return register


def compute(session: Session, name: str, as_of: dt.date, **options: Any) -> Table:
    """A figure by name, suppressed for publication."""
    return FIGURES[name].compute(session, as_of, **options).suppress()


# talents and cards -------------------------------------------------------------------------
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
    month = _month_sql(session, CardEvent.at)
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


# applications ------------------------------------------------------------------------------
STAGES = [
    ("review", "审核中"),
    ("returned", "退回补正"),
    ("publicity", "公示中"),
    ("approved", "已通过"),
    ("rejected", "未通过"),
]
DEFAULT_CHAIN = ["county", "city"]  # cases from before chains (applications.models)


def _stage_actions(session: Session, as_of: dt.date) -> dict[int, list[tuple[str, str, Any]]]:
    """Each case submitted by ``as_of`` → its actions by then, in order."""
    result: dict[int, list[tuple[str, str, Any]]] = defaultdict(list)
    for app_id, action, level, at in session.execute(
        select(Action.application_id, Action.action, Action.level, Action.at)
        .where(Action.at < cutoff(as_of))
        .order_by(Action.application_id, Action.at, Action.id)
    ):
        result[app_id].append((action, level, at))
    return result


def _stage(actions: list[tuple[str, str, Any]], last_level: str) -> str:
    """Where a case stood after these actions: an approval at the chain's last level (or 秒批)
    ends the case unless a public notice follows, which ends with ``final``."""
    stage = "review"
    for action, level, _at in actions:
        if action == "auto_approve" or action == "final":
            stage = "approved"
        elif action == "approve":
            stage = "approved" if level == last_level else "review"
        elif action in ("submit", "resubmit", "confirm", "deny"):
            stage = "review"
        elif action == "return":
            stage = "returned"
        elif action == "reject":
            stage = "rejected"
        elif action in ("notice", "object", "uphold", "dismiss"):
            stage = "publicity"
    if stage == "approved":
        kinds = [a for a, _, _ in actions]
        if "notice" in kinds and "final" not in kinds[kinds.index("notice") :]:
            stage = "publicity"
    return stage


def _decided(actions: list[tuple[str, str, Any]], last_level: str) -> tuple[str, Any] | None:
    """The final decision (approved / rejected) and its instant, if the case has one."""
    for n in range(1, len(actions) + 1):
        stage = _stage(actions[:n], last_level)
        if stage in ("approved", "rejected"):
            return stage, actions[n - 1][2]
    return None


def _last_level(case: Any) -> str:
    chain = json.loads(case.chain) if case.chain else DEFAULT_CHAIN
    return str(chain[-1]) if chain else "county"


def _cases(session: Session, program: str | None, county: str | None) -> dict[int, Any]:
    query = select(
        Application.id,
        Application.program,
        Application.program_name,
        Application.county,
        Application.talent_id,
        Application.chain,
    )
    if program:
        query = query.where(Application.program == program)
    if county:
        query = query.where(Application.county == county)
    return {r.id: r for r in session.execute(query)}


@figure(
    "applications",
    "申请办理情况",
    "截至统计日已提交的申请，按项目和所处环节（审核中、退回补正、公示中、已通过、未通过）统计"
    "件数；环节取截至当日最后一条办理记录。",
    "applications, application_actions",
    "003 第17条：人才工作目标责任制考核",
    ("program", "county"),
)
def applications(
    session: Session, as_of: dt.date, program: str | None = None, county: str | None = None
) -> Table:
    cases = _cases(session, program, county)
    actions = _stage_actions(session, as_of)
    counts: Counter[tuple[str, str]] = Counter()
    people: dict[tuple[str, str], set[int]] = defaultdict(set)
    names: dict[str, str] = {}
    for app_id, steps in actions.items():
        case = cases.get(app_id)
        if case is None or not any(a in ("submit",) for a, _, _ in steps):
            continue
        stage = _stage(steps, _last_level(case))
        counts[case.program, stage] += 1
        people[case.program, stage].add(case.talent_id)
        names[case.program] = case.program_name
    programs = sorted(names)
    stages = [s for s, _ in STAGES]
    return Table(
        figure="applications",
        title="申请办理情况",
        as_of=as_of,
        row_label="项目",
        rows=[(p, names[p]) for p in programs],
        columns=STAGES,
        values=[[counts[p, s] for s in stages] for p in programs],
        persons=[[len(people[p, s]) for s in stages] for p in programs],
        unit="件",
    )


@figure(
    "decisions",
    "审批决定与秒批占比（按月）",
    "每月作出的最终决定：通过（含秒批）、其中秒批、未通过；秒批占比 = 秒批件数 ÷ 通过件数。",
    "application_actions",
    "003 第17条：人才工作目标责任制考核",
    ("months", "program", "county"),
)
def decisions(
    session: Session,
    as_of: dt.date,
    months: int = 12,
    program: str | None = None,
    county: str | None = None,
) -> Table:
    periods = months_until(as_of, months)
    cases = _cases(session, program, county)
    counts: Counter[tuple[dt.date, str]] = Counter()
    people: dict[tuple[dt.date, str], set[int]] = defaultdict(set)
    for app_id, steps in _stage_actions(session, as_of).items():
        case = cases.get(app_id)
        if case is None:
            continue
        decided = _decided(steps, _last_level(case))
        if decided is None:
            continue
        kind, moment = decided
        month = month_of(moment)
        counts[month, kind] += 1
        people[month, kind].add(case.talent_id)
        if kind == "approved" and any(a == "auto_approve" for a, _, _ in steps):
            counts[month, "automatic"] += 1
            people[month, "automatic"].add(case.talent_id)
    columns = [("approved", "通过"), ("automatic", "其中秒批"), ("rejected", "未通过")]
    keys = [k for k, _ in columns]
    shares: list[str | None] = []
    for m in periods:
        approved = counts[m, "approved"]
        share = Decimal(counts[m, "automatic"] * 100) / approved if approved else None
        shares.append(
            f"{share.quantize(Decimal('0.1'), ROUND_HALF_UP)}%" if share is not None else None
        )
    return Table(
        figure="decisions",
        title="审批决定与秒批占比（按月）",
        as_of=as_of,
        row_label="月份",
        rows=[month_label(m) for m in periods],
        columns=[*columns, ("automatic_share", "秒批占比")],
        values=[[counts[m, k] for k in keys] + [0] for m in periods],
        persons=[[len(people[m, k]) for k in keys] + [0] for m in periods],
        unit="件",
        row_totals=False,
        derived={"automatic_share": ("approved", "automatic")},
        derived_values={"automatic_share": shares},
    )


def working_days_between(
    session: Session,
    start: dt.date,
    end: dt.date,
    county: str | None,
    known: dict[tuple[dt.date, str | None], bool] | None = None,
) -> int:
    """Working days after ``start`` up to and including ``end`` (the calendar's count);
    ``known`` keeps the days already looked up for the next call."""
    known = {} if known is None else known
    days = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if (day, county) not in known:
            known[day, county] = is_working_day(session, day, county)[0]
        days += known[day, county]
    return days


OFFICE_LABELS = {"city": "市委人才办"}


@figure(
    "deadlines",
    "办理时限执行情况（按审核单位）",
    "统计期内各审核单位作出的每一步审核（通过、退回、不通过），自该步开始之日起到作出之日止"
    "的工作日数（补正期间不计）与该项目该层级的办理时限相比：按时或超时。时限取管理员设定或"
    "政策文件规定的现行值。",
    "application_actions, applications, review_limits, calendar_days",
    "003 第17条：人才工作目标责任制考核",
    ("months", "program", "county"),
)
def deadlines(
    session: Session,
    as_of: dt.date,
    months: int = 12,
    program: str | None = None,
    county: str | None = None,
) -> Table:
    first = months_until(as_of, months)[0]
    cases = _cases(session, program, county)
    limits = {(r.program, r.level): r.working_days for r in session.scalars(select(ReviewLimit))}
    counts: Counter[tuple[str, str]] = Counter()
    people: dict[tuple[str, str], set[int]] = defaultdict(set)
    labels: dict[str, str] = {}
    counties = _counties()
    known: dict[tuple[dt.date, str | None], bool] = {}
    for app_id, steps in _stage_actions(session, as_of).items():
        case = cases.get(app_id)
        if case is None:
            continue
        started: dt.date | None = None
        for action, level, at in steps:
            day = clock.office_date(at)
            if action in ("submit", "resubmit"):
                started = day
                continue
            if action not in ("approve", "return", "reject") or started is None:
                continue
            limit = limits.get((case.program, level), limits.get(("*", level)))
            if day >= first and limit is not None:
                office = f"{level}:{case.county}" if level == "county" else level
                labels[office] = (
                    f"{counties.get(case.county, case.county)}人才办"
                    if level == "county"
                    else OFFICE_LABELS.get(level, f"{level}部门")
                )
                taken = working_days_between(session, started, day, case.county, known)
                verdict = "on_time" if taken <= limit else "overdue"
                counts[office, verdict] += 1
                people[office, verdict].add(case.talent_id)
            started = day if action == "approve" else None
    offices = sorted(labels)
    columns = [("on_time", "按时办结"), ("overdue", "超时办结")]
    return Table(
        figure="deadlines",
        title="办理时限执行情况（按审核单位）",
        as_of=as_of,
        row_label="审核单位",
        rows=[(o, labels[o]) for o in offices],
        columns=columns,
        values=[[counts[o, k] for k, _ in columns] for o in offices],
        persons=[[len(people[o, k]) for k, _ in columns] for o in offices],
        unit="件",
    )


# card uses ---------------------------------------------------------------------------------
def _month_sql(session: Session, column: Any) -> Any:
    """The office month of an instant: 'YYYY-MM' (SQLite) or the month's first moment (PG)."""
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m", column, "+8 hours")
    return func.date_trunc("month", func.timezone("Asia/Shanghai", column))


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
    month = _month_sql(session, CardUse.at)
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


# money -------------------------------------------------------------------------------------
MONEY_COLUMNS = [
    ("budget", "预算"),
    ("committed", "承诺"),
    ("paid", "已发放"),
    ("held", "暂缓发放"),
    ("recovered", "已收回"),
    ("written_off", "已核销"),
]


@figure(
    "money",
    "资金情况",
    "承诺：已排入发放计划的各期金额（含调价），扣除停发、排除、不予发放的期次；已发放：银行确认"
    "到账减退回；暂缓发放：统计日前最近一次发放运行中暂缓的期次；已收回：还款与抵扣；已核销："
    "经批准核销的应收款。承诺、已发放、暂缓按期次所属年度，收回、核销按记录年度；预算为现行设定。"
    "金额单位：元（以分精确计算）。",
    "ledger_journal, ledger_lines, ledger_schedules, ledger_runs, ledger_run_items, "
    "ledger_receivables, ledger_budgets",
    "003 第17条：加强高层次人才支持资金监管和绩效考核，提高资金使用效益",
    ("by", "program", "county", "year"),
)
def money(
    session: Session,
    as_of: dt.date,
    by: str = "program",
    program: str | None = None,
    county: str | None = None,
    year: int | None = None,
) -> Table:
    if by not in ("program", "county", "year"):
        raise ValueError("资金情况只能按项目、县（市、区）或年度分组")
    end = cutoff(as_of)
    sums: dict[str, Counter[str]] = defaultdict(Counter)
    people: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    labels: dict[str, str] = {}
    counties = _counties()

    def key_of(schedule: Any, day: dt.date) -> str | None:
        if program and schedule.program != program:
            return None
        if county and schedule.county != county:
            return None
        if year and day.year != year:
            return None
        if by == "program":
            labels[schedule.program] = schedule.program_name
            return str(schedule.program)
        if by == "county":
            labels[schedule.county] = counties.get(schedule.county, schedule.county)
            return str(schedule.county)
        labels[str(day.year)] = f"{day.year}年"
        return str(day.year)

    def add(column: str, schedule: Any, day: dt.date, amount: int) -> None:
        k = key_of(schedule, day)
        if k is not None:
            sums[k][column] += amount
            people[k][column].add(schedule.id_number)

    scheduled_lines = select(JournalEntry.line_id).where(JournalEntry.kind == "scheduled")
    signs = {"scheduled": 1, "repriced": 1, "stopped": -1, "excluded": -1, "paid": 1}
    signs["returned"] = -1
    for kind, amount, period, schedule in session.execute(
        select(JournalEntry.kind, JournalEntry.amount_fen, Line.period, Schedule)
        .join(Line, Line.id == JournalEntry.line_id)
        .join(Schedule, Schedule.id == Line.schedule_id)
        .where(
            JournalEntry.at < end,
            JournalEntry.receivable_id.is_(None),
            or_(
                JournalEntry.kind.in_(("scheduled", "repriced", "stopped", "paid", "returned")),
                and_(JournalEntry.kind == "excluded", JournalEntry.line_id.in_(scheduled_lines)),
            ),
        )
    ):
        column = "paid" if kind in ("paid", "returned") else "committed"
        add(column, schedule, period, signs[kind] * int(amount))
    runs = select(Run.id).where(Run.started_at < end, Run.step != "cancelled")
    latest = (
        select(Run.jurisdiction, func.max(Run.month).label("month"))
        .where(Run.started_at < end, Run.step != "cancelled")
        .group_by(Run.jurisdiction)
        .subquery()
    )
    for _decision, amount, period, schedule in session.execute(
        select(RunItem.decision, RunItem.amount_fen, Line.period, Schedule)
        .join(Run, Run.id == RunItem.run_id)
        .join(Line, Line.id == RunItem.line_id)
        .join(Schedule, Schedule.id == Line.schedule_id)
        .join(latest, and_(latest.c.jurisdiction == Run.jurisdiction, latest.c.month == Run.month))
        .where(RunItem.decision == "hold", RunItem.run_id.in_(runs))
    ):
        add("held", schedule, period, int(amount))
    for _decision, amount, period, schedule in session.execute(
        select(RunItem.decision, RunItem.amount_fen, Line.period, Schedule)
        .join(Run, Run.id == RunItem.run_id)
        .join(Line, Line.id == RunItem.line_id)
        .join(Schedule, Schedule.id == Line.schedule_id)
        .where(RunItem.decision == "lapse", RunItem.run_id.in_(runs))
    ):
        add("committed", schedule, period, -int(amount))
    for kind, amount, at, schedule in session.execute(
        select(JournalEntry.kind, JournalEntry.amount_fen, JournalEntry.at, Schedule)
        .join(Receivable, Receivable.id == JournalEntry.receivable_id)
        .join(Schedule, Schedule.id == Receivable.schedule_id)
        .where(JournalEntry.at < end, JournalEntry.kind.in_(("repayment", "offset", "write_off")))
    ):
        column = "written_off" if kind == "write_off" else "recovered"
        add(column, schedule, clock.office_date(at), int(amount))
    if by in ("program", "year"):
        for budget in session.scalars(select(Budget)):
            if (program and budget.program != program) or (year and budget.year != year):
                continue
            k = budget.program if by == "program" else str(budget.year)
            if county:
                continue  # budgets are set per program and year, not per county
            labels.setdefault(k, budget.program if by == "program" else f"{budget.year}年")
            sums[k]["budget"] += budget.amount_fen
    keys = sorted(labels)
    columns = [c for c, _ in MONEY_COLUMNS]
    return Table(
        figure="money",
        title="资金情况",
        as_of=as_of,
        row_label={"program": "项目", "county": "县（市、区）", "year": "年度"}[by],
        rows=[(k, labels[k]) for k in keys],
        columns=MONEY_COLUMNS,
        values=[[sums[k][c] for c in columns] for k in keys],
        # a budget is no person's money: it is never suppressed
        persons=[[0 if c == "budget" else len(people[k][c]) for c in columns] for k in keys],
        unit="元",
        row_totals=False,
    )


# flows -------------------------------------------------------------------------------------
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
