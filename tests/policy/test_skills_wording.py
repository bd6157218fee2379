"""The WorldSkills award reads as the document in force on the day asked: 石办字〔2017〕45号
三（八） before 2021-02-10 (players and coaching teams, an amount the city sets after the national
and provincial ones), 石字〔2021〕7号 第5条 from then on; medals are named in Chinese."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rencai.policy.calculator import entitlements
from rencai.policy.contract.profile import parse_profile


def _medallist(medal: str, **employment: Any) -> Any:
    return parse_profile(
        {
            "jurisdiction": "shijiazhuang",
            "person": {"birth_date": "1995-05-01", "honors": [f"worldskills_{medal}"]},
            "employment": {"employer_type": "enterprise", "county": "130102", **employment},
        }
    )


def _pending(result: dict[str, Any]) -> dict[str, Any]:
    (entry,) = [
        n for n in result["needs_administrator"] if n["benefit"] == "sjz.skills.worldskills_award"
    ]
    return entry


def test_before_2021_the_award_is_the_2017_clause_with_its_amount_left_open() -> None:
    # "对参加世界技能大赛获得金、银、铜和优胜奖的选手及教练团队，除国家和省级奖励外，市级财政
    # 参照国家和省确定的标准给予一定奖励。"
    for medal, name in (("gold", "金奖"), ("silver", "银奖"), ("bronze", "铜奖")):
        result = entitlements(_medallist(medal), dt.date(2021, 2, 9))
        entry = _pending(result)
        assert entry["description"] == f"世界技能大赛{name}市级奖励（元）"
        assert entry["note"] == "金额待主管部门明确"
        assert entry["citation"]["document"] == "石办字〔2017〕45号"
        assert entry["citation"]["clause"] == "三（八）"
        assert "选手及教练团队" in entry["condition"]
        assert "全职引进" not in entry["condition"]
        assert "sjz.skills.worldskills_award" not in {b["id"] for b in result["benefits"]}


def test_before_2021_a_flexible_or_self_employed_medallist_is_not_refused() -> None:
    # 45号 limits neither the employer's type nor full-time introduction (decision 0313)
    profile = _medallist("gold", mode="flexible", employer_type="self_employed")
    entry = _pending(entitlements(profile, dt.date(2020, 6, 1)))
    assert entry["parameter"] == "skills.worldskills.gold"


def test_from_2021_02_10_the_award_is_the_2021_clause_with_its_amounts() -> None:
    # "对我市企事业单位全职引进和培养新获得世界技能大赛金、银、铜奖的团队或个人分别给予50万元、
    # 30万元、10万元支持"
    result = entitlements(_medallist("silver"), dt.date(2021, 2, 10))
    (line,) = [b for b in result["benefits"] if b["id"] == "sjz.skills.worldskills_award"]
    assert line["amount"] == "300000.00"
    assert line["citation"]["document"] == "石字〔2021〕7号"
    assert line["condition"].startswith("新获得奖项；由我市企事业单位全职引进或培养")
    assert "银奖" in "".join(line["because"])
    assert result["needs_administrator"] == []


def test_a_national_competition_medal_is_named_in_chinese() -> None:
    # 石字〔2021〕7号 第5条: "获全国技能大赛金、银、铜奖的分别给予30万元、10万元、5万元支持"
    profile = parse_profile(
        {
            "jurisdiction": "shijiazhuang",
            "person": {"birth_date": "1995-05-01", "honors": ["national_skills_bronze"]},
            "employment": {"employer_type": "enterprise", "county": "130102"},
        }
    )
    result = entitlements(profile, dt.date(2023, 6, 1))
    (line,) = [b for b in result["benefits"] if b["id"] == "sjz.skills.national_competition_award"]
    assert line["amount"] == "50000.00"
    assert "获得全国技能大赛奖牌（铜奖）" in line["because"]
