"""Declarative rules: the one description both modes run.

A card is a scope plus numbered categories; a category, a benefit's eligibility and any other test
is a tree of ``AllOf`` / ``AnyOf`` over ``Condition`` leaves. Every node becomes an OpenFisca
variable whose formula combines its children's vectors (population mode), and the same tree is
walked for one person to say which branch held, which leaf failed and by how much (explain mode).
Exclusivity (就高 / 不重复) is declared once and compiled into "granted" variables the same way.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import numpy as np
from openfisca_core.errors import ParameterNotFoundError
from openfisca_core.periods import DAY
from openfisca_core.variables import Variable

from rencai.policy.citations import Citation


class WideVariable(Variable):
    """A float variable held as float64: money of many digits (sums in the billions of yuan,
    products to the fen) stays exact, where OpenFisca's own floats are float32."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.dtype = np.float64


Formula = Callable[[Any, Any, Any], np.ndarray]
T = TypeVar("T")


class Facts:
    """What a condition's description may read for one person: variable values and parameters."""

    def __init__(self, get: Callable[[str], Any], param: Callable[[str], Any], on: Any):
        self.get = get
        self.param = param
        self.on = on


Describe = Callable[[Facts, bool], str]


@dataclass(frozen=True, eq=False)
class Condition:
    """A leaf test, computed by an OpenFisca variable ``name``."""

    name: str
    label: str  # what must hold, in Chinese
    formula: Formula
    reads: tuple[str, ...] = ()  # profile fields; absent ones make the leaf unknown
    describe: Describe | None = None  # a sentence with the margin, for held and failed
    # Whether holding this leaf says who the person is (a degree, an honour) rather than being a
    # limit or a switch (age, dates, employer type); only the former make a "near miss".
    qualifying: bool = True
    # A leaf that is just "qualifies for card X": explanations take the card's own three-state
    # result instead of recomputing it.
    mirror: str | None = None

    @functools.cached_property
    def reads_parameter(self) -> bool:
        """Whether the leaf reads a parameter (a dated switch or a threshold)."""
        return any(r.startswith("parameter:") for r in self.reads)

    def text(self, facts: Facts, held: bool) -> str:
        if self.describe is not None:
            return self.describe(facts, held)
        return self.label if held else f"不满足：{self.label}"


@dataclass(frozen=True, eq=False)
class AllOf:
    children: tuple[Rule, ...]
    label: str | None = None

    @functools.cached_property
    def qualifying(self) -> bool:
        """Whether one of its leaves says who the person is (``has_qualifying_leaf``)."""
        return any(leaf.qualifying for leaf in leaves(self))


@dataclass(frozen=True, eq=False)
class AnyOf:
    children: tuple[Rule, ...]
    label: str | None = None

    @functools.cached_property
    def qualifying(self) -> bool:
        """Whether one of its leaves says who the person is (``has_qualifying_leaf``)."""
        return any(leaf.qualifying for leaf in leaves(self))


Rule = Condition | AllOf | AnyOf


def all_of(*children: Rule, label: str | None = None) -> AllOf:
    return AllOf(tuple(children), label)


def any_of(*children: Rule, label: str | None = None) -> AnyOf:
    return AnyOf(tuple(children), label)


def has_qualifying_leaf(rule: Rule) -> bool:
    return rule.qualifying  # worked out once per node


def leaves(rule: Rule) -> Iterator[Condition]:
    if isinstance(rule, Condition):
        yield rule
    else:
        for child in rule.children:
            yield from leaves(child)


def rule_formula(rule: Rule) -> Formula:
    def formula(person: Any, period: Any, _parameters: Any) -> np.ndarray:
        return vectorise(rule, person, period)

    return formula


def vectorise(rule: Rule, person: Any, period: Any) -> np.ndarray:
    """The rule's value for every person, from its leaves' variables."""
    if isinstance(rule, Condition):
        return person(rule.name, period)
    combine = np.logical_and if isinstance(rule, AllOf) else np.logical_or
    result = np.array(vectorise(rule.children[0], person, period), dtype=bool, copy=True)
    for child in rule.children[1:]:  # pairwise, in place: no stacking of the vectors
        combine(result, vectorise(child, person, period), out=result)
    return result


# --- three-state evaluation for one person ------------------------------------------------

State = bool | None  # None: needs information


