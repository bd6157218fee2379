"""A reform run: baseline and reform on one population, month by month over a budget window.

Each month is evaluated on its first day, in population mode, for the money awards to persons
(decision 0131). What a month costs (decision 0140):

- a monthly item (``per: month``) costs its monthly amount in every month the person is granted;
- a yearly item (``per: year``) costs its yearly amount once per calendar year, in the first
  month of that year the person is granted;
- a one-off item (``per: once``) costs its amount once in the window, in the first month the
  person is granted.

The engine's totals are the whole support period's (amount × months or years); the payment of
one month or year is that total divided by the period's count, an exact integer of fen. Money
is integer fen throughout (sums of int64, never of floats).

A month in which the reform's law equals the baseline's (no changed parameter differs that day,
no switch in force) is not computed twice: the reform's month is the baseline's.

Only what can change is recomputed (decision 0178). Every rule reads the day through the law
in force (dated parameters, dated switches), the calendar year, or whole years from one of the
person's dates (ages, years since graduating or starting, support periods, the day itself
reached): a person's result can only differ from the previous month's when the law changes
between the two first days, in January, or when one of the person's (or their employer's)
dates has its anniversary in between. A month is therefore recomputed in full when the law
changes or in January, and otherwise only for the families with such an anniversary; everyone
else keeps last month's awards; their results are written into last month's and the ledger
charges the month over the persons who moved only (decision 0237); a reform's month shares the
baseline's arrays of the items it grants and pays alike, and their moves. What does not change
is not computed again either (``reuse.py``): a reform's month takes from the baseline's every
variable the reform cannot change (decision 0234), and each side keeps the variables that read
no day while the law stays the same (decision 0235). ``simulate(..., fast=False)`` evaluates every
person in every month under both laws, and the tests check both give the same result.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable
from typing import Any

import numpy as np
from openfisca_core.periods import period as make_period
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from rencai.policy.engine.population import Population
from rencai.policy.rules import Benefit
from rencai.simulation.breakdown import Labels, person_labels
from rencai.simulation.changes import (
    anniversary_months,
    changed_rows,
    columns_of,
    lacking,
    law_days,
    reform_step,
    same_law,
    shared_items,
    subset_families,
    switch_days,
)
from rencai.simulation.costs import Delta, Ledger, Month, grants_alike, money_items
from rencai.simulation.reform import (
    ReformSpec,
    system_of,
)
from rencai.simulation.results import explain_samples, result_of
from rencai.simulation.reuse import Constants, Laws, Reuse


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def window(start: dt.date, months: int) -> list[dt.date]:
    first = first_of_month(start)
    return [
        dt.date(first.year + (first.month - 1 + k) // 12, (first.month - 1 + k) % 12 + 1, 1)
        for k in range(months)
    ]


def simulate(
    population: Population,
    start: dt.date,
    months: int,
    reform: ReformSpec | None,
    baseline: ReformSpec | None = None,
    baseline_day: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
    person_names: list[str] | None = None,
    profiles: list[Any] | None = None,
    fast: bool = True,
) -> dict[str, Any]:
    """The cost and the winners and losers of ``reform`` against ``baseline`` (the law, or
    another reform: a step of a stack) over ``months`` months from ``start``'s month.

    ``fast=False`` evaluates every person in every month (the reference the fast path, which
    recomputes only who can change, is tested against)."""
    day_of_law = baseline_day or (reform.baseline if reform else None)
    base_system = system_of(baseline, day_of_law)
    reform_system = system_of(reform, day_of_law) if reform is not None else base_system
    items = money_items(base_system)
    days = window(start, months)
    years = sorted({d.year for d in days})
    n = population.count
    base_ledger, reform_ledger = Ledger(n, items, years), Ledger(n, items, years)
    labels: Labels | None = None
    computed = 0
    person_months = 0  # persons evaluated, over both sides (the work done)
    reused = 0  # the reform's variables taken from the baseline's month (decision 0234)
    # the changes of the reform against its baseline, for the month's same-law test
    step = reform_step(reform, baseline)
    law_changes = sorted(
        law_days(base_system) | law_days(reform_system) | switch_days(reform, baseline)
    )
    bits = anniversary_months(population) if fast else None
    laws = Laws(base_system, reform_system) if fast and step is not None else None
    # each side's values that read no day, kept while the law stays the same (decision 0235)
    base_constants: Constants | None = None
    reform_constants: Constants | None = None
    # the facts the months recomputed for some persons read (None: not known yet, all given)
    inputs: set[str] | None = None
    # per calendar month, the persons recomputed after its first and their facts (``inputs``)
    subsets: dict[int, tuple[frozenset[str], np.ndarray | None, Population | None]] = {}
    previous_base: Month | None = None
    previous_reform: Month | None = None  # the reform's own month (None: it was the baseline's)
    for index, day in enumerate(days):
        rows: np.ndarray | None = None
        moved = index > 0 and any(days[index - 1] < change <= day for change in law_changes)
        if moved:
            base_constants = reform_constants = None
        subset = None
        if bits is not None and index > 0 and day.month != 1 and not moved:
            # the persons of a calendar month are the same every year: gathered once per facts
            key = days[index - 1].month
            cached = subsets.get(key)
            if cached is not None and inputs is not None and cached[0] == inputs:
                rows, subset = cached[1], cached[2]
            else:
                rows = changed_rows(population, bits, key)
                if rows.size * 2 > n:  # most persons change: the whole population is cheaper
                    rows = None
                if rows is not None and rows.size:
                    subset = subset_families(population, rows, inputs)
                if inputs is not None:
                    subsets[key] = (frozenset(inputs), rows, subset)
        differs = step is not None and not same_law(step, base_system, reform_system, day)
        period = make_period(day.isoformat())

        base_month, computed_base, work, base_moves = _evaluate(
            base_system,
            population,
            subset,
            rows,
            day,
            items,
            previous_base,
            cards=labels is None,
            record=fast,
            constants=base_constants,
        )
        person_months += work
        if labels is None:
            labels = person_labels(population, day, base_month.cards)
        reuse = None
        if laws is not None and differs and computed_base and computed_base.simulation:
            reuse = Reuse(laws, computed_base.simulation, computed_base.population)
        kept = None
        if computed_base is not None and computed_base.population is population:
            kept = computed_base.simulation
        if fast and base_constants is None and kept is not None:
            unchanged = set(reuse.unchanged()) if reuse is not None else None
            base_constants = Constants(kept, population, period, unchanged)
        if differs:
            reform_month, computed_reform, work, reform_moves = _evaluate(
                reform_system,
                population,
                subset,
                rows,
                day,
                items,
                previous_reform,
                record=fast,
                reuse=reuse,
                constants=reform_constants,
                base=(base_month, base_moves, computed_base),
            )
            if computed_reform is not None:
                reused += computed_reform.reused
                if fast and reform_constants is None and computed_reform.population is population:
                    assert computed_reform.simulation is not None
                    reform_constants = Constants(computed_reform.simulation, population, period)
                computed_reform.release()
            person_months += work
            previous_reform = reform_month
            computed += 1
        else:
            reform_month, reform_moves = base_month, base_moves
            previous_reform, computed_reform = None, None
        if fast and subset is not None:
            read = set(computed_base.read) if computed_base is not None else set()
            if differs and computed_reform is not None:
                read |= computed_reform.read
            inputs = (inputs or set()) | (read & columns_of(population))
        if computed_base is not None:
            computed_base.release()
        computed += 1
        base_ledger.post(base_month, day, index, base_moves)
        reform_ledger.post(reform_month, day, index, reform_moves)
        previous_base = base_month
        del base_month, reform_month, subset, computed_base
        if index % 12 == 11:
            gc.collect()  # what is left of the month's simulations (their columns are freed)
        if progress:
            progress(index + 1, len(days))
    assert labels is not None
    labels.person_names = person_names
    result = result_of(
        population, days, items, base_ledger, reform_ledger, labels, reform, baseline
    )
    result["evaluations"] = computed
    result["persons_evaluated"] = person_months
    result["variables_reused"] = reused
    result["samples_explained"] = explain_samples(
        result, population, days, items, base_system, reform_system, profiles
    )
    return result


def _evaluate(
    system: TaxBenefitSystem,
    population: Population,
    subset: Population | None,
    rows: np.ndarray | None,
    day: dt.date,
    items: list[Benefit],
    previous: Month | None,
    cards: bool = False,
    record: bool = False,
    reuse: Reuse | None = None,
    constants: Constants | None = None,
    base: tuple[Month, dict[str, Delta | None] | None, Month | None] | None = None,
) -> tuple[Month, Month | None, int, dict[str, Delta | None] | None]:
    """One side's month: in full, or last month's with the persons of ``rows`` (``subset``)
    recomputed and written into it; the month actually computed (None: nobody's result could
    change); how many persons were evaluated; and, for a month written into the last one, the
    persons who moved per item (for the ledger). ``reuse`` seeds the computation when it is on
    the same persons; ``constants`` seed it with the side's values that read no day.
    ``base``: the baseline's month of the same day, its moves and the month it computed, for
    a reform's month: the items the reform grants and pays as the baseline does share the
    baseline's arrays; with ``reuse``, those it cannot change are not computed (``shared_items``),
    the others are compared."""
    if rows is None or previous is None:
        on, at = population, None
    elif subset is None:  # nobody's result can change this month
        return previous, None, 0, None
    else:
        on, at = subset, rows
    if reuse is not None and reuse.population is not on:
        reuse = None
    seeds = None if constants is None else (constants, at)
    skip: frozenset[str] = frozenset()
    if reuse is not None and base is not None:
        skip = shared_items(reuse, items, system, day)
        if on is not population:  # only where last month's arrays are the baseline's too
            assert previous is not None
            skip = frozenset(i for i in skip if previous.granted[i] is base[0].granted[i])
    computed = Month(
        system,
        on,
        day,
        items,
        cards=cards,
        record=record,
        reuse=reuse,
        constants=seeds,
        skip=skip,
    )
    if on is not population and record and lacking(population, on, computed.read):
        # a rule read a fact the persons were given without (decision 0237): again, with all
        assert rows is not None
        computed.release()
        on = subset_families(population, rows)
        computed = Month(system, on, day, items, record=record, constants=seeds, skip=skip)
    if on is population:
        if base is not None:
            source = base[0]
            alike = skip | {b.id for b in items if grants_alike(computed, source, b.id)}
            computed.granted = {
                b.id: source.granted[b.id] if b.id in alike else computed.granted[b.id]
                for b in items
            }
            computed.payment = {
                b.id: source.payment[b.id] if b.id in alike else computed.payment[b.id]
                for b in items
            }
        return computed, computed, population.count, None
    assert rows is not None and previous is not None
    moves = None
    if base is not None and base[1] is not None:
        moves = (base[0], base[1], base[2])
    return previous, computed, on.count, Month.patch(previous, computed, rows, moves)
