"""A batch's explanations from states worked out over the whole batch give, byte for byte, the
answers of the reference walk profile by profile (decision 0254)."""

from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict
from typing import Any

import numpy as np

from rencai.policy.calculator import entitlements_many
from rencai.policy.cities import registry
from rencai.policy.contract.profile import Profile, ProfileError, parse_profile
from rencai.policy.engine.population import (
    LazyInputs,
    build_simulation,
    encode_profile,
    encode_profiles,
    set_inputs,
    set_inputs_lazily,
)
from rencai.policy.engine.system import system_for
from rencai.policy.explain.batch import BatchExplainer, batch_explainers
from rencai.policy.explain.subject import one_by_one
from rencai.policy.synthetic import random_profiles
from rencai.web.batching import encode
from tests.policy.test_cases import CASES, profile_of

CITIES = ("shijiazhuang", "jinzhou", "cangzhou")


def _serialised(answer: Any) -> Any:
    if isinstance(answer, ProfileError):
        return [e.as_dict() for e in answer.errors]
    return encode(answer)


def _compare(profiles: list[Profile], day: dt.date) -> int:
    fast = entitlements_many(profiles, day)
    reference = entitlements_many(profiles, day, reference=True)
    assert len(fast) == len(reference) == len(profiles)
    for profile, mine, theirs in zip(profiles, fast, reference, strict=True):
        assert _serialised(mine) == _serialised(theirs), profile
    return sum(1 for a in fast if isinstance(a, dict))


def test_every_policy_case_as_the_reference_gives_it() -> None:
    by_day: dict[dt.date, list[Profile]] = defaultdict(list)
    for param in CASES:
        case = param.values[0]
        day = case["date"]
        day = day if isinstance(day, dt.date) else dt.date.fromisoformat(day)
        by_day[day].append(parse_profile(profile_of(case)))
    compared = sum(_compare(profiles, day) for day, profiles in by_day.items())
    assert compared >= 100


def test_generated_profiles_of_every_city_as_the_reference_gives_them() -> None:
    compared = 0
    for city in CITIES:
        days = [dt.date(2025, 6, 1), dt.date(2026, 12, 1)]
        if city == "shijiazhuang":  # a day when parameters await the administrator
            days.append(dt.date(2022, 6, 1))
        for seed, day in enumerate(days):
            raw = random_profiles(40, seed, day, city)
            for i, profile in enumerate(raw[:10]):  # some with their family, some without
                profile["family"] = (
                    None
                    if i % 2
                    else [
                        {"relation": "spouse", "birth_date": "1990-01-01", "employed": i % 4 == 0},
                        {"relation": "child", "birth_date": "2018-05-05"},
                    ]
                )
                if i % 3 == 0:  # fields left open
                    profile["employment"].pop("start_date", None)
                    profile["person"].pop("birth_date", None)
            compared += _compare([parse_profile(p) for p in raw], day)
    assert compared >= 200


def test_a_batch_of_mixed_profiles_as_the_reference_gives_it() -> None:
    """Each profile of a batch walks only its own rows of benefits, worked out for the whole
    batch (decision 0268): profiles speaking for a unit, with a family or without, the same
    profile several times, fields left open, every city, on days of several years."""
    compared = 0
    for year, city in ((2023, "shijiazhuang"), (2024, "jinzhou"), (2026, "shijiazhuang")):
        day = dt.date(year, 3, 15)
        raw = random_profiles(24, year, day, city)
        for i, profile in enumerate(raw):
            if i % 4 == 1:  # an employer's question
                profile["unit"] = {"apprentices_intermediate": i, "apprentices_advanced": 1}
            if i % 4 == 2:
                profile["family"] = [{"relation": "parent", "birth_date": "1960-02-29"}]
            if i % 5 == 0:
                profile["person"].pop("education", None)
                profile["employment"].pop("annual_salary", None)
        profiles = [parse_profile(p) for p in raw]
        compared += _compare(profiles + profiles[:3], day)  # the first three twice
    assert compared >= 60