class KnownStates:
    """A ``leaf_state`` that already knows the state of every node, not only of leaves (a
    calculator batch's states, worked out over the whole batch at once): ``evaluate`` and the
    walks built on it read a node's state from it instead of walking the node's children."""

    def state(self, rule: Rule) -> State:
        raise NotImplementedError

    def __call__(self, leaf: Condition) -> State:
        return self.state(leaf)


def evaluate(rule: Rule, leaf_state: Callable[[Condition], State]) -> State:
    """Three-state value; stops at the first deciding child, so leaves are computed lazily."""
    if isinstance(leaf_state, KnownStates):
        return leaf_state.state(rule)
    if isinstance(rule, Condition):
        return leaf_state(rule)
    deciding = isinstance(rule, AnyOf)  # True decides an AnyOf, False decides an AllOf
    undecided = False
    for child in rule.children:
        state = evaluate(child, leaf_state)
        if state is deciding:
            return deciding
        undecided = undecided or state is None
    return None if undecided else not deciding


def held_texts(rule: Rule, leaf_state: Callable[[Condition], State], facts: Facts) -> list[str]:
    """Descriptions along one satisfying path of a rule that holds."""
    if isinstance(rule, Condition):
        return [rule.text(facts, True)]
    if isinstance(rule, AnyOf):
        for child in rule.children:
            if evaluate(child, leaf_state) is True:
                return held_texts(child, leaf_state, facts)
        return []
    texts: list[str] = []
    for child in rule.children:
        texts += held_texts(child, leaf_state, facts)
    return texts


def failed_texts(rule: Rule, leaf_state: Callable[[Condition], State], facts: Facts) -> list[str]:
    """Why a rule that fails does: its failed leaves (for AnyOf, all alternatives failed).

    When the rule fails because its program is not in force that day (a failed switch that
    reads a dated parameter), that is the only reason given: the other tests do not apply yet.
    """
    top = rule.children if isinstance(rule, AllOf) else (rule,)
    switches = [
        leaf.text(facts, False)
        for leaf in top
        if isinstance(leaf, Condition) and leaf.reads_parameter and leaf_state(leaf) is False
    ]
    if switches and evaluate(rule, leaf_state) is False:
        return switches
    return _failed_texts(rule, leaf_state, facts)


def _failed_texts(rule: Rule, leaf_state: Callable[[Condition], State], facts: Facts) -> list[str]:
    state = evaluate(rule, leaf_state)
    if state is not False:
        return []
    if isinstance(rule, Condition):
        return [rule.text(facts, False)]
    if isinstance(rule, AnyOf) and rule.label:
        return [f"不满足：{rule.label}"]
    texts: list[str] = []
    for child in rule.children:
        texts += _failed_texts(child, leaf_state, facts)
    return texts


def unknown_reads(rule: Rule, leaf_state: Callable[[Condition], State]) -> set[str]:
    if evaluate(rule, leaf_state) is not None:
        return set()
    if isinstance(rule, Condition):
        return set(rule.reads)
    result: set[str] = set()
    for child in rule.children:
        result |= unknown_reads(child, leaf_state)
    return result


# --- programs -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Category:
    number: int
    rule: Rule
    citation: Citation
    summary: str  # short Chinese name of the category, for "不属于…" messages


@dataclass(frozen=True, eq=False)
class Card:
    id: str  # vocabulary card code
    name: str
    citation: Citation
    scope: Rule
    categories: tuple[Category, ...]
    category_noun: str  # e.g. "B卡申领范围"
    superseded_by: tuple[str, ...] = ()  # card ids whose holders are not issued this card
    superseded_citation: Citation | None = None
    # why a holder of a superseding card is not issued this one ("{other}": that card's name)
    superseded_note: str = "已符合{other}条件，不再发放本卡"
    per_relative: bool = False  # family card: evaluated for each relative, not the talent
    # family card: the talent's cards that make relatives eligible (without the family, the
    # holder of one of them is asked for it)
    sponsors: tuple[str, ...] = ()

    @property
    def variable(self) -> str:
        return self.id.replace(".", "_")

    def category_variable(self, number: int) -> str:
        return f"{self.variable}_category_{number}"


