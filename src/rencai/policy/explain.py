"""Explain mode: one profile in, decisions out.

The profile is run through the same OpenFisca simulation as a screening population (a population
of one talent plus relatives). The declared rule trees are then walked with each leaf's value to
record decisions: which category matched and why, which condition failed and by how much, which
side of an exclusivity choice won, and the citation of every parameter value used. Money leaves
the engine as exact ``Decimal`` read from the cited parameter value, never from float vectors.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from openfisca_core.indexed_enums import EnumArray
from openfisca_core.parameters import ParameterNode
from openfisca_core.periods import period as make_period

from rencai.policy.citations import Citation
from rencai.policy.contract.profile import Profile
from rencai.policy.engine.population import build_simulation, encode_profile, set_inputs
from rencai.policy.engine.system import JurisdictionSystem
from rencai.policy.rules import (
    AllOf,
    AnyOf,
    Benefit,
    Card,
    Condition,
    Facts,
    Rule,
    State,
    evaluate,
    failed_texts,
    has_qualifying_leaf,
    held_texts,
    unknown_reads,
)

CENT = Decimal("0.01")
FIELD_LABELS = {
    "person.birth_date": "出生日期",
    "person.education": "学历学位",
    "person.education.full_time": "是否全日制",
    "person.education.graduation_date": "毕业日期",
    "person.honors": "荣誉称号",
    "person.science_awards": "科技奖励",
    "person.invention_patents": "发明专利",
    "person.recognitions": "人才认定",
    "employment.employer_type": "单位类型",
    "employment.county": "工作所在县（市、区）",
    "employment.introduced_from": "引进来源",
    "employment.start_date": "到石工作或创业之日",
    "employment.social_insurance_local": "本地社保缴纳情况",
    "family": "家庭成员（父母、配偶）",
}


def money(value: Decimal) -> str:
    return str(value.quantize(CENT))


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one: the anniversary is 1 March
        return dt.date(day.year + years, 3, 1)


@dataclass
class ParameterValue:
    path: str
    value: Any  # None when the seeds leave it to the administrator
    citation: Citation | None
    needs_administrator: str | None = None
    description: str = ""


def parameter_at(parameters: ParameterNode, path: str, on: dt.date) -> ParameterValue:
    """The value of a leaf parameter on a day, with the citation recorded on that value."""
    node: Any = parameters
    for part in path.split("."):
        node = node.children[part]
    metadata = dict(node.metadata or {})
    instant = on.isoformat()
    for entry in node.values_list:  # newest first
        if entry.instant_str <= instant:
            cite = (entry.metadata or {}).get("citation")
            return ParameterValue(
                path,
                entry.value,
                Citation.from_mapping(cite) if cite else None,
                (entry.metadata or metadata).get("needs_administrator")
                if entry.value is None
                else None,
                node.description or "",
            )
    return ParameterValue(path, None, None, None, node.description or "")


@dataclass
class _Person:
    """Leaf values and facts for one person of the simulation."""

    explainer: Explainer
    index: int
    leaf_cache: dict[str, State] = field(default_factory=dict)

    def leaf_state(self, condition: Condition) -> State:
        if condition.name not in self.leaf_cache:
            self.leaf_cache[condition.name] = self._leaf_state(condition)
        return self.leaf_cache[condition.name]

    def _leaf_state(self, condition: Condition) -> State:
        if condition.mirror is not None:
            return self.explainer.card_state(condition.mirror, self)
        mirrored = [r for r in condition.reads if r.startswith("card:")]
        states: list[State] = []
        for read in mirrored:
            states.append(self.explainer.card_state(read.removeprefix("card:")))
        for read in condition.reads:
            if read.startswith("parameter:") and self.explainer.awaits_administrator(
                read.removeprefix("parameter:")
            ):
                return None
        if any(r in self.explainer.missing for r in condition.reads if ":" not in r):
            return None
        value = bool(self.explainer.value(condition.name, self.index))
        if value:
            return True
        # a mirrored card still undecided leaves the leaf undecided too
        return None if any(s is None for s in states) else False

    @property
    def facts(self) -> Facts:
        return Facts(
            lambda name: self.explainer.value(name, self.index),
            lambda path: self.explainer.param(path).value,
            self.explainer.on,
        )


class Explainer:
    def __init__(self, system: JurisdictionSystem, profile: Profile, on: dt.date):
        self.system = system
        self.program = system.program
        self.on = on
        encoded = encode_profile(profile)
        self.missing = encoded.missing
        self.population = encoded.population
        self.simulation = build_simulation(system, encoded.population)
        set_inputs(self.simulation, encoded.population, on)
        self.day = make_period(on.isoformat())
        self._values: dict[str, np.ndarray] = {}
        self._cards: dict[str, State] = {}
        self.talent = _Person(self, 0)
        self.used_parameters: dict[str, ParameterValue] = {}
        self.pending_parameters: dict[str, ParameterValue] = {}

    # values -----------------------------------------------------------------------------------

    def vector(self, name: str) -> np.ndarray:
        if name not in self._values:
            values = self.simulation.calculate(name, self.day)
            entity = self.system.variables[name].entity
            if not entity.is_person:  # project group values onto persons
                members = getattr(self.population, entity.key)
                index = np.arange(self.population.count) if members is None else members
                values = values[index]
            if isinstance(values, EnumArray):
                values = values.decode_to_str()
            self._values[name] = values
        return self._values[name]

    def value(self, name: str, index: int) -> Any:
        value = self.vector(name)[index]
        return value.item() if isinstance(value, np.generic) else value

    def awaits_administrator(self, path: str) -> bool:
        """The parameter has no value on this day and the seeds leave it to the administrator."""
        value = self.param(path)
        if value.value is None and value.needs_administrator:
            self.pending_parameters[path] = value
            return True
        return False

    def param(self, path: str) -> ParameterValue:
        if path not in self.used_parameters:
            self.used_parameters[path] = parameter_at(self.system.parameters, path, self.on)
        return self.used_parameters[path]

    # cards ------------------------------------------------------------------------------------

    def card_state(self, card_id: str, person: _Person | None = None) -> State:
        person = person or self.talent
        if person is self.talent and card_id in self._cards:
            return self._cards[card_id]
        card = self.program.card(card_id)
        state = evaluate(_card_rule(card), person.leaf_state)
        if state is not False:
            for other in card.superseded_by:
                other_state = self.card_state(other, person)
                if other_state is True:
                    state = False
                elif other_state is None and state is True:
                    state = None
        if person is self.talent:
            self._cards[card_id] = state
        return state

    def card_entry(self, card: Card, person: _Person) -> dict[str, Any]:
        facts = person.facts
        for category in card.categories:
            if evaluate(category.rule, person.leaf_state) is True:
                texts = held_texts(category.rule, person.leaf_state, facts)
                suffix = f"（{card.category_noun}第（{category.number}）类）"
                because = [texts[0] + suffix, *texts[1:]] if texts else [suffix]
                return {
                    "id": card.id,
                    "name": card.name,
                    "because": because,
                    "matched_categories": [
                        c.number
                        for c in card.categories
                        if evaluate(c.rule, person.leaf_state) is True
                    ],
                    "citation": category.citation.as_dict(),
                }
        raise AssertionError(f"{card.id} holds but no category matched")

    def card_why_not(self, card: Card, person: _Person) -> list[str]:
        facts = person.facts
        for other in card.superseded_by:
            if self.card_state(other, person) is True:
                other_name = self.program.card(other).name
                return [
                    f"已符合{other_name}条件，凭卡享受本县（市、区）人才绿卡服务项目，"
                    "不再发放本县（市、区）人才绿卡"
                ]
        reasons = failed_texts(card.scope, person.leaf_state, facts)
        if reasons:
            return reasons
        for category in card.categories:
            for text in near_miss(category.rule, person.leaf_state, facts):
                reasons.append(f"{card.category_noun}第（{category.number}）类：{text}")
        if not reasons:
            last = card.categories[-1].number
            reasons.append(f"不属于{card.category_noun}第（1）至（{last}）类中的任何一类")
        return reasons

    def needs(self, rule: Rule, person: _Person) -> list[str]:
        """Profile fields that would decide an undecided rule (not cards nor parameters)."""
        reads = unknown_reads(rule, person.leaf_state)
        return sorted(r for r in reads if ":" not in r)


def _card_rule(card: Card) -> AllOf:
    return AllOf((card.scope, AnyOf(tuple(c.rule for c in card.categories))))


def near_miss(rule: Rule, leaf_state: Any, facts: Facts) -> list[str]:
    """Failed conditions of the parts of a failing rule that were partly met."""
    if isinstance(rule, Condition) or evaluate(rule, leaf_state) is not False:
        return []
    if (
        isinstance(rule, AllOf)
        and any(
            isinstance(c, Condition)
            and any(r.startswith("parameter:") for r in c.reads)
            and leaf_state(c) is False
            for c in rule.children
        )
        and any(has_qualifying_leaf(c) and evaluate(c, leaf_state) is True for c in rule.children)
    ):
        return failed_texts(rule, leaf_state, facts)  # the program is not in force that day
    if isinstance(rule, AllOf) and any(
        has_qualifying_leaf(c) and evaluate(c, leaf_state) is True for c in rule.children
    ):
        return failed_texts(rule, leaf_state, facts)
    result: list[str] = []
    for child in rule.children:
        result += near_miss(child, leaf_state, facts)
    return result


# --- money ------------------------------------------------------------------------------------


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


def _money_line(explainer: Explainer, benefit: Benefit, person: _Person) -> MoneyLine:
    assert benefit.amount is not None
    path = benefit.amount.parameter
    for key in benefit.amount.keys:
        path += "." + str(explainer.value(key, person.index))
    value = explainer.param(path)
    periods = 1
    if benefit.per != "once":
        years = int(explainer.param(benefit.years).value) if benefit.years else 1
        periods = years * 12 if benefit.per == "month" else years
    if value.value is None:
        return MoneyLine(benefit, None, periods, None, value)
    return MoneyLine(benefit, Decimal(str(value.value)), periods, value.citation, None)


def empty_result(jurisdiction: str, on: dt.date) -> dict[str, Any]:
    """The result's sections (contract version 1), all empty."""
    return {
        "jurisdiction": jurisdiction,
        "on": on.isoformat(),
        "cards": [],
        "benefits": [],
        "not_eligible": [],
        "needs_information": [],
        "needs_administrator": [],
        "exclusivity": [],
        "recognitions": [],
        "may_apply": [],
    }


