"""The calculator form asks every fact of a person and their employment that the profile (and so
the rules) can read: a fact without an input could only ever be "需补充"."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.datastructures import FormData

from rencai.policy.contract.profile import Employment, Person, parse_profile
from rencai.web.pages.calculator import QUESTIONS, profile_from_form, question

TEMPLATE = Path(__file__).parents[2] / "src/rencai/web/templates/calculator.html"
# read by no rule: the nationality is shown to reviewers only
NOT_ASKED = {"nationality", "catalogued_occupation"}  # the latter: from the catalogue
VALUES = {
    "birth_date": "1994-03-02",
    "graduation_date": "2020-06-30",
    "skill_certificate_date": "2021-01-05",
    "start_date": "2024-07-01",
    "on": "2026-11-23",
    "degree": "doctorate",
    "employer_type": "enterprise",
    "county": "130102",
    "introduced_from": "outside_city",
    "skill_certificate": "advanced",
    "national_class1_competition_place": "2",
    "award_level": "national",
    "id_number": "",
    "parents": "1",
    "household_size": "2",
    "mode": "full_time",
}


def _filled_form() -> FormData:
    names = set(re.findall(r'name="([a-z_0-9]+)"', TEMPLATE.read_text()))
    items: list[tuple[str, str]] = []
    for name in sorted(names - {"csrf_token"}):
        value = VALUES.get(name, "on")
        if name in {"honors", "recognitions", "school_tags"}:
            continue
        if value == "on" and any(k in name for k in ("paid", "fees", "contribution", "months")):
            value = "12"
        if name in {"invention_patents", "award_rank"}:
            value = "1"
        if name in {"annual_salary", "employer_tax_last_year"}:
            value = "100000"
        if name in {"professional_title", "skill_level", "award_kind", "award_grade"}:
            continue
        if name == "jurisdiction":
            value = "shijiazhuang"
        items.append((name, value))
    return FormData(items)


def test_every_person_and_employment_fact_has_an_input() -> None:
    profile = profile_from_form(_filled_form())
    parse_profile(profile)  # the filled form is a valid profile
    person = set(profile["person"]) | {"id_number"}  # left empty above: it fixes the birth date
    assert set(Person.model_fields) - NOT_ASKED - person == set()
    assert set(Employment.model_fields) - set(profile["employment"]) == set()
    education = profile["person"]["education"][0]
    assert {"graduation_date", "overseas", "full_time"} <= set(education)


def test_missing_facts_are_asked_as_chinese_questions() -> None:
    for path in QUESTIONS:
        assert not re.search(r"[a-z_]{3,}\.", question(path)["text"] or "")
    assert question("employment.annual_salary")["text"] == "年工资薪金收入（元）"
    # a field no list names is never shown as its path
    unnamed = question("person.something_new")["text"] or ""
    assert unnamed and not re.search(r"[A-Za-z_]", unnamed)  # its nearest named part, in Chinese
    assert question("something_new")["text"] == "其他申报信息"
