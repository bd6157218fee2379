"""Building blocks for a jurisdiction's condition leaves, shared by every city.

A ``ConditionSet`` collects one jurisdiction's leaves (each becomes an OpenFisca variable) and
offers the factories that do not depend on the city: age limits, employer types, dated switches,
card mirrors. The vector helpers compare enum indices and dates without per-person Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import numpy as np
from openfisca_core.errors import ParameterNotFoundError
from openfisca_core.periods import DAY
from openfisca_core.variables import Variable

from rencai.policy.contract.vocabulary import vocabulary
from rencai.policy.engine.model import EmployerType, Person
from rencai.policy.rules import Condition, Facts

# --- vector helpers ---------------------------------------------------------------------------


def yyyymmdd(dates: np.ndarray) -> np.ndarray:
    """Dates as integers 20260223, by integer arithmetic on day numbers (H. Hinnant's
    civil-from-days), several times faster than numpy's datetime unit conversions."""
    z = dates.astype("datetime64[D]").astype(np.int64) + 719468
    era = np.floor_divide(z, 146097)
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    return year * 10000 + month * 100 + day


def whole_years_between(start: np.ndarray, on: Any) -> np.ndarray:
    """Completed years (周岁) from each start date to the instant ``on``: with dates written as
    yyyymmdd integers, the whole years between two dates are their difference // 10000."""
    today = on.year * 10000 + on.month * 100 + on.day
    return (today - yyyymmdd(start)) // 10000


def idx(member: Any) -> int:
    """The index of an OpenFisca enum member (typed loosely: OpenFisca enums confuse mypy)."""
    return int(member.index)


def plain(values: np.ndarray) -> np.ndarray:
    """Enum indices as a plain array, so that ordered codes (degrees, titles) compare."""
    return values.view(np.ndarray)


class age(Variable):
    """Age in whole years on the day asked: every jurisdiction's age limits read it."""

    value_type = int
    entity = Person
    definition_period = DAY
    label = "年龄（周岁）"

    def formula(person, period, parameters):
        return whole_years_between(person("birth_date", period), period.start)


def years_before(on: Any, years: int) -> np.datetime64:
    """The same calendar day ``years`` earlier (29 February falls back to 28 February).

    Whole years from ``d`` to ``on`` reach ``years`` exactly when ``d <= years_before(on, years)``,
    matching ``whole_years_between``; comparing against one date keeps the vectors cheap.
    """
    day = dt.date(on.year, on.month, on.day)
    try:
        earlier = day.replace(year=day.year - years)
    except ValueError:
        earlier = dt.date(day.year - years, 2, 28)
    return np.datetime64(earlier.isoformat())


def lookup(table: dict[int, int], size: int, default: int = 0) -> np.ndarray:
    """A dense index → value table, so membership tests are one gather, not a search."""
    result = np.full(size, default, dtype=np.int16)
    for key, value in table.items():
        result[key] = value
    return result


