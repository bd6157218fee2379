"""Claims against the feeds (pure): a planted mismatch per claim type is flagged with its source
row, an exact match is marked exact, a name-only match only ever flags for a person."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from rencai.feeds.claims import Claims, Facts, all_exact_matches, check
from rencai.feeds.models import (
    DegreeRow,
    EmployerRow,
    ResidenceRow,
    SocialInsuranceRow,
    TaxRow,
)
from tests.ledger.world import id_number, uscc
from tests.profiles import doctor

ME = id_number(1)
EMPLOYER = uscc(1)


def _profile(**employment: Any) -> dict[str, Any]:
    profile = doctor()
    profile["employment"].update(employment)
    profile["person"]["unemployment_insurance_months"] = 12
    return profile


def _claims(profile: dict[str, Any] | None = None) -> Claims:
    return Claims(
        id_number=ME,
        name="王博士",
        jurisdiction="shijiazhuang",
        on=dt.date(2026, 11, 23),
        profile=profile or _profile(annual_salary="300000"),
        employer_uscc=EMPLOYER,
    )


def _degree(**changes: Any) -> DegreeRow:
    values: dict[str, Any] = {
        "load_id": 7,
        "row_number": 3,
        "id_number": ME,
        "name": "王博士",
        "school": "河北工业大学",
        "school_tags": "double_first_class",
        "level": "doctorate",
        "discipline": "化学工程与技术",
        "full_time": True,
        "graduated_on": dt.date(2024, 6, 30),
    }
    return DegreeRow(**(values | changes))


def _months(count: int, employer: str = EMPLOYER, region: str = "130102") -> list[Any]:
    return [
        SocialInsuranceRow(
            load_id=8,
            row_number=2 + n,
            id_number=ME,
            employer_uscc=employer,
            period=dt.date(2025 + n // 12, n % 12 + 1, 1),
            wage_base_fen=800000,
            region=region,
        )
        for n in range(count)
    ]


def _employer(**changes: Any) -> EmployerRow:
    values: dict[str, Any] = {
        "load_id": 9,
        "row_number": 5,
        "uscc": EMPLOYER,
        "name": "石家庄某科技有限公司",
        "employer_type": "enterprise",
        "county": "130102",
        "industry": "C2710",
        "status": "active",
        "established_on": dt.date(2015, 3, 1),
    }
    return EmployerRow(**(values | changes))


def _tax(fen: int, year: int = 2025) -> list[Any]:
    return [
        TaxRow(
            load_id=10,
            row_number=4,
            id_number=ME,
            employer_uscc=EMPLOYER,
            year=year,
            wage_income_fen=fen,
        )
    ]


def _facts(**changes: Any) -> Facts:
    values: dict[str, Any] = {
        "degrees": [_degree()],
        "contributions": _months(14),
        "tax": _tax(32000000),
        "employer": _employer(),
    }
    return Facts(**(values | changes))


def _by_claim(facts: Facts, claims: Claims | None = None) -> dict[str, Any]:
    return {c.claim: c for c in check(claims or _claims(), facts)}


def test_everything_agreeing_is_an_exact_match_with_its_rows() -> None:
    checks = check(_claims(), _facts())
    assert [c.claim for c in checks] == ["degree", "social_insurance", "employer", "salary"]
    assert all(c.outcome == "match" and c.exact and not c.flagged for c in checks)
    assert all_exact_matches(checks)
    degree = checks[0]
    assert degree.evidence[0].where == "第7批第3行" and "河北工业大学" in degree.evidence[0].text
    assert degree.evidence[0].source_label.startswith("学信")


@pytest.mark.parametrize(
    ("claim", "facts", "words"),
    [
        ("degree", _facts(degrees=[_degree(full_time=False)]), ["学习形式"]),
        ("degree", _facts(degrees=[_degree(school="某某学院")]), ["院校", "某某学院"]),
        ("degree", _facts(degrees=[_degree(school_tags="")]), ["院校类别"]),
        ("degree", _facts(degrees=[_degree(level="master")]), ["无该层次学历", "硕士"]),
        ("social_insurance", _facts(contributions=_months(14, uscc(2))), ["无申报单位"]),
        ("social_insurance", _facts(contributions=_months(14, region="130302")), ["本市"]),
        ("social_insurance", _facts(contributions=_months(5)), ["5个月", "12个月"]),
        ("employer", _facts(employer=_employer(employer_type="public_institution")), ["事业"]),
        ("employer", _facts(employer=_employer(county="130104")), ["登记地"]),
        ("employer", _facts(employer=_employer(status="revoked")), ["吊销"]),
        ("salary", _facts(tax=_tax(20000000)), ["低于申报"]),
    ],
)
def test_a_planted_mismatch_is_flagged_with_the_source_row(
    claim: str, facts: Facts, words: list[str]
) -> None:
    found = _by_claim(facts)[claim]
    assert found.outcome == "mismatch" and found.flagged and found.exact
    assert all(word in found.found for word in words), found.found
    assert found.evidence and all(e.load_id and e.row_number for e in found.evidence)
    others = [c for c in check(_claims(), facts) if c.claim != claim]
    assert all(c.outcome == "match" for c in others)  # the mismatch is where it was planted
    assert not all_exact_matches(check(_claims(), facts))


def test_a_name_only_match_flags_for_a_person_and_never_rejects() -> None:
    stranger = _degree(id_number=id_number(99))
    checks = _by_claim(_facts(degrees=[], degrees_by_name=[stranger]))
    degree = checks["degree"]
    assert degree.outcome == "fuzzy" and degree.flagged and not degree.exact
    assert "人工核对" in degree.found and degree.evidence[0].text.startswith("王博士")
    assert degree.outcome not in ("mismatch",)  # a namesake is never evidence against the claim
    assert not all_exact_matches(check(_claims(), _facts(degrees=[], degrees_by_name=[stranger])))


def test_nothing_in_the_feeds_is_no_data_not_a_mismatch() -> None:
    checks = _by_claim(Facts())
    assert {c.outcome for c in checks.values()} == {"no_data"}
    assert not any(c.flagged for c in checks.values())


def test_salary_is_checked_only_when_declared_and_against_the_year_before() -> None:
    assert "salary" not in _by_claim(_facts(), _claims(_profile()))
    this_year_only = _by_claim(_facts(tax=_tax(99900000, year=2026)))["salary"]
    assert this_year_only.outcome == "no_data"
    two_employers = _tax(15000000) + _tax(15000000)
    assert _by_claim(_facts(tax=two_employers))["salary"].outcome == "match"  # 300,000 in all


def test_an_overseas_degree_is_not_looked_for_in_the_degree_feed() -> None:
    profile = _profile()
    profile["person"]["education"][0]["overseas"] = True
    degree = _by_claim(_facts(degrees=[]), _claims(profile))["degree"]
    assert degree.outcome == "no_data" and "境外" in degree.found


# --- 户籍: 城区户口 or 主城区居住证 (石家庄 保障性租赁住房, decision 0130) ---


def _household(county: str, event: str, on: dt.date, row_number: int = 2) -> ResidenceRow:
    return ResidenceRow(
        load_id=11, row_number=row_number, id_number=ME, county=county, event=event, on_date=on
    )


def _housing_claims(jurisdiction: str = "shijiazhuang", resides: bool = True) -> Claims:
    profile = _profile()
    profile["housing"] = {"resides_in_main_city": resides, "household_size": 2}
    return Claims(ME, "王博士", jurisdiction, dt.date(2026, 11, 23), profile, EMPLOYER)


def test_a_household_in_the_main_city_is_an_exact_match_with_its_row() -> None:
    rows = [
        _household("130110", "settled", dt.date(2015, 1, 5)),
        _household("130104", "moved_in", dt.date(2022, 3, 1), row_number=9),
    ]
    found = _by_claim(_facts(residence=rows), _housing_claims())["residence"]
    assert found.outcome == "match" and found.exact and not found.flagged
    assert "桥西区" in found.found
    assert found.evidence[-1].source == "residence" and found.evidence[-1].row_number == 9
    assert all_exact_matches(check(_housing_claims(), _facts(residence=rows)))


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        # planted: the household was last moved to 鹿泉区, outside 主城区
        (
            [
                _household("130102", "settled", dt.date(2015, 1, 5)),
                _household("130110", "moved_in", dt.date(2023, 6, 1), row_number=4),
            ],
            ["鹿泉区", "不在主城区", "居住证"],
        ),
        # planted: moved out of 长安区, and not back
        (
            [
                _household("130102", "settled", dt.date(2015, 1, 5)),
                _household("130102", "moved_out", dt.date(2024, 2, 1), row_number=4),
            ],
            ["迁出", "长安区", "居住证"],
        ),
    ],
)
def test_a_household_outside_the_main_city_is_flagged_with_the_source_row(
    rows: list[ResidenceRow], words: list[str]
) -> None:
    checks = check(_housing_claims(), _facts(residence=rows))
    found = {c.claim: c for c in checks}["residence"]
    assert found.outcome == "mismatch" and found.flagged and found.exact
    assert all(word in found.found for word in words), found.found
    assert found.evidence[-1].load_id == 11 and found.evidence[-1].row_number == 4
    assert all(c.outcome == "match" for c in checks if c.claim != "residence")
    assert not all_exact_matches(checks)


def test_residence_is_no_data_without_rows_and_unchecked_where_not_claimed() -> None:
    found = _by_claim(_facts(), _housing_claims())["residence"]
    assert found.outcome == "no_data" and not found.flagged and not found.evidence
    rows = [_household("130110", "moved_in", dt.date(2023, 6, 1))]
    assert "residence" not in _by_claim(_facts(residence=rows))  # no housing claim
    assert "residence" not in _by_claim(_facts(residence=rows), _housing_claims(resides=False))
    assert "residence" not in _by_claim(_facts(residence=rows), _housing_claims("jinzhou"))
