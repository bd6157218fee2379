"""What an employer's own query answers (decision 0378): the awards it may receive, the awards it
claims and is refused (with why), the awards one more fact would decide; an award to units the
unit does not claim is left out, whatever the day."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from rencai import clock
from rencai.policy.calculator import entitlements
from rencai.policy.cities import registry
from rencai.policy.contract.profile import parse_profile
from rencai.policy.engine.system import system_for
from rencai.policy.rules import leaves

# a county inside each computed city, so that a claimed award is decided
COUNTY = {"shijiazhuang": "130102", "jinzhou": "210702"}


def _unit(code: str, unit: dict[str, Any]) -> dict[str, Any]:
    return {
        "jurisdiction": code,
        "employment": {"employer_type": "enterprise", "county": COUNTY[code]},
        "unit": unit,
    }


def _days(earliest: dt.date) -> list[dt.date]:
    """The city's first day, 1 June of every year since, and the office's today."""
    today = clock.today()
    years = range(earliest.year + 1, today.year + 1)
    return [earliest, *(dt.date(y, 6, 1) for y in years), today]


@pytest.mark.parametrize("code", sorted(registry()))
def test_a_unit_claiming_nothing_is_told_of_no_award_it_did_not_claim(code: str) -> None:
    # before, a unit stating no fact read seven "不符合" lines in 石家庄 — "未新创建市级高技能
    # 人才培训基地", "石工总字〔2022〕11号…尚未施行" — one per award to units it never asked about
    assert code in COUNTY, f"a county of {code} for this test"
    for day in _days(registry()[code].earliest):
        result = entitlements(parse_profile(_unit(code, {})), day)
        assert result["not_eligible"] == [], (day, result["not_eligible"])
        assert result["needs_information"] == [], (day, result["needs_information"])
        assert result["benefits"] == [], day


@pytest.mark.parametrize("code", sorted(registry()))
def test_every_award_to_units_names_the_fact_a_unit_claims_it_by(code: str) -> None:
    """The item's audience is the unit query and a fact of the unit's (decision 0378): outside it
    the answer gives no why-not."""
    for benefit in system_for(code).program.benefits:
        if benefit.target != "employer":
            continue
        assert benefit.audience is not None, benefit.id
        named = [leaf.name for leaf in leaves(benefit.audience)]
        assert len(named) >= 2, (benefit.id, named)


def test_a_claimed_award_not_yet_in_force_is_still_explained() -> None:
    # 石工总字〔2022〕11号 第十六条 "市总工会对评定命名的市级创新工作室一次性给予 5000 元资金补助"
    # (from 2022-12-21); 石字〔2021〕7号 第5条 "对新评定的市级技能大师工作室给予10万元支持"
    profile = _unit(
        "shijiazhuang", {"new_city_master_studio": True, "new_city_innovation_studio": True}
    )
    result = entitlements(parse_profile(profile), dt.date(2022, 6, 1))
    assert [b["id"] for b in result["benefits"]] == ["sjz.unit.master_studio"]
    assert result["benefits"][0]["amount"] == "100000.00"
    refused = {e["id"]: e["why_not"] for e in result["not_eligible"]}
    assert list(refused) == ["sjz.unit.innovation_studio_grant"]
    assert "自2022年12月21日起施行" in refused["sjz.unit.innovation_studio_grant"][0]
    # a claimed award refused for the kind of unit: the why-not stays (decision 0314)
    institution = _unit("shijiazhuang", {"first_gazelle_category": "one_year"})
    institution["employment"]["employer_type"] = "public_institution"
    result = entitlements(parse_profile(institution), dt.date(2023, 5, 1))
    refused = {e["id"]: e["why_not"] for e in result["not_eligible"]}
    assert list(refused) == ["sjz.unit.gazelle_award"]
    assert any("须为企业" in why for why in refused["sjz.unit.gazelle_award"])
