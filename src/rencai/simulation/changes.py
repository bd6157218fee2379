"""What can change from one month to the next (decision 0178): the days the law changes, the
persons with an anniversary in the month, and the families to recompute."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from openfisca_core.periods import period as make_period
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from rencai.policy.engine.population import Population
from rencai.policy.leaves import yyyymmdd
from rencai.policy.rules import Benefit, support_months
from rencai.simulation.reform import (
    BenefitSwitch,
    ExclusivitySwitch,
    ParameterChange,
    ReformSpec,
    parameter_at,
)
from rencai.simulation.reuse import Reuse


def same_law(
    spec: ReformSpec | None, base: TaxBenefitSystem, reform: TaxBenefitSystem, day: dt.date
) -> bool:
    """Whether the reform's law is the baseline's on ``day`` (then its month is not computed)."""
    if spec is None:
        return True
    for change in spec.changes:
        if isinstance(change, BenefitSwitch | ExclusivitySwitch):
            if change.start is None or change.start <= day:
                return False
        elif isinstance(change, ParameterChange):
            instant_text = day.isoformat()
            a, b = parameter_at(base, change.path), parameter_at(reform, change.path)
            if (
                a is None
                or b is None
                or a.get_at_instant(instant_text) != b.get_at_instant(instant_text)
            ):
                return False
    return True


def shared_items(
    reuse: Reuse, items: list[Benefit], system: TaxBenefitSystem, day: dt.date
) -> frozenset[str]:
    """The items a reform's month grants and pays as the baseline's does: their grant and
    total are among what the reform computes exactly as the baseline did (decision 0234), and
    the support period they are paid over is the same under both laws (decision 0237)."""
    period = make_period(day.isoformat())
    unchanged = set(reuse.unchanged())
    base = reuse.laws.base
    return frozenset(
        b.id
        for b in items
        if (f"{b.variable}_granted", period) in unchanged
        and (f"{b.variable}_total", period) in unchanged
        and support_months(b, base.get_parameters_at_instant, period)
        == support_months(b, system.get_parameters_at_instant, period)
    )


def columns_of(population: Population) -> set[str]:
    return set(population.persons) | set(population.employers)


def lacking(population: Population, subset: Population, read: set[str]) -> set[str]:
    """The population's facts that were read but that ``subset`` was given without."""
    return (read & columns_of(population)) - columns_of(subset)


def law_days(system: TaxBenefitSystem) -> set[dt.date]:
    """Every day on which some parameter of ``system`` takes a new value."""
    days: set[dt.date] = set()

    def walk(node: Any) -> None:
        values = getattr(node, "values_list", None)
        if values is not None:
            for value in values:
                days.add(dt.date.fromisoformat(str(value.instant_str)))
        for child in getattr(node, "children", {}).values():
            walk(child)
        for bracket in getattr(node, "brackets", []) or []:
            walk(bracket)

    walk(system.parameters)
    return days


def switch_days(*specs: ReformSpec | None) -> set[dt.date]:
    """The days dated switches of whole rules take effect."""
    return {
        change.start
        for spec in specs
        if spec is not None
        for change in spec.changes
        if isinstance(change, BenefitSwitch | ExclusivitySwitch) and change.start is not None
    }


def anniversary_months(population: Population) -> np.ndarray:
    """Per person, bit M (1–12) set when one of their dates (or their employer's) has its
    anniversary after the first of month M and by the first of the next month: only then can
    whole years counted from it, or the day reaching it, change between those two first days."""
    bits = np.zeros(population.count, dtype=np.int32)
    at = population.employer
    columns = [values for values in population.persons.values() if values.dtype.kind == "M"]
    columns += [
        values if at is None else values[at]
        for values in population.employers.values()
        if values.dtype.kind == "M"
    ]
    for values in columns:
        number = yyyymmdd(values)
        month, day = (number // 100) % 100, number % 100
        # the anniversary on day 1 of month m falls in the interval that starts in month m − 1
        interval = np.where(day >= 2, month, (month + 10) % 12 + 1)
        bits |= np.left_shift(1, interval).astype(np.int32)
    return bits


def changed_rows(population: Population, bits: np.ndarray, month: int) -> np.ndarray:
    """The persons whose result may change after the first of ``month``: those with an
    anniversary in the month, with everyone in their family (a 副卡 follows its sponsor)."""
    changed = (bits >> month) & 1 == 1
    if population.family is not None and changed.any():
        families = np.zeros(population.family_count, dtype=bool)
        families[population.family[changed]] = True
        changed = families[population.family]
    return np.flatnonzero(changed)


def subset_families(
    population: Population, rows: np.ndarray, columns: set[str] | None = None
) -> Population:
    """The persons of ``rows`` (whole families), each with their employer's columns (only
    the ``columns`` named if given)."""
    subset = subset_of(population, rows, columns)
    if population.family is not None:
        _, subset.family = np.unique(population.family[rows], return_inverse=True)
        if population.relative is not None:
            subset.relative = population.relative[rows]
    return subset


def reform_step(reform: ReformSpec | None, baseline: ReformSpec | None) -> ReformSpec | None:
    """The reform's changes beyond its baseline's (a stack's step: the changes added)."""
    if reform is None:
        return None
    if baseline is None:
        return reform
    kept = tuple(c for c in reform.changes if c not in baseline.changes)
    extra = tuple(c for c in baseline.changes if c not in reform.changes)
    return ReformSpec(reform.name, changes=kept + extra, jurisdiction=reform.jurisdiction)


def subset_of(
    population: Population, rows: np.ndarray, columns: set[str] | None = None
) -> Population:
    """The persons of ``rows``, each with their employer's columns (as their own employer);
    only the ``columns`` named if given. A column several names share is gathered once."""
    taken: dict[tuple[int, int], np.ndarray] = {}

    def take(values: np.ndarray, at: np.ndarray) -> np.ndarray:
        key = (id(values), id(at))
        if key not in taken:
            taken[key] = values[at]
        return taken[key]

    def wanted(name: str) -> bool:
        return columns is None or name in columns

    persons = {n: take(v, rows) for n, v in population.persons.items() if wanted(n)}
    at = rows if population.employer is None else population.employer[rows]
    employers = {n: take(v, at) for n, v in population.employers.items() if wanted(n)}
    return Population(count=len(rows), persons=persons, employers=employers)
