"""Jinzhou 锦州市: cited parameters, the policy's start, both modes agreeing, and Cangzhou's
catalogue-only answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from openfisca_core.parameters import Parameter

from rencai.policy.calculator import entitlements
from rencai.policy.catalogue import catalogue
from rencai.policy.cities import registry
from rencai.policy.contract.profile import ProfileError, parse_profile
from rencai.policy.differential import compare_modes
from rencai.policy.engine.system import system_for
from rencai.policy.synthetic import random_profiles
from tests.policy.test_citations import leaf_parameters
from tests.seeds import SEEDS, compact, seed_text_compact

SYSTEM = system_for("jinzhou")
PARAMETERS = leaf_parameters(SYSTEM.parameters)


def graduate(**employment: Any) -> dict[str, Any]:
    return {
        "jurisdiction": "jinzhou",
        "person": {
            "birth_date": "1999-04-01",
            "education": [{"degree": "master", "full_time": True, "graduation_date": "2023-06-30"}],
        },
        "employment": {
            "employer_type": "enterprise",
            "county": "210702",
            "introduced_from": "outside_city",
            "start_date": "2023-08-01",
            "social_insurance_local": True,
            **employment,
        },
        "family": [],
    }


def test_jinzhou_is_registered_without_family_cards() -> None:
    jurisdiction = registry()["jinzhou"]
    assert jurisdiction.earliest == dt.date(2023, 1, 1)
    assert jurisdiction.family_services() == []
    assert SYSTEM.program.cards == []


@pytest.mark.parametrize("parameter", PARAMETERS, ids=lambda p: p.name)
def test_every_jinzhou_value_is_cited_from_seed_002(parameter: Parameter) -> None:
    assert parameter.description, parameter.name
    (path,) = SEEDS.glob("002_*.txt")
    seed = compact(path.read_text(encoding="utf-8"))
    for value in parameter.values_list:
        citation = (value.metadata or {}).get("citation")
        assert citation, f"{parameter.name} @ {value.instant_str} has no citation"
        assert citation["document"] and citation["clause"], parameter.name
        assert compact(citation["quote"]) in seed, (parameter.name, citation["quote"])
        assert value.instant_str >= "2023-01-01", parameter.name


def test_money_benefits_read_cited_amounts() -> None:
    money = [b for b in SYSTEM.program.benefits if b.kind == "money"]
    assert len(money) == 6  # three for graduates, three awards to enterprises
    for benefit in money:
        assert benefit.amount is not None, benefit.id
    for benefit in SYSTEM.program.benefits:
        if benefit.kind == "selection":  # a selection states its quota and award, never a sum
            assert benefit.amount is None and benefit.quota and benefit.award, benefit.id


def test_before_the_policy_the_calculator_refuses() -> None:
    profile = parse_profile(graduate(start_date="2022-07-01"))
    with pytest.raises(ProfileError) as raised:
        entitlements(profile, dt.date(2022, 12, 31))
    assert raised.value.errors[0].code == "before_policy"
    result = entitlements(parse_profile(graduate()), dt.date(2023, 9, 1))
    money = {b["id"]: b for b in result["benefits"]}
    assert money["jz.graduate.living_allowance"]["total"] == "36000.00"


def test_amounts_are_exact_decimal_strings() -> None:
    result = entitlements(parse_profile(graduate()), dt.date(2024, 1, 1))
    lines = {b["id"]: b for b in result["benefits"]}
    assert lines["jz.graduate.living_allowance"]["amount"] == "1000.00"
    assert lines["jz.graduate.housing_allowance"]["total"] == "18000.00"
    assert lines["jz.graduate.housing_allowance"]["citation"]["quote"].startswith(
        "为2023年以后毕业"
    )


@pytest.mark.parametrize("on", [dt.date(2023, 1, 1), dt.date(2024, 6, 30), dt.date(2026, 11, 23)])
def test_modes_agree_on_synthetic_jinzhou_profiles(on: dt.date) -> None:
    profiles = random_profiles(400, seed=5, on=on, jurisdiction="jinzhou")
    agreement = compare_modes(profiles, on)
    assert agreement.disagreements == []
    assert agreement.checks >= 400 * 3


def test_synthetic_jinzhou_profiles_reach_every_amount() -> None:
    on = dt.date(2026, 11, 23)
    seen: set[tuple[str, str]] = set()
    for profile in random_profiles(400, seed=5, on=on, jurisdiction="jinzhou"):
        result = entitlements(parse_profile(profile), on)
        seen |= {(b["id"], b["amount"]) for b in result["benefits"]}
    for amount in ("2000.00", "1000.00", "800.00"):
        assert ("jz.graduate.living_allowance", amount) in seen
    for amount in ("700.00", "500.00", "200.00"):
        assert ("jz.graduate.housing_allowance", amount) in seen
    assert ("jz.graduate.startup_grant", "20000.00") in seen


def test_compare_modes_takes_one_jurisdiction_at_a_time() -> None:
    on = dt.date(2026, 11, 23)
    mixed = random_profiles(2, seed=1, on=on) + random_profiles(
        2, seed=1, on=on, jurisdiction="jinzhou"
    )
    with pytest.raises(ValueError, match="one jurisdiction"):
        compare_modes(mixed, on)


def test_cangzhou_answers_with_its_catalogue_only() -> None:
    assert "cangzhou" not in registry()
    profile = graduate(county="130902")
    profile["jurisdiction"] = "cangzhou"
    result = entitlements(parse_profile(profile), dt.date(2026, 11, 23))
    assert result["cards"] == [] and result["benefits"] == []
    catalogued = {c["id"]: c for c in result["catalogued"]}
    for service in ("staffing", "spouse_and_family", "children_school", "housing", "healthcare"):
        assert f"cz.lion_card.{service}" in catalogued
    # the English note on why a program is not computed is the developers' (decision 0279)
    assert all("reason" not in c and c["summary"] for c in catalogued.values())
    assert "主管部门" in result["note"]
    assert all(compact(c["citation"]["quote"]) in seed_text_compact() for c in catalogued.values())


def test_cangzhou_before_its_action_plan_is_refused() -> None:
    """Seed 000 reports the plan issued in 2023 ("今年"): nothing of it is listed for an earlier
    day, as for Jinzhou's measures (decision 0345)."""
    profile = graduate(county="130902")
    profile["jurisdiction"] = "cangzhou"
    with pytest.raises(ProfileError) as raised:
        entitlements(parse_profile(profile), dt.date(2022, 12, 31))
    assert raised.value.errors[0].code == "before_policy"
    assert "沧州市" in raised.value.errors[0].message
    first_day = entitlements(parse_profile(profile), dt.date(2023, 1, 1))
    assert "cz.lion_city_card" in {c["id"] for c in first_day["catalogued"]}


def test_a_cangzhou_unit_is_told_of_the_programs_for_employers_only() -> None:
    profile = graduate(county="130983")
    profile["jurisdiction"] = "cangzhou"
    profile["unit"] = {}
    result = entitlements(parse_profile(profile), dt.date(2024, 3, 1))
    assert result["cards"] == [] and result["benefits"] == []
    ids = {c["id"] for c in result["catalogued"]}
    assert "cz.research_headquarters" in ids and "cz.lion_city_card" not in ids
    assert all(
        e.target == "employer" for e in catalogue().search(jurisdiction="cangzhou") if e.id in ids
    )
