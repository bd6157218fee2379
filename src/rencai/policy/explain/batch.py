"""A calculator batch's explanations from states worked out over the whole batch (decision 0254).

The reference explanation (``subject.Explainer``) walks the rule trees person by person, reading
each leaf lazily. Here every node's three-state value is one small numpy array over all the
batch's persons, worked out once per batch when a walk first asks for it, and the walks
(``cards``, ``benefits``, ``needs``: the same code) read a person's entry instead of walking the
node's children. The states are Kleene's three values ordered False < undecided < True, so an
``AllOf`` is the least of its children and an ``AnyOf`` the greatest; a child is worked out only
when some person of the batch is still undecided before it (what the lazy walk of one of them
would read), so the simulation computes no variable that no person's walk reads.

The reference's lazy walk has one effect beyond its values: a leaf reading a parameter that
awaits the administrator records the parameter, in the order the walk reaches such leaves. On a
day when any leaf's parameter awaits the administrator the batch is therefore explained the
reference way (``needs_reference``); on every other day the two give the same answers, byte for
byte (``tests/policy/test_batch_explain.py``).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from rencai.policy.contract.profile import Profile
from rencai.policy.engine.population import encode_profiles
from rencai.policy.engine.system import JurisdictionSystem
from rencai.policy.explain.subject import Explainer, Shared, Subject, _reads, card_rule
from rencai.policy.rules import AllOf, Condition, KnownStates, Program, Rule, State, leaves

FALSE, UNDECIDED, TRUE = 0, 1, 2
STATES: tuple[State, State, State] = (False, None, True)

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


class Table:
    """Every node's and card's state for each person of one batch, worked out on demand."""

    def __init__(self, shared: Shared):
        self.shared = shared
        self.program = shared.system.program
        count = shared.population.count
        self.count = count
        # each person's talent (the row whose cards a leaf reading a card reads) and the set of
        # open fields of their profile (numbered: a batch holds few distinct ones)
        owner = np.empty(count, dtype=np.intp)
        group = np.empty(count, dtype=np.intp)
        numbers: dict[frozenset[str], int] = {}
        for offset, persons, missing in zip(
            shared.offsets, shared.counts, shared.missing, strict=True
        ):
            owner[offset : offset + persons] = offset
            group[offset : offset + persons] = numbers.setdefault(frozenset(missing), len(numbers))
        self.owner = owner
        self.group = group
        self.missing_sets = list(numbers)
        self._arrays: dict[Rule, np.ndarray] = {}
        self._lists: dict[Rule, list[State]] = {}
        self._cards: dict[str, np.ndarray] = {}
        self._card_lists: dict[str, list[State]] = {}

    # what the walks read -----------------------------------------------------------------------

    def states(self, rule: Rule) -> list[State]:
        """The node's state of every person of the batch."""
        found = self._lists.get(rule)
        if found is None:
            found = self._lists[rule] = [STATES[v] for v in self.array(rule).tolist()]
        return found

    def card_states(self, card_id: str) -> list[State]:
        found = self._card_lists.get(card_id)
        if found is None:
            found = self._card_lists[card_id] = [STATES[v] for v in self.card(card_id).tolist()]
        return found

    # arrays ------------------------------------------------------------------------------------

    def array(self, rule: Rule) -> np.ndarray:
        found = self._arrays.get(rule)
        if found is None:
            found = self._arrays[rule] = self._compute(rule)
        return found

    def _compute(self, rule: Rule) -> np.ndarray:
        if isinstance(rule, Condition):
            return self._leaf(rule)
        combine, deciding = (np.minimum, FALSE) if isinstance(rule, AllOf) else (np.maximum, TRUE)
        result: np.ndarray | None = None
        for child in rule.children:
            values = self.array(child)
            result = values if result is None else combine(result, values)
            if (result == deciding).all():  # decided for everyone: no walk reads further
                break
        assert result is not None
        return result

    def _leaf(self, leaf: Condition) -> np.ndarray:
        """As ``Subject._leaf_state``, for every person at once (no parameter awaits the
        administrator: ``needs_reference``)."""
        if leaf.mirror is not None:
            return self.card(leaf.mirror)
        cards, _, fields = _reads(leaf)
        missing = self._missing(fields)
        if missing is not None and missing.all():
            return np.full(self.count, UNDECIDED, dtype=np.int8)
        held = np.asarray(self.shared.vector(leaf.name), dtype=bool)
        result = np.where(held, TRUE, FALSE).astype(np.int8)
        if cards:  # the talent's cards, whoever the person is
            undecided = np.zeros(self.count, dtype=bool)
            for card in cards:
                undecided |= self.card(card)[self.owner] == UNDECIDED
            result[~held & undecided] = UNDECIDED
        if missing is not None:
            result[missing] = UNDECIDED
        return result

    def _missing(self, fields: tuple[str, ...]) -> np.ndarray | None:
        """Per person: whether their profile leaves one of the fields open (None: nobody's)."""
        if not fields:
            return None
        affected = [any(f in missing for f in fields) for missing in self.missing_sets]
        if not any(affected):
            return None
        return np.array(affected, dtype=bool)[self.group]

    def card(self, card_id: str) -> np.ndarray:
        """As ``Explainer.card_state``: the card's rule, then the cards superseding it."""
        found = self._cards.get(card_id)
        if found is None:
            card = self.program.card(card_id)
            state = self.array(card_rule(card))
            still = state != FALSE
            if card.superseded_by and still.any():
                state = state.copy()
                for other in card.superseded_by:
                    theirs = self.card(other)
                    state[still & (theirs == TRUE)] = FALSE
                    state[still & (theirs == UNDECIDED) & (state == TRUE)] = UNDECIDED
            found = self._cards[card_id] = state
        return found


class PersonStates(KnownStates):
    """One person's row of a batch's states."""

    __slots__ = ("row", "table")

    def __init__(self, table: Table, row: int):
        self.table = table
        self.row = row

    def state(self, rule: Rule) -> State:
        return self.table.states(rule)[self.row]


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

    def card_state(self, card_id: str, person: Subject | None = None) -> State:
        return self.table.card_states(card_id)[
            self._start + (0 if person is None else person.index)
        ]


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
