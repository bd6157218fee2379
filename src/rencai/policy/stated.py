"""Conditions an office states where its city's documents are silent.

Some services are promised by a city's texts without saying who may use them (Cangzhou's
人才公寓支持 and its planned 青年人才驿站; Jinzhou says nothing). The office then states the
conditions itself, but only from a fixed set of criteria this module can judge on a profile, so
that the answer is computed like every other answer of the rules engine and names the fact that
decided it. Nothing here has a default: an empty list states nothing and is refused by callers.

A criterion is ``{"code": …}`` plus its parameter where it has one (``years``, ``degree``).
Every criterion must hold (a conjunction); the answer lists each, met or not, with its fact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rencai.policy.contract.profile import ProfileError, parse_profile
from rencai.policy.contract.vocabulary import vocabulary

DEGREE_ORDER = ("none", "associate", "bachelor", "master", "doctorate")
DEGREE_LABELS = {
    "associate": "大专",
    "bachelor": "大学本科",
    "master": "硕士研究生",
    "doctorate": "博士研究生",
}


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str  # the criterion in the office's form, Chinese
    parameter: str | None  # "years" | "degree" | None


CRITERIA: dict[str, Criterion] = {
    c.code: c
    for c in (
        Criterion("graduated_within_years", "高校毕业不超过规定年数（0年即当年应届）", "years"),
        Criterion("double_first_class", "“双一流”建设高校毕业生", None),
        Criterion("min_degree", "学历不低于规定层次", "degree"),
        Criterion("full_time", "全日制学历", None),
        Criterion("from_outside_city", "从市外或国（境）外来本市", None),
        Criterion("job_seeking", "正在求职（尚未在本市就业）", None),
        Criterion("max_age", "年龄不超过规定周岁", "years"),
    )
}


class StatedError(ValueError):
    """A stated condition that cannot be judged: the message is Chinese, for the office."""


def check(criteria: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The criteria in their stored form; refuses unknown codes and bad parameters."""
    result: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in criteria:
        code = str(item.get("code", ""))
        criterion = CRITERIA.get(code)
        if criterion is None:
            raise StatedError("条件只能从平台提供的条件中选择")
        if code in seen:
            raise StatedError(f"条件“{criterion.label}”重复")
        seen.add(code)
        if criterion.parameter == "years":
            years = item.get("years")
            limit = (16, 70) if code == "max_age" else (0, 10)
            if isinstance(years, bool) or not isinstance(years, int):
                raise StatedError(f"请为“{criterion.label}”填写整数")
            if not limit[0] <= years <= limit[1]:
                raise StatedError(f"“{criterion.label}”应在{limit[0]}至{limit[1]}之间")
            result.append({"code": code, "years": years})
        elif criterion.parameter == "degree":
            degree = item.get("degree")
            if degree not in DEGREE_LABELS:
                raise StatedError("最低学历只能是大专、大学本科、硕士研究生或博士研究生")
            result.append({"code": code, "degree": degree})
        else:
            result.append({"code": code})
    if not result:
        raise StatedError("请至少设定一项条件")
    return result


def describe(item: dict[str, Any]) -> str:
    """One stated criterion as people read it."""
    code = item["code"]
    if code == "graduated_within_years":
        years = item["years"]
        return "当年应届高校毕业生" if years == 0 else f"高校毕业{years}年内（含当年）"
    if code == "min_degree":
        return f"学历为{DEGREE_LABELS[item['degree']]}及以上"
    if code == "max_age":
        return f"年龄不超过{item['years']}周岁"
    return CRITERIA[code].label


def _degrees(person: Any, full_time_only: bool = False) -> list[Any]:
    return [
        e
        for e in person.education or []
        if e.degree != "none" and (not full_time_only or e.full_time)
    ]


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _judge_one(item: dict[str, Any], profile: Any, on: dt.date) -> tuple[bool | None, str]:
    """(held, the fact that decides it); None when the profile lacks the fact."""
    person, employment = profile.person, profile.employment
    code = item["code"]
    if code == "graduated_within_years":
        dates = [e.graduation_date for e in _degrees(person) if e.graduation_date]
        if not dates:
            return None, "档案中没有毕业日期"
        # by graduation year, as 应届 is counted: this year's graduates, before or after the day
        recent = max(d for d in dates if d.year <= on.year) if min(dates).year <= on.year else None
        if recent is None:
            return False, "尚未到毕业年份"
        held = on.year - recent.year <= item["years"]
        return held, f"最近毕业日期{recent.year}年{recent.month}月{recent.day}日"
    if code == "double_first_class":
        schools = [
            e.school or "所填学校"
            for e in _degrees(person)
            if "double_first_class" in e.school_tags
        ]
        if schools:
            return True, f"毕业院校{schools[0]}为“双一流”建设高校"
        return False, "档案中的毕业院校均未标注为“双一流”建设高校"
    if code == "min_degree":
        levels = [DEGREE_ORDER.index(e.degree) for e in _degrees(person)]
        if not levels:
            return None, "档案中没有学历"
        highest = DEGREE_ORDER[max(levels)]
        held = max(levels) >= DEGREE_ORDER.index(item["degree"])
        return held, f"最高学历为{vocabulary().label('degree', highest)}"
    if code == "full_time":
        if _degrees(person, full_time_only=True):
            return True, "档案中有全日制学历"
        return False, "档案中没有标注为全日制的学历"
    if code == "from_outside_city":
        came = employment.introduced_from
        if came is None:
            return None, "档案中未填写是否从市外来"
        labels = {"outside_city": "从市外来", "abroad": "从国（境）外来", "local": "本市本地"}
        return came in ("outside_city", "abroad"), labels[came]
    if code == "job_seeking":
        if employment.employer_type is None:
            return True, "档案中没有本市用人单位"
        return False, "档案中已有本市用人单位"
    if code == "max_age":
        if person.birth_date is None:
            return None, "档案中没有出生日期"
        years = _age(person.birth_date, on)
        return years <= item["years"], f"年龄{years}周岁"
    raise StatedError("未知条件")  # never: check() admits only the codes above


def judge(
    profile: dict[str, Any], criteria: Sequence[dict[str, Any]], on: dt.date
) -> dict[str, Any]:
    """The answer for a profile on a day, shaped like the calculator's pre-check: ``state``
    (eligible / not_eligible / needs_information / invalid), ``reasons`` (Chinese), and
    ``criteria`` (each with its text, whether it held and the deciding fact)."""
    try:
        parsed = parse_profile(profile)
    except ProfileError as exc:
        return {"state": "invalid", "reasons": [e.line() for e in exc.errors], "criteria": []}
    rows = []
    for item in check(criteria):
        held, fact = _judge_one(item, parsed, on)
        rows.append({"text": describe(item), "held": held, "fact": fact})
    failed = [r for r in rows if r["held"] is False]
    missing = [r for r in rows if r["held"] is None]
    if failed:
        state = "not_eligible"
        reasons = [f"不符合“{r['text']}”（{r['fact']}）" for r in failed]
    elif missing:
        state = "needs_information"
        reasons = [f"无法判定“{r['text']}”：{r['fact']}，请完善档案" for r in missing]
    else:
        state = "eligible"
        reasons = [f"符合“{r['text']}”（{r['fact']}）" for r in rows]
    return {
        "state": state,
        "reasons": reasons,
        "criteria": rows,
        "citation": None,
        "stated_by": "office",
    }
