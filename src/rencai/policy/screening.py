"""Population mode: the same formulas over whole columns (screening, simulation, statistics).

Money leaves the engine as integer fen: OpenFisca vectors are float, exact for the whole-yuan
amounts of these policies, and are rounded to fen at this boundary (never kept as float).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field, replace

import numpy as np

from rencai.policy.engine.population import Population, build_simulation, set_inputs
from rencai.policy.engine.system import system_for
from rencai.policy.rules import AllOf, Card, Condition, Program, Rule

# below this many persons, screening everyone is cheaper than deciding whom to screen
GATE_FROM = 4096
# the gate's leaves are chosen on this many persons (the choice changes the speed only)
CHOOSE_ON = 50_000


@dataclass
class ScreeningResult:
    count: int
    cards: dict[str, np.ndarray]  # card id → bool per person
    granted: dict[str, np.ndarray]  # benefit id → bool per person (after exclusivity)
    totals_fen: dict[str, np.ndarray]  # money benefit id → int64 fen per person (0 if not granted)
    # card id → the first category each holder falls in (0: none), when asked for
    categories: dict[str, np.ndarray] = field(default_factory=dict)
    # card or benefit id → who is undetermined (a fact it needs is unstated: neither held nor
    # granted, decision 0368); only for populations that mark unstated facts
    undetermined: dict[str, np.ndarray] = field(default_factory=dict)


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


def required_leaves(rule: Rule, cards: dict[str, Card]) -> frozenset[str]:
    """The leaves that hold whenever ``rule`` holds: all of an AllOf's children's, those common
    to every branch of an AnyOf, and a mirror leaf's card's own (a card is held only within its
    scope and one of its categories)."""
    if isinstance(rule, Condition):
        own = frozenset({rule.name})
        return own | card_leaves(cards[rule.mirror], cards) if rule.mirror else own
    children = [required_leaves(child, cards) for child in rule.children]
    if isinstance(rule, AllOf):
        return frozenset().union(*children)
    return frozenset.intersection(*children) if children else frozenset()


def card_leaves(card: Card, cards: dict[str, Card]) -> frozenset[str]:
    categories = [required_leaves(c.rule, cards) for c in card.categories]
    common = frozenset.intersection(*categories) if categories else frozenset()
    return required_leaves(card.scope, cards) | common


@functools.cache
def necessities(
    jurisdiction: str, targets: frozenset[str] | None, later: frozenset[str] = frozenset()
) -> tuple[frozenset[str], ...]:
    """For each card and benefit screened, the leaves about the person (not a dated switch,
    which reads no fact of the person, nor a card held) that hold whenever the item is held or
    granted; empty when some item has none, and then nobody can be left out.

    ``later`` names facts (profile paths, with what lies under them) not known when the gate is
    computed: a leaf reading one of them is not a candidate (decision 0196)."""
    program: Program = system_for(jurisdiction).program
    cards = {card.id: card for card in program.cards}
    conditions = {c.name: c for c in program.conditions}

    def unknown(path: str) -> bool:
        return any(path == fact or path.startswith(fact + ".") for fact in later)

    def of_person(name: str) -> bool:
        """A leaf reading a fact of the person, and not a card's (which costs the card)."""
        if name not in conditions or conditions[name].mirror:
            return False
        reads = conditions[name].reads
        if any(unknown(r) for r in reads):
            return False
        return any(not r.startswith("parameter:") for r in reads)

    needs = [card_leaves(card, cards) for card in program.cards if not card.per_relative]
    needs += [
        required_leaves(benefit.rule, cards)
        for benefit in program.benefits
        if targets is None or benefit.target in targets
    ]
    needs = [frozenset(name for name in need if of_person(name)) for need in needs]
    return tuple(needs) if needs and all(needs) else ()


# (jurisdiction, targets, facts not known) → the gate chosen on the first large population
_gates: dict[tuple[str, frozenset[str] | None, frozenset[str]], tuple[str, ...]] = {}


def _gate(
    jurisdiction: str,
    targets: frozenset[str] | None,
    later: frozenset[str],
    population: Population,
    on: dt.date,
) -> np.ndarray:
    """Who passes the gate (decision 0175): leaves chosen so that each item requires one of
    them; a person holding none holds no card and is granted no benefit. Any such choice is
    correct; the one made on the first persons of the first large population screened lets the
    fewest of them pass."""
    key = (jurisdiction, targets, later)
    needs = necessities(jurisdiction, targets, later)
    day = on.isoformat()
    system = system_for(jurisdiction)
    if key not in _gates:
        sample = population
        if population.count > CHOOSE_ON:
            sample = subset(population, np.arange(CHOOSE_ON))
        simulation = build_simulation(system, sample)
        set_inputs(simulation, sample, on)
        held = {name: simulation.calculate(name, day) for name in frozenset().union(*needs)}
        _gates[key] = _cover(needs, held)
    simulation = build_simulation(system, population)
    set_inputs(simulation, population, on)
    passes = np.zeros(population.count, dtype=bool)
    for name in _gates[key]:
        passes |= simulation.calculate(name, day)
    return passes


