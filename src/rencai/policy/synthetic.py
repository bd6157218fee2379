"""Synthetic talents for benchmarks and differential checks (never for decisions).

Two generators with the same spirit: ``random_profiles`` makes contract profiles (to compare the
one-profile and population modes on identical people); ``random_columns`` makes a population's
columns directly, vectorised, standing in for a department feed of millions of rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from rencai.policy.contract.vocabulary import vocabulary
from rencai.policy.engine.model import (
    AWARD_GRADES,
    AWARD_KINDS,
    AWARD_LEVELS,
    EDUCATION_LEVELS,
    HONOR_MASKS,
    HONOR_SLOT,
    HONORS,
    RECOGNITIONS,
    TAG_BIT,
    County,
    EmployerType,
    award_column,
    county_member,
)
from rencai.policy.engine.population import Population

DEGREES = ["none", "associate", "bachelor", "master", "doctorate"]
DEGREE_WEIGHTS = [0.15, 0.15, 0.35, 0.25, 0.10]
TITLES = ["none", "junior", "intermediate", "deputy_senior", "senior"]
SKILLS = ["none", "senior_worker", "technician", "senior_technician"]


def _counties(jurisdiction: str) -> list[str]:
    return [c for c, v in vocabulary().counties.items() if v.jurisdiction == jurisdiction]


def _sjz_counties() -> list[str]:
    return _counties("shijiazhuang")


# Jinzhou's rules turn on recent graduations (2023 or later) and on when work began relative to
# them: its profiles graduate and start within a few years of the day asked.
RECENT = {"jinzhou": (6 * 365, 5 * 365)}  # days back: graduation, start date


def random_profiles(
    count: int, seed: int, on: dt.date, jurisdiction: str = "shijiazhuang"
) -> list[dict[str, Any]]:
    """Complete profiles (no field left open), spread over the rules' branches."""
    rng = np.random.default_rng(seed)
    tags = sorted(vocabulary().codes("school_tag"))
    employer_types = sorted(vocabulary().codes("employer_type"))
    if jurisdiction == "shijiazhuang":
        counties = [*_sjz_counties(), "210702", "130902"]  # a few outside Shijiazhuang
    else:  # a few outside the jurisdiction
        counties = [*_counties(jurisdiction), "130102", "130902", "210702"]
    graduation_days, start_days = RECENT.get(jurisdiction, (15 * 365, 9 * 365))
    a_class = vocabulary().a_class_disciplines
    profiles = []
    for _ in range(count):
        birth = on - dt.timedelta(days=int(rng.integers(20 * 365, 60 * 365)))
        start = on - dt.timedelta(days=int(rng.integers(-200, start_days)))
        education = []
        for _ in range(int(rng.integers(0, 3))):
            degree = str(rng.choice(DEGREES, p=DEGREE_WEIGHTS))
            school, discipline = ("某大学", "某学科")
            if rng.random() < 0.15:
                school, discipline = a_class[int(rng.integers(len(a_class)))]
            graduated = on - dt.timedelta(days=int(rng.integers(0, graduation_days)))
            education.append(
                {
                    "degree": degree,
                    "graduation_date": graduated.isoformat(),
                    "full_time": bool(rng.random() < 0.8),
                    "school": school,
                    "discipline": discipline,
                    "school_tags": [str(t) for t in tags if rng.random() < 0.12],
                }
            )
        awards = []
        if rng.random() < 0.1:
            awards.append(
                {
                    "level": str(rng.choice(AWARD_LEVELS)),
                    "kind": str(rng.choice(AWARD_KINDS)),
                    "grade": (lambda g: g if g == "special" else int(g))(
                        str(rng.choice(AWARD_GRADES))
                    ),
                    "rank": int(rng.integers(1, 6)),
                }
            )
        family = [
            {
                "relation": str(rng.choice(["spouse", "parent", "child"])),
                "employed": bool(rng.random() < 0.7),
            }
            for _ in range(int(rng.integers(0, 3)))
        ]
        profiles.append(
            {
                "jurisdiction": jurisdiction,
                "on": on.isoformat(),
                "person": {
                    "birth_date": birth.isoformat(),
                    "education": education,
                    "professional_title": str(rng.choice(TITLES)),
                    "skill_level": str(rng.choice(SKILLS)),
                    "shortage_occupation": bool(rng.random() < 0.2),
                    "honors": [str(h) for h in HONORS if rng.random() < 0.005],
                    "science_awards": awards,
                    "invention_patents": int(rng.integers(0, 5)),
                    "patents_commercialised_locally": bool(rng.random() < 0.3),
                    "management": {
                        "provincial_honor": bool(rng.random() < 0.03),
                        "china500_middle_manager": bool(rng.random() < 0.05),
                        "leads_above_scale_enterprise": bool(rng.random() < 0.2),
                    },
                    "recognitions": [str(r) for r in RECOGNITIONS if rng.random() < 0.03],
                },
                "employment": {
                    "employer_type": str(rng.choice(employer_types)),
                    "employer_leading_industry": bool(rng.random() < 0.3),
                    "employer_high_tech": bool(rng.random() < 0.2),
                    "employer_tax_last_year": str(int(rng.integers(0, 20_000_000))),
                    "annual_salary": f"{int(rng.integers(30_000, 1_500_000))}.50",
                    "county": str(rng.choice(counties)),
                    "introduced_from": str(
                        rng.choice(["outside_city", "abroad", "local"], p=[0.6, 0.1, 0.3])
                    ),
                    "mode": "flexible" if rng.random() < 0.1 else "full_time",
                    "start_date": start.isoformat(),
                    "social_insurance_local": bool(rng.random() < 0.9),
                },
                "family": family,
            }
        )
        if rng.random() < 0.25:  # some speak for a unit (awards to units, 石政办函〔2021〕42号)
            profiles[-1]["unit"] = random_unit(rng)
        if rng.random() < 0.3:  # some profiles state their housing (保障性租赁住房)
            profiles[-1]["housing"] = {
                "resides_in_main_city": bool(rng.random() < 0.7),
                "owns_property_in_main_city": bool(rng.random() < 0.3),
                "household_size": int(rng.integers(1, 5)),
                "lease_filed": bool(rng.random() < 0.6),
                "in_kind_allocation": bool(rng.random() < 0.1),
            }
        # facts added with the inventory of granting clauses (drawn last: earlier draws unchanged)
        person: dict[str, Any] = profiles[-1]["person"]  # type: ignore[assignment]
        person["postdoc_in_station"] = bool(rng.random() < 0.05)
        if rng.random() < 0.05:
            person["national_class1_competition_place"] = int(rng.integers(1, 6))
        if rng.random() < 0.3:
            person["unemployment_insurance_months"] = int(rng.integers(0, 40))
            person["skill_certificate"] = str(
                rng.choice(["none", "primary", "intermediate", "advanced"])
            )
            certified = on - dt.timedelta(days=int(rng.integers(0, 8 * 365)))
            person["skill_certificate_date"] = certified.isoformat()
        if rng.random() < 0.1:  # some profiles speak for their unit
            profiles[-1]["unit"] = {
                "new_city_innovation_studio": bool(rng.random() < 0.3),
                "first_gazelle_category": str(
                    rng.choice(["none", "one_year", "three_year", "five_year"])
                ),
                "park_dormitory_housing": bool(rng.random() < 0.3),
                "rental_housing_certified": bool(rng.random() < 0.3),
                "new_school_training_base": str(rng.choice(["none", "national", "provincial"])),
                "new_city_training_base": bool(rng.random() < 0.2),
                "new_city_industry_institute": bool(rng.random() < 0.2),
            }
        # facts of the amounts equal to (a share of) what was paid, the 高端人才 award and the
        # apprenticeship subsidy (decisions 0116-0118; drawn last: earlier draws unchanged)
        employment: dict[str, Any] = profiles[-1]["employment"]  # type: ignore[assignment]
        if rng.random() < 0.2:  # founders declaring their social insurance
            person["startup_social_insurance_paid"] = int(rng.integers(0, 40_000))
            if rng.random() < 0.6:
                employment["employer_type"] = "self_employed"
        if rng.random() < 0.1:
            person["instrument_sharing_fees"] = int(rng.integers(0, 2_000_000))
        if rng.random() < 0.15:  # employees declaring their contribution to city revenue
            person["city_revenue_contribution"] = int(rng.integers(0, 400_000))
            if rng.random() < 0.6:
                employment["employer_type"] = "enterprise"
        employment["employer_two_leading_industries"] = bool(rng.random() < 0.4)
        if "unit" in profiles[-1] and rng.random() < 0.5:
            unit: dict[str, Any] = profiles[-1]["unit"]  # type: ignore[assignment]
            for level in ("intermediate", "advanced", "technician"):
                unit[f"apprentices_{level}"] = int(rng.integers(0, 30))
    return profiles


