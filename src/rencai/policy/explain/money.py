"""Money: exact ``Decimal`` amounts read from the cited parameter value, never from the float
vectors of population mode; the support period and its dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rencai.policy.citations import Citation
from rencai.policy.explain.subject import (
    Explainer,
    ParameterValue,
    Subject,
    add_years,
    money,
)
from rencai.policy.rules import Benefit, held_texts


@dataclass
class MoneyLine:
    benefit: Benefit
    amount: Decimal | None
    periods: int
    citation: Citation | None
    pending: ParameterValue | None  # the parameter awaiting the administrator, if any

    @property
    def total(self) -> Decimal:
        return (self.amount or Decimal(0)) * self.periods


CENT = Decimal("0.01")


def exact(value: Any) -> Decimal:
    """A variable's value as Decimal: whole yuan and counts are integers, amounts whole fen."""
    return Decimal(repr(float(value))).quantize(CENT)


def money_line(explainer: Explainer, benefit: Benefit, person: Subject) -> MoneyLine:
    assert benefit.amount is not None
    amount = benefit.amount
    suffix = "".join("." + str(explainer.value(key, person.index)) for key in amount.keys)
    value = explainer.param(amount.parameter + suffix)
    periods = 1
    if benefit.per != "once":
        years = int(explainer.param(benefit.years).value) if benefit.years else 1
        periods = years * 12 if benefit.per == "month" else years
    if value.value is None:
        return MoneyLine(benefit, None, periods, None, value)
    result = Decimal(str(value.value))
    if amount.base is not None:  # a rate (or a sum per item) of a whole-yuan fact or a count
        result = (result * exact(explainer.value(amount.base, person.index))).quantize(CENT)
    if amount.ceiling is not None:
        path = amount.ceiling + "".join(
            "." + str(explainer.value(key, person.index)) for key in amount.ceiling_keys
        )
        result = min(result, Decimal(str(explainer.param(path).value)))
    if amount.room is not None:
        total = Decimal(str(explainer.param(amount.room[0]).value))
        used = exact(explainer.value(amount.room[1], person.index))
        result = min(result, max(total - used, Decimal(0)))
    return MoneyLine(benefit, result, periods, value.citation, None)


def pending_entry(line: MoneyLine) -> dict[str, Any]:
    """The administrator's question for an amount the seeds leave open."""
    assert line.pending is not None
    return {
        "parameter": line.pending.path,
        "benefit": line.benefit.id,
        "description": line.pending.description,
        "question": line.pending.needs_administrator or "此参数尚未设定",
    }


def money_entry(explainer: Explainer, line: MoneyLine) -> dict[str, Any]:
    """The result's line for money the talent receives."""
    benefit, talent = line.benefit, explainer.talent
    assert line.amount is not None and line.citation is not None
    entry: dict[str, Any] = {
        "id": benefit.id,
        "name": benefit.name,
        "kind": "money",
        "amount": money(line.amount),
        "per": benefit.per,
        "periods": line.periods,
        "total": money(line.total),
        "start": None,
        "end": None,
        "condition": benefit.condition_on(explainer.on),
        "cap": benefit.cap,
        "granted_by": benefit.granted_by,
        "card": benefit.card,
        "because": held_texts(benefit.requires, talent.leaf_state, talent.facts),
        "citation": line.citation.as_dict(),
    }
    if benefit.target == "employer":
        entry["target"] = "employer"
    start = explainer.period_start(benefit)
    if benefit.years and benefit.dated and start is not None:
        years = int(explainer.param(benefit.years).value)
        entry["start"] = start.isoformat()
        entry["end"] = (add_years(start, years) - dt.timedelta(days=1)).isoformat()
    return entry