@dataclass(frozen=True)
class Amount:
    """A money amount read from a parameter node, indexed by enum-valued variables.

    With ``base`` the parameter is a rate (or a sum per item) applied to a variable holding whole
    yuan (or a count): ``rate × base``, then limited by ``ceiling`` (a parameter, indexed by the
    same keys) and by ``room``: a cap on the total (a parameter) less what a variable says was
    already received. Whole-yuan bases keep every product an exact number of fen in both modes.
    """

    parameter: str  # dotted path under the jurisdiction's parameters
    keys: tuple[str, ...] = ()  # variables whose enum names select the child, in order
    base: str | None = None  # variable multiplied by the parameter (whole yuan, or a count)
    ceiling: str | None = None  # parameter: the most one application receives (最高)
    ceiling_keys: tuple[str, ...] = ()  # variables selecting the ceiling's child, in order
    room: tuple[str, str] | None = None  # (total cap parameter, variable already received)

    @property
    def parameters(self) -> tuple[str, ...]:
        """Every parameter path the amount reads (the first is the rate or the sum)."""
        extra = (self.ceiling,) if self.ceiling else ()
        return (self.parameter, *extra, *((self.room[0],) if self.room else ()))


@dataclass(frozen=True, eq=False)
class Benefit:
    id: str
    name: str
    # money / service are granted; a recognition is a title conferred without further review;
    # a selection (评选) is something one may apply for, decided by review within a quota
    kind: Literal["money", "service", "recognition", "selection"]
    requires: Rule
    # the clause granting it; a money line also cites the parameter value its amount is read from
    citation: Citation | None = None
    amount: Amount | None = None
    per: Literal["month", "year", "once"] | None = None
    years: str | None = None  # parameter giving the support period in years, from start_date
    condition: str | None = None  # what must still happen, in Chinese
    cap: bool = False  # the amount is a ceiling ("最高"), not a fixed sum
    card: str | None = None  # the card whose holders receive it (a Card id), if a card grants it
    # the granting document as named to people; by default the citation's document
    document: str | None = None
    audience: Rule | None = None  # who the item is for; outside it, no "why not" is given
    quota: str | None = None  # selections: how many are chosen, in Chinese
    award: str | None = None  # selections: what the selected receive, in Chinese
    # the support period runs from employment.start_date; False when it starts on approval
    dated: bool = True
    # a date variable of the engine giving the day the support period begins, where the text
    # makes it later than employment.start_date (Jinzhou: not before the qualifying graduation)
    period_from: str | None = None
    target: Literal["person", "employer"] = "person"  # who receives it
    # parameter holding the administrator's ruling where the item's text and a later document
    # state different figures (the text is still shown, with the conflict beside it)
    disputed: str | None = None
    # (first day, condition text) where the condition's wording changed with a later document:
    # the text in force on the day asked replaces ``condition`` from that day on
    dated_conditions: tuple[tuple[dt.date, str], ...] = ()
    # a service item that only some holders of its card enjoy (a condition of its own beside
    # the card): an issued card lists it only when the calculator grants it to the holder
    some_holders: bool = False

    def __post_init__(self) -> None:
        if self.citation is None:
            raise ValueError(f"{self.id}: a benefit names the document and clause granting it")
        if self.kind == "money" and self.amount is None:
            raise ValueError(f"{self.id}: a money benefit reads its amount from a parameter")
        if self.document is None:
            object.__setattr__(self, "document", self.citation.document)

    def condition_on(self, on: dt.date) -> str | None:
        """The condition's wording in force on ``on``."""
        text = self.condition
        for first_day, wording in sorted(self.dated_conditions):
            if first_day <= on:
                text = wording
        return text

    @property
    def granted_by(self) -> str:
        """What the result shows as granting it: the card, else the document (contract v1)."""
        return self.card or self.document or ""

    @property
    def variable(self) -> str:
        return self.id.replace(".", "_")

    @functools.cached_property
    def rule(self) -> Rule:
        """The full eligibility test: audience and requirements (one node, built once: a
        batch's states are kept per node)."""
        return self.requires if self.audience is None else AllOf((self.audience, self.requires))