# amounts around the documents' thresholds (tiers at their boundaries) and some anywhere
_EDGES = [
    5_000_000,
    10_000_000,
    20_000_000,
    50_000_000,
    100_000_000,
    300_000_000,
    500_000_000,
    1_000_000_000,
    2_000_000_000,
    3_000_000_000,
    5_000_000_000,
    10_000_000_000,
    30_000_000_000,
]


def _yuan(rng: np.random.Generator) -> int | None:
    draw = rng.random()
    if draw < 0.1:
        return None  # left open: "needs information"
    if draw < 0.5:
        return int(rng.choice(_EDGES)) + int(rng.integers(-1, 2))
    return int(rng.integers(0, 10 ** int(rng.integers(4, 11))))


def random_unit(rng: np.random.Generator) -> dict[str, Any]:
    """A unit's facts for one application, spread over the 42号 rules' branches."""
    titles = ["provincial", "provincial_renewed", "demonstration", "little_giant"]

    def pick(*choices: str) -> str:
        return str(rng.choice(list(choices)))

    unit: dict[str, Any] = {
        "high_tech_certification": pick("none", "new", "renewed"),
        "new_city_training_base": bool(rng.random() < 0.2),
        "sector": pick("none", "electronic_information", "biomedicine", "biomedicine"),
        "industrial_enterprise": bool(rng.random() < 0.5),
        "recognised_as": pick("none", "ic_design", "ic", "software", "biomedicine"),
        "major_project_lead": bool(rng.random() < 0.3),
        "major_project_year": int(rng.integers(2018, 2026)) if rng.random() < 0.9 else None,
        "rd_headquarters": bool(rng.random() < 0.3),
        "testing_institution": pick(
            "none",
            "new_national_gap",
            "new_provincial_gap",
            "expanded_national_gap",
            "expanded_provincial_gap",
        ),
        "drug_class": pick("none", "class1", "class2"),
        "clinical_phase_completed": pick("none", "1", "2", "3"),
        "drug_registered": bool(rng.random() < 0.5),
        "drug_rd_awarded": None if rng.random() < 0.1 else bool(rng.random() < 0.5),
        "generic": pick("none", "first_generic", "consistency_top3"),
        "device": pick("none", "innovative_class2", "class3"),
        "generic_awards_this_year": int(rng.choice([0, 0, 2_000_000, 4_000_000, 5_000_000])),
        "international_certifications": int(rng.integers(0, 4)),
        "procurement_wins": int(rng.integers(0, 12)),
        "procurement_awards_received": int(rng.choice([0, 0, 5_000_000, 9_500_000])),
        "cooperation_awards_this_year": int(rng.choice([0, 0, 1_000_000, 1_990_000])),
        "project_city_fund": bool(rng.random() < 0.4),
        "specialised_titles": [t for t in titles if rng.random() < 0.3],
        "tech_sme": bool(rng.random() < 0.4),
        "first_loan": bool(rng.random() < 0.3),
        "interest_subsidy_received": int(rng.choice([0, 0, 1_000_000, 2_500_000, 3_000_000])),
    }
    for name in (
        "major_project_national_funds",
        "rd_spending_last_year",
        "testing_investment",
        "product_annual_sales",
        "local_supplier_purchase",
        "project_fixed_investment",
        "project_state_support",
        "introduced_project_investment",
        "introduced_project_fixed_assets",
        "main_revenue",
        "main_revenue_previous_best",
        "loan_interest_paid",
        "electricity_bill",
        "tapeout_costs",
    ):
        unit[name] = _yuan(rng)
    for name in ("steam_bill", "boiler_gas_bill"):
        unit[name] = _yuan(rng) or 0
    return unit


