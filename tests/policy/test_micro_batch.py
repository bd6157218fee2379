"""The calculator's micro-batches: many profiles in ONE simulation give, profile by profile,
exactly the answers each gets alone (decision 0190)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from rencai.policy.calculator import entitlements, entitlements_many
from rencai.policy.contract.profile import ProfileError, parse_profile
from rencai.policy.engine.system import system_for
from rencai.policy.explain import explain_many
from tests.policy.test_cases import CASES, profile_of


def _day(case: dict[str, Any]) -> dt.date:
    day = case["date"]
    return day if isinstance(day, dt.date) else dt.date.fromisoformat(day)


def test_every_case_batched_equals_its_single_run() -> None:
    by_day: dict[dt.date, list[dict[str, Any]]] = defaultdict(list)
    for param in CASES:
        case = param.values[0]
        by_day[_day(case)].append(profile_of(case))
    compared = 0
    for day, raw in by_day.items():
        profiles = [parse_profile(p) for p in raw]
        batched = entitlements_many(profiles, day)  # mixed jurisdictions, units, families
        assert len(batched) == len(profiles)
        for profile, answer in zip(profiles, batched, strict=True):
            try:
                alone: Any = entitlements(profile, day)
            except ProfileError as exc:
                assert isinstance(answer, ProfileError)
                assert [e.as_dict() for e in answer.errors] == [e.as_dict() for e in exc.errors]
                continue
            assert answer == alone
            compared += 1
    assert compared >= 100


def test_one_simulation_serves_the_whole_batch() -> None:
    system = system_for("shijiazhuang")
    profiles = []
    for i, year in enumerate(range(1960, 2004, 2)):  # different ages and degrees
        degree = ("doctorate", "master", "bachelor")[i % 3]
        raw = {
            "jurisdiction": "shijiazhuang",
            "person": {
                "birth_date": f"{year}-05-01",
                "education": [
                    {"degree": degree, "full_time": True, "graduation_date": "2024-06-30"}
                ],
            },
            "employment": {
                "employer_type": "enterprise",
                "county": "130102",
                "introduced_from": "outside_city",
                "start_date": "2024-07-01",
                "social_insurance_local": True,
            },
            "family": [],
        }
        profiles.append(parse_profile(raw))
    day = dt.date(2025, 6, 1)
    results = explain_many(system, profiles, day)
    singles = [explain_many(system, [p], day)[0] for p in profiles]
    assert results == singles
    assert len({str(r["cards"]) + str(r["benefits"]) for r in results}) > 1  # not all alike


def test_a_failing_profile_does_not_fail_the_batch() -> None:
    good = profile_of(next(p.values[0] for p in CASES if "base" in p.values[0]))
    profiles = [parse_profile(good), parse_profile({"jurisdiction": "shijiazhuang"})]
    early = dt.date(1990, 1, 1)  # before the city's law: an error for that request only
    answers = entitlements_many(profiles, early)
    assert all(isinstance(a, ProfileError) for a in answers)
    answers = entitlements_many(profiles, dt.date(2025, 6, 1))
    assert all(isinstance(a, dict) for a in answers)


def test_the_routes_serialiser_gives_the_standard_bytes_for_every_case() -> None:
    """Decision 0244: the calculator's answers serialised by orjson are byte for byte those of
    the standard library, for every policy case."""
    import json

    from rencai.web.batching import encode

    compared = 0
    for param in CASES:
        case = param.values[0]
        try:
            answer = entitlements(parse_profile(profile_of(case)), _day(case))
        except ProfileError:
            continue
        standard = json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()
        assert encode(answer) == standard
        compared += 1
    assert compared >= 100
    # what orjson does not take is serialised the standard way
    assert encode({"big": 2**70}) == b'{"big":1180591620717411303424}'