def test_the_batch_path_is_taken_except_when_a_parameter_awaits_the_administrator() -> None:
    system = system_for("shijiazhuang")
    profiles = [parse_profile(p) for p in random_profiles(3, 1, dt.date(2025, 6, 1))]
    explainers = batch_explainers(system, profiles, dt.date(2025, 6, 1))
    assert all(isinstance(e, BatchExplainer) for e in explainers)
    # 2022: the apprenticeship subsidies' amounts and a switch awaited the administrator
    explainers = batch_explainers(system, profiles, dt.date(2022, 6, 1))
    assert not any(isinstance(e, BatchExplainer) for e in explainers)
    answers = entitlements_many(profiles, dt.date(2022, 6, 1))
    assert any(
        entry["benefit"] is None
        for a in answers
        if isinstance(a, dict)
        for entry in a["needs_administrator"]
    )


def test_a_batch_encoded_at_once_is_its_profiles_encoded_one_by_one() -> None:
    raw = [profile_of(param.values[0]) for param in CASES]
    raw += random_profiles(30, 9, dt.date(2025, 6, 1))
    raw += random_profiles(10, 9, dt.date(2025, 6, 1), "jinzhou")
    profiles = []
    for r in raw:
        try:
            profiles.append(parse_profile(r))
        except ProfileError:
            continue
    alone = [p for p in profiles if not p.family]  # no relatives: a value per profile
    assert len(alone) >= 30
    for batch in (profiles, profiles[:1], profiles[5:9], alone):
        at_once = encode_profiles(batch)
        separately = one_by_one([encode_profile(p) for p in batch])
        assert at_once.counts == separately.counts
        assert at_once.missing == separately.missing
        mine, theirs = at_once.population, separately.population
        assert mine.count == theirs.count
        for columns, expected in (
            (mine.persons, theirs.persons),
            (mine.employers, theirs.employers),
        ):
            assert list(columns) == list(expected)
            for name, values in columns.items():
                assert values.dtype == expected[name].dtype, name
                assert np.array_equal(values, expected[name], equal_nan=values.dtype.kind == "f")
        for key in ("family", "employer", "relative"):
            assert np.array_equal(getattr(mine, key), getattr(theirs, key)), key


def test_columns_loaded_when_first_read_give_every_variable_as_all_loaded() -> None:
    """A calculator batch loads a column when a calculation first reads it (``LazyInputs``):
    every variable of every jurisdiction comes out as with every column loaded first."""
    day = dt.date(2025, 6, 1)
    for city in sorted(registry()):  # the computed jurisdictions
        raw = random_profiles(12, 3, day, city)
        for i, profile in enumerate(raw[:6]):  # families, units and open fields too
            profile["family"] = [{"relation": "spouse", "birth_date": "1990-01-01"}] if i else []
            if i % 2:
                profile["unit"] = {"apprentices_intermediate": i}
            profile["employment"].pop("start_date", None)
        profiles = [parse_profile(p) for p in raw]
        system = system_for(city)
        population = encode_profiles(profiles).population
        eager = build_simulation(system, population)
        set_inputs(eager, population, day)
        lazy = build_simulation(system, population, lazy=True)
        assert isinstance(lazy, LazyInputs)
        set_inputs_lazily(lazy, population, day)
        for name in reversed(list(system.variables)):  # formulas first: inputs load on demand
            mine = np.asarray(lazy.calculate(name, day.isoformat()))
            theirs = np.asarray(eager.calculate(name, day.isoformat()))
            assert mine.dtype == theirs.dtype, name
            assert np.array_equal(mine, theirs, equal_nan=mine.dtype.kind == "f"), name
        assert len(lazy.pending) < len(population.persons)  # some were loaded on demand


def test_a_batch_leaves_nothing_to_the_garbage_collector() -> None:
    """What a batch builds (its simulation, explainers and persons, each referring to the
    others) is unlinked when its answers are made, and freed at once (decision 0268): nothing
    of it waits for the collector, whose collections under load walk what waits. (A batch
    explained the reference way, on a day a parameter awaits the administrator, still leaves
    its relatives' persons to the collector.)"""
    raw = random_profiles(12, 5, dt.date(2025, 6, 1))
    for i, profile in enumerate(raw):
        if i % 2:
            profile["family"] = [{"relation": "spouse", "birth_date": "1990-01-01"}]
    profiles = [parse_profile(p) for p in raw]
    for day in (dt.date(2025, 6, 1), dt.date(2026, 12, 1)):
        entitlements_many(profiles, day)  # warm: what a process builds once
        gc.collect()
        gc.disable()
        try:
            entitlements_many(profiles, day)
            gc.set_debug(gc.DEBUG_SAVEALL)
            gc.collect()
            left = [type(o).__name__ for o in gc.garbage]
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            gc.enable()
        assert left == [], day