def explain(system: JurisdictionSystem, profile: Profile, on: dt.date) -> dict[str, Any]:
    """The calculator result (contract version 1) for one profile on one day."""
    ex = Explainer(system, profile, on)
    program = ex.program
    talent = ex.talent
    result = empty_result(system.jurisdiction.code, on)

    def needs_info(item_id: str, name: str, rule: Rule, person: _Person) -> None:
        fields = ex.needs(rule, person)
        if not fields:  # undecided only because a parameter awaits the administrator
            return
        result["needs_information"].append(
            {
                "id": item_id,
                "name": name,
                "fields": fields,
                "message": "需补充：" + "、".join(FIELD_LABELS.get(f, f) for f in fields),
            }
        )

    # cards held by the talent
    for card in program.cards:
        if card.per_relative:
            continue
        state = ex.card_state(card.id)
        if state is True:
            result["cards"].append(ex.card_entry(card, talent))
        elif state is False:
            result["not_eligible"].append(
                {"id": card.id, "name": card.name, "why_not": ex.card_why_not(card, talent)}
            )
        else:
            needs_info(card.id, card.name, _card_rule(card), talent)

    # family cards, one per relative
    for card in (c for c in program.cards if c.per_relative):
        if profile.family is None:
            sponsor = ex.card_state("card.a") is True or ex.card_state("card.b") is True
            if sponsor:
                result["needs_information"].append(
                    {
                        "id": card.id,
                        "name": card.name,
                        "fields": ["family"],
                        "message": "需补充：家庭成员（父母、配偶），以判断可办理的副卡",
                    }
                )
            continue
        for index, member in enumerate(profile.family, start=1):  # relatives follow the talent
            relative = _Person(ex, index)
            state = ex.card_state(card.id, relative)
            holder: dict[str, Any] = {"relation": member.relation, "name": member.name}
            if state is True:
                entry = ex.card_entry(card, relative)
                entry["holder"] = holder
                entry["services"] = system.jurisdiction.family_services()
                result["cards"].append(entry)
            elif state is False and member.relation != "child":
                why = ex.card_why_not(card, relative)
                result["not_eligible"].append(
                    {"id": card.id, "name": card.name, "holder": holder, "why_not": why}
                )
            elif state is None:
                needs_info(card.id, card.name, _card_rule(card), relative)

    # benefits
    states = {b.id: evaluate(b.rule, talent.leaf_state) for b in program.benefits}
    lines = {
        b.id: _money_line(ex, b, talent)
        for b in program.benefits
        if b.kind == "money" and states[b.id] is True
    }
    losers: dict[str, str] = {}
    for group in program.exclusivity:
        candidates = [m for m in group.members if m in lines]
        if not candidates:
            continue
        winner = group.winner(candidates, total=lambda m: lines[m].total, member=lambda m: m)
        for candidate in candidates:
            if candidate != winner:
                losers[candidate] = winner
        if len(candidates) > 1:
            result["exclusivity"].append(
                {
                    "id": group.id,
                    "rule": "就高原则，不重复享受",
                    "label": group.label,
                    "winner": winner,
                    "candidates": [
                        {
                            "id": m,
                            "total": None
                            if lines[m].pending is not None
                            else money(lines[m].total),
                        }
                        for m in candidates
                    ],
                    "provisional": any(lines[m].pending is not None for m in candidates),
                    "reason": f"{program.benefit(winner).name}总额"
                    f"{money(lines[winner].total)}元为最高（并列时以市级项目优先）",
                    "citation": group.citation.as_dict(),
                }
            )

    card_held = {c.id: ex.card_state(c.id) is True for c in program.cards if not c.per_relative}
    for benefit in program.benefits:
        state = states[benefit.id]
        card_of = benefit.card
        if state is None:
            if benefit.kind != "service" and (card_of is None or card_held.get(card_of, True)):
                needs_info(benefit.id, benefit.name, benefit.rule, talent)
            continue
        if state is False and benefit.kind in ("recognition", "selection"):
            why = near_miss(benefit.rule, talent.leaf_state, talent.facts)
            if why:
                result["not_eligible"].append(
                    {"id": benefit.id, "name": benefit.name, "why_not": why}
                )
            continue
        if state is False:
            holds_card = (
                card_of is None  # granted by a document, not by a card
                or card_held.get(card_of, True)
                # holders of the cards that supersede it enjoy its items on their own card
                or any(card_held.get(o, False) for o in program.card(card_of).superseded_by)
            )
            outside_audience = (
                benefit.audience is not None
                and evaluate(benefit.audience, talent.leaf_state) is not True
            )
            if benefit.kind == "money" and holds_card and not outside_audience:
                why = [
                    t
                    for t in failed_texts(benefit.requires, talent.leaf_state, talent.facts)
                    if not t.startswith("不符合") or "人才绿卡" not in t
                ]
                if why:
                    result["not_eligible"].append(
                        {"id": benefit.id, "name": benefit.name, "why_not": why}
                    )
            continue
        if benefit.kind in ("recognition", "selection"):
            assert benefit.citation is not None
            entry = {
                "id": benefit.id,
                "name": benefit.name,
                "kind": benefit.kind,
                "because": held_texts(benefit.rule, talent.leaf_state, talent.facts),
                "condition": benefit.condition,
                "citation": benefit.citation.as_dict(),
            }
            if benefit.kind == "selection":
                entry["quota"] = benefit.quota
                entry["award"] = benefit.award
                entry["note"] = "可以申报；经评审择优确定，不是可直接享受的待遇"
                result["may_apply"].append(entry)
            else:
                result["recognitions"].append(entry)
            continue
        if benefit.kind == "service":
            assert benefit.citation is not None
            result["benefits"].append(
                {
                    "id": benefit.id,
                    "name": benefit.name,
                    "kind": "service",
                    "granted_by": benefit.granted_by,
                    "card": benefit.card,
                    "citation": benefit.citation.as_dict(),
                }
            )
            continue
        line = lines[benefit.id]
        if benefit.id in losers:
            winner = losers[benefit.id]
            held = f"{program.benefit(winner).name}（总额{money(lines[winner].total)}元）"
            # an unset amount cannot be compared: say so rather than show it as 0.00; the
            # comparison is marked provisional, and only what the person would receive asks
            # the administrator
            reason = (
                f"符合条件，但金额尚待管理员设定；暂按已享受{held}处理，"
                "金额设定后按就高原则确定，不重复享受"
                if line.pending is not None
                else f"符合条件（总额{money(line.total)}元），但已享受{held}，"
                "按就高原则，不重复享受"
            )
            result["not_eligible"].append(
                {"id": benefit.id, "name": benefit.name, "why_not": [reason]}
            )
            continue
        if line.pending is not None:
            result["needs_administrator"].append(
                {
                    "parameter": line.pending.path,
                    "benefit": benefit.id,
                    "description": line.pending.description,
                    "question": line.pending.needs_administrator or "此参数尚未设定",
                }
            )
            continue
        assert line.amount is not None and line.citation is not None
        line_entry: dict[str, Any] = {
            "id": benefit.id,
            "name": benefit.name,
            "kind": "money",
            "amount": money(line.amount),
            "per": benefit.per,
            "periods": line.periods,
            "total": money(line.total),
            "start": None,
            "end": None,
            "condition": benefit.condition,
            "cap": benefit.cap,
            "granted_by": benefit.granted_by,
            "card": benefit.card,
            "because": held_texts(benefit.requires, talent.leaf_state, talent.facts),
            "citation": line.citation.as_dict(),
        }
        if benefit.target == "employer":
            line_entry["target"] = "employer"
        start = profile.employment.start_date
        if benefit.years and benefit.dated and start is not None:
            years = int(ex.param(benefit.years).value)
            line_entry["start"] = start.isoformat()
            line_entry["end"] = (add_years(start, years) - dt.timedelta(days=1)).isoformat()
        result["benefits"].append(line_entry)
    for path, pending in ex.pending_parameters.items():
        result["needs_administrator"].append(
            {
                "parameter": path,
                "benefit": None,
                "description": pending.description,
                "question": pending.needs_administrator,
            }
        )
    return result
