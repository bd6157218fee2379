"""Jinzhou's condition leaves: graduates' living and housing allowances, startup subsidy."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import DAY
from openfisca_core.variables import Variable

from rencai.policy.contract.vocabulary import vocabulary
from rencai.policy.engine.model import County, Degree, Person, county_member
from rencai.policy.leaves import (
    ConditionSet,
    age,
    idx,
    lookup,
    param_getter,
    plain,
    years_apart_less_than,
    years_before,
)
from rencai.policy.rules import Condition, Facts

_SET = ConditionSet()
CONDITIONS = _SET.conditions


class AllowanceDegree(Enum):
    none = "不符合"
    bachelor = "本科生"
    master = "应届硕士"
    doctorate = "博士"


NO_DATE = np.datetime64("1900-01-01")


class jinzhou_allowance_degree(Variable):
    """The degree the allowances are paid for: a doctorate, a master's taken up as a fresh
    graduate, or a bachelor's — each graduated in 2023 or later."""

    value_type = Enum
    possible_values = AllowanceDegree
    default_value = AllowanceDegree.none
    entity = Person
    definition_period = DAY
    label = "锦州生活、居住补贴的学历层次"

    def formula(person, period, parameters):
        p = parameters(period.start)
        since = np.datetime64(str(p.graduated_since))
        doctor = person("graduation_doctorate", period) >= since
        master_graduated = person("graduation_master", period)
        fresh_master = (master_graduated >= since) & years_apart_less_than(
            master_graduated, person("start_date", period), int(p.fresh_master_years)
        )
        bachelor = person("graduation_bachelor", period) >= since
        return np.select(
            [doctor, fresh_master, bachelor],
            [
                idx(AllowanceDegree.doctorate),
                idx(AllowanceDegree.master),
                idx(AllowanceDegree.bachelor),
            ],
            idx(AllowanceDegree.none),
        )


class latest_graduation(Variable):
    value_type = dt.date
    entity = Person
    definition_period = DAY
    label = "最近一次高校毕业日期（大专及以上）"

    def formula(person, period, parameters):
        dates = [
            person(f"graduation_{level}", period)
            for level in ("doctorate", "master", "bachelor", "associate")
        ]
        return np.maximum.reduce(dates)


class jinzhou_allowance_start(Variable):
    """The first day of the three allowance years: the later of the start of work in Jinzhou
    and the graduation of the degree paid for. The allowances are for "2023年以后毕业…的博士、
    应届硕士和本科生": someone working in Jinzhou before graduating is not yet such a graduate
    (decision 0280)."""

    value_type = dt.date
    entity = Person
    definition_period = DAY
    label = "锦州生活、居住补贴期起始日"

    def formula(person, period, parameters):
        degree = plain(person("jinzhou_allowance_degree", period))
        graduated = np.select(
            [
                degree == idx(AllowanceDegree.doctorate),
                degree == idx(AllowanceDegree.master),
                degree == idx(AllowanceDegree.bachelor),
            ],
            [
                person("graduation_doctorate", period),
                person("graduation_master", period),
                person("graduation_bachelor", period),
            ],
            NO_DATE,
        )
        start = person("start_date", period)
        # no start of work stays no start (the period is then not running), whatever the degree
        return np.where(start > NO_DATE, np.maximum(start, graduated), start)


HELPERS: list[type[Variable]] = [
    age,
    jinzhou_allowance_degree,
    jinzhou_allowance_start,
    latest_graduation,
]

JINZHOU_COUNTY_TABLE = lookup(
    {
        idx(County[county_member(c)]): 1
        for c, v in vocabulary().counties.items()
        if v.jurisdiction == "jinzhou"
    },
    len(County),
)

in_jinzhou = _SET.leaf(
    "works_in_jinzhou",
    "在锦州市工作或创业",
    ["employment.county"],
    lambda p, t, _: JINZHOU_COUNTY_TABLE[plain(p("county", t))] == 1,
    lambda f, held: "在锦州市工作" if held else "工作地不在锦州市",
    qualifying=False,
)
social_insurance_in_jinzhou = _SET.leaf(
    "pays_social_insurance_in_jinzhou",
    "在锦州市缴纳社会保险",
    ["employment.social_insurance_local"],
    lambda p, t, _: p("social_insurance_local", t),
    lambda f, held: "在锦州市缴纳社会保险" if held else "未在锦州市缴纳社会保险",
    qualifying=False,
)
enterprise_or_institution = _SET.employer_in(
    "jinzhou_enterprise_or_institution",
    "企业或事业单位（不含参照公务员法管理的事业单位）",
    ["enterprise", "public_institution"],
)


def _day(value: Any) -> dt.date | None:
    """A date read from the simulation, or None for the "no degree" date."""
    day = value if isinstance(value, dt.date) else None
    return None if day is None or day <= dt.date(1900, 1, 1) else day


LEVEL_LABELS = {"doctorate": "博士", "master": "硕士", "bachelor": "本科"}


