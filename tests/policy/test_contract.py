"""The calculator contract: vocabulary, published JSON Schema, profile validation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from rencai.policy.contract.profile import ProfileError, parse_profile, profile_json_schema
from rencai.policy.contract.vocabulary import VOCABULARY_FILE
from tests.profiles import doctor
from tests.seeds import SHARED

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED_SCHEMA = ROOT / "docs" / "schema" / "profile.schema.json"


def test_vocabulary_extends_the_shared_one_without_renaming() -> None:
    ours = yaml.safe_load(VOCABULARY_FILE.read_text(encoding="utf-8"))
    shared = yaml.safe_load((SHARED / "contracts" / "vocabulary.yaml").read_text(encoding="utf-8"))
    for section, entries in shared.items():
        assert section in ours, section
        if isinstance(entries, dict):
            for code, value in entries.items():
                assert ours[section].get(code) == value, (section, code)
        else:
            for entry in entries:
                assert entry in ours[section], (section, entry)


def test_published_schema_is_current() -> None:
    """docs/schema/profile.schema.json is what `rencai profile-schema` prints."""
    current = json.dumps(profile_json_schema(), ensure_ascii=False, indent=2) + "\n"
    assert PUBLISHED_SCHEMA.read_text(encoding="utf-8") == current, (
        "regenerate: .venv/bin/rencai profile-schema > docs/schema/profile.schema.json"
    )


def test_contract_example_profile_is_valid() -> None:
    parse_profile(doctor())


def test_every_problem_is_reported_field_by_field() -> None:
    profile = doctor()
    profile["person"]["education"][0]["school_tags"] = ["double_first_class", "bogus"]
    profile["person"]["science_awards"] = [
        {"level": "city", "kind": "progress", "grade": 1, "rank": 0}
    ]
    profile["employment"]["introduced_from"] = "mars"
    profile["family"] = [{"relation": "cousin"}]
    with pytest.raises(ProfileError) as caught:
        parse_profile(profile)
    fields = {e.field for e in caught.value.errors}
    assert fields == {
        "person.education.0.school_tags.1",
        "person.science_awards.0.level",
        "person.science_awards.0.rank",
        "employment.introduced_from",
        "family.0.relation",
    }
    assert all(e.message for e in caught.value.errors)


def test_unknown_fields_are_errors_not_ignored() -> None:
    profile = doctor()
    profile["person"]["degree"] = "doctorate"
    with pytest.raises(ProfileError) as caught:
        parse_profile(profile)
    assert [e.field for e in caught.value.errors] == ["person.degree"]


def test_county_code_given_as_a_number_is_accepted() -> None:
    profile = doctor()
    profile["employment"]["county"] = 130102
    assert parse_profile(profile).employment.county == "130102"


def test_a_units_leading_industry_facts_are_shown_in_chinese() -> None:
    """The reviewer reads a unit's 石政办函〔2021〕42号 facts with the form's Chinese labels."""
    from rencai.policy.contract.display import describe

    sections = describe(
        {
            "jurisdiction": "shijiazhuang",
            "unit": {
                "sector": "biomedicine",
                "drug_class": "class1",
                "clinical_phase_completed": "3",
                "drug_rd_awarded": False,
                "product_annual_sales": 300000000,
                "specialised_titles": ["little_giant"],
                "procurement_wins": 2,
            },
        }
    )
    rows = dict(next(s["rows"] for s in sections if s["title"] == "单位申报事项"))
    assert rows == {
        "所属主导产业": "生物医药",
        "新药类别": "I类新药",
        "完成的临床试验阶段": "III期",
        "该品种研发阶段已获奖励支持": "否",
        "“专精特新”称号": "国家专精特新“小巨人”",
        "新中标国家集采的品种数": "2 个",
        "申报品种年销售额": "300,000,000.00 元",
    }
