"""石政办函〔2021〕42号 《高端人才奖励工作实施细则》 第五条: the three categories, as far as
the profile decides them (decision 0357). Explain mode only: a profile that leaves its education
unstated is outside what population mode can represent, so these are not YAML cases (those run in
both modes).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rencai.policy.calculator import entitlements
from rencai.policy.contract.profile import parse_profile

AWARD = "sjz.industry.high_end_talent_award"


def _answer(person: dict[str, Any], employment: dict[str, Any]) -> dict[str, Any]:
    profile = {
        "jurisdiction": "shijiazhuang",
        "person": {"birth_date": "1980-05-01", "city_revenue_contribution": 100000, **person},
        "employment": {
            "employer_type": "enterprise",
            "county": "130102",
            "annual_salary": "900000.00",
            "employer_two_leading_industries": True,
            **employment,
        },
    }
    return entitlements(parse_profile(profile), dt.date(2024, 7, 5))


def test_a_full_senior_title_decides_category_two_without_the_education() -> None:
    # 第五条（2）: "具有正高级专业技术职务或博士学位"
    result = _answer({"professional_title": "senior"}, {"employer_tax_last_year": "100000.00"})
    (line,) = [b for b in result["benefits"] if b["id"] == AWARD]
    assert line["amount"] == "150000.00"
    assert AWARD not in {n["id"] for n in result["needs_information"]}


def test_a_high_tech_employer_decides_category_three_without_its_tax() -> None:
    # 第五条（3）: "高新技术企业和上年度纳税 500 万元及以上的企业高级经营管理人才和高新技术人才"
    result = _answer({"education": []}, {"employer_high_tech": True})
    (line,) = [b for b in result["benefits"] if b["id"] == AWARD]
    assert line["amount"] == "150000.00"


def test_without_education_or_title_the_answer_asks_for_the_education() -> None:
    # neither 正高级 nor a stated degree, an employer neither high-tech nor at 500万元: a doctorate
    # would still decide category (2), so the answer asks for the education
    result = _answer({}, {"employer_tax_last_year": "100000.00"})
    needs = {n["id"]: n["fields"] for n in result["needs_information"]}
    assert "person.education" in needs[AWARD]
    assert AWARD not in {b["id"] for b in result["benefits"]}
