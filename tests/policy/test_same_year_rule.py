"""石政办发〔2022〕6号 第11条: "人才贡献奖励与高端人才、高层次人才个人所得税奖励，同年度内不重复
享受。" The rule joins the 企业骨干人才奖 and 石政办函〔2021〕42号's 高端人才奖励 (a reward of
1.5 or 2 times the salary's contribution to city revenue): both items say so (decision 0330)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rencai.policy.calculator import entitlements
from rencai.policy.contract.profile import parse_profile

SAME_YEAR = "与石政办发〔2022〕6号第11条“企业骨干人才奖”（人才贡献奖励）同年度内不重复享受"


def _high_end(on: dt.date) -> dict[str, Any]:
    profile = parse_profile(
        {
            "jurisdiction": "shijiazhuang",
            "person": {"birth_date": "1980-05-01", "city_revenue_contribution": 100000},
            "employment": {
                "employer_type": "enterprise",
                "county": "130102",
                "annual_salary": "960000.00",
                "employer_two_leading_industries": True,
                # 第五条（3）: a high-tech enterprise's senior manager (decision 0357)
                "employer_high_tech": True,
            },
        }
    )
    result = entitlements(profile, on)
    (line,) = [b for b in result["benefits"] if b["id"] == "sjz.industry.high_end_talent_award"]
    return line


def test_the_high_end_award_states_the_same_year_rule_once_the_measures_exist() -> None:
    line = _high_end(dt.date(2023, 7, 5))
    assert line["amount"] == "200000.00"
    assert line["condition"].endswith(SAME_YEAR)
    assert "最高50万元" in line["condition"]  # the award's own condition is kept


def test_before_the_measures_the_high_end_award_does_not_state_it() -> None:
    line = _high_end(dt.date(2021, 12, 31))
    assert SAME_YEAR not in line["condition"]


def test_the_rule_is_stated_while_a_claim_can_concern_a_year_of_the_measures() -> None:
    # 附则: "本措施自印发之日起施行，有效期2年" (2022–2024); the award's 第六条: "每年 7 月 1 日
    # 至 15 日，集中受理上一年度奖励申报" — a claim of July 2025 is for 2024, one of 2026 for 2025
    assert _high_end(dt.date(2025, 7, 5))["condition"].endswith(SAME_YEAR)
    assert SAME_YEAR not in _high_end(dt.date(2026, 7, 5))["condition"]


def test_the_key_talent_award_names_the_high_end_award() -> None:
    profile = parse_profile(
        {
            "jurisdiction": "shijiazhuang",
            "person": {"birth_date": "1980-05-01"},
            "employment": {
                "employer_type": "enterprise",
                "county": "130102",
                "employer_leading_industry": True,
                "employer_tax_last_year": "600000000",
            },
        }
    )
    result = entitlements(profile, dt.date(2023, 6, 1))
    (entry,) = [m for m in result["may_apply"] if m["id"] == "sjz.retention.key_talent_award"]
    assert "同年度内不重复享受" in entry["condition"]
    assert "石政办函〔2021〕42号高端人才奖励" in entry["condition"]
