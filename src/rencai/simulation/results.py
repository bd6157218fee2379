"""A run's result as published: totals and breakdowns in yuan, and sample persons explained by
the calculator under both laws."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from rencai.policy.engine.population import Population, build_simulation, set_inputs
from rencai.policy.explain import explain
from rencai.policy.rules import Benefit, leaves
from rencai.simulation.breakdown import DIMENSIONS, Labels
from rencai.simulation.changes import subset_of
from rencai.simulation.costs import Ledger
from rencai.simulation.reform import (
    ReformSpec,
)

SAMPLES = 3  # sample persons kept per aggregate


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


def result_of(
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


def explain_samples(
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
    subset = subset_of(population, np.array(rows, dtype=np.int64))
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