def _cover(needs: tuple[frozenset[str], ...], held: dict[str, np.ndarray]) -> tuple[str, ...]:
    """Greedy set cover: the leaf adding the fewest new passers per item it newly covers."""
    uncovered = set(range(len(needs)))
    passes = np.zeros(len(next(iter(held.values()))), dtype=bool)
    chosen: list[str] = []
    while uncovered:
        covers: Counter[str] = Counter(name for i in uncovered for name in needs[i])
        best = min(
            covers,
            key=lambda name: (int(np.count_nonzero(held[name] & ~passes)) / covers[name], name),
        )
        chosen.append(best)
        passes |= held[best]
        uncovered = {i for i in uncovered if best not in needs[i]}
    return tuple(sorted(chosen))


def screen(
    jurisdiction: str,
    population: Population,
    on: dt.date,
    categories: bool = False,
    targets: Collection[str] | None = None,
    gated: bool = True,
) -> ScreeningResult:
    """Every card and benefit for every person of the population on one day (with
    ``categories``, also the first category of each card its holders fall in: the deciding
    clause).

    ``targets`` limits the benefits to those awarded to these audiences (``{"person"}``: not the
    awards to units); OpenFisca computes what a variable depends on when it is asked, so the
    benefits computed are the same with or without the others (decision 0131).

    A large population of one-person groups is screened in two steps (decision 0175): the
    gate's leaves over everyone, then every card and benefit over those who pass it only; the
    others hold nothing, by construction of the gate (``gated=False`` screens everyone)."""
    if not gated:
        return _screen_all(jurisdiction, population, on, categories, targets)
    rows, part = screen_gated(jurisdiction, population, on, categories, targets)
    return part if rows is None else _spread(part, rows, population.count)


def screen_gated(
    jurisdiction: str,
    population: Population,
    on: dt.date,
    categories: bool = False,
    targets: Collection[str] | None = None,
) -> tuple[np.ndarray | None, ScreeningResult]:
    """``screen`` without placing the result back: the rows of the population screened (None:
    all of them) and the result over those rows only (what a screening that lists holders
    needs)."""
    rows = gate(jurisdiction, population, on, targets)
    if rows is None:
        return None, _screen_all(jurisdiction, population, on, categories, targets)
    return rows, _screen_all(jurisdiction, subset(population, rows), on, categories, targets)


def gate(
    jurisdiction: str,
    population: Population,
    on: dt.date,
    targets: Collection[str] | None = None,
    later: frozenset[str] = frozenset(),
) -> np.ndarray | None:
    """The rows of the population that pass the gate (decision 0175), or None when it is
    screened whole: too small, not one-person groups, or some item without a necessary leaf.

    With ``later``, the population lacks those facts (they are read afterwards, for the rows
    that pass only, decision 0196): the gate is made of leaves that do not read them."""
    kept = frozenset(targets) if targets is not None else None
    if not (
        population.count >= GATE_FROM
        and population.family is None
        and population.employer is None
        and population.relative is None
        and necessities(jurisdiction, kept, later)
    ):
        return None
    return np.flatnonzero(_gate(jurisdiction, kept, later, population, on))


def screen_whole(
    jurisdiction: str,
    population: Population,
    on: dt.date,
    categories: bool = False,
    targets: Collection[str] | None = None,
) -> ScreeningResult:
    """Every card and benefit for every person of the population, with no gate (a population
    already gated: ``gate``)."""
    return _screen_all(jurisdiction, population, on, categories, targets)


def subset(population: Population, rows: np.ndarray) -> Population:
    """The persons at ``rows`` of a population of one-person groups (their own employers)."""
    return replace(
        population,
        count=len(rows),
        persons={name: values[rows] for name, values in population.persons.items()},
        employers={name: values[rows] for name, values in population.employers.items()},
    )


def _spread(part: ScreeningResult, rows: np.ndarray, count: int) -> ScreeningResult:
    """A subset's result placed back at its rows of the whole population."""

    def full(values: np.ndarray) -> np.ndarray:
        out = np.zeros(count, dtype=values.dtype)
        out[rows] = values
        return out

    return ScreeningResult(
        count,
        {k: full(v) for k, v in part.cards.items()},
        {k: full(v) for k, v in part.granted.items()},
        {k: full(v) for k, v in part.totals_fen.items()},
        {k: full(v) for k, v in part.categories.items()},
        {k: full(v) for k, v in part.undetermined.items()},
    )


def _screen_all(
    jurisdiction: str,
    population: Population,
    on: dt.date,
    categories: bool,
    targets: Collection[str] | None,
) -> ScreeningResult:
    system = system_for(jurisdiction)
    simulation = build_simulation(system, population)
    set_inputs(simulation, population, on)
    day = on.isoformat()
    program = system.program
    # who is undetermined is worked out only where some fact is marked unstated (a profile's)
    marks = any(name.startswith("unstated_") for name in population.persons)
    cards, undetermined = {}, {}
    for card in program.cards:
        if card.per_relative and population.relative is None:
            cards[card.id] = np.zeros(population.count, dtype=bool)  # no relatives screened
        else:
            cards[card.id] = simulation.calculate(f"{card.variable}_held", day)
            if marks:
                undetermined[card.id] = simulation.calculate(f"{card.variable}_open", day)
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
        if marks:
            undetermined[benefit.id] = simulation.calculate(f"{benefit.variable}_open", day)
        if benefit.amount is not None:
            total = simulation.calculate(f"{benefit.variable}_total", day)
            rows = np.flatnonzero(granted[benefit.id])
            fen = np.zeros(population.count, dtype=np.int64)
            fen[rows] = np.rint(total[rows].astype(np.float64) * 100).astype(np.int64)
            totals[benefit.id] = fen
    return ScreeningResult(population.count, cards, granted, totals, first, undetermined)