def years_apart_less_than(earlier: np.ndarray, later: np.ndarray, years: int) -> np.ndarray:
    """Row by row: ``earlier`` ≤ ``later`` and fewer than ``years`` whole years apart.

    The day difference decides almost every row (y years span 365·y days plus at most
    y // 4 + 1 leap days); only rows inside that band are resolved on calendar dates.
    """
    e = earlier.astype("datetime64[D]").astype(np.int64)
    la = later.astype("datetime64[D]").astype(np.int64)
    gap = la - e
    result = (gap >= 0) & (gap < 365 * years)
    band = np.flatnonzero((gap >= 365 * years) & (gap <= 365 * years + years // 4 + 1))
    if band.size:
        exact = (yyyymmdd(later[band]) - yyyymmdd(earlier[band])) // 10000 < years
        result[band] = exact
    return result


def param_getter(path: str):
    def get(parameters, period):
        node = parameters(period.start)
        for part in path.split("."):
            node = node[part]
        return node

    return get


def not_in_force_is_false(formula):
    """A test that reads a parameter with no value that day (the program is not yet or no longer
    in force) does not hold; the program's own in-force switch says why."""

    def guarded(p, t, params):
        try:
            return formula(p, t, params)
        except ParameterNotFoundError:
            return np.zeros(p.count, dtype=bool)

    return guarded


# --- a jurisdiction's leaves ----------------------------------------------------------------


class ConditionSet:
    """The condition leaves of one jurisdiction, by variable name."""

    def __init__(self) -> None:
        self.conditions: dict[str, Condition] = {}

    def leaf(
        self, name: str, label: str, reads: Iterable[str], formula, describe=None, qualifying=True
    ) -> Condition:
        condition = Condition(
            name=name,
            label=label,
            formula=not_in_force_is_false(formula),
            reads=tuple(reads),
            describe=describe,
            qualifying=qualifying,
        )
        self.conditions[name] = condition
        return condition

    def flag(
        self,
        name: str,
        label: str,
        variable: str,
        reads: Iterable[str],
        negative: str,
        qualifying: bool = True,
    ) -> Condition:
        """A yes/no input read as it is: held says the label, not held says ``negative``."""
        return self.leaf(
            name,
            label,
            reads,
            lambda p, t, _: p(variable, t),
            lambda f, held: label if held else negative,
            qualifying,
        )

    def age_at_most(self, name: str, limit_path: str) -> Condition:
        limit = param_getter(limit_path)

        def describe(facts: Facts, held: bool) -> str:
            years, cap = facts.get("age"), facts.param(limit_path)
            return f"年龄 {years} 周岁，{'不超过' if held else '超过'} {cap} 周岁"

        return self.leaf(
            name,
            "年龄符合要求",
            ["person.birth_date"],
            lambda p, t, params: p("birth_date", t) > years_before(t.start, limit(params, t) + 1),
            describe,
            qualifying=False,
        )

    def employer_in(self, name: str, label: str, types: list[str]) -> Condition:
        table = lookup({idx(EmployerType[t]): 1 for t in types}, len(EmployerType))
        type_names = vocabulary().codes("employer_type")

        def describe(facts: Facts, held: bool) -> str:
            actual = type_names.get(facts.get("employer_type"), "")
            return label if held else f"用人单位类型为{actual or '其他'}，须为{label}"

        return self.leaf(
            name,
            label,
            ["employment.employer_type"],
            lambda p, t, _: table[plain(p.employer("employer_type", t))] == 1,
            describe,
            qualifying=False,
        )

    def in_force(
        self, name: str, what: str, path: str, since: str, until: str | None = None
    ) -> Condition:
        """A dated switch: the parameter exists (and is true) on the day asked.

        Where the seeds leave the dates open, the parameter has no value for those days and
        metadata.needs_administrator: the leaf is then undecided and the question goes to the
        administrator (``parameter:`` read), while population mode counts it as not in force.
        """

        def formula(p, t, params):
            try:
                value = param_getter(path)(params, t)
            except ParameterNotFoundError:  # no value that day (not yet, or awaiting the admin)
                value = False
            return np.full(p.count, bool(value))

        def describe(facts: Facts, held: bool) -> str:
            if held:
                return f"{what}已施行"
            if until and facts.on.isoformat() >= until:
                return f"{what}有效期已届满"
            return f"{what}自{since}起施行，查询日期尚未施行"

        return self.leaf(
            name, f"{what}已施行", [f"parameter:{path}"], formula, describe, qualifying=False
        )

    def mirror_card(self, name: str, card_id: str, label: str) -> Condition:
        """Holds (qualifies for) a card; explanations use the card's own three states."""
        condition = Condition(
            name=name,
            label=label,
            formula=lambda p, t, _: p(card_id.replace(".", "_"), t),
            reads=(f"card:{card_id}",),
            describe=lambda f, held: label if held else f"不符合{label}",
            qualifying=False,
            mirror=card_id,
        )
        self.conditions[name] = condition
        return condition
