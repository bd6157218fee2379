"""Calculator and screening benchmarks, printed as figures and ratios against in-run baselines.

python -m benchmarks [--persons 1000000] [--differential 2000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from collections.abc import Callable

import httpx
import numpy as np

from rencai.policy.calculator import entitlements
from rencai.policy.contract.profile import parse_profile
from rencai.policy.differential import compare_modes
from rencai.policy.engine.model import TAG_BIT, Degree, EmployerType, IntroducedFrom
from rencai.policy.engine.population import Population
from rencai.policy.screening import screen
from rencai.policy.synthetic import random_columns, random_profiles

ON = dt.date(2026, 11, 23)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def timed(function: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return samples


def one_profile(repeat: int) -> None:
    profile = parse_profile(random_profiles(1, seed=1, on=ON)[0] | {"on": ON.isoformat()})
    doctor = {
        "jurisdiction": "shijiazhuang",
        "on": ON.isoformat(),
        "person": {
            "birth_date": "1994-03-02",
            "education": [{"degree": "doctorate", "full_time": True}],
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
    parsed = parse_profile(doctor)
    entitlements(parsed)  # warm the tax-benefit system
    median, p95 = percentiles(timed(lambda: entitlements(parsed), repeat))
    print(
        f"one profile, in process:  median {median * 1e3:.2f} ms  p95 {p95 * 1e3:.2f} ms"
        f"  (n={repeat}; goal ≤ 5 ms)"
    )
    median2, p95_2 = percentiles(timed(lambda: entitlements(profile), repeat))
    print(f"  random profile w/ family: median {median2 * 1e3:.2f} ms  p95 {p95_2 * 1e3:.2f} ms")

    from tests.support import LiveServer  # the same real-HTTP harness the tests use

    from rencai.web.app import create_app

    with LiveServer(create_app()) as server, httpx.Client(base_url=server.url) as client:
        client.post("/api/v1/entitlements", json=doctor)
        samples = timed(lambda: client.post("/api/v1/entitlements", json=doctor), repeat)
        health = timed(lambda: client.get("/healthz"), repeat)
    median, p95 = percentiles(samples)
    base, _ = percentiles(health)
    print(
        f"one profile, over HTTP:   median {median * 1e3:.2f} ms  p95 {p95 * 1e3:.2f} ms"
        f"  (GET /healthz baseline median {base * 1e3:.2f} ms; ratio {median / base:.1f}×)"
    )


def numpy_b_card(pop: Population, on: dt.date) -> np.ndarray:
    """Plain-numpy baseline of the B card (scope + the seven categories), written by hand."""
    c = pop.persons
    birth = c["birth_date"]
    # age ≤ N on `on` ⟺ born after the same day N + 1 years earlier (as the rules compare)
    young = birth > np.datetime64(on.replace(year=on.year - 36).isoformat())
    middle = birth > np.datetime64(on.replace(year=on.year - 46).isoformat())
    employer = pop.employers["employer_type"]
    enterprise = employer == EmployerType.enterprise.index
    unit = np.isin(
        employer,
        [
            EmployerType[t].index
            for t in (
                "enterprise",
                "public_institution",
                "civil_service_managed_institution",
                "social_organization",
            )
        ],
    )
    institution = unit & ~enterprise
    master_tags, bachelor_tags = c["full_time_master_tags"], c["full_time_bachelor_tags"]
    any_ft = c["full_time_doctorate_tags"] | master_tags | bachelor_tags
    cat1 = (c["school_tags_any"] & TAG_BIT["hebei_famous_school_graduate"]) != 0
    cat2 = (
        (c["highest_degree"] == Degree.doctorate.index)
        | ((master_tags & TAG_BIT["double_first_class"]) != 0)
        | ((master_tags & TAG_BIT["a_class_discipline"]) != 0)
        | (
            ((master_tags & TAG_BIT["provincial_key_university"]) != 0)
            & pop.employers["employer_leading_industry"]
            & enterprise
        )
        | ((bachelor_tags & TAG_BIT["first_round_world_class_university"]) != 0)
        | ((bachelor_tags & TAG_BIT["world_class_discipline_round2"]) != 0)
    )
    cat3 = ((any_ft & TAG_BIT["world_top500"]) != 0) & unit
    ranks = c["award_best_rank_provincial_progress_1"]
    cat4 = (
        ((ranks >= 1) & (ranks <= 3))
        | ((c["invention_patents"] >= 3) & c["patents_commercialised_locally"])
    ) & unit
    cat5 = (
        enterprise
        & ((c["professional_title"] >= 3) | (c["shortage_occupation"] & (c["skill_level"] >= 3)))
    ) | (institution & (c["professional_title"] >= 4))
    cat6 = enterprise & (
        c["management_provincial_honor"]
        | (c["management_china500_middle_manager"] & c["management_leads_above_scale_enterprise"])
    )
    cat7 = c["recognition_sjz_city_special"]
    scope = (
        (c["county"] > 0)
        & np.isin(
            c["introduced_from"], [IntroducedFrom.outside_city.index, IntroducedFrom.abroad.index]
        )
        & (c["employment_mode"] == 0)
    )
    return scope & (((cat1 | cat2 | cat3) & young) | ((cat4 | cat5 | cat6 | cat7) & middle))


def screening(persons: int) -> None:
    population = random_columns(persons, seed=3, on=ON)
    screen("shijiazhuang", random_columns(1000, seed=4, on=ON), ON)  # warm up
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        result = screen("shijiazhuang", population, ON)
        runs.append(time.perf_counter() - start)
    best = min(runs)
    b_cards = result.cards["card.b"]
    baseline_runs = timed(lambda: numpy_b_card(population, ON), 3)
    baseline = min(baseline_runs)
    agree = bool(np.array_equal(numpy_b_card(population, ON), b_cards))
    from rencai.policy.engine.population import build_simulation, set_inputs
    from rencai.policy.engine.system import system_for

    def engine_b_card() -> None:
        simulation = build_simulation(system_for("shijiazhuang"), population)
        set_inputs(simulation, population, ON)
        simulation.calculate("card_b", ON.isoformat())

    engine_b = min(timed(engine_b_card, 3))
    granted = sum(int(v.sum()) for k, v in result.granted.items() if k in result.totals_fen)
    print(
        f"screening {persons:,} persons (all cards and benefits, population built from columns):"
        f" {best:.3f} s = {persons / best / 1e6:.2f} M persons/s (goal ≥ 2 M/s)"
    )
    print(
        f"  B card alone through OpenFisca: {engine_b * 1e3:.1f} ms;"
        f" plain numpy baseline: {baseline * 1e3:.1f} ms;"
        f" ratio engine/numpy {engine_b / baseline:.2f}×; results identical: {agree}"
    )
    print(
        f"  cards: A {int(result.cards['card.a'].sum()):,}, B {int(b_cards.sum()):,},"
        f" county {int(result.cards['card.county'].sum()):,}; money lines granted {granted:,}"
    )


def screening_jinzhou(persons: int) -> None:
    population = random_columns(persons, seed=5, on=ON, jurisdiction="jinzhou")
    screen("jinzhou", random_columns(1000, seed=6, on=ON, jurisdiction="jinzhou"), ON)  # warm up
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        result = screen("jinzhou", population, ON)
        runs.append(time.perf_counter() - start)
    best = min(runs)
    granted = {k.rsplit(".", 1)[-1]: int(v.sum()) for k, v in result.granted.items()}
    print(
        f"screening {persons:,} Jinzhou persons: {best:.3f} s ="
        f" {persons / best / 1e6:.2f} M persons/s; granted {granted}"
    )


def differential(count: int) -> None:
    start = time.perf_counter()
    agreement = compare_modes(random_profiles(count, seed=11, on=ON), ON)
    jinzhou = compare_modes(random_profiles(count, seed=12, on=ON, jurisdiction="jinzhou"), ON)
    agreement.profiles += jinzhou.profiles
    agreement.checks += jinzhou.checks
    agreement.disagreements += [f"jinzhou {line}" for line in jinzhou.disagreements]
    elapsed = time.perf_counter() - start
    status = (
        "all agree" if not agreement.disagreements else f"{len(agreement.disagreements)} differ"
    )
    print(
        f"differential check: {agreement.profiles:,} synthetic profiles, {agreement.checks:,}"
        f" comparisons (cards, benefits, totals to the fen): {status} ({elapsed:.1f} s)"
    )
    for line in agreement.disagreements[:10]:
        print("  ", line)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--differential", type=int, default=2000)
    args = parser.parse_args()
    one_profile(args.repeat)
    screening(args.persons)
    screening_jinzhou(args.persons)
    differential(args.differential)


if __name__ == "__main__":
    main()