@dataclass(frozen=True, eq=False)
class Exclusivity:
    """Members of which a person receives one: the highest total (就高), ties to the first."""

    id: str
    rule: Literal["highest"]
    members: tuple[str, ...]  # benefit ids, in tie-break order
    citation: Citation
    label: str

    def outranks(self, other: str, theirs: Any, member: str, mine: Any) -> Any:
        """就高: whether member ``other`` with total ``theirs`` beats ``member`` with ``mine``.

        The higher total wins; on equal totals the member listed first does (the city's own
        programme before the county's). The totals may be numbers or whole vectors of them.
        """
        if self.members.index(other) < self.members.index(member):
            return theirs >= mine
        return theirs > mine

    def winner(
        self, candidates: Iterable[T], total: Callable[[T], Any], member: Callable[[T], str]
    ) -> T:
        """The one candidate received (the only 就高 decision, used by every mode).

        Candidates of the same member and total keep their given order: the first wins.
        """
        best: T | None = None
        for candidate in candidates:
            if best is None or self.outranks(
                member(candidate), total(candidate), member(best), total(best)
            ):
                best = candidate
        if best is None:
            raise ValueError(f"{self.id}: no candidate")
        return best


@dataclass
class Program:
    """Everything one jurisdiction grants, as declarations."""

    jurisdiction: str
    conditions: list[Condition] = field(default_factory=list)
    cards: list[Card] = field(default_factory=list)
    benefits: list[Benefit] = field(default_factory=list)
    exclusivity: list[Exclusivity] = field(default_factory=list)
    helpers: list[type[Variable]] = field(default_factory=list)  # intermediate variables
    # the jurisdiction's own wording of profile fields in explanations ("到石工作或创业之日")
    field_labels: dict[str, str] = field(default_factory=dict)

    def benefit(self, benefit_id: str) -> Benefit:
        return next(b for b in self.benefits if b.id == benefit_id)

    def card(self, card_id: str) -> Card:
        return next(c for c in self.cards if c.id == card_id)


# --- compiling declarations into OpenFisca variables ------------------------------------------


def _variable(
    name: str,
    entity: Any,
    value_type: type,
    label: str,
    formula: Formula,
    citation: Citation | None = None,
    wide: bool = False,
) -> type:
    def method(population: Any, period: Any, parameters: Any) -> np.ndarray:
        return formula(population, period, parameters)

    attrs: dict[str, Any] = {
        "value_type": value_type,
        "entity": entity,
        "definition_period": DAY,
        "label": label,
        "formula": method,
    }
    if citation is not None:  # OpenFisca's own field for the legal reference
        attrs["reference"] = [f"{citation.document} {citation.clause}"]
    return type(name, (WideVariable if wide else Variable,), attrs)


def parameter_node(parameters_at: Any, path: str) -> Any:
    node = parameters_at
    for part in path.split("."):
        node = node[part]
    return node


def vector_amount(amount: Amount, person: Any, period: Any, parameters: Any) -> np.ndarray:
    """The amount for every person; 0 where no child matches or the value is not set.

    The parameter node is laid out as a dense table indexed by the keys' enum indices, so the
    lookup is one gather over the population whatever its size.
    """
    try:
        node = parameter_node(parameters(period.start), amount.parameter)
    except ParameterNotFoundError:  # the program is not in force that day: nothing is due
        return np.zeros(person.count, dtype=np.float64)
    result = _keyed(node, amount.keys, person, period)
    if amount.base is not None:
        result = result * person(amount.base, period).astype(np.float64)
    if amount.ceiling is not None:
        ceiling = parameter_node(parameters(period.start), amount.ceiling)
        result = np.minimum(result, _keyed(ceiling, amount.ceiling_keys, person, period))
    if amount.room is not None:
        total = float(parameter_node(parameters(period.start), amount.room[0]))
        used = person(amount.room[1], period).astype(np.float64)
        result = np.minimum(result, np.maximum(total - used, 0))
    return result


def _keyed(node: Any, names: tuple[str, ...], person: Any, period: Any) -> np.ndarray:
    if not names:
        return np.full(person.count, float(node or 0), dtype=np.float64)
    keys = [person(key, period) for key in names]
    enums = [values.possible_values for values in keys]
    table = np.zeros([len(enum) for enum in enums], dtype=np.float64)

    def fill(node: Any, depth: int, position: tuple[int, ...]) -> None:
        if depth == len(keys):
            table[position] = float(node)
            return
        for child in node:
            if child in enums[depth].__members__:
                fill(node[child], depth + 1, (*position, enums[depth][child].index))

    fill(node, 0, ())
    return table[tuple(values.view(np.ndarray) for values in keys)]


def support_months(benefit: Benefit, parameters: Any, period: Any) -> int:
    if benefit.per == "once":
        return 1
    try:
        node = parameter_node(parameters(period.start), benefit.years) if benefit.years else 1
    except ParameterNotFoundError:
        return 0
    years = int(node)
    return years * 12 if benefit.per == "month" else years


