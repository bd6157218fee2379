"""Money: exact ``Decimal`` amounts read from the cited parameter value, never from the float
vectors of population mode; the support period and its dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rencai.formats import cn_month
from rencai.policy.citations import Citation
from rencai.policy.explain.subject import (
    Explainer,
    ParameterValue,
    Subject,
    add_months,
    add_years,
    money,
    parameter_at,
    parameter_node,
)
from rencai.policy.rules import Benefit, held_texts


@dataclass
class MoneyLine:
    benefit: Benefit
    amount: Decimal | None
    periods: int
    citation: Citation | None
    pending: ParameterValue | None  # the parameter awaiting the administrator, if any
    parameter: str | None = None  # the leaf parameter the amount is read from

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
    return MoneyLine(benefit, result, periods, value.citation, None, value.path)


# how a citizen reads a value the texts leave to the office (decision 0331): an amount, or any
# other value (a day of issue, a conflict of figures); the administrator's question stays beside it
AMOUNT_OPEN = "金额待主管部门明确"
VALUE_OPEN = "待主管部门明确"


def pending_entry(explainer: Explainer, line: MoneyLine) -> dict[str, Any]:
    """The administrator's question for an amount the seeds leave open, with what a citizen
    reads of it: the item, “金额待主管部门明确”, why it is granted, its condition and the clause
    in force."""
    assert line.pending is not None
    benefit, talent = line.benefit, explainer.talent
    on = explainer.on
    entry: dict[str, Any] = {
        "parameter": line.pending.path,
        "benefit": benefit.id,
        "name": benefit.name,
        "description": line.pending.description,
        "question": line.pending.needs_administrator or "此参数尚未设定",
        "note": AMOUNT_OPEN,
        "because": held_texts(benefit.requires, talent.leaf_state, talent.facts),
        "condition": benefit.condition_on(on),
    }
    # the clause that leaves the amount open where the value cites one, else the granting clause
    citation = line.pending.citation or benefit.citation
    if citation is not None:
        entry["citation"] = citation.as_dict()
    return entry


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
        by_period = paid_by_period(explainer, line, start)
        if by_period is not None:
            entry["paid_by_period"] = by_period
    return entry


def paid_by_period(explainer: Explainer, line: MoneyLine, start: dt.date) -> dict[str, Any] | None:
    """How the support period is paid when its amount changed within it (decision 0317).

    The line's ``amount`` and ``total`` apply the law of the query day to every period (decision
    0005); payment schedules price each period at the value in force on its last day (decision
    0056), as the ledger does; periods ending after the query day at that day's value. Where the
    two differ this says so: the runs of periods at one amount, their citations and their sum.
    None where every period is paid at the line's amount.
    """
    benefit = line.benefit
    amount = benefit.amount
    if (
        benefit.per not in ("month", "year")
        or amount is None
        or line.amount is None
        or line.parameter is None
        or benefit.cap
        or amount.base is not None
        or amount.ceiling is not None
        or amount.room is not None
    ):
        return None
    parameters = explainer.system.parameters
    step = 1 if benefit.per == "month" else 12
    first = start.replace(day=1)
    last_end = add_months(first, step * line.periods) - dt.timedelta(days=1)
    node = parameter_node(parameters, line.parameter)
    changes = [
        dt.date.fromisoformat(entry.instant_str)
        for entry in node.values_list
        if first.isoformat() < entry.instant_str <= min(last_end, explainer.on).isoformat()
    ]
    if not changes:
        return None  # one value over the whole period: cheap for nearly every line
    # the first period ending on or after a change: its month index over the step (a period
    # ends on or after day c when the month after it begins after c)
    first_index = first.year * 12 + first.month - 1
    starts = sorted(
        {0}
        | {
            min((change.year * 12 + change.month - 1 - first_index) // step, line.periods)
            for change in changes
        }
        - {line.periods}
    )
    runs: list[dict[str, Any]] = []
    for position, seq in enumerate(starts):
        until = starts[position + 1] if position + 1 < len(starts) else line.periods
        period = add_months(first, seq * step)
        end = add_months(first, (seq + 1) * step) - dt.timedelta(days=1)
        # a period ending after the query day is paid as that day's law says: a later change
        # is not yet known then (a payment run re-reads it, decision 0056)
        value = parameter_at(parameters, line.parameter, min(end, explainer.on))
        paid = None if value.value is None else Decimal(str(value.value))
        last = add_months(first, until * step) - dt.timedelta(days=1)
        if runs and runs[-1]["value"] == paid:
            runs[-1]["periods"] += until - seq
            runs[-1]["to"] = last
            continue
        runs.append(
            {"value": paid, "periods": until - seq, "from": period, "to": last, "cite": value}
        )
    if len(runs) == 1 and runs[0]["value"] == line.amount:
        return None
    known = all(run["value"] is not None for run in runs)
    total = sum((run["value"] * run["periods"] for run in runs if known), Decimal(0))
    unit = "月" if benefit.per == "month" else "年"
    parts = []
    for run in runs:
        shown = "金额待主管部门明确" if run["value"] is None else f"每{unit}{money(run['value'])}元"
        parts.append(f"{cn_month(run['from'])}至{cn_month(run['to'])}{shown}（{run['periods']}期）")
    note = (
        "补助期内标准有调整，按期发放时每期按该期最后一日适用的标准计："
        + "；".join(parts)
        + (f"，按期合计{money(total)}元" if known else "")
        + f"。上列金额与总额按查询日（{explainer.on.year}年{explainer.on.month}月"
        f"{explainer.on.day}日）适用的标准计。"
    )
    return {
        "runs": [
            {
                "from": run["from"].isoformat(),
                "to": run["to"].isoformat(),
                "periods": run["periods"],
                "amount": None if run["value"] is None else money(run["value"]),
                "citation": run["cite"].citation.as_dict() if run["cite"].citation else None,
            }
            for run in runs
        ],
        "total": money(total) if known else None,
        "note": note,
    }
