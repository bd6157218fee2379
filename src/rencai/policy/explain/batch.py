"""A calculator batch's explanations from states worked out over the whole batch (decision 0254).

The reference explanation (``subject.Explainer``) walks the rule trees person by person, reading
each leaf lazily. Here every node's three-state value is worked out once per batch, for all the
batch's persons at once, when a walk first asks for it (as two sets of persons: those for whom
it holds and those for whom it fails, each the bits of an integer), and the walks (``cards``,
``benefits``, ``needs``: the same code) read a person's state instead of walking the node's
children. A child is worked out only when some person of the batch is still undecided before
it (what the lazy walk of one of them would read), so the simulation computes no variable that
no person's walk reads.

The reference's lazy walk has one effect beyond its values: a leaf reading a parameter that
awaits the administrator records the parameter, in the order the walk reaches such leaves. On a
day when any leaf's parameter awaits the administrator the batch is therefore explained the
reference way (``needs_reference``); on every other day the two give the same answers, byte for
byte (``tests/policy/test_batch_explain.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from rencai.policy.contract.profile import Profile
from rencai.policy.engine.population import encode_profiles
from rencai.policy.engine.system import JurisdictionSystem
from rencai.policy.explain.subject import Explainer, Shared, Subject, _reads, card_rule
from rencai.policy.rules import AllOf, Condition, KnownStates, Program, Rule, State, leaves

# per program: every parameter a leaf reads (those that may await the administrator)
_LEAF_PARAMETERS: dict[int, tuple[Program, tuple[str, ...]]] = {}


def leaf_parameters(program: Program) -> tuple[str, ...]:
    found = _LEAF_PARAMETERS.get(id(program))
    if found is None or found[0] is not program:
        paths: dict[str, None] = {}
        rules: list[Rule] = [b.rule for b in program.benefits]
        for card in program.cards:
            rules.append(card_rule(card))
        for rule in rules:
            for leaf in leaves(rule):
                paths.update(dict.fromkeys(_reads(leaf)[1]))
        for condition in program.conditions:
            paths.update(dict.fromkeys(_reads(condition)[1]))
        found = _LEAF_PARAMETERS[id(program)] = (program, tuple(paths))
    return found[1]


def needs_reference(shared: Shared) -> bool:
    """Whether a parameter some leaf reads awaits the administrator on the batch's day."""
    for path in leaf_parameters(shared.system.program):
        value = shared.param(path)
        if value.value is None and value.needs_administrator:
            return True
    return False


Masks = tuple[int, int]  # (persons for whom it holds, persons for whom it fails), as bits


def bits(values: np.ndarray) -> int:
    """A boolean vector as an integer whose bit i is element i."""
    return int.from_bytes(np.packbits(values, bitorder="little").tobytes(), "little")


