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

import numpy as np
from openfisca_core.errors import ParameterNotFoundError
from openfisca_core.parameters import (
    Parameter,
    ParameterNode,
    ParameterNodeAtInstant,
    VectorialParameterNodeAtInstant,
)
from openfisca_core.periods import Instant, Period
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


_QUIET = frozenset({"_note", "_plain", "__class__", "__dict__"})
_SPECIAL = (
    "__getitem__",
    "__iter__",
    "__len__",
    "__contains__",
    "__eq__",
    "__ne__",
    "__lt__",
    "__le__",
    "__gt__",
    "__ge__",
    "__str__",
    "__repr__",
    "__format__",
    "__add__",
    "__bool__",
    "__reduce__",
    "__reduce_ex__",
)


def _noting(cls: type) -> type:
    """Every special method of ``cls`` notes first that the day was read."""
    for name in _SPECIAL:
        original = getattr(cls.__mro__[1], name, None)
        if original is None:
            continue

        def method(self: Any, *args: Any, _original: Any = original) -> Any:
            object.__getattribute__(self, "_note")()
            return _original(self, *args)

        setattr(cls, name, method)
    cls.__hash__ = cls.__mro__[1].__hash__  # type: ignore[method-assign]  # keys, not the day
    return cls


@_noting
class _DayInstant(Instant):
    """A formula's instant: reading anything of it (year, month, day, a comparison …) notes that
    the formula reads the day; handing it to ``parameters`` does not (the law is compared
    apart)."""

    _note: Any
    _plain: Instant

    def __getattribute__(self, name: str) -> Any:
        if name not in _QUIET:
            object.__getattribute__(self, "_note")()
        return super().__getattribute__(name)


@_noting
class _DayPeriod(Period):
    """A formula's period: its unit and size are the same every month; its start is a
    ``_DayInstant``; reading anything else notes that the formula reads the day."""

    _note: Any
    _plain: Period

    def __getattribute__(self, name: str) -> Any:
        if name == "start":
            plain = object.__getattribute__(self, "_plain")
            return _day_instant(plain.start, object.__getattribute__(self, "_note"))
        if name not in _QUIET and name not in ("unit", "size"):
            object.__getattribute__(self, "_note")()
        return super().__getattribute__(name)


def _day_instant(plain: Instant, note: Any) -> _DayInstant:
    instant = tuple.__new__(_DayInstant, plain)
    instant.__dict__.update(_note=note, _plain=plain)
    return instant


def _day_period(plain: Period, note: Any) -> _DayPeriod:
    watched = tuple.__new__(_DayPeriod, plain)
    watched.__dict__.update(_note=note, _plain=plain)
    return watched


def _plain(value: Any) -> Any:
    if isinstance(value, _DayPeriod | _DayInstant):
        return object.__getattribute__(value, "_plain")
    return value


