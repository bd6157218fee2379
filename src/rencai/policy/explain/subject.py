"""What explanations read: one simulated profile's values, its parameters on the day, and its
cards' three-state results.

The profile is run through the same OpenFisca simulation as a screening population (a population
of one talent plus relatives); leaves are read from it lazily, once each.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from openfisca_core.indexed_enums import EnumArray
from openfisca_core.parameters import ParameterNode
from openfisca_core.periods import period as make_period

from rencai.policy.citations import Citation
from rencai.policy.contract.profile import Profile
from rencai.policy.engine.population import (
    EncodedBatch,
    EncodedProfile,
    LazyInputs,
    build_simulation,
    encode_profile,
    set_inputs_lazily,
)
from rencai.policy.engine.system import JurisdictionSystem
from rencai.policy.rules import (
    AllOf,
    AnyOf,
    Benefit,
    Card,
    Condition,
    Facts,
    Rule,
    State,
    evaluate,
    unknown_reads,
)
from rencai.policy.screening import concat

CENT = Decimal("0.01")


def money(value: Decimal) -> str:
    return str(value.quantize(CENT))


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``day``'s."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one: the anniversary is 1 March
        return dt.date(day.year + years, 3, 1)


@dataclass
class ParameterValue:
    path: str
    value: Any  # None when the seeds leave it to the administrator
    citation: Citation | None
    needs_administrator: str | None = None
    description: str = ""


def parameter_node(parameters: ParameterNode, path: str) -> Any:
    """The leaf parameter at ``path`` (dotted), with its dated values."""
    node: Any = parameters
    for part in path.split("."):
        node = node.children[part]
    return node


def parameter_at(parameters: ParameterNode, path: str, on: dt.date) -> ParameterValue:
    """The value of a leaf parameter on a day, with the citation recorded on that value."""
    node = parameter_node(parameters, path)
    metadata = dict(node.metadata or {})
    instant = on.isoformat()
    for entry in node.values_list:  # newest first
        if entry.instant_str <= instant:
            cite = (entry.metadata or {}).get("citation")
            return ParameterValue(
                path,
                entry.value,
                Citation.from_mapping(cite) if cite else None,
                (entry.metadata or metadata).get("needs_administrator")
                if entry.value is None
                else None,
                node.description or "",
            )
    return ParameterValue(path, None, None, None, node.description or "")


# per parameter tree (identity checked) and day: the values read so far, each read once per
# process (a tree is loaded once per jurisdiction; a reform's is its own copy); a few days kept
_DAY_PARAMETERS: dict[int, tuple[ParameterNode, dict[dt.date, dict[str, ParameterValue]]]] = {}
DAYS_KEPT = 8


def day_parameters(parameters: ParameterNode, on: dt.date) -> dict[str, ParameterValue]:
    """The values read of ``parameters`` on ``on`` (filled by ``Shared.param``)."""
    found = _DAY_PARAMETERS.get(id(parameters))
    if found is None or found[0] is not parameters:
        if len(_DAY_PARAMETERS) >= DAYS_KEPT:
            _DAY_PARAMETERS.clear()
        found = _DAY_PARAMETERS[id(parameters)] = (parameters, {})
    days = found[1]
    values = days.get(on)
    if values is None:
        if len(days) >= DAYS_KEPT:
            days.clear()
        values = days[on] = {}
    return values


# a leaf's reads by kind (cards it mirrors, parameters, profile fields), worked out once per leaf
_READS: dict[int, tuple[Condition, tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {}


def _reads(condition: Condition) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    found = _READS.get(id(condition))
    if found is None or found[0] is not condition:  # the id of a leaf since collected
        reads = condition.reads
        found = _READS[id(condition)] = (
            condition,
            tuple(r.removeprefix("card:") for r in reads if r.startswith("card:")),
            tuple(r.removeprefix("parameter:") for r in reads if r.startswith("parameter:")),
            tuple(r for r in reads if ":" not in r),
        )
    return found[1], found[2], found[3]


_CARD_RULES: dict[int, tuple[Card, AllOf]] = {}


def card_rule(card: Card) -> AllOf:
    """A card holds when its scope and one of its categories do (built once per card)."""
    found = _CARD_RULES.get(id(card))
    if found is None or found[0] is not card:
        rule = AllOf((card.scope, AnyOf(tuple(c.rule for c in card.categories))))
        found = _CARD_RULES[id(card)] = (card, rule)
    return found[1]


@dataclass
class Subject:
    """Leaf values and facts for one person of the simulation (the talent or a relative)."""

    explainer: Explainer
    index: int
    leaf_cache: dict[str, State] = field(default_factory=dict)
    # what the explanation's walks are given: the leaves' states, worked out lazily, once each
    leaf_state: Callable[[Condition], State] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.leaf_state = self._cached_leaf_state

    def _cached_leaf_state(self, condition: Condition) -> State:
        if condition.name not in self.leaf_cache:
            self.leaf_cache[condition.name] = self._leaf_state(condition)
        return self.leaf_cache[condition.name]

    def _leaf_state(self, condition: Condition) -> State:
        if condition.mirror is not None:
            return self.explainer.card_state(condition.mirror, self)
        cards, parameters, fields = _reads(condition)
        for path in parameters:
            if self.explainer.awaits_administrator(path):
                return None
        missing = self.explainer.missing
        if missing and any(r in missing for r in fields):
            return None
        # a card the leaf reads still undecided leaves the leaf undecided too, whichever way
        # its value reads: "not card B" must not hold while card B itself is undecided
        if any(self.explainer.card_state(card) is None for card in cards):
            return None
        return bool(self.explainer.value(condition.name, self.index))

    @functools.cached_property
    def facts(self) -> Facts:
        """What descriptions read of this person (made once per person; it refers to the
        explainer, not back to the person)."""
        explainer, index = self.explainer, self.index
        return Facts(
            lambda name: explainer.value(name, index),
            lambda path: explainer.param(path).value,
            explainer.on,
        )


def one_by_one(encoded: list[EncodedProfile]) -> EncodedBatch:
    """The batch of profiles encoded one by one: their small populations as one, persons one
    after the other, each profile's family and employer numbered after the previous profile's
    (screening's ``concat``)."""
    populations = [e.population for e in encoded]
    population = populations[0] if len(populations) == 1 else concat(populations)
    return EncodedBatch(population, [p.count for p in populations], [e.missing for e in encoded])


class Shared:
    """One OpenFisca simulation of several profiles on one day (the calculator's micro-batch):
    OpenFisca computes each variable for every person at once, and each profile's explainer
    reads its own slice."""

    def __init__(self, system: JurisdictionSystem, encoded: EncodedBatch, on: dt.date):
        self.system = system
        self.population = encoded.population
        self.counts = encoded.counts
        self.missing = encoded.missing
        self.simulation = simulation = build_simulation(system, self.population, lazy=True)
        assert isinstance(simulation, LazyInputs)
        set_inputs_lazily(simulation, self.population, on)  # the columns its formulas read
        self.day = make_period(on.isoformat())
        self.offsets: list[int] = []
        start = 0
        for count in encoded.counts:
            self.offsets.append(start)
            start += count
        self._values: dict[str, np.ndarray] = {}
        self._lists: dict[str, list[Any]] = {}
        self._parameters = day_parameters(system.parameters, on)
        self.on = on

    def param(self, path: str) -> ParameterValue:
        """A parameter's value on the batch's day, with its citation (read once per batch)."""
        found = self._parameters.get(path)
        if found is None:
            found = self._parameters[path] = parameter_at(self.system.parameters, path, self.on)
        return found

    def values(self, name: str) -> list[Any]:
        """Every person's value of a variable, as Python values (converted once per batch)."""
        found = self._lists.get(name)
        if found is None:
            found = self._lists[name] = self.vector(name).tolist()
        return found

    def vector(self, name: str) -> np.ndarray:
        if name not in self._values:
            values = self.simulation.calculate(name, self.day)
            entity = self.system.variables[name].entity
            if not entity.is_person:  # project group values onto persons
                members = getattr(self.population, entity.key)
                index = np.arange(self.population.count) if members is None else members
                values = values[index]
            if isinstance(values, EnumArray):
                values = values.decode_to_str()
            self._values[name] = values
        return self._values[name]


class Explainer:
    """One profile's simulation on one day, read lazily (or its slice of a shared one)."""

    def __init__(
        self,
        system: JurisdictionSystem,
        profile: Profile,
        on: dt.date,
        shared: tuple[Shared, int] | None = None,
    ):
        self.system = system
        self.program = system.program
        self.profile = profile
        self.on = on
        if shared is None:
            shared = (Shared(system, one_by_one([encode_profile(profile)]), on), 0)
        batch, position = shared
        self.missing = batch.missing[position]
        self._shared = batch
        self._start = start = batch.offsets[position]
        self._stop = start + batch.counts[position]
        self.simulation = batch.simulation
        self.day = batch.day
        self._values: dict[str, list[Any]] = {}
        self._cards: dict[str, State] = {}
        self.talent = self.subject(0)
        self.used_parameters: dict[str, ParameterValue] = {}
        self.pending_parameters: dict[str, ParameterValue] = {}

    def subject(self, index: int) -> Subject:
        """The profile's person ``index`` (0: the talent, then the relatives in order)."""
        return Subject(self, index)

    # values -----------------------------------------------------------------------------------

    def vector(self, name: str) -> list[Any]:
        """This profile's persons' values of a variable, as Python values."""
        found = self._values.get(name)
        if found is None:
            found = self._values[name] = self._shared.values(name)[self._start : self._stop]
        return found

    def value(self, name: str, index: int) -> Any:
        return self.vector(name)[index]

    def period_start(self, benefit: Benefit) -> dt.date | None:
        """The day the talent's support period of ``benefit`` begins: the benefit's own date
        variable where it declares one, else the start of the employment."""
        start = self.profile.employment.start_date
        if start is None or benefit.period_from is None:
            return start
        found = self.value(benefit.period_from, 0)
        return found if isinstance(found, dt.date) else start

    def awaits_administrator(self, path: str) -> bool:
        """The parameter has no value on this day and the seeds leave it to the administrator."""
        value = self.param(path)
        if value.value is None and value.needs_administrator:
            self.pending_parameters[path] = value
            return True
        return False

    def param(self, path: str) -> ParameterValue:
        found = self.used_parameters.get(path)
        if found is None:
            found = self.used_parameters[path] = self._shared.param(path)
        return found

    # cards ------------------------------------------------------------------------------------

    def card_state(self, card_id: str, person: Subject | None = None) -> State:
        person = person or self.talent
        if person is self.talent and card_id in self._cards:
            return self._cards[card_id]
        card = self.program.card(card_id)
        state = evaluate(card_rule(card), person.leaf_state)
        if state is not False:
            for other in card.superseded_by:
                other_state = self.card_state(other, person)
                if other_state is True:
                    state = False
                elif other_state is None and state is True:
                    state = None
        if person is self.talent:
            self._cards[card_id] = state
        return state

    def benefit_states(self) -> dict[str, State]:
        """Each benefit's state for the talent, in the program's order."""
        leaf_state = self.talent.leaf_state
        return {b.id: evaluate(b.rule, leaf_state) for b in self.program.benefits}

    def needs(self, rule: Rule, person: Subject) -> list[str]:
        """Profile fields that would decide an undecided rule (not cards nor parameters)."""
        reads = unknown_reads(rule, person.leaf_state)
        fields = {r for r in reads if ":" not in r}
        # a card left undecided (the talent's, whoever the person is) is decided by its own facts
        for card_id in sorted(r.removeprefix("card:") for r in reads if r.startswith("card:")):
            fields.update(self._card_needs(card_id))
        return sorted(fields)

    def _card_needs(self, card_id: str) -> set[str]:
        """The fields deciding an undecided card of the talent: its own rule's, and those of an
        undecided card superseding it."""
        if self.card_state(card_id) is not None:
            return set()
        card = self.program.card(card_id)
        fields = set(self.needs(card_rule(card), self.talent))
        for other in card.superseded_by:
            fields |= self._card_needs(other)
        return fields