class Table:
    """Every node's and card's state for each person of one batch, worked out on demand.

    A state over the batch is two sets of persons held as the bits of two integers: those for
    whom the node holds and those for whom it fails (the others: undecided). An ``AllOf`` fails
    where a child fails and holds where every child holds; an ``AnyOf`` the other way round.
    """

    def __init__(self, shared: Shared):
        self.shared = shared
        self.program = shared.system.program
        count = shared.population.count
        self.everyone = (1 << count) - 1
        # each profile's persons, and which profiles leave which fields open (numbered: a batch
        # holds few distinct sets of open fields)
        self.profiles: list[tuple[int, int]] = []  # (the talent's bit, every person's bits)
        groups: dict[frozenset[str], int] = {}
        for offset, persons, missing in zip(
            shared.offsets, shared.counts, shared.missing, strict=True
        ):
            mine = ((1 << persons) - 1) << offset
            self.profiles.append((1 << offset, mine))
            key = frozenset(missing)
            groups[key] = groups.get(key, 0) | mine
        self.missing_sets = list(groups.items())
        self.masks: dict[Rule, Masks] = {}
        self.cards: dict[str, Masks] = {}
        self._benefits: list[tuple[str, int, int]] | None = None
        # what the explanations derive from the states once per batch (``benefits._Rows``)
        self.derived: dict[str, Any] = {}

    def benefits(self) -> list[tuple[str, int, int]]:
        """Each benefit's id and states over the batch, in the program's order (worked out
        once per batch: every profile's explanation reads them all)."""
        if self._benefits is None:
            of = self.of
            self._benefits = [(b.id, *of(b.rule)) for b in self.program.benefits]
        return self._benefits

    def of(self, rule: Rule) -> Masks:
        found = self.masks.get(rule)
        if found is None:
            found = self.masks[rule] = self._compute(rule)
        return found

    def _compute(self, rule: Rule) -> Masks:
        if isinstance(rule, Condition):
            return self._leaf(rule)
        everyone = self.everyone
        held, failed = everyone, 0
        if isinstance(rule, AllOf):
            for child in rule.children:
                child_held, child_failed = self.of(child)
                held &= child_held
                failed |= child_failed
                if failed == everyone:  # decided for everyone: no walk reads further
                    break
            return held, failed
        held, failed = 0, everyone
        for child in rule.children:
            child_held, child_failed = self.of(child)
            held |= child_held
            failed &= child_failed
            if held == everyone:
                break
        return held, failed

    def _leaf(self, leaf: Condition) -> Masks:
        """As ``Subject._leaf_state``, for every person at once (no parameter awaits the
        administrator: ``needs_reference``)."""
        if leaf.mirror is not None:
            return self.card(leaf.mirror)
        cards, _, fields = _reads(leaf)
        missing = 0
        if fields:
            for open_fields, persons in self.missing_sets:
                if any(f in open_fields for f in fields):
                    missing |= persons
        everyone = self.everyone
        if missing == everyone:
            return 0, 0
        value = bits(np.asarray(self.shared.vector(leaf.name), dtype=bool))
        undecided = missing
        for card in cards:  # the talent's cards, whoever the person is
            card_held, card_failed = self.card(card)
            for talent, persons in self.profiles:
                if not (card_held | card_failed) & talent:
                    undecided |= persons
        held = value & ~undecided  # a card still open leaves even a true value undecided
        return held, everyone & ~held & ~undecided

    def card(self, card_id: str) -> Masks:
        """As ``Explainer.card_state``: the card's rule, then the cards superseding it."""
        found = self.cards.get(card_id)
        if found is None:
            card = self.program.card(card_id)
            held, failed = self.of(card_rule(card))
            still = self.everyone & ~failed
            if still:
                for other in card.superseded_by:
                    other_held, other_failed = self.card(other)
                    lost = still & other_held
                    held &= ~lost
                    failed |= lost
                    held &= ~(still & ~other_held & ~other_failed)
            found = self.cards[card_id] = (held, failed)
        return found


class PersonStates(KnownStates):
    """One person's row of a batch's states."""

    __slots__ = ("bit", "masks", "table")

    def __init__(self, table: Table, row: int):
        self.table = table
        self.masks = table.masks
        self.bit = 1 << row

    def state(self, rule: Rule) -> State:
        found = self.masks.get(rule)
        held, failed = self.table.of(rule) if found is None else found
        bit = self.bit
        return True if held & bit else False if failed & bit else None


class BatchSubject(Subject):
    def __init__(self, explainer: BatchExplainer, index: int):
        super().__init__(explainer, index)
        self.leaf_state = PersonStates(explainer.table, explainer.row(index))


class BatchExplainer(Explainer):
    """One profile of a batch, its states read from the batch's ``Table``."""

    def __init__(
        self,
        system: JurisdictionSystem,
        profile: Profile,
        on: dt.date,
        shared: tuple[Shared, int],
        table: Table,
    ):
        self.table = table
        super().__init__(system, profile, on, shared)

    def row(self, index: int) -> int:
        return self._start + index

    def subject(self, index: int) -> Subject:
        return BatchSubject(self, index)

    def benefit_states(self) -> dict[str, State]:
        bit = 1 << self._start
        return {
            benefit_id: True if held & bit else False if failed & bit else None
            for benefit_id, held, failed in self.table.benefits()
        }

    def card_state(self, card_id: str, person: Subject | None = None) -> State:
        held, failed = self.table.card(card_id)
        bit = 1 << (self._start + (0 if person is None else person.index))
        return True if held & bit else False if failed & bit else None


def batch_explainers(
    system: JurisdictionSystem, profiles: list[Profile], on: dt.date
) -> list[Explainer]:
    """The batch's explainers, from one simulation (its persons encoded column by column for
    the whole batch) and one ``Table``; the reference ones on a day a leaf's parameter awaits
    the administrator."""
    shared = Shared(system, encode_profiles(profiles), on)
    if needs_reference(shared):
        return [Explainer(system, profile, on, (shared, i)) for i, profile in enumerate(profiles)]
    table = Table(shared)
    return [
        BatchExplainer(system, profile, on, (shared, i), table)
        for i, profile in enumerate(profiles)
    ]
