"""Engine choice measurement (docs/decisions/0001): openfisca-core vs policyengine-core.

Not part of `make bench`: it needs both engines, which the project does not install. Run it in
throwaway virtualenvs:

    python3 -m venv /tmp/v-of && /tmp/v-of/bin/pip install openfisca-core
    python3 -m venv /tmp/v-pe && /tmp/v-pe/bin/pip install policyengine-core
    /tmp/v-of/bin/python benchmarks/engine_choice.py openfisca
    /tmp/v-pe/bin/python benchmarks/engine_choice.py policyengine
"""

from __future__ import annotations

import importlib
import sys
import time

import numpy as np

ENGINE = sys.argv[1] if len(sys.argv) > 1 else "openfisca"
PACKAGE = {"openfisca": "openfisca_core", "policyengine": "policyengine_core"}[ENGINE]
entities = importlib.import_module(f"{PACKAGE}.entities")
variables = importlib.import_module(f"{PACKAGE}.variables")
systems = importlib.import_module(f"{PACKAGE}.taxbenefitsystems")
simulations = importlib.import_module(f"{PACKAGE}.simulations")
periods = importlib.import_module(f"{PACKAGE}.periods")

Person = entities.build_entity(key="person", plural="persons", label="人", is_person=True)
Family = entities.build_entity(
    key="family",
    plural="families",
    label="家庭",
    roles=[{"key": "talent", "max": 1}, {"key": "relative", "plural": "relatives"}],
)


def _input(name: str, value_type: type) -> type:
    attrs = {"value_type": value_type, "entity": Person, "definition_period": periods.DAY}
    return type(name, (variables.Variable,), {**attrs, "label": name})


def _formula(name: str, value_type: type, formula) -> type:  # type: ignore[no-untyped-def]
    attrs = {"value_type": value_type, "entity": Person, "definition_period": periods.DAY}
    return type(name, (variables.Variable,), {**attrs, "label": name, "formula": formula})


def b_category_2(person, period, parameters):  # type: ignore[no-untyped-def]
    degree, tags = person("degree_level", period), person("tags", period)
    return (degree >= 3) | ((degree == 2) & ((tags & 1) != 0))


def b_card(person, period, parameters):  # type: ignore[no-untyped-def]
    return person("b_category_2", period) & (person("age", period) <= 35)


def rent(person, period, parameters):  # type: ignore[no-untyped-def]
    degree = person("degree_level", period)
    amounts = np.select([degree == 3, degree == 2, degree == 1], [3000, 1500, 1000], 0)
    return person("b_card", period) * amounts


class System(systems.TaxBenefitSystem):  # type: ignore[misc, name-defined]
    def __init__(self) -> None:
        super().__init__([Person, Family])
        for variable in (
            _input("age", int),
            _input("degree_level", int),
            _input("tags", int),
            _formula("b_category_2", bool, b_category_2),
            _formula("b_card", bool, b_card),
            _formula("rent", float, rent),
        ):
            self.add_variable(variable)


SYSTEM = System()
DAY = periods.period("2026-11-23")


def columns(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    return {
        "age": rng.integers(20, 60, n).astype(np.int32),
        "degree_level": rng.integers(0, 4, n).astype(np.int32),
        "tags": rng.integers(0, 4, n).astype(np.int32),
    }


def with_builder(n: int, rng: np.random.Generator) -> tuple[float, float]:
    data = columns(n, rng)
    start = time.perf_counter()
    builder = simulations.SimulationBuilder()
    builder.create_entities(SYSTEM)
    builder.declare_person_entity("person", np.arange(n))
    family = builder.declare_entity("family", np.arange(n))
    builder.join_with_persons(family, np.arange(n), np.full(n, "talent"))
    simulation = builder.build(SYSTEM)
    for name, values in data.items():
        simulation.set_input(name, DAY, values)
    built = time.perf_counter()
    simulation.calculate("rent", DAY)
    return built - start, time.perf_counter() - built


def direct(n: int, rng: np.random.Generator) -> tuple[float, float]:
    data = columns(n, rng)
    start = time.perf_counter()
    populations = SYSTEM.instantiate_entities()
    ids = np.arange(n)
    for population in populations.values():
        population.count, population.ids = n, ids
        if not population.entity.is_person:
            population.members_entity_id = ids
    simulation = simulations.Simulation(SYSTEM, populations)
    for name, values in data.items():
        simulation.set_input(name, DAY, values)
    built = time.perf_counter()
    simulation.calculate("rent", DAY)
    return built - start, time.perf_counter() - built


if __name__ == "__main__":
    rng = np.random.default_rng(1)
    for n in (1, 1_000_000):
        runs = 5 if n > 1 else 200
        for label, function in (("builder", with_builder), ("direct ", direct)):
            build_ms, formula_ms = np.median([function(n, rng) for _ in range(runs)], axis=0) * 1e3
            print(
                f"{ENGINE} {label} n={n:>9,}: build {build_ms:.3f} ms, formulas {formula_ms:.3f} ms"
            )
