"""Profiles the interface tests share (the contract's own example talent and variations)."""

from __future__ import annotations

import copy
from typing import Any

DOCTOR: dict[str, Any] = {
    "jurisdiction": "shijiazhuang",
    "on": "2026-11-23",
    "person": {
        "birth_date": "1994-03-02",
        "nationality": "CN",
        "education": [
            {
                "degree": "doctorate",
                "full_time": True,
                "school": "河北工业大学",
                "school_tags": ["double_first_class"],
                "discipline": "化学工程与技术",
                "graduation_date": "2024-06-30",
                "overseas": False,
            }
        ],
        "professional_title": "none",
        "skill_level": "none",
        "shortage_occupation": False,
        "honors": [],
        "science_awards": [],
        "invention_patents": 0,
        "patents_commercialised_locally": False,
        "management": {
            "provincial_honor": False,
            "china500_middle_manager": False,
            "leads_above_scale_enterprise": False,
        },
        "recognitions": [],
    },
    "employment": {
        "employer_type": "enterprise",
        "employer_leading_industry": False,
        "county": "130102",
        "introduced_from": "outside_city",
        "mode": "full_time",
        "start_date": "2024-07-01",
        "social_insurance_local": True,
    },
    "family": [{"relation": "spouse", "birth_date": "1995-01-01"}],
}


def doctor(**changes: Any) -> dict[str, Any]:
    profile = copy.deepcopy(DOCTOR)
    profile.update(changes)
    return profile


def money_of(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["id"]: b for b in result["benefits"] if b["kind"] == "money"}
