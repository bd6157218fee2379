"""A fact the profile leaves unstated is asked for only where it could change the answer; where it
cannot, both calculator modes decide alike (decisions 0358, 0359). These profiles leave a field out,
which the YAML cases (built on bases that state it) cannot do, so they are written here and each is
also run through the population mode.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rencai.policy.calculator import entitlements
from rencai.policy.contract.profile import parse_profile
from rencai.policy.differential import compare_modes

ON = dt.date(2025, 6, 1)
RECOGNITION = "sjz.recognition.city_high_level"
COUNTY_RENT = "sjz.county.rent_subsidy"
COUNTY_SCHOOLING = "sjz.county.service.children_schooling"


def _profile(person: dict[str, Any], employment: dict[str, Any]) -> dict[str, Any]:
    return {
        "jurisdiction": "shijiazhuang",
        "person": {"birth_date": "1985-01-01", **person},
        "employment": {
            "employer_type": "enterprise",
            "county": "130102",
            "introduced_from": "outside_city",
            "start_date": "2024-07-01",
            "social_insurance_local": True,
            **employment,
        },
        "family": [],
    }


def _answer(profile: dict[str, Any]) -> dict[str, Any]:
    return entitlements(parse_profile(profile), ON)


def _granted(result: dict[str, Any]) -> set[str]:
    return {b["id"] for b in [*result["benefits"], *result["recognitions"]]}


def _needs(result: dict[str, Any]) -> dict[str, list[str]]:
    return {n["id"]: n["fields"] for n in result["needs_information"]}


def test_a_high_tech_enterprise_recognises_without_its_tax() -> None:
    # 石字〔2021〕7号 第7条: "以及我市高新技术企业和上年度纳税500万元以上的企业新引进的
    # 工资薪金收入在50万元以上的人才，直接认定为市高层次人才"
    profile = _profile({}, {"employer_high_tech": True, "annual_salary": "600000.00"})
    result = _answer(profile)
    assert RECOGNITION in _granted(result)
    assert RECOGNITION not in _needs(result)
    assert compare_modes([profile], ON).disagreements == []


def test_an_enterprise_not_high_tech_is_asked_for_its_tax() -> None:
    # the same clause: not high-tech, so only the 500万元 of tax can still qualify the employer
    profile = _profile({}, {"employer_high_tech": False, "annual_salary": "600000.00"})
    result = _answer(profile)
    assert RECOGNITION not in _granted(result)
    assert "employment.employer_tax_last_year" in _needs(result)[RECOGNITION]
    assert compare_modes([profile], ON).disagreements == []


def test_a_high_tech_institution_is_not_the_clause_s_enterprise() -> None:
    # "我市高新技术企业" (decision 0354): a public institution is not recognised by this branch
    profile = _profile(
        {},
        {
            "employer_type": "public_institution",
            "employer_high_tech": True,
            "annual_salary": "600000",
        },
    )
    assert RECOGNITION not in _granted(_answer(profile))
    assert compare_modes([profile], ON).disagreements == []


def test_an_intermediate_title_decides_the_county_rent_without_the_education() -> None:
    # 各县（市、区）人才绿卡管理办法 可享受的服务项目（10）: "引进的全日制硕士学位研究生、
    # 大学本科一批录取的高校全日制学士学位毕业生、中级职称及以上专业技术人员和紧缺工种技师,
    # 引进5年内每人每年房租补助为:市内主城区5000元" — the title puts the person in the higher
    # tier, which no degree can raise
    profile = _profile({"professional_title": "intermediate"}, {})
    result = _answer(profile)
    (line,) = [b for b in result["benefits"] if b["id"] == COUNTY_RENT]
    assert line["amount"] == "5000.00"
    assert COUNTY_RENT not in _needs(result)
    assert compare_modes([profile], ON).disagreements == []


def test_without_a_title_the_county_rent_asks_for_the_education() -> None:
    # the same item: without a title only a full-time degree can put the person in its scope
    profile = _profile({"professional_title": "intermediate"}, {})
    profile["person"].pop("professional_title")
    result = _answer(profile)
    assert COUNTY_RENT not in _granted(result)
    assert compare_modes([profile], ON).disagreements == []


def test_an_intermediate_title_decides_children_schooling_without_the_education() -> None:
    # 可享受的服务项目（3）: "引进的全日制硕士学位研究生、大学本科一批录取的高校全日制学士
    # 学位毕业生、中级职称及以上专业技术人员和紧缺工种技师，其未成年子女愿随父母来县（市、
    # 区）就读的，由县（市、区）教育部门协调办理子女转学入学手续"
    profile = _profile({"professional_title": "intermediate"}, {})
    assert COUNTY_SCHOOLING in _granted(_answer(profile))
    assert compare_modes([profile], ON).disagreements == []
