"""Population mode and one-profile mode give the same answers, to the fen."""

from __future__ import annotations

import datetime as dt
from copy import deepcopy
from typing import Any

import pytest

from rencai.policy.differential import compare_modes
from rencai.policy.synthetic import random_profiles


@pytest.mark.parametrize("on", [dt.date(2020, 6, 1), dt.date(2026, 11, 23)])
def test_modes_agree_on_synthetic_profiles(on: dt.date) -> None:
    profiles = random_profiles(600, seed=7, on=on)
    agreement = compare_modes(profiles, on)
    assert agreement.disagreements == []
    assert agreement.checks > 600 * 40


def test_synthetic_profiles_reach_the_interesting_branches() -> None:
    from rencai.policy.calculator import entitlements
    from rencai.policy.contract.profile import parse_profile

    on = dt.date(2026, 11, 23)
    seen: set[str] = set()
    for profile in random_profiles(600, seed=7, on=on):
        result = entitlements(parse_profile(profile), on)
        seen |= {c["id"] for c in result["cards"]}
        seen |= {b["id"] for b in result["benefits"] if b["kind"] == "money"}
        seen |= {"lost:" + x["winner"] for x in result["exclusivity"]}
    for expected in (
        "card.a",
        "card.b",
        "card.county",
        "card.family",
        "sjz.b.rent_subsidy",
        "sjz.county.rent_subsidy",
        "sjz.b.startup_grant",
        "lost:sjz.b.rent_subsidy",
        # amounts computed from what was paid, the 高端人才 award, apprentices (decisions 0116-0118)
        "sjz.county.social_insurance_subsidy",
        "sjz.b.instrument_sharing",
        "sjz.industry.high_end_talent_award",
        "sjz.skills.apprenticeship_intermediate",
        "sjz.skills.apprenticeship_advanced",
        "sjz.apprentice2022.technician_subsidy",
    ):
        assert expected in seen


def test_synthetic_units_reach_every_award_of_the_leading_industry_rules() -> None:
    """The differential check above covers 石政办函〔2021〕42号: each of its awards is granted to
    some synthetic unit (so both modes are compared on it, to the fen)."""
    from rencai.policy.calculator import entitlements
    from rencai.policy.contract.profile import parse_profile
    from rencai.policy.engine.system import system_for

    on = dt.date(2026, 11, 23)
    wanted = {
        b.id
        for b in system_for("shijiazhuang").program.benefits
        if b.id.startswith("sjz.industry42.")
    }
    seen: set[str] = set()
    for profile in random_profiles(600, seed=7, on=on):
        if "unit" in profile:
            result = entitlements(parse_profile(profile), on)
            seen |= {b["id"] for b in result["benefits"]}
    assert len(wanted) == 24
    assert wanted <= seen, wanted - seen


def test_modes_agree_on_every_case() -> None:
    """The hand-written cases (every computed clause at its boundaries) in population mode too."""
    from rencai.policy.cities import registry
    from tests.policy.test_cases import CASES, profile_of

    groups: dict[tuple[str, dt.date], list[dict[str, Any]]] = {}
    for param in CASES:
        case = param.values[0]
        on = case["date"]
        on = on if isinstance(on, dt.date) else dt.date.fromisoformat(on)
        profile = profile_of(case)
        if profile["jurisdiction"] not in registry():  # catalogued only: nothing is computed
            continue
        groups.setdefault((profile["jurisdiction"], on), []).append(profile)
    checks = 0
    for (_, on), profiles in sorted(groups.items()):
        agreement = compare_modes(profiles, on)
        assert agreement.disagreements == [], (on, agreement.disagreements)
        checks += agreement.checks
    assert checks > len(CASES) * 20


def _without(profile: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    copy = deepcopy(profile)
    inner = copy
    for key in path[:-1]:
        inner = inner[key]
    del inner[path[-1]]
    return copy


def test_modes_agree_on_every_case_with_one_fact_unstated() -> None:
    """Unstated facts are where the modes could part: the one-profile calculator asks for a fact
    it needs, and the population mode counts the person as undetermined for the same items
    (decision 0368), neither granting them. Each case again with one of its person's,
    employment's or housing's facts left out: the modes grant alike, to the fen, and leave the
    same items undetermined (decisions 0357-0359, 0368, 0369)."""
    from rencai.policy.cities import registry
    from rencai.policy.contract.profile import ProfileError, parse_profile
    from tests.policy.test_cases import CASES, profile_of

    groups: dict[tuple[str, dt.date], list[tuple[tuple[str, str], dict[str, Any]]]] = {}
    for param in CASES:
        case = param.values[0]
        on = case["date"]
        on = on if isinstance(on, dt.date) else dt.date.fromisoformat(on)
        profile = profile_of(case)
        if profile["jurisdiction"] not in registry():
            continue
        for section in ("person", "employment", "housing"):
            for key in profile.get(section) or {}:
                variant = _without(profile, (section, key))
                try:
                    parse_profile(variant)
                except ProfileError:  # a field the contract requires
                    continue
                groups.setdefault((profile["jurisdiction"], on), []).append(
                    ((section, key), variant)
                )
    checks = 0
    disagreements = []
    removed_housing = 0
    for (_, on), variants in sorted(groups.items()):
        agreement = compare_modes([v for _, v in variants], on)
        for line in agreement.disagreements:
            number, what = line.removeprefix("profile ").split(": ", 1)
            disagreements.append((on, variants[int(number)][0], what))
        checks += agreement.checks
        removed_housing += sum(1 for removed, _ in variants if removed[0] == "housing")
    assert disagreements == []
    assert checks > len(CASES) * 100
    assert removed_housing > 20  # the rental housing cases, each housing fact left out in turn