def _describe_degree(facts: Facts, held: bool) -> str:
    if held:
        degree: Any = AllowanceDegree[facts.get("jinzhou_allowance_degree")]
        day = _day(facts.get(f"graduation_{degree.name}"))
        return f"{day.isoformat() + '毕业的' if day else ''}{degree.value}（2023年以后毕业）"
    since = dt.date.fromisoformat(str(facts.param("graduated_since")))
    master = _day(facts.get("graduation_master"))
    start = _day(facts.get("start_date"))
    if master is not None and master >= since and start is not None:
        years = facts.param("fresh_master_years")
        when = "早于硕士毕业" if start < master else f"已超过毕业后{years}年择业期"
        return (
            f"硕士于{master.isoformat()}毕业，{start.isoformat()}起在锦州就业，{when}，"
            "不属于应届硕士"
        )
    held_dates = [
        (graduated, level)
        for level in LEVEL_LABELS
        if (graduated := _day(facts.get(f"graduation_{level}"))) is not None
    ]
    if held_dates:
        latest, level = max(held_dates)
        return f"{LEVEL_LABELS[level]}于{latest.isoformat()}毕业，不是2023年以后毕业"
    return "不是2023年以后毕业的博士、应届硕士或本科生（须具有博士、硕士或学士学历学位）"


graduate_2023 = _SET.leaf(
    "jinzhou_graduate_since_2023",
    "2023年以后毕业的博士、应届硕士和本科生",
    ["person.education", "person.education.graduation_date", "employment.start_date"],
    lambda p, t, _: plain(p("jinzhou_allowance_degree", t)) != idx(AllowanceDegree.none),
    _describe_degree,
)


def _within_allowance_years(p: Any, t: Any, params: Any) -> np.ndarray:
    years = int(param_getter("allowance_years")(params, t))
    return p("jinzhou_allowance_start", t) > years_before(t.start, years)


def _describe_allowance_period(facts: Facts, held: bool) -> str:
    years = facts.param("allowance_years")
    start = _day(facts.get("jinzhou_allowance_start"))
    since = f"自{start.isoformat()}起" if start else ""
    if held:
        return f"在为期{years}年的补贴期内（{since}）" if since else f"在为期{years}年的补贴期内"
    return f"{since}为期{years}年的补贴期已届满"


within_allowance_period = _SET.leaf(
    "within_jinzhou_allowance_period",
    "在为期3年的补贴期内",
    ["employment.start_date"],
    _within_allowance_years,
    _describe_allowance_period,
    qualifying=False,
)
self_employed = _SET.employer_in("jinzhou_self_employed", "自主创业或个体经营", ["self_employed"])


def _graduated_within_startup_years(p: Any, t: Any, params: Any) -> np.ndarray:
    """Graduated (大专 and above) no more than three whole years before the query date."""
    years = int(param_getter("startup_graduation_years")(params, t))
    graduated = p("latest_graduation", t)
    on = np.full(
        graduated.shape,
        np.datetime64(dt.date(t.start.year, t.start.month, t.start.day)),
        dtype="datetime64[D]",
    )
    return (graduated > NO_DATE) & years_apart_less_than(graduated, on, years)


def _describe_startup_graduation(facts: Facts, held: bool) -> str:
    graduated = _day(facts.get("latest_graduation"))
    years = facts.param("startup_graduation_years")
    if graduated is None:
        return "没有大专及以上高校学历，不是高校毕业生"
    if held:
        return f"{graduated.isoformat()}毕业，查询日在毕业{years}年内"
    if graduated > facts.on:
        return f"{graduated.isoformat()}毕业，查询日尚未毕业"
    return f"{graduated.isoformat()}毕业，查询日已毕业{years}年以上"


recent_graduate_founder = _SET.leaf(
    "graduated_within_three_years",
    "毕业3年内的高校毕业生",
    ["person.education", "person.education.graduation_date"],
    _graduated_within_startup_years,
    _describe_startup_graduation,
)

__all__ = ["CONDITIONS", "HELPERS", "Condition", "Degree"]

young_top_talent_age = _SET.age_at_most(
    "jinzhou_young_top_talent_age", "young_top_talent_age_limit"
)


# --- awards to units (the profile's `unit` section speaks for the employer) ---------------------

unit_query = _SET.flag(
    "asks_for_a_unit",
    "以用人单位身份查询",
    "unit_declared",
    [],
    "不是用人单位查询",
    qualifying=False,
)
high_tech_certified = _SET.leaf(
    "unit_high_tech_newly_certified_or_renewed",
    "新认定或重新认定的高新技术企业",
    [],
    lambda p, t, _: plain(p("unit_high_tech_certification", t)) != 0,
    lambda f, held: (
        "新认定或重新认定为高新技术企业" if held else "本期未新认定或重新认定为高新技术企业"
    ),
)
new_gazelle = _SET.flag(
    "unit_is_new_gazelle", "新认定的瞪羚企业", "unit_new_gazelle", [], "未新认定为瞪羚企业"
)
new_eaglet = _SET.flag(
    "unit_is_new_eaglet", "新认定的雏鹰企业", "unit_new_eaglet", [], "未新认定为雏鹰企业"
)
