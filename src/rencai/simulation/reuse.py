"""A reform's month on the baseline's work: only what the reform can change is computed again.

A reform changes a few dated parameters and perhaps switches a few rules; most of what the
rules compute in a month (cards, eligibility tests, the amounts of untouched programs) is the
same under both laws. Every formula is a deterministic function of the variables and the
parameters it reads, so a variable of the reform's simulation equals the baseline's, for the
same persons on the same day, when

- its definition is the same object in both systems (not neutralised or replaced by a switch),
- every parameter it read has the same value in both systems at the instant it read it, and
- every variable it read is, by the same test, equal too.

The baseline's simulation is run as a ``Recorder``: for each variable computed (name and
period) it notes the variables asked for and the parameter nodes reached — a leaf read, or a
node read whole (iterated, tested for a key, indexed with a vector, or not found at all). A node
read whole counts as a read of everything under it, so a reform that gives a value to a
parameter the law left out of force is still seen. ``Reuse.seed`` then puts the baseline's
arrays of every variable that passes the test into the reform's simulation, and the reform
computes the rest as it would have from scratch (decision 0234).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from openfisca_core.errors import ParameterNotFoundError
from openfisca_core.parameters import (
    Parameter,
    ParameterNode,
    ParameterNodeAtInstant,
    VectorialParameterNodeAtInstant,
)
from openfisca_core.simulations import Simulation
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from rencai.policy.engine.population import Population

Key = tuple[str, Any]  # a variable's name and the period it was computed for
NODES = (ParameterNodeAtInstant, VectorialParameterNodeAtInstant)


class _Watched:
    """A parameter node at an instant that notes, in ``reads``, every path reached through it."""

    __slots__ = ("_instant", "_node", "_path", "_reads")

    def __init__(self, node: Any, path: str, instant: str, reads: set[tuple[str, str]]):
        self._node, self._path, self._instant, self._reads = node, path, instant, reads

    def _whole(self) -> None:
        self._reads.add((self._instant, self._path))

    def _child(self, key: str, get: Any) -> Any:
        path = f"{self._path}.{key}" if self._path else key
        try:
            child = get()
        except (ParameterNotFoundError, AttributeError, KeyError):
            # not there under this law: perhaps under the other one
            self._reads.add((self._instant, path))
            raise
        if isinstance(child, NODES):
            return _Watched(child, path, self._instant, self._reads)
        self._reads.add((self._instant, path))
        return child

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            self._whole()
            return getattr(self._node, key)
        return self._child(key, lambda: getattr(self._node, key))

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return self._child(key, lambda: self._node[key])
        self._whole()  # vectorial: any child, by each person's key
        return self._node[key]

    def __iter__(self) -> Iterator[Any]:
        self._whole()
        return iter(self._node)

    def __contains__(self, key: Any) -> bool:
        self._whole()
        return key in self._node

    def __repr__(self) -> str:
        return repr(self._node)


class Recorder(Simulation):
    """A simulation noting, per variable computed, the variables and parameters it read."""

    deps: dict[Key, set[Key]]
    reads: dict[Key, set[tuple[str, str]]]
    order: list[Key]  # in the order their computations ended (what one reads comes first)
    _stack: list[Key]

    @classmethod
    def adopt(cls, simulation: Simulation) -> None:
        simulation.__class__ = cls
        assert isinstance(simulation, Recorder)
        simulation.deps, simulation.reads, simulation.order, simulation._stack = {}, {}, [], []

    def _calculate(self, variable_name: str, period: Any) -> Any:
        key = (variable_name, period)
        if self._stack:
            self.deps[self._stack[-1]].add(key)
        if key in self.deps:  # computed already (or being computed: OpenFisca's cycle check)
            return super()._calculate(variable_name, period)
        self.deps[key], self.reads[key] = set(), set()
        self._stack.append(key)
        try:
            result = super()._calculate(variable_name, period)
        finally:
            self._stack.pop()
        self.order.append(key)
        return result

    def _run_formula(self, variable: Any, population: Any, period: Any) -> Any:
        formula = variable.get_formula(period)
        if formula is None:
            return None
        if formula.__code__.co_argcount == 2:
            return formula(population, period)
        reads = self.reads[self._stack[-1]]
        at = self.tax_benefit_system.get_parameters_at_instant

        def parameters_at(instant: Any) -> _Watched:
            return _Watched(at(instant), "", str(instant), reads)

        return formula(population, period, parameters_at)


def _leaves(node: ParameterNode, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
    for name, child in node.children.items():
        path = f"{prefix}{name}"
        if isinstance(child, ParameterNode):
            yield from _leaves(child, f"{path}.")
        elif isinstance(child, Parameter):
            yield path, child
        else:  # a scale or another kind of node: compared whole
            yield path, child


class Laws:
    """What differs between two systems: variables defined otherwise, and per instant, the
    parameters whose values differ (None: some node that cannot be compared value by value)."""

    def __init__(self, base: TaxBenefitSystem, reform: TaxBenefitSystem):
        self.base, self.reform = base, reform
        names = set(base.variables) | set(reform.variables)
        self.redefined = {n for n in names if base.variables.get(n) is not reform.variables.get(n)}
        # the parameters whose dated values differ at all (None: not comparable value by value)
        mine, theirs = dict(_leaves(base.parameters)), dict(_leaves(reform.parameters))
        self._candidates: list[tuple[str, Parameter, Parameter]] | None = []
        if set(mine) != set(theirs):
            self._candidates = None
        else:
            for path, a in mine.items():
                b = theirs[path]
                if not (isinstance(a, Parameter) and isinstance(b, Parameter)):
                    if a is not b:
                        self._candidates = None
                        break
                elif a is not b and _dated(a) != _dated(b):
                    self._candidates.append((path, a, b))
        self._differing: dict[str, tuple[str, ...] | None] = {}

    def differing(self, instant: str) -> tuple[str, ...] | None:
        if instant not in self._differing:
            if self._candidates is None:
                self._differing[instant] = None
            else:
                self._differing[instant] = tuple(
                    path
                    for path, a, b in self._candidates
                    if a.get_at_instant(instant) != b.get_at_instant(instant)
                )
        return self._differing[instant]


def _dated(parameter: Parameter) -> list[tuple[str, Any]]:
    return [(v.instant_str, v.value) for v in parameter.values_list]


def _touches(path: str, changed: tuple[str, ...]) -> bool:
    """Whether reading ``path`` (a leaf, or a node read whole) reads one of ``changed``."""
    if not path:
        return bool(changed)
    return any(c == path or c.startswith(f"{path}.") for c in changed)


class Reuse:
    """The baseline's recorded month, to seed the reform's simulation on the same persons."""

    def __init__(self, laws: Laws, recorded: Simulation, population: Population):
        assert isinstance(recorded, Recorder)
        self.laws, self.recorded, self.population = laws, recorded, population

    def unchanged(self) -> list[Key]:
        """The variables (name, period) the reform computes exactly as the baseline did."""
        recorded, laws = self.recorded, self.laws
        changed: set[Key] = set()
        kept: list[Key] = []
        for key in recorded.order:
            name = key[0]
            moved = name in laws.redefined or any(d in changed for d in recorded.deps[key])
            if not moved:
                for instant, path in recorded.reads[key]:
                    differing = laws.differing(instant)
                    if differing is None or _touches(path, differing):
                        moved = True
                        break
            if moved:
                changed.add(key)
            else:
                kept.append(key)
        return kept

    def seed(self, simulation: Simulation) -> int:
        """Put the baseline's arrays of the unchanged variables into the reform's simulation;
        how many were put."""
        count = 0
        for name, period in self.unchanged():
            holder = self.recorded.get_variable_population(name).get_holder(name)
            array = holder.get_array(period)
            if array is None:
                continue
            simulation.get_variable_population(name).get_holder(name).put_in_cache(array, period)
            count += 1
        return count
