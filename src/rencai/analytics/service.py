"""The statistics as the pages, the API and the command line ask for them: a figure by name,
its options checked (Chinese refusals), the caller's county scope applied, suppressed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rencai import clock
from rencai.analytics.access import StatsError, county_scope
from rencai.analytics.figures import DIMENSIONS, FIGURES, TIER_LABELS
from rencai.analytics.tables import Table
from rencai.applications.models import Application
from rencai.policy.contract.vocabulary import vocabulary
from rencai.registry.models import LEADING_INDUSTRIES, Account

FIRST_DAY = dt.date(2000, 1, 1)
OPTION_LABELS = {
    "by": "分组",
    "by2": "第二分组",
    "county": "县（市、区）",
    "tier": "人才绿卡类别",
    "industry": "产业",
    "program": "项目",
    "months": "月数",
    "year": "年度",
}
BY_CHOICES = {
    "talents": tuple(DIMENSIONS),
    "active_cards": ("tier", "county"),
    "card_uses": ("kind", "point", "month"),
    "money": ("program", "county", "year"),
    "flows": ("month", "county"),
}


def parse_as_of(value: str | dt.date | None) -> dt.date:
    """The statistics date: today when not given; never in the future."""
    if value is None or value == "":
        return clock.today()
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            if len(value) == 7:  # a month: its last day (or today in the current month)
                first = dt.date.fromisoformat(value + "-01")
                following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
                day = min(following - dt.timedelta(days=1), clock.today())
            else:
                day = dt.date.fromisoformat(value)
        except ValueError:
            raise StatsError("as_of", "统计日期应为 YYYY-MM-DD 或 YYYY-MM", "bad_date") from None
    if day > clock.today():
        raise StatsError("as_of", "统计日期不能晚于今天", "bad_date")
    if day < FIRST_DAY:
        raise StatsError("as_of", "统计日期不能早于2000年", "bad_date")
    return day


def _options(name: str, raw: dict[str, Any]) -> dict[str, Any]:
    figure = FIGURES[name]
    result: dict[str, Any] = {}
    for key, value in raw.items():
        if value is None or value == "":
            continue
        if key not in figure.options:
            label = OPTION_LABELS.get(key, "该条件")
            raise StatsError(key, f"该统计不支持按{label}筛选", "bad_option")
        text = str(value)
        if key in ("by", "by2"):
            choices = BY_CHOICES.get(name, ())
            if text not in choices:
                raise StatsError(key, "不支持的分组", "bad_option")
            result[key] = text
        elif key == "county":
            if text not in vocabulary().counties:
                raise StatsError(key, "没有这个县（市、区）", "bad_option")
            result[key] = text
        elif key == "tier":
            if text not in TIER_LABELS:
                raise StatsError(key, "人才绿卡类别应为 A、B、C 或 F", "bad_option")
            result[key] = text
        elif key == "industry":
            if text not in LEADING_INDUSTRIES and text != "other":
                raise StatsError(key, "没有这个产业", "bad_option")
            result[key] = text
        elif key == "program":
            if len(text) > 64:
                raise StatsError(key, "项目代码过长", "bad_option")
            result[key] = text
        elif key in ("months", "year"):
            low, high = (1, 120) if key == "months" else (2000, 2100)
            try:
                number = int(text)
            except ValueError:
                number = low - 1
            if not low <= number <= high:
                raise StatsError(key, f"{OPTION_LABELS[key]}应为{low}至{high}的整数", "bad_option")
            result[key] = number
    if result.get("by2") and result.get("by2") == result.get("by"):
        raise StatsError("by2", "两个分组不能相同", "bad_option")
    return result


def figure_table(
    session: Session,
    account: Account | None,
    name: str,
    as_of: str | dt.date | None,
    options: dict[str, Any],
) -> Table:
    """One published (suppressed) figure. ``account`` None: the command line (an operator)."""
    if name not in FIGURES:
        raise StatsError("figure", "没有这项统计", "not_found")
    day = parse_as_of(as_of)
    checked = _options(name, options)
    if account is not None:
        scoped = county_scope(account, name, checked.get("county"))
        if scoped is not None:
            if "county" not in FIGURES[name].options:
                raise StatsError("county", "只能查看本县（市、区）的统计", "forbidden")
            checked["county"] = scoped
    try:
        table = FIGURES[name].compute(session, day, **checked)
    except ValueError as exc:
        raise StatsError("by", str(exc), "bad_option") from None
    return table.suppress()


def program_choices(session: Session) -> list[tuple[str, str]]:
    """The programs cases were filed under, by their names (the program filter's choices)."""
    rows = session.execute(
        select(Application.program, func.max(Application.program_name))
        .group_by(Application.program)
        .order_by(Application.program)
    )
    return [(code, name or code) for code, name in rows]


def catalogue() -> list[dict[str, Any]]:
    return [
        {
            "name": f.name,
            "title": f.title,
            "definition": f.definition,
            "sources": f.sources,
            "clause": f.clause,
            "options": list(f.options),
        }
        for f in FIGURES.values()
    ]