# --- three states over a population (decision 0368) -------------------------------------------
#
# A leaf's variable holds its value as the facts are encoded, where an unstated fact reads as its
# default. Population mode also says who is undetermined, as the one-profile calculator does: a
# leaf reading an unstated fact (an ``unstated_…`` input column) is open; ``<leaf>_open`` says
# for whom. Nodes combine as ``evaluate`` does (an AllOf fails where a child fails and holds where
# every child holds; an AnyOf the other way round); a card is held where its rule holds and no
# card superseding it is held or open (``Explainer.card_state``). ``<card>_held`` / ``<card>_open``
# and ``<benefit>_eligible`` / ``<benefit>_open`` carry the result; totals, 就高 and ``_granted``
# read ``_eligible``, so the undetermined are neither granted nor compared.

OPEN = "_open"


def _card_variable(card_id: str) -> str:
    return card_id.replace(".", "_")


def _leaf_open_formula(condition: Condition, columns: list[str], cards: list[str]) -> Formula:
    """Who cannot be decided on this leaf: an unstated fact it reads, or a card it reads still
    open, whichever way the leaf's value reads (``Subject._leaf_state``: "not card B" is open
    while card B is)."""

    def formula(p: Any, t: Any, _: Any) -> np.ndarray:
        result = np.zeros(p.count, dtype=bool)
        for column in columns:
            result |= p(column, t)
        if cards:
            cards_open = np.zeros(p.count, dtype=bool)
            for card in cards:
                cards_open |= p(_card_variable(card) + OPEN, t)
            result |= cards_open
        return result

    return formula


def three_states(
    rule: Rule, person: Any, period: Any, opens: frozenset[str]
) -> tuple[np.ndarray, np.ndarray]:
    """(holds, fails) for every person; neither: undetermined. ``opens``: the leaves that may be
    open (those with an ``_open`` variable)."""
    if isinstance(rule, Condition):
        if rule.mirror is not None:
            card = _card_variable(rule.mirror)
            held = np.asarray(person(card + "_held", period), dtype=bool)
            return held, ~held & ~person(card + OPEN, period)
        held = np.asarray(person(rule.name, period), dtype=bool)
        if rule.name not in opens:
            return held, ~held
        undecided = person(rule.name + OPEN, period)
        return held & ~undecided, ~held & ~undecided
    states = [three_states(child, person, period, opens) for child in rule.children]
    holds = np.array(states[0][0], dtype=bool, copy=True)
    fails = np.array(states[0][1], dtype=bool, copy=True)
    if isinstance(rule, AllOf):
        for child_holds, child_fails in states[1:]:
            holds &= child_holds
            fails |= child_fails
    else:
        for child_holds, child_fails in states[1:]:
            holds |= child_holds
            fails &= child_fails
    return holds, fails


def card_states(
    card: Card, person: Any, period: Any, opens: frozenset[str]
) -> tuple[np.ndarray, np.ndarray]:
    """(holds, fails) of a card: its scope and one of its categories, then the cards
    superseding it (a held one takes its place; an open one leaves it open)."""
    rule = AllOf((card.scope, AnyOf(tuple(c.rule for c in card.categories))))
    holds, fails = three_states(rule, person, period, opens)
    still = ~fails
    for other in card.superseded_by:
        other_held = person(_card_variable(other) + "_held", period)
        other_open = person(_card_variable(other) + OPEN, period)
        lost = still & other_held
        holds = holds & ~lost & ~(still & other_open)
        fails = fails | lost
    return holds, fails


