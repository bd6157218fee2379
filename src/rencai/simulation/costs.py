"""What one system's month grants and pays, per money item, and what it costs over the window,
person by person and program by program (decision 0140: monthly, yearly and one-off items)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from openfisca_core.periods import period as make_period
from openfisca_core.simulations import Simulation
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from rencai.policy.engine.population import Population, build_simulation, set_inputs
from rencai.policy.rules import Benefit, support_months
from rencai.simulation.breakdown import TIERS
from rencai.simulation.reuse import Constants, Recorder, Reuse


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
            if benefit.id in skip:  # the other side's values (``shared_items``): taken from it
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
        on the same persons. An item whose arrays are the baseline's (``shared_items``) and which
        ``changed`` did not compute, or computed with the baseline's values, moved as the
        baseline's did, and is written already; one whose arrays are the baseline's but which
        ``changed`` computed otherwise is given its own arrays first, as they were before the
        baseline's moves."""
        deltas: dict[str, Delta | None] = {}
        for item, state in previous.granted.items():
            if base is not None and state is base[0].granted[item]:
                if item not in changed.granted or grants_alike(changed, base[2], item):
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


def grants_alike(mine: Month, theirs: Month | None, item: str) -> bool:
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


def money_items(system: TaxBenefitSystem) -> list[Benefit]:
    return [
        b
        for b in system.program.benefits
        if b.kind == "money" and b.amount is not None and b.target == "person"
    ]
