"""Cards: which the talent and each relative hold, by which category, and why not."""

from __future__ import annotations

from typing import Any

from rencai.policy.explain.needs import field_label, field_question, needs_information
from rencai.policy.explain.subject import Explainer, Subject, card_rule
from rencai.policy.rules import (
    AllOf,
    Card,
    Condition,
    Facts,
    Rule,
    evaluate,
    failed_texts,
    has_qualifying_leaf,
    held_texts,
)

# per node (identity checked): its children that are switches (leaves reading a parameter),
# and those with a qualifying leaf, worked out once per node
_CHILDREN: dict[int, tuple[Rule, tuple[Rule, ...], tuple[Rule, ...]]] = {}


def _children(rule: AllOf) -> tuple[tuple[Rule, ...], tuple[Rule, ...]]:
    found = _CHILDREN.get(id(rule))
    if found is None or found[0] is not rule:
        switches = tuple(c for c in rule.children if isinstance(c, Condition) and c.reads_parameter)
        qualifying = tuple(c for c in rule.children if has_qualifying_leaf(c))
        found = _CHILDREN[id(rule)] = (rule, switches, qualifying)
    return found[1], found[2]


def near_miss(rule: Rule, leaf_state: Any, facts: Facts) -> list[str]:
    """Failed conditions of the parts of a failing rule that were partly met."""
    if isinstance(rule, Condition) or evaluate(rule, leaf_state) is not False:
        return []
    if isinstance(rule, AllOf):
        switches, qualifying = _children(rule)
        # the switches are read first, as ever: a lazy walk records a parameter awaiting the
        # administrator in the order it reads the leaves
        any(leaf_state(c) is False for c in switches)
        # a part partly met (a qualifying child holds): its failed conditions (when a switch
        # fails, the program is not in force that day: ``failed_texts`` says only that)
        if any(evaluate(c, leaf_state) is True for c in qualifying):
            return failed_texts(rule, leaf_state, facts)
    result: list[str] = []
    for child in rule.children:
        result += near_miss(child, leaf_state, facts)
    return result


def card_entry(card: Card, person: Subject) -> dict[str, Any]:
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
                    c.number for c in card.categories if evaluate(c.rule, person.leaf_state) is True
                ],
                "citation": category.citation.as_dict(),
            }
    raise AssertionError(f"{card.id} holds but no category matched")


def card_why_not(explainer: Explainer, card: Card, person: Subject) -> list[str]:
    facts = person.facts
    for other in card.superseded_by:
        if explainer.card_state(other, person) is True:
            return [card.superseded_note.format(other=explainer.program.card(other).name)]
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


def talent_cards(explainer: Explainer, result: dict[str, Any]) -> None:
    """The cards the talent holds, those refused (with why) and those still undecided."""
    talent = explainer.talent
    for card in explainer.program.cards:
        if card.per_relative:
            continue
        state = explainer.card_state(card.id)
        if state is True:
            result["cards"].append(card_entry(card, talent))
        elif state is False:
            result["not_eligible"].append(
                {"id": card.id, "name": card.name, "why_not": card_why_not(explainer, card, talent)}
            )
        else:
            _ask(result, needs_information(explainer, card.id, card.name, card_rule(card), talent))


def family_cards(explainer: Explainer, result: dict[str, Any]) -> None:
    """Cards held per relative (副卡); without the family, a sponsor's holder is asked for it."""
    profile = explainer.profile
    for card in (c for c in explainer.program.cards if c.per_relative):
        if profile.family is None:
            if any(explainer.card_state(sponsor) is True for sponsor in card.sponsors):
                result["needs_information"].append(
                    {
                        "id": card.id,
                        "name": card.name,
                        "fields": ["family"],
                        "labels": [field_label(explainer, "family")],
                        "questions": [field_question(explainer, "family")],
                        "message": "需补充：家庭成员（父母、配偶），以判断可办理的副卡",
                    }
                )
            continue
        for index, member in enumerate(profile.family, start=1):  # relatives follow the talent
            relative = explainer.subject(index)
            state = explainer.card_state(card.id, relative)
            holder: dict[str, Any] = {"relation": member.relation, "name": member.name}
            if state is True:
                entry = card_entry(card, relative)
                entry["holder"] = holder
                entry["services"] = explainer.system.jurisdiction.family_services()
                result["cards"].append(entry)
            elif state is False and member.relation != "child":
                why = card_why_not(explainer, card, relative)
                result["not_eligible"].append(
                    {"id": card.id, "name": card.name, "holder": holder, "why_not": why}
                )
            elif state is None:
                _ask(
                    result,
                    needs_information(explainer, card.id, card.name, card_rule(card), relative),
                )


def _ask(result: dict[str, Any], entry: dict[str, Any] | None) -> None:
    if entry is not None:
        result["needs_information"].append(entry)