def compile_program(
    program: Program, person_entity: Any, unstated: dict[str, str] | None = None
) -> list[type]:
    """OpenFisca variables for every condition, category, card, benefit and exclusivity.

    ``unstated``: fact path → the input column marking it unstated (population mode's three
    states, decision 0368)."""
    unstated = unstated or {}
    variables: list[type] = list(program.helpers)
    opened: set[str] = set()
    for condition in program.conditions:
        variables.append(
            _variable(condition.name, person_entity, bool, condition.label, condition.formula)
        )
        if condition.mirror is not None:
            continue
        columns = [unstated[r] for r in condition.reads if r in unstated]
        cards = [r.removeprefix("card:") for r in condition.reads if r.startswith("card:")]
        if columns or cards:
            opened.add(condition.name)
            variables.append(
                _variable(
                    condition.name + OPEN,
                    person_entity,
                    bool,
                    f"{condition.label}（尚待补充信息）",
                    _leaf_open_formula(condition, columns, cards),
                )
            )
    opens = frozenset(opened)

    for card in program.cards:
        scope_rule = card.scope
        variables.append(
            _variable(
                f"{card.variable}_scope",
                person_entity,
                bool,
                f"{card.name}申领范围总体要求",
                rule_formula(scope_rule),
                card.citation,
            )
        )
        for category in card.categories:
            variables.append(
                _variable(
                    card.category_variable(category.number),
                    person_entity,
                    bool,
                    f"{card.category_noun}第（{category.number}）类",
                    rule_formula(category.rule),
                    category.citation,
                )
            )

        def qualifies(p: Any, t: Any, _: Any, card: Card = card) -> np.ndarray:
            result = np.zeros(p.count, dtype=bool)
            for category in card.categories:
                result |= p(card.category_variable(category.number), t)
            result &= p(f"{card.variable}_scope", t)
            for other in card.superseded_by:
                result = result & ~p(other.replace(".", "_"), t)
            return result

        variables.append(
            _variable(card.variable, person_entity, bool, card.name, qualifies, card.citation)
        )

        def held(p: Any, t: Any, _: Any, card: Card = card) -> np.ndarray:
            return card_states(card, p, t, opens)[0]

        def undetermined(p: Any, t: Any, _: Any, card: Card = card) -> np.ndarray:
            holds, fails = card_states(card, p, t, opens)
            return ~holds & ~fails

        variables.append(
            _variable(f"{card.variable}_held", person_entity, bool, card.name, held, card.citation)
        )
        variables.append(
            _variable(
                card.variable + OPEN,
                person_entity,
                bool,
                f"{card.name}（尚待补充信息）",
                undetermined,
            )
        )

    for benefit in program.benefits:
        rule = benefit.rule

        def eligible(p: Any, t: Any, _: Any, rule: Rule = rule) -> np.ndarray:
            return three_states(rule, p, t, opens)[0]

        def open_benefit(p: Any, t: Any, _: Any, rule: Rule = rule) -> np.ndarray:
            holds, fails = three_states(rule, p, t, opens)
            return ~holds & ~fails

        variables.append(
            _variable(
                f"{benefit.variable}_eligible",
                person_entity,
                bool,
                f"{benefit.name}（符合条件）",
                eligible,
                benefit.citation,
            )
        )
        variables.append(
            _variable(
                benefit.variable + OPEN,
                person_entity,
                bool,
                f"{benefit.name}（尚待补充信息）",
                open_benefit,
            )
        )
        if benefit.amount is not None:

            def total(p: Any, t: Any, params: Any, b: Benefit = benefit) -> np.ndarray:
                assert b.amount is not None
                eligible = np.flatnonzero(p(f"{b.variable}_eligible", t))
                result = np.zeros(p.count, dtype=np.float64)
                if eligible.size:  # most programs reach few people: fill only their rows
                    amount = vector_amount(b.amount, p, t, params)
                    months = np.float64(support_months(b, params, t))
                    result[eligible] = amount[eligible] * months
                return result

            variables.append(
                _variable(
                    f"{benefit.variable}_total",
                    person_entity,
                    float,
                    f"{benefit.name}（总额，元）",
                    total,
                    wide=True,
                )
            )

    members_of: dict[str, Exclusivity] = {}
    for group in program.exclusivity:
        for member in group.members:
            members_of[member] = group

    for benefit in program.benefits:
        exclusive = members_of.get(benefit.id)

        def granted(
            p: Any, t: Any, _: Any, b: Benefit = benefit, g: Exclusivity | None = exclusive
        ) -> np.ndarray:
            eligible = p(f"{b.variable}_eligible", t)
            if g is None:
                return eligible
            mine = p(f"{b.variable}_total", t)
            result = eligible.copy()
            for other_id in g.members:
                if other_id == b.id:
                    continue
                other = other_id.replace(".", "_")
                theirs = p(f"{other}_total", t)
                other_eligible = p(f"{other}_eligible", t)
                result = result & ~(other_eligible & g.outranks(other_id, theirs, b.id, mine))
            return result

        variables.append(
            _variable(
                f"{benefit.variable}_granted",
                person_entity,
                bool,
                f"{benefit.name}（最终享受）",
                granted,
            )
        )
    return variables
