"""Profiles the interface tests share (the contract's own example talent and variations)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from rencai import clock

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


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day of the month ``months`` months before ``day`` (the month's last day when it
    is shorter, as 2026-03-31 → 2025-02-28)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return dt.date(year, month, min(day.day, (following - dt.timedelta(days=1)).day))


# The doctor as seen from any day: 32 years old with the birthday half a year away, graduated
# and started work 2 years and 4 months ago (as DOCTOR on its own day), the spouse a year and a half
# younger. The age, the years of work and so what the cards grant stay the same whatever the
# year the suite runs in (decision 0371).
DOCTOR_AGE_MONTHS = 32 * 12 + 6
DOCTOR_WORK_MONTHS = 2 * 12 + 4
SPOUSE_AGE_MONTHS = 30 * 12 + 11


def doctor_birth_date(today: dt.date | None = None) -> dt.date:
    """The birth date of ``doctor_today`` (and of the identity numbers the tests give it)."""
    return months_before(today or clock.today(), DOCTOR_AGE_MONTHS)


def doctor_today(**changes: Any) -> dict[str, Any]:
    """The doctor asked on the office's today (no ``on``), its dates counted back from it."""
    today = clock.today()
    started = months_before(today, DOCTOR_WORK_MONTHS)
    profile = doctor(**changes)
    profile.pop("on", None)
    if "person" not in changes:
        profile["person"]["birth_date"] = doctor_birth_date(today).isoformat()
        for education in profile["person"]["education"]:
            education["graduation_date"] = (started - dt.timedelta(days=1)).isoformat()
    if "employment" not in changes:
        profile["employment"]["start_date"] = started.isoformat()
    if "family" not in changes:
        for relative in profile["family"]:
            relative["birth_date"] = months_before(today, SPOUSE_AGE_MONTHS).isoformat()
    return profile


def money_of(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["id"]: b for b in result["benefits"] if b["kind"] == "money"}
