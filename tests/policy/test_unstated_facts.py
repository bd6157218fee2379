"""A fact the profile leaves unstated is asked for only where it could change the answer; where it
cannot, both calculator modes decide alike (decisions 0358, 0359, 0369). Where it could, the
one-profile calculator asks for it and the population mode counts the person as undetermined,
granting neither (decision 0368). These profiles leave a field out, which the YAML cases (built on
bases that state it) cannot do, so they are written here and each is also run through the
population mode.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from rencai.policy.calculator import entitlements
from rencai.policy.contract.profile import parse_profile
from rencai.policy.differential import compare_modes
from rencai.policy.engine.population import encode_profile
from rencai.policy.screening import screen

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


def _cards(result: dict[str, Any]) -> set[str]:
    return {c["id"] for c in result["cards"] if "holder" not in c}


def _population(profile: dict[str, Any], on: dt.date = ON) -> tuple[set[str], set[str]]:
    """What the population mode says of the talent: (held or granted, undetermined)."""
    population = encode_profile(parse_profile(profile)).population
    result = screen("shijiazhuang", population, on)
    granted = {k for k, v in [*result.cards.items(), *result.granted.items()] if v[0]}
    return granted, {k for k, v in result.undetermined.items() if v[0]}


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


# --- where the fact could decide: asked for one person, undetermined in population mode (0368) --

COUNTY_CARD = "card.county"
SKILLS_EXPERT = "sjz.skills.national_technical_expert"


def test_an_open_b_card_leaves_the_county_card_undetermined_in_both_modes() -> None:
    # 各县（市、区）人才绿卡管理办法 申领范围: "已持有石家庄市人才绿卡 A 卡、B 卡的人才，凭卡可享受
    # 本县（市、区）人才绿卡服务项目……不再发放本县（市、区）人才绿卡" — a young intermediate
    # engineer in 辛集市 qualifies for the county card, but without the education a B card (a
    # degree) is still possible, so neither mode issues the county card or grants its items
    profile = _profile(
        {"birth_date": "1998-01-01", "professional_title": "intermediate"}, {"county": "130181"}
    )
    result = _answer(profile)
    assert COUNTY_CARD not in _cards(result)
    assert "person.education" in _needs(result)["card.b"]
    granted, undetermined = _population(profile)
    assert COUNTY_CARD not in granted and COUNTY_CARD in undetermined
    assert not {g for g in granted if g.startswith("sjz.county.")}
    assert "card.b" in undetermined
    assert compare_modes([profile], ON).disagreements == []


def test_the_stated_education_decides_the_county_card() -> None:
    # the same engineer with a bachelor's degree of no listed school: no B card, so the county card
    profile = _profile(
        {
            "birth_date": "1998-01-01",
            "professional_title": "intermediate",
            "education": [
                {"degree": "bachelor", "full_time": True, "graduation_date": "2020-06-30"}
            ],
        },
        {"county": "130181"},
    )
    assert COUNTY_CARD in _cards(_answer(profile))
    granted, undetermined = _population(profile)
    assert COUNTY_CARD in granted and not undetermined & {COUNTY_CARD, "card.b"}
    assert compare_modes([profile], ON).disagreements == []


def test_an_unstated_employer_type_leaves_b_card_category_2_open() -> None:
    # 石办字〔2017〕39号 申领范围（2）: "主导产业企业引进的省属骨干院校全日制硕士" — whether the
    # employer is an enterprise decides the B card, and with it the county card
    profile = _profile(
        {
            "birth_date": "1998-01-01",
            "education": [
                {
                    "degree": "master",
                    "full_time": True,
                    "graduation_date": "2024-06-30",
                    "school_tags": ["provincial_key_university"],
                }
            ],
        },
        {"employer_leading_industry": True},
    )
    profile["employment"].pop("employer_type")
    result = _answer(profile)
    assert not {"card.b", COUNTY_CARD} & _cards(result)
    assert "employment.employer_type" in _needs(result)["card.b"]
    granted, undetermined = _population(profile)
    assert {"card.b", COUNTY_CARD} <= undetermined
    assert not {"card.b", COUNTY_CARD} & granted
    assert compare_modes([profile], ON).disagreements == []


def test_skills_title_award_before_2021_needs_no_employer_type() -> None:
    # 石办字〔2017〕45号 三（八）: "对推荐获得“中华技能大奖”“全国技术能手”称号的人员，除省级奖励外，
    # 市级财政一次性给予每人5万元和1万元奖励" — no employer named (decision 0313), so the type
    # is not asked for (decision 0369)
    on = dt.date(2019, 6, 1)
    profile = _profile({"honors": ["national_technical_expert"]}, {})
    profile["employment"].pop("employer_type")
    result = entitlements(parse_profile(profile), on)
    (line,) = [b for b in result["benefits"] if b["id"] == SKILLS_EXPERT]
    assert line["amount"] == "10000.00"
    assert SKILLS_EXPERT not in _needs(result)
    assert SKILLS_EXPERT in _population(profile, on)[0]
    assert compare_modes([profile], on).disagreements == []


def test_skills_title_award_from_2021_asks_for_the_employer_type() -> None:
    # 石字〔2021〕7号 第5条: "全职引进和培养新获得“中华技能大奖”“全国技术能手”的高技能人才，
    # 分别给予10万元、5万元支持" — for 我市企事业单位 only, so the type decides
    on = dt.date(2021, 3, 1)
    profile = _profile({"honors": ["national_technical_expert"]}, {})
    profile["employment"].pop("employer_type")
    result = entitlements(parse_profile(profile), on)
    assert SKILLS_EXPERT not in _granted(result)
    assert "employment.employer_type" in _needs(result)[SKILLS_EXPERT]
    granted, undetermined = _population(profile, on)
    assert SKILLS_EXPERT not in granted and SKILLS_EXPERT in undetermined
    assert compare_modes([profile], on).disagreements == []


RENTAL_ON = dt.date(2025, 3, 1)
RENTAL = ("sjz.rental_housing.admission", "sjz.rental_housing.subsidy")


def _rental_profile() -> dict[str, Any]:
    # the case "保租房——主城区无房、毕业3年的全日制学士可申请" (石政办发〔2021〕6号 附件3)
    return {
        "jurisdiction": "shijiazhuang",
        "person": {
            "birth_date": "1999-01-01",
            "education": [
                {"degree": "bachelor", "full_time": True, "graduation_date": "2022-06-30"}
            ],
        },
        "employment": {"county": "130104", "social_insurance_local": True},
        "housing": {
            "resides_in_main_city": True,
            "owns_property_in_main_city": False,
            "household_size": 3,
            "lease_filed": True,
        },
        "family": [],
    }


def test_rental_housing_granted_with_every_fact_stated() -> None:
    profile = _rental_profile()
    assert set(RENTAL) <= _granted(entitlements(parse_profile(profile), RENTAL_ON))
    assert set(RENTAL) <= _population(profile, RENTAL_ON)[0]


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ("person", "birth_date"),
        ("housing", "household_size"),
        ("housing", "owns_property_in_main_city"),
    ],
)
def test_rental_housing_asks_for_an_unstated_fact(section: str, key: str) -> None:
    # 石政办发〔2021〕6号 附件3 二（一）: "申请家庭成员在市内四区和高新区无自有住房" and "单身申请人
    # 须满 18 周岁" (the birth date and the household's size) decide the admission and the
    # subsidy: the calculator asks, and the population mode counts the person as undetermined
    profile = _rental_profile()
    del profile[section][key]
    result = entitlements(parse_profile(profile), RENTAL_ON)
    assert not set(RENTAL) & _granted(result)
    assert f"{section}.{key}" in _needs(result)["sjz.rental_housing.subsidy"]
    granted, undetermined = _population(profile, RENTAL_ON)
    assert not set(RENTAL) & granted
    assert set(RENTAL) <= undetermined
    assert compare_modes([profile], RENTAL_ON).disagreements == []
