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
from dataclasses import dataclass
from typing import Any

import numpy as np
from openfisca_core.periods import period as make_period
from openfisca_core.simulations import Simulation
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from rencai.policy.contract.vocabulary import vocabulary
from rencai.policy.engine.model import DEGREE_ORDER, County, county_member
from rencai.policy.engine.population import Population, build_simulation, set_inputs
from rencai.policy.explain import explain
from rencai.policy.leaves import yyyymmdd
from rencai.policy.rules import Benefit, leaves, support_months
from rencai.simulation.reform import (
    BenefitSwitch,
    ExclusivitySwitch,
    ParameterChange,
    ReformSpec,
    parameter_at,
    system_of,
)
from rencai.simulation.reuse import Constants, Laws, Recorder, Reuse

DEGREE_LABELS = {
    "none": "无学位",
    "associate": "专科",
    "bachelor": "学士",
    "master": "硕士",
    "doctorate": "博士",
}
AGE_BANDS = (
    (0, 30, "30岁以下"),
    (30, 35, "30–34岁"),
    (35, 40, "35–39岁"),
    (40, 45, "40–44岁"),
    (45, 55, "45–54岁"),
    (55, 200, "55岁及以上"),
)
TIERS = (("card.a", "A卡"), ("card.b", "B卡"), ("card.county", "县卡"))
NO_TIER = "无绿卡"
SAMPLES = 3  # sample persons kept per aggregate


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def window(start: dt.date, months: int) -> list[dt.date]:
    first = first_of_month(start)
    return [
        dt.date(first.year + (first.month - 1 + k) // 12, (first.month - 1 + k) % 12 + 1, 1)
        for k in range(months)
    ]


@dataclass
class Labels:
    """Who each person is, for the breakdowns: codes per person and their Chinese names."""

    degree: np.ndarray
    county: np.ndarray
    age_band: np.ndarray
    tier: np.ndarray
    names: dict[str, list[str]]  # dimension → label of each code
    person_names: list[str] | None = None  # registered talents: their names (else None)


def _labels(population: Population, start: dt.date, cards: dict[str, np.ndarray]) -> Labels:
    n = population.count
    degree = population.persons.get("highest_degree", np.zeros(n, dtype=np.int16)).astype(np.int16)
    county_index = population.persons.get("county", np.zeros(n, dtype=np.int16)).astype(np.int32)
    county_names = ["未知"] * len(County)
    for code, county in vocabulary().counties.items():
        member = County.__members__.get(county_member(code))
        if member is not None:
            county_names[member.index] = county.name
    birth = population.persons.get("birth_date")
    band = np.zeros(n, dtype=np.int16)
    if birth is not None:
        start64 = np.datetime64(start.isoformat())
        years = (start64 - birth.astype("datetime64[D]")).astype(np.int64) // 365.2425
        for k, (lo, hi, _) in enumerate(AGE_BANDS):
            band[(years >= lo) & (years < hi)] = k
    tier = np.full(n, len(TIERS), dtype=np.int16)
    for k, (card, _) in reversed(list(enumerate(TIERS))):
        held = cards.get(card)
        if held is not None:
            tier[held.astype(bool)] = k
    return Labels(
        degree=degree,
        county=county_index,
        age_band=band,
        tier=tier,
        names={
            "degree": [DEGREE_LABELS[d] for d in DEGREE_ORDER],
            "county": county_names,
            "age_band": [label for _, _, label in AGE_BANDS],
            "tier": [label for _, label in TIERS] + [NO_TIER],
        },
    )


DIMENSIONS = {
    "degree": "学历学位",
    "county": "县（市、区）",
    "tier": "人才绿卡层次",
    "age_band": "年龄段",
}


class Month:
    """One system's awards for one month: granted and the payment due, per money item.

    ``record``: the simulation notes what each variable read (``_Recorder``) and is kept on
    ``self.simulation`` until ``release()``, for the other side's ``reuse``: a reform's month
    on the same persons, seeded with every variable the reform cannot change (decision 0234).
    ``cards``: the cards held are computed too (only the first month's are used)."""

    def __init__(
        self,
        system: TaxBenefitSystem,
        population: Population,
        day: dt.date,
        items: list[Benefit],
        cards: bool = False,
        record: bool = False,
        reuse: Reuse | None = None,
        constants: tuple[Constants, np.ndarray | None] | None = None,
        skip: frozenset[str] = frozenset(),
    ):
        simulation = build_simulation(system, population)
        if record:
            Recorder.adopt(simulation)
        set_inputs(simulation, population, day)
        text = day.isoformat()
        period = make_period(text)
        # the baseline's values first: they need no gathering for the persons recomputed
        self.reused = 0 if reuse is None else reuse.seed(simulation)
        self.constant = (
            0 if constants is None else constants[0].seed(simulation, constants[1], period)
        )
        self.granted: dict[str, np.ndarray] = {}
        # fen due if paid in this month (None: nobody is granted the item this month)
        self.payment: dict[str, np.ndarray | None] = {}
        self.cards: dict[str, np.ndarray] = {}
        if cards:
            self.cards = {c: simulation.calculate(c.replace(".", "_"), text) for c, _ in TIERS}
        for benefit in items:
            if benefit.id in skip:  # the other side's values (``_shared``): taken from it
                continue
            # a copy: a later month's persons are written into it (``patch``)
            granted = np.array(simulation.calculate(f"{benefit.variable}_granted", text), bool)
            fen = None
            rows = np.flatnonzero(granted)
            if rows.size:
                fen = np.zeros(population.count, dtype=np.int64)
                total = simulation.calculate(f"{benefit.variable}_total", text)
                count = support_months(benefit, system.get_parameters_at_instant, period)
                whole = np.rint(total[rows].astype(np.float64) * 100).astype(np.int64)
                fen[rows] = whole // count if count > 0 else 0
            self.granted[benefit.id] = granted
            self.payment[benefit.id] = fen
        self.population = population
        self.simulation: Simulation | None = simulation
        # the variables the month asked for or computed (recorded months only)
        self.read = {name for name, _ in simulation.deps} if record else set()
        if not record:
            self.release()

    def release(self) -> None:
        """Drop the simulation: its populations and holders refer to each other, so the holders
        are cleared now and their columns freed without waiting for the cycle collector."""
        if self.simulation is not None:
            for entities in self.simulation.populations.values():
                entities._holders.clear()
            self.simulation = None

    @staticmethod
    def patch(
        previous: Month,
        changed: Month,
        rows: np.ndarray,
        base: tuple[Month, dict[str, Delta | None], Month | None] | None = None,
    ) -> dict[str, Delta | None]:
        """Write into last month's awards the persons of ``rows`` as ``changed`` (a month
        computed on those persons only, in the same order) has them; per item, the persons whose
        grant or payment moved, before and after (None: nobody's). The arrays are the side's
        own (a month computed in full copies what it takes), so they are written in place.

        ``base``: the baseline's month, patched already, its moves, and the month it computed
        on the same persons. An item whose arrays are the baseline's (``_shared``) and which
        ``changed`` did not compute, or computed with the baseline's values, moved as the
        baseline's did, and is written already; one whose arrays are the baseline's but which
        ``changed`` computed otherwise is given its own arrays first, as they were before the
        baseline's moves."""
        deltas: dict[str, Delta | None] = {}
        for item, state in previous.granted.items():
            if base is not None and state is base[0].granted[item]:
                if item not in changed.granted or _alike(changed, base[2], item):
                    deltas[item] = base[1][item]
                    previous.payment[item] = base[0].payment[item]
                    continue
                state = _unshared(previous, base[0], base[1][item], item)
            new_granted = changed.granted[item]
            payments, new_payment = previous.payment[item], changed.payment[item]
            if payments is None and new_payment is None and not new_granted.any():
                # nobody granted at all: seen without gathering these persons
                old_granted = state[rows] if state.any() else None
                if old_granted is None or not old_granted.any():
                    # nobody paid or granted, before or now, among these persons: nothing moved
                    deltas[item] = None
                    continue
            else:
                old_granted = state[rows]
            moved = old_granted != new_granted
            old_all = None if payments is None else payments[rows]
            if old_all is not None and new_payment is not None:
                moved |= old_all != new_payment
            elif old_all is not None:
                moved |= old_all != 0
            elif new_payment is not None:
                moved |= new_payment != 0
            at = np.flatnonzero(moved)
            if not at.size:
                deltas[item] = None
                continue
            zeros = np.zeros(at.size, dtype=np.int64)
            old_fen = zeros if old_all is None else old_all[at]
            new_fen = zeros if new_payment is None else new_payment[at]
            where = rows[at]
            delta = Delta(where, old_granted[at], new_granted[at], old_fen, new_fen)
            state[where] = delta.new_granted
            if payments is None:
                if delta.new_fen.any():
                    payments = np.zeros(state.size, dtype=np.int64)
                    payments[where] = delta.new_fen
                    previous.payment[item] = payments
            else:
                payments[where] = delta.new_fen
            deltas[item] = delta
        return deltas


def _alike(mine: Month, theirs: Month | None, item: str) -> bool:
    """Whether two months on the same persons grant and pay ``item`` alike."""
    if theirs is None or item not in theirs.granted or item not in mine.granted:
        return False
    fen, other = mine.payment[item], theirs.payment[item]
    if not np.array_equal(mine.granted[item], theirs.granted[item]):
        return False
    if fen is None or other is None:
        return fen is None and other is None
    return np.array_equal(fen, other)


def _unshared(mine: Month, base: Month, delta: Delta | None, item: str) -> np.ndarray:
    """Give ``mine`` its own arrays of ``item``, which were ``base``'s: ``base``'s now with
    the moves of ``delta`` undone (the values both had before ``base`` was patched)."""
    granted = base.granted[item].copy()
    payment = base.payment[item]
    payment = None if payment is None else payment.copy()
    if delta is not None:
        granted[delta.rows] = delta.old_granted
        if payment is not None:
            payment[delta.rows] = delta.old_fen
    mine.granted[item], mine.payment[item] = granted, payment
    return granted


@dataclass
class Delta:
    """The persons whose grant or payment of an item moved this month, before and after."""

    rows: np.ndarray
    old_granted: np.ndarray
    new_granted: np.ndarray
    old_fen: np.ndarray
    new_fen: np.ndarray


class Ledger:
    """What one system pays over the window, person by person and program by program."""

    def __init__(self, n: int, items: list[Benefit], years: list[int]):
        self.items = items
        self.cost = {year: {b.id: 0 for b in items} for year in years}
        # what was paid already: per one-off item in the window, per yearly item this year
        self.paid = {b.id: np.zeros(n, dtype=bool) for b in items if b.per != "month"}
        self.ever = {b.id: np.zeros(n, dtype=bool) for b in items}
        self.months = {b.id: 0 for b in items}  # recipient-months
        self.person = np.zeros(n, dtype=np.int64)  # fen over the window
        self.previous: dict[str, np.ndarray] | None = None
        self._last_payment: dict[str, np.ndarray | None] = {}
        self.cliffs = {b.id: np.zeros(n, dtype=bool) for b in items}
        self.cliff_day = {b.id: np.zeros(n, dtype=np.int16) for b in items}
        self.cliff_loss = {b.id: np.zeros(n, dtype=np.int64) for b in items if b.per == "month"}
        self.rate = np.zeros(n, dtype=np.int64)  # fen a month from the monthly items, per person
        self._monthly = {b.id: 0 for b in items}  # a monthly item's cost in the last month posted
        self._count = {b.id: 0 for b in items}  # recipients in the last month posted

    def post(
        self,
        month: Month,
        day: dt.date,
        index: int,
        deltas: dict[str, Delta | None] | None = None,
    ) -> None:
        """Charge ``month``; with ``deltas`` (a month patched in place from the last one, never
        January) only the persons who moved are looked at."""
        if deltas is not None:
            self._post_moves(month, day, index, deltas)
            return
        if day.month == 1:
            for benefit in self.items:
                if benefit.per == "year":
                    self.paid[benefit.id][:] = False
        previous = self.previous
        for benefit in self.items:
            item = benefit.id
            granted = month.granted[item]
            payment = month.payment[item]
            if (
                previous is not None
                and granted is previous[item]
                and payment is self._last_payment.get(item)
                and (benefit.per == "month" or day.month != 1)
            ):
                # last month's awards again: a monthly item costs what it cost; a yearly or
                # one-off one was paid already to all it grants (no cliff, nobody new)
                if benefit.per == "month":
                    self.cost[day.year][item] += self._monthly[item]
                self.months[item] += self._count[item]
                continue
            if benefit.per == "month":
                old = self._last_payment.get(item)
                if previous is not None and old is not None:
                    gone = np.flatnonzero(previous[item])
                    self.rate[gone] -= old[gone]
                rows = np.flatnonzero(granted)
                total = 0
                if rows.size and payment is not None:
                    amounts = payment[rows]
                    total = int(amounts.sum(dtype=np.int64))
                    self.rate[rows] += amounts
                self._monthly[item] = total
                self.cost[day.year][item] += total
            else:  # once a year, or once in the window
                due = granted & ~self.paid[item]
                self.paid[item] |= granted
                rows = np.flatnonzero(due)
                if rows.size and payment is not None:
                    amounts = payment[rows]
                    self.cost[day.year][item] += int(amounts.sum(dtype=np.int64))
                    self.person[rows] += amounts
            self.ever[item] |= granted
            self._count[item] = int(np.count_nonzero(granted))
            self.months[item] += self._count[item]
            if previous is not None:
                # a cliff: granted last month, not this month, the law being what it was (a
                # threshold crossed: an age limit, the end of a support period …)
                lost = previous[item] & ~granted
                new = lost & ~self.cliffs[item]
                self.cliffs[item] |= lost
                self.cliff_day[item][new] = index
                last = self._last_payment.get(item)
                if benefit.per == "month" and last is not None:
                    self.cliff_loss[item][new] = last[new]
        self.person += self.rate  # the monthly items' payments of this month
        self.previous = month.granted
        self._last_payment = month.payment

    def _post_moves(
        self, month: Month, day: dt.date, index: int, deltas: dict[str, Delta | None]
    ) -> None:
        """``post`` for a month that is the last one but for the persons in ``deltas``: the
        same sums, taken over those persons only."""
        assert day.month != 1 and self.previous is not None
        for benefit in self.items:
            item = benefit.id
            delta = deltas[item]
            if delta is None:  # last month's awards again
                if benefit.per == "month":
                    self.cost[day.year][item] += self._monthly[item]
                self.months[item] += self._count[item]
                continue
            rows = delta.rows
            if benefit.per == "month":
                # payments are 0 where not granted: the rate moves by the difference
                self.rate[rows] += delta.new_fen - delta.old_fen
                total = (
                    self._monthly[item]
                    + int(delta.new_fen.sum(dtype=np.int64))
                    - int(delta.old_fen.sum(dtype=np.int64))
                )
                self._monthly[item] = total
                self.cost[day.year][item] += total
            else:  # the others granted last month were paid then
                paid = self.paid[item]
                due = delta.new_granted & ~paid[rows]
                paid[rows] |= delta.new_granted
                at = rows[due]
                if at.size:
                    amounts = delta.new_fen[due]
                    self.cost[day.year][item] += int(amounts.sum(dtype=np.int64))
                    self.person[at] += amounts
            self.ever[item][rows] |= delta.new_granted
            self._count[item] += int(np.count_nonzero(delta.new_granted)) - int(
                np.count_nonzero(delta.old_granted)
            )
            self.months[item] += self._count[item]
            lost = delta.old_granted & ~delta.new_granted
            new = lost & ~self.cliffs[item][rows]
            self.cliffs[item][rows] |= lost
            self.cliff_day[item][rows[new]] = index
            if benefit.per == "month":
                self.cliff_loss[item][rows[new]] = delta.old_fen[new]
        self.person += self.rate
        self.previous = month.granted
        self._last_payment = month.payment


def _same_law(
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


def money_items(system: TaxBenefitSystem) -> list[Benefit]:
    return [
        b
        for b in system.program.benefits
        if b.kind == "money" and b.amount is not None and b.target == "person"
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
    step = _step(reform, baseline)
    law_days = sorted(
        _law_days(base_system) | _law_days(reform_system) | _switch_days(reform, baseline)
    )
    bits = _anniversary_months(population) if fast else None
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
        moved = index > 0 and any(days[index - 1] < change <= day for change in law_days)
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
                rows = _changed_rows(population, bits, key)
                if rows.size * 2 > n:  # most persons change: the whole population is cheaper
                    rows = None
                if rows is not None and rows.size:
                    subset = _subset_families(population, rows, inputs)
                if inputs is not None:
                    subsets[key] = (frozenset(inputs), rows, subset)
        differs = step is not None and not _same_law(step, base_system, reform_system, day)
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
            labels = _labels(population, day, base_month.cards)
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
            inputs = (inputs or set()) | (read & _columns(population))
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
    result = _result(population, days, items, base_ledger, reform_ledger, labels, reform, baseline)
    result["evaluations"] = computed
    result["persons_evaluated"] = person_months
    result["variables_reused"] = reused
    result["samples_explained"] = _explain_samples(
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
    baseline's arrays; with ``reuse``, those it cannot change are not computed (``_shared``),
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
        skip = _shared(reuse, items, system, day)
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
    if on is not population and record and _lacking(population, on, computed.read):
        # a rule read a fact the persons were given without (decision 0237): again, with all
        assert rows is not None
        computed.release()
        on = _subset_families(population, rows)
        computed = Month(system, on, day, items, record=record, constants=seeds, skip=skip)
    if on is population:
        if base is not None:
            source = base[0]
            alike = skip | {b.id for b in items if _alike(computed, source, b.id)}
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


def _shared(
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


def _columns(population: Population) -> set[str]:
    return set(population.persons) | set(population.employers)


def _lacking(population: Population, subset: Population, read: set[str]) -> set[str]:
    """The population's facts that were read but that ``subset`` was given without."""
    return (read & _columns(population)) - _columns(subset)


def _law_days(system: TaxBenefitSystem) -> set[dt.date]:
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


def _switch_days(*specs: ReformSpec | None) -> set[dt.date]:
    """The days dated switches of whole rules take effect."""
    return {
        change.start
        for spec in specs
        if spec is not None
        for change in spec.changes
        if isinstance(change, BenefitSwitch | ExclusivitySwitch) and change.start is not None
    }


def _anniversary_months(population: Population) -> np.ndarray:
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


def _changed_rows(population: Population, bits: np.ndarray, month: int) -> np.ndarray:
    """The persons whose result may change after the first of ``month``: those with an
    anniversary in the month, with everyone in their family (a 副卡 follows its sponsor)."""
    changed = (bits >> month) & 1 == 1
    if population.family is not None and changed.any():
        families = np.zeros(population.family_count, dtype=bool)
        families[population.family[changed]] = True
        changed = families[population.family]
    return np.flatnonzero(changed)


def _subset_families(
    population: Population, rows: np.ndarray, columns: set[str] | None = None
) -> Population:
    """The persons of ``rows`` (whole families), each with their employer's columns (only
    the ``columns`` named if given)."""
    subset = _subset(population, rows, columns)
    if population.family is not None:
        _, subset.family = np.unique(population.family[rows], return_inverse=True)
        if population.relative is not None:
            subset.relative = population.relative[rows]
    return subset


def _step(reform: ReformSpec | None, baseline: ReformSpec | None) -> ReformSpec | None:
    """The reform's changes beyond its baseline's (a stack's step: the changes added)."""
    if reform is None:
        return None
    if baseline is None:
        return reform
    kept = tuple(c for c in reform.changes if c not in baseline.changes)
    extra = tuple(c for c in baseline.changes if c not in reform.changes)
    return ReformSpec(reform.name, changes=kept + extra, jurisdiction=reform.jurisdiction)


def _sum(values: np.ndarray | None) -> int:
    return 0 if values is None else int(values.sum(dtype=np.int64))


def _yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def _samples(mask: np.ndarray, order: np.ndarray | None = None) -> list[int]:
    rows = np.flatnonzero(mask)
    if order is not None and rows.size:
        rows = rows[np.argsort(-np.abs(order[rows]), kind="stable")]
    return [int(r) for r in rows[:SAMPLES]]


def _result(
    population: Population,
    days: list[dt.date],
    items: list[Benefit],
    base: Ledger,
    reform: Ledger,
    labels: Labels,
    spec: ReformSpec | None,
    baseline: ReformSpec | None,
) -> dict[str, Any]:
    names = {b.id: b.name for b in items}
    by_year = []
    for year in sorted(base.cost):
        lines: list[dict[str, Any]] = []
        for b in items:
            a, r = base.cost[year][b.id], reform.cost[year][b.id]
            if a or r:
                lines.append(
                    {
                        "program": b.id,
                        "name": b.name,
                        "baseline_fen": a,
                        "reform_fen": r,
                        "difference_fen": r - a,
                    }
                )
        total_a = sum(base.cost[year].values())
        total_r = sum(reform.cost[year].values())
        by_year.append(
            {
                "year": year,
                "baseline_fen": total_a,
                "reform_fen": total_r,
                "difference_fen": total_r - total_a,
                "programs": lines,
            }
        )
    delta = reform.person - base.person
    programs: list[dict[str, Any]] = []
    for b in items:
        a_total = sum(base.cost[y][b.id] for y in base.cost)
        r_total = sum(reform.cost[y][b.id] for y in reform.cost)
        gained = reform.ever[b.id] & ~base.ever[b.id]
        lost = base.ever[b.id] & ~reform.ever[b.id]
        if not (a_total or r_total or base.ever[b.id].any() or reform.ever[b.id].any()):
            continue
        # recipients whose money over the window changed, for an item whose cost changed
        changed = (reform.ever[b.id] | base.ever[b.id]) & (delta != 0) & (r_total != a_total)
        programs.append(
            {
                "program": b.id,
                "name": b.name,
                "per": b.per,
                "baseline_fen": a_total,
                "reform_fen": r_total,
                "difference_fen": r_total - a_total,
                "baseline_recipients": int(base.ever[b.id].sum()),
                "reform_recipients": int(reform.ever[b.id].sum()),
                "baseline_recipient_months": base.months[b.id],
                "reform_recipient_months": reform.months[b.id],
                "gained": int(gained.sum()),
                "lost": int(lost.sum()),
                "samples": {
                    "gained": _samples(gained),
                    "lost": _samples(lost),
                    "changed": _samples(changed, delta),
                },
            }
        )
    groups: dict[str, list[dict[str, Any]]] = {}
    for dimension in DIMENSIONS:
        codes = getattr(labels, dimension)
        rows = []
        for code in np.unique(codes):
            at = codes == code
            winners, losers = at & (delta > 0), at & (delta < 0)
            rows.append(
                {
                    "code": int(code),
                    "label": labels.names[dimension][int(code)],
                    "persons": int(at.sum()),
                    "winners": int(winners.sum()),
                    "losers": int(losers.sum()),
                    "gain_fen": int(delta[winners].sum(dtype=np.int64)),
                    "loss_fen": int(-delta[losers].sum(dtype=np.int64)),
                    "difference_fen": int(delta[at].sum(dtype=np.int64)),
                    "samples": {
                        "winners": _samples(winners, delta),
                        "losers": _samples(losers, delta),
                    },
                }
            )
        groups[dimension] = rows
    cliffs: list[dict[str, Any]] = []
    for b in items:
        a_cliff, r_cliff = base.cliffs[b.id], reform.cliffs[b.id]
        if not (a_cliff.any() or r_cliff.any()):
            continue
        cliffs.append(
            {
                "program": b.id,
                "name": b.name,
                "baseline_persons": int(a_cliff.sum()),
                "reform_persons": int(r_cliff.sum()),
                "reform_monthly_loss_fen": _sum(reform.cliff_loss.get(b.id)),
                "baseline_monthly_loss_fen": _sum(base.cliff_loss.get(b.id)),
                "samples": {
                    "reform": [
                        {"person": p, "month": days[int(reform.cliff_day[b.id][p])].isoformat()}
                        for p in _samples(r_cliff)
                    ],
                    "baseline": [
                        {"person": p, "month": days[int(base.cliff_day[b.id][p])].isoformat()}
                        for p in _samples(a_cliff)
                    ],
                },
            }
        )
    total_a = int(base.person.sum(dtype=np.int64))
    total_r = int(reform.person.sum(dtype=np.int64))
    people = sorted(
        {p for prog in programs for s in prog["samples"].values() for p in s}
        | {p for dim in groups.values() for row in dim for s in row["samples"].values() for p in s}
        | {s["person"] for c in cliffs for side in c["samples"].values() for s in side}
    )
    persons = {}
    for p in people:
        persons[str(p)] = {
            "degree": labels.names["degree"][int(labels.degree[p])],
            "county": labels.names["county"][int(labels.county[p])],
            "tier": labels.names["tier"][int(labels.tier[p])],
            "age_band": labels.names["age_band"][int(labels.age_band[p])],
            "baseline_fen": int(base.person[p]),
            "reform_fen": int(reform.person[p]),
            "difference_fen": int(delta[p]),
            **({"name": labels.person_names[p]} if labels.person_names else {}),
        }
    return {
        "reform": spec.as_dict() if spec else None,
        "baseline": baseline.as_dict() if baseline else None,
        "window": {"start": days[0].isoformat(), "months": len(days), "end": days[-1].isoformat()},
        "population": population.count,
        "total": {
            "baseline_fen": total_a,
            "reform_fen": total_r,
            "difference_fen": total_r - total_a,
            "winners": int((delta > 0).sum()),
            "losers": int((delta < 0).sum()),
        },
        "by_year": by_year,
        "programs": programs,
        "groups": groups,
        "cliffs": cliffs,
        "persons": persons,
        "program_names": names,
    }


def _explain_samples(
    result: dict[str, Any],
    population: Population,
    days: list[dt.date],
    items: list[Benefit],
    base_system: TaxBenefitSystem,
    reform_system: TaxBenefitSystem,
    profiles: list[Any] | None = None,
) -> int:
    """For each sample person, the calculator's account baseline vs reform on the window's first
    and last month, for the programs where the two differ (and, for a program's samples, that
    program): granted or not, the amount, and each test with whether it held."""
    wanted: dict[int, set[str]] = {int(key): set() for key in result["persons"]}
    for program in result["programs"]:
        for persons in program["samples"].values():
            for p in persons:
                wanted.setdefault(p, set()).add(program["program"])
    for cliff in result["cliffs"]:
        for side in cliff["samples"].values():
            for s in side:
                wanted.setdefault(s["person"], set()).add(cliff["program"])
    if not wanted:
        return 0
    rows = sorted(wanted)
    subset = _subset(population, np.array(rows, dtype=np.int64))
    accounts = {
        day: (
            _explain(base_system, subset, day, items),
            _explain(reform_system, subset, day, items),
        )
        for day in (days[0], days[-1])
    }
    for k, p in enumerate(rows):
        explanation = []
        profile = profiles[p] if profiles is not None else None
        for day, (a, r) in accounts.items():
            told = _calculator(base_system, reform_system, profile, day)
            for benefit in items:
                mine, theirs = a[benefit.id][k], r[benefit.id][k]
                if mine == theirs and benefit.id not in wanted[p]:
                    continue
                if mine == theirs and not mine["granted"] and not mine["eligible"]:
                    continue
                entry: dict[str, Any] = {
                    "program": benefit.id,
                    "name": benefit.name,
                    "day": day.isoformat(),
                    "baseline": mine,
                    "reform": theirs,
                }
                if told is not None:  # a registered talent: the calculator's own words
                    entry["calculator"] = {
                        "baseline": told[0].get(benefit.id),
                        "reform": told[1].get(benefit.id),
                    }
                explanation.append(entry)
        result["persons"][str(p)]["explanation"] = explanation
    return len(rows)


def _calculator(
    base_system: TaxBenefitSystem, reform_system: TaxBenefitSystem, profile: Any, day: dt.date
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The calculator's result for a registered talent's profile under both laws, by item:
    what it grants (amount, total, because) or why not."""
    if profile is None:
        return None
    sides = []
    for system in (base_system, reform_system):
        try:
            result = explain(system, profile, day)
        except (ValueError, KeyError, TypeError, AssertionError):  # the leaf account is shown
            return None
        by_id: dict[str, Any] = {}
        for section in ("benefits", "not_eligible", "needs_information"):
            for entry in result.get(section, []):
                if isinstance(entry, dict) and "id" in entry:
                    by_id.setdefault(entry["id"], {"section": section, **entry})
        sides.append(by_id)
    return sides[0], sides[1]


def _subset(
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


def _explain(
    system: TaxBenefitSystem, subset: Population, day: dt.date, benefits: list[Benefit]
) -> dict[str, list[dict[str, Any]]]:
    simulation = build_simulation(system, subset)
    set_inputs(simulation, subset, day)
    text = day.isoformat()
    result: dict[str, list[dict[str, Any]]] = {}
    for benefit in benefits:
        granted = simulation.calculate(f"{benefit.variable}_granted", text)
        eligible = simulation.calculate(f"{benefit.variable}_eligible", text)
        total = simulation.calculate(f"{benefit.variable}_total", text)
        tests = [
            (leaf.label, simulation.calculate(leaf.name, text)) for leaf in leaves(benefit.rule)
        ]
        accounts = []
        for k in range(subset.count):
            fen = int(np.rint(float(total[k]) * 100)) if eligible[k] else 0
            accounts.append(
                {
                    "granted": bool(granted[k]),
                    "eligible": bool(eligible[k]),
                    "total_fen": fen,
                    "total_yuan": _yuan(fen),
                    "tests": [{"test": label, "held": bool(held[k])} for label, held in tests],
                    "note": "符合条件，按就高原则享受其他同类待遇"
                    if eligible[k] and not granted[k]
                    else "",
                }
            )
        result[benefit.id] = accounts
    return result
