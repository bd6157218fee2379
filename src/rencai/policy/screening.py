"""Population mode: the same formulas over whole columns (screening, simulation, statistics).

Money leaves the engine as integer fen: OpenFisca vectors are float, exact for the whole-yuan
amounts of these policies, and are rounded to fen at this boundary (never kept as float).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np

from rencai.policy.engine.population import Population, build_simulation, set_inputs
from rencai.policy.engine.system import system_for


@dataclass
class ScreeningResult:
    count: int
    cards: dict[str, np.ndarray]  # card id → bool per person
    granted: dict[str, np.ndarray]  # benefit id → bool per person (after exclusivity)
    totals_fen: dict[str, np.ndarray]  # money benefit id → int64 fen per person (0 if not granted)
    # card id → the first category each holder falls in (0: none), when asked for
    categories: dict[str, np.ndarray] = field(default_factory=dict)


def concat(populations: list[Population]) -> Population:
    """One population from many (e.g. many encoded profiles), renumbering families and employers."""
    persons = {
        name: np.concatenate([p.persons[name] for p in populations])
        for name in populations[0].persons
    }
    employers = {
        name: np.concatenate([p.employers[name] for p in populations])
        for name in populations[0].employers
    }

    def groups(key: str) -> np.ndarray:
        parts, offset = [], 0
        for p in populations:
            members = getattr(p, key)
            members = np.arange(p.count) if members is None else members
            parts.append(members + offset)
            offset += p.family_count if key == "family" else p.employer_count
        return np.concatenate(parts)

    relatives = [
        np.zeros(p.count, dtype=bool) if p.relative is None else p.relative for p in populations
    ]
    return Population(
        count=sum(p.count for p in populations),
        persons=persons,
        employers=employers,
        family=groups("family"),
        employer=groups("employer"),
        relative=np.concatenate(relatives),
    )


def screen(
    jurisdiction: str,
    population: Population,
    on: dt.date,
    categories: bool = False,
    targets: Collection[str] | None = None,
) -> ScreeningResult:
    """Every card and benefit for every person of the population on one day (with
    ``categories``, also the first category of each card its holders fall in: the deciding
    clause).

    ``targets`` limits the benefits to those awarded to these audiences (``{"person"}``: not the
    awards to units); OpenFisca computes what a variable depends on when it is asked, so the
    benefits computed are the same with or without the others (decision 0131)."""
    system = system_for(jurisdiction)
    simulation = build_simulation(system, population)
    set_inputs(simulation, population, on)
    day = on.isoformat()
    program = system.program
    cards = {}
    for card in program.cards:
        if card.per_relative and population.relative is None:
            cards[card.id] = np.zeros(population.count, dtype=bool)  # no relatives screened
        else:
            cards[card.id] = simulation.calculate(card.variable, day)
    first: dict[str, np.ndarray] = {}
    for card in program.cards if categories else ():
        if card.per_relative:
            continue
        number = np.zeros(population.count, dtype=np.int16)
        for category in reversed(card.categories):
            held = simulation.calculate(card.category_variable(category.number), day)
            number = np.where(held, category.number, number).astype(np.int16)
        first[card.id] = np.where(cards[card.id], number, 0).astype(np.int16)
    granted, totals = {}, {}
    for benefit in program.benefits:
        if targets is not None and benefit.target not in targets:
            continue
        granted[benefit.id] = simulation.calculate(f"{benefit.variable}_granted", day)
        if benefit.amount is not None:
            total = simulation.calculate(f"{benefit.variable}_total", day)
            rows = np.flatnonzero(granted[benefit.id])
            fen = np.zeros(population.count, dtype=np.int64)
            fen[rows] = np.rint(total[rows].astype(np.float64) * 100).astype(np.int64)
            totals[benefit.id] = fen
    return ScreeningResult(population.count, cards, granted, totals, first)