def random_columns(
    count: int, seed: int, on: dt.date, jurisdiction: str = "shijiazhuang"
) -> Population:
    """A population of talents (each their own family and employer) as numpy columns."""
    rng = np.random.default_rng(seed)
    on64 = np.datetime64(on.isoformat())
    county_codes = np.array(
        [County[county_member(c)].index for c in _counties(jurisdiction)], dtype=np.int16
    )
    graduation_days, start_days = RECENT.get(jurisdiction, (15 * 365, 9 * 365))
    highest = rng.choice(5, size=count, p=DEGREE_WEIGHTS).astype(np.int16)
    full_time = rng.random(count) < 0.8
    tag_bits = np.array(list(TAG_BIT.values()), dtype=np.int32)
    tags = (rng.random((count, len(tag_bits))) < 0.12) @ tag_bits
    persons: dict[str, np.ndarray] = {
        "birth_date": on64 - rng.integers(20 * 365, 60 * 365, count).astype("timedelta64[D]"),
        "relation": np.zeros(count, dtype=np.int16),
        "highest_degree": highest,
        "highest_full_time_degree": np.where(full_time, highest, 0).astype(np.int16),
        "school_tags_any": tags.astype(np.int32),
        "professional_title": rng.integers(0, 5, count).astype(np.int16),
        "skill_level": rng.integers(0, 4, count).astype(np.int16),
        "shortage_occupation": rng.random(count) < 0.2,
        "invention_patents": rng.integers(0, 5, count).astype(np.int32),
        "patents_commercialised_locally": rng.random(count) < 0.3,
        "management_provincial_honor": rng.random(count) < 0.03,
        "management_china500_middle_manager": rng.random(count) < 0.05,
        "management_leads_above_scale_enterprise": rng.random(count) < 0.2,
        "county": county_codes[rng.integers(0, len(county_codes), count)],
        "introduced_from": rng.choice([1, 2, 3], size=count, p=[0.6, 0.1, 0.3]).astype(np.int16),
        "employment_mode": (rng.random(count) < 0.1).astype(np.int16),
        "start_date": on64 - rng.integers(-200, start_days, count).astype("timedelta64[D]"),
        "social_insurance_local": rng.random(count) < 0.9,
    }
    levels = {"doctorate": 4, "master": 3, "bachelor": 2, "associate": 1}
    graduation = on64 - rng.integers(0, graduation_days, count).astype("timedelta64[D]")
    no_date = np.datetime64("1900-01-01")
    for level in EDUCATION_LEVELS:
        at_level = full_time & (highest == levels[level])
        persons[f"full_time_{level}_tags"] = np.where(at_level, tags, 0).astype(np.int32)
        persons[f"graduation_{level}"] = np.where(highest == levels[level], graduation, no_date)
        persons[f"full_time_graduation_{level}"] = np.where(at_level, graduation, no_date)
    persons["employed"] = np.ones(count, dtype=bool)
    persons["unit_declared"] = rng.random(count) < 0.1
    persons["unit_high_tech_certification"] = rng.integers(0, 3, count).astype(np.int16)
    persons["unit_new_gazelle"] = rng.random(count) < 0.2
    persons["unit_new_eaglet"] = rng.random(count) < 0.2
    persons["unit_new_city_training_base"] = rng.random(count) < 0.2
    persons["unit_new_city_master_studio"] = rng.random(count) < 0.2
    persons["unit_new_postdoc_platform"] = rng.integers(0, 4, count).astype(np.int16)
    persons["unit_new_city_innovation_studio"] = rng.random(count) < 0.2
    persons["unit_first_gazelle_category"] = rng.integers(0, 4, count).astype(np.int16)
    persons["unit_park_dormitory_housing"] = rng.random(count) < 0.2
    persons["unit_rental_housing_certified"] = rng.random(count) < 0.2
    persons["unit_new_school_training_base"] = rng.integers(0, 3, count).astype(np.int16)
    persons["unit_new_city_industry_institute"] = rng.random(count) < 0.2
    persons["postdoc_in_station"] = rng.random(count) < 0.05
    persons["national_class1_competition_place"] = np.where(
        rng.random(count) < 0.05, rng.integers(1, 6, count), 0
    ).astype(np.int32)
    persons["unemployment_insurance_months"] = rng.integers(0, 60, count).astype(np.int32)
    persons["skill_certificate"] = rng.integers(0, 4, count).astype(np.int16)
    persons["skill_certificate_date"] = on64 - rng.integers(0, 6 * 365, count).astype(
        "timedelta64[D]"
    )
    persons["housing_declared"] = rng.random(count) < 0.3
    persons["housing_resides_main_city"] = rng.random(count) < 0.7
    persons["housing_owns_property"] = rng.random(count) < 0.3
    persons["housing_household_size"] = rng.integers(1, 5, count).astype(np.int32)
    persons["housing_lease_filed"] = rng.random(count) < 0.6
    persons["housing_in_kind"] = rng.random(count) < 0.1
    persons["annual_salary_yuan"] = rng.integers(30_000, 1_500_000, count).astype(np.int32)
    persons["startup_social_insurance_paid"] = np.where(
        rng.random(count) < 0.2, rng.integers(0, 40_000, count), np.nan
    )
    persons["instrument_sharing_fees"] = np.where(
        rng.random(count) < 0.1, rng.integers(0, 2_000_000, count), np.nan
    )
    persons["city_revenue_contribution"] = np.where(
        rng.random(count) < 0.15, rng.integers(0, 400_000, count), np.nan
    )
    persons["employer_two_leading_industries"] = rng.random(count) < 0.3
    for level in ("intermediate", "advanced", "technician"):
        persons[f"unit_apprentices_{level}"] = rng.integers(0, 30, count).astype(np.int32)
    zeros = np.zeros(count, dtype=np.int32)
    for award_level in AWARD_LEVELS:
        for kind in AWARD_KINDS:
            for grade in AWARD_GRADES:
                persons[award_column(award_level, kind, grade)] = zeros
    has_award = rng.random(count) < 0.1
    persons[award_column("provincial", "progress", "1")] = np.where(
        has_award, rng.integers(1, 6, count), 0
    ).astype(np.int32)
    for mask in HONOR_MASKS:
        bits = np.zeros(count, dtype=np.int32)
        for slot, bit in HONOR_SLOT.values():
            if slot == mask:
                bits |= np.where(rng.random(count) < 0.005, bit, 0).astype(np.int32)
        persons[mask] = bits
    for code in RECOGNITIONS:
        persons[f"recognition_{code}"] = rng.random(count) < 0.03
    employer_types = np.array(
        [EmployerType[t].index for t in sorted(vocabulary().codes("employer_type"))],
        dtype=np.int16,
    )
    employers = {
        "employer_type": employer_types[rng.integers(0, len(employer_types), count)],
        "employer_leading_industry": rng.random(count) < 0.3,
        "employer_high_tech": rng.random(count) < 0.2,
        "employer_tax_last_year_yuan": rng.integers(0, 20_000_000, count).astype(np.int32),
    }
    return Population(count=count, persons=persons, employers=employers)
