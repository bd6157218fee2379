"""Scoring the assistant against an evaluation set (tests/assistant/questions.yaml).

Figures: top-1 / top-3 clause accuracy over the questions that must be answered, amount
exactness (the assistant's amount equals the calculator's for the profile the set states), key
facts (every fact a question's ``says`` lists — an amount, a duration, a department — is written
in the answer, spaces aside), correct refusals, false refusals, p50 / p95 latency per question in
process.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from rencai.assistant.core import ask, warm
from rencai.assistant.index import clause_index
from rencai.policy.calculator import entitlements
from rencai.policy.contract.profile import parse_profile


@dataclass
class Report:
    questions: int = 0
    answerable: int = 0
    top1: int = 0
    top3: int = 0
    amount_questions: int = 0
    amount_exact: int = 0
    facts_questions: int = 0
    facts_stated: int = 0
    must_refuse: int = 0
    refused_correctly: int = 0
    false_refusals: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def ratio(self, part: int, whole: int) -> float:
        return part / whole if whole else 1.0

    @property
    def figures(self) -> dict[str, float]:
        ordered = sorted(self.latencies_ms)

        def pct(p: float) -> float:
            if not ordered:
                return 0.0
            return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]

        return {
            "top1": self.ratio(self.top1, self.answerable),
            "top3": self.ratio(self.top3, self.answerable),
            "amount_exact": self.ratio(self.amount_exact, self.amount_questions),
            "facts_stated": self.ratio(self.facts_stated, self.facts_questions),
            "refusals_correct": self.ratio(self.refused_correctly, self.must_refuse),
            "false_refusals": self.ratio(self.false_refusals, self.answerable),
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
        }


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def expected_amount(reference: dict[str, Any], item: dict[str, Any], on: dt.date) -> str | None:
    """The calculator's amount of the item's benefit for the reference person with its facts."""
    wanted = item["amount"]
    facts = item.get("facts") or {}
    profile = copy.deepcopy(reference)
    profile["person"]["education"][0]["degree"] = wanted["degree"]
    if "school_tags" in facts:
        profile["person"]["education"][0]["school_tags"] = facts["school_tags"]
    if "jurisdiction" in facts:
        profile["jurisdiction"] = facts["jurisdiction"]
    if "county" in facts:
        profile["employment"]["county"] = facts["county"]
    result = entitlements(parse_profile(profile), on)
    for benefit in result.get("benefits", []):
        if benefit["id"] == wanted["benefit"] and benefit.get("amount") is not None:
            return str(benefit["amount"])
    return None


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    known = {(c.document, c.clause) for c in clause_index().clauses}
    for item in data["questions"]:
        if item.get("refuse"):
            continue
        for doc, clause in [(item["doc"], item["clause"]), *(item.get("alt") or [])]:
            if (doc, str(clause)) not in known:
                raise ValueError(f"{item['q']}: no clause {doc} {clause} in the library")
    return data


def evaluate(path: Path, verbose: bool = False) -> Report:
    data = load(path)
    on = data["asked_on"]
    on = on if isinstance(on, dt.date) else dt.date.fromisoformat(str(on))
    reference = data["reference"]
    report = Report()
    warm(on)  # the index and the rules are loaded once, before the clock starts
    for item in data["questions"]:
        report.questions += 1
        started = time.perf_counter()
        answer = ask(item["q"], on=on)
        report.latencies_ms.append((time.perf_counter() - started) * 1000)
        if item.get("refuse"):
            report.must_refuse += 1
            if answer.refused:
                report.refused_correctly += 1
            else:
                report.misses.append(f"not refused: {item['q']}")
            continue
        report.answerable += 1
        if answer.refused:
            report.false_refusals += 1
            report.misses.append(f"refused: {item['q']}")
            continue
        wanted = {(item["doc"], str(item["clause"]))} | {
            (d, str(c)) for d, c in item.get("alt") or []
        }
        cited = [(str(c["document"]), str(c["clause"])) for c in answer.citations]
        if cited[:1] and cited[0] in wanted:
            report.top1 += 1
        if any(c in wanted for c in cited[:3]):
            report.top3 += 1
            if cited[0] not in wanted:
                # (the clause expected is among the first three, not first)
                report.misses.append(f"first: {item['q']} → {cited[:1]}")
        else:
            report.misses.append(f"clause: {item['q']} → {cited[:3]}")
        if item.get("says"):
            report.facts_questions += 1
            written = re.sub(r"\s+", "", answer.answer)
            unsaid = [str(fact) for fact in item["says"] if str(fact) not in written]
            if unsaid:
                report.misses.append(f"facts: {item['q']} → not stated {unsaid}")
            else:
                report.facts_stated += 1
        if item.get("amount"):
            report.amount_questions += 1
            expected = expected_amount(reference, item, on)
            got = [
                a.amount
                for a in answer.amounts
                if a.benefit == item["amount"]["benefit"] and a.degree == item["amount"]["degree"]
            ]
            if expected is not None and got and got[0] == expected:
                report.amount_exact += 1
            else:
                report.misses.append(f"amount: {item['q']} → {got} ≠ {expected}")
    return report