class Recorder(Simulation):
    """A simulation noting, per variable computed (name and period): the variables it asked
    for, the parameter nodes it reached, and whether its formula read the day itself."""

    deps: dict[Key, set[Key]]
    reads: dict[Key, set[tuple[str, str]]]
    dated: set[Key]  # formulas that read their day (ages, a year, a switch's day …)
    # variables put in before computing: whether they read the day, whether a reform of the
    # same persons on the same day computes them as the baseline did
    preset: dict[Key, tuple[bool, bool]]
    order: list[Key]  # in the order their computations ended (what one reads comes first)
    asked: set[Key]  # asked for from outside (not by another formula)
    _stack: list[Key]

    @classmethod
    def adopt(cls, simulation: Simulation) -> None:
        simulation.__class__ = cls
        assert isinstance(simulation, Recorder)
        simulation.deps, simulation.reads, simulation.order, simulation._stack = {}, {}, [], []
        simulation.dated, simulation.preset, simulation.asked = set(), {}, set()

    def calculate(self, variable_name: str, period: Any) -> Any:
        return super().calculate(variable_name, _plain(period))

    def _calculate(self, variable_name: str, period: Any) -> Any:
        period = _plain(period)
        key = (variable_name, period)
        if self._stack:
            self.deps[self._stack[-1]].add(key)
        else:
            self.asked.add(key)
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
        key = self._stack[-1]
        dated = self.dated

        def note() -> None:
            dated.add(key)

        watched = _day_period(period, note)
        if formula.__code__.co_argcount == 2:
            return formula(population, watched)
        reads = self.reads[key]
        at = self.tax_benefit_system.get_parameters_at_instant

        def parameters_at(instant: Any) -> _Watched:
            instant = _plain(instant)
            return _Watched(at(instant), "", str(instant), reads)

        return formula(population, watched, parameters_at)

    def day_dependent(self) -> set[Key]:
        """The variables that read the day, themselves or through what they read."""
        result: set[Key] = set()
        for key in self.order:
            preset = self.preset.get(key)
            if preset is not None:
                if preset[0]:
                    result.add(key)
            elif key in self.dated or any(d in result for d in self.deps[key]):
                result.add(key)
        return result


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
        self._unchanged: list[Key] | None = None

    def unchanged(self) -> list[Key]:
        """The variables (name, period) the reform computes exactly as the baseline did."""
        if self._unchanged is None:
            self._unchanged = self._find()
        return self._unchanged

    def _find(self) -> list[Key]:
        recorded, laws = self.recorded, self.laws
        changed: set[Key] = set()
        kept: list[Key] = []
        for key in recorded.order:
            preset = recorded.preset.get(key)
            if preset is not None:
                moved = not preset[1]
            else:
                moved = key[0] in laws.redefined or any(d in changed for d in recorded.deps[key])
            if not moved and preset is None:
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
        dated = self.recorded.day_dependent()
        for key in self.unchanged():
            name, period = key
            holder = self.recorded.get_variable_population(name).get_holder(name)
            array = holder.get_array(period)
            if array is None:
                continue
            target = simulation.get_variable_population(name).get_holder(name)
            if target.get_array(period) is not None:
                continue
            target.put_in_cache(array, period)
            if isinstance(simulation, Recorder):
                simulation.preset[key] = (key in dated, True)
            count += 1
        return count


class Constants:
    """What a side's rules give whatever the day, while the law stays what it is: the
    variables of a month computed on the whole population that read no day (themselves or
    through what they read). A later month of the same law, on everyone or on the persons who
    can change, starts from them (decision 0235).

    Only what a later month can take is kept: a value asked for from outside (a program's
    grant or total) or read by a formula that reads the day; and only persons' and families'
    (a subset holds whole families; an employer of a subset has only the subset's persons).
    Any other value a later month needs is computed, as it would have been."""

    def __init__(
        self,
        recorded: Simulation,
        population: Population,
        period: Any,
        unchanged: set[Key] | None = None,
    ):
        assert isinstance(recorded, Recorder)
        dated = recorded.day_dependent()
        self.population = population
        # name → (entity, array, the reform computes it as the baseline did)
        self.values: dict[str, tuple[str, Any, bool]] = {}
        frontier = set(recorded.asked)
        for key in dated:
            frontier |= recorded.deps[key]
        for key in recorded.order:
            if key in dated or key[1] != period or key not in frontier:
                continue
            name = key[0]
            entity = recorded.tax_benefit_system.variables[name].entity.key
            if entity not in ("person", "family"):
                continue
            array = recorded.get_variable_population(name).get_holder(name).get_array(period)
            if array is not None:
                self.values[name] = (entity, array, unchanged is not None and key in unchanged)

    def seed(self, simulation: Simulation, rows: Any, period: Any) -> int:
        """Put the kept values into ``simulation`` on ``period``: for everyone (``rows`` None)
        or for the persons of ``rows`` (whole families, in the order of ``_subset_families``)."""
        at: dict[str, Any] = {}
        if rows is not None:
            family = self.population.family
            at["person"] = rows
            at["family"] = rows if family is None else np.unique(family[rows])
        count = 0
        recorder = simulation if isinstance(simulation, Recorder) else None
        for name, (entity, array, unchanged) in self.values.items():
            holder = simulation.get_variable_population(name).get_holder(name)
            if holder.get_array(period) is not None:  # an input
                continue
            holder.put_in_cache(array if rows is None else array[at[entity]], period)
            if recorder is not None:
                recorder.preset[(name, period)] = (False, unchanged)
            count += 1
        return count
