"""Benefits: services, money, recognitions and selections — received, refused (with why, where a
reason helps the person) or undecided."""

from __future__ import annotations

from typing import Any

from rencai.policy.explain.cards import near_miss
from rencai.policy.explain.exclusivity import decide, lost_to
from rencai.policy.explain.money import money_entry, money_line, pending_entry
from rencai.policy.explain.needs import needs_information
from rencai.policy.explain.subject import Explainer
from rencai.policy.rules import (
    Benefit,
    KnownStates,
    Program,
    evaluate,
    failed_texts,
    held_texts,
)


class _Plan:
    """What the explanation of benefits reads of a program, the same for every profile: worked
    out once per process (per program)."""

    def __init__(self, program: Program):
        self.program = program
        self.money = tuple(b for b in program.benefits if b.kind == "money")
        self.rows = tuple((b, b.id, b.kind, b.audience) for b in program.benefits)
        self.talent_cards = tuple(c.id for c in program.cards if not c.per_relative)
        # the cards whose holders enjoy a benefit's items (its own card first)
        self.superseding = {
            b.card: program.card(b.card).superseded_by
            for b in program.benefits
            if b.card is not None
        }
        mirrors = [c for c in program.conditions if c.mirror]
        # how a refused card reads: fixed wording, or a sentence read from the person's facts
        self.fixed_refusals = frozenset(f"不满足：{c.label}" for c in mirrors if c.describe is None)
        self.described_mirrors = tuple(c for c in mirrors if c.describe is not None)


_PLANS: dict[int, _Plan] = {}


def _plan(program: Program) -> _Plan:
    found = _PLANS.get(id(program))
    if found is None or found.program is not program:
        found = _PLANS[id(program)] = _Plan(program)
    return found


def benefits(explainer: Explainer, result: dict[str, Any]) -> None:
    program, talent = explainer.program, explainer.talent
    plan = _plan(program)
    states = explainer.benefit_states()
    lines = {b.id: money_line(explainer, b, talent) for b in plan.money if states[b.id] is True}
    losers = decide(explainer, lines, result)
    card_state = explainer.card_state
    card_held = {card_id: card_state(card_id) is True for card_id in plan.talent_cards}
    refusals: set[str] | None = None

    def card_refusals() -> set[str]:
        nonlocal refusals
        if refusals is None:
            refusals = set(plan.fixed_refusals)
            refusals.update(c.text(talent.facts, False) for c in plan.described_mirrors)
        return refusals

    def holds_card(benefit: Benefit) -> bool:
        """Whether the talent holds the card granting it (an item granted by a document needs
        none); holders of a card that supersedes it enjoy its items on their own card."""
        if benefit.card is None:
            return True
        return card_held.get(benefit.card, True) or any(
            card_held.get(other, False) for other in plan.superseding[benefit.card]
        )

    leaf_state = talent.leaf_state
    # states read from the batch's table record nothing: only what decides an entry is read
    known = isinstance(leaf_state, KnownStates)
    for benefit, benefit_id, kind, audience in plan.rows:
        state = states[benefit_id]
        if state is None:
            if kind != "service" and (benefit.card is None or card_held.get(benefit.card, True)):
                entry = needs_information(explainer, benefit_id, benefit.name, benefit.rule, talent)
                if entry is not None:
                    result["needs_information"].append(entry)
            continue
        if state is False and (kind == "recognition" or kind == "selection"):
            why = near_miss(benefit.rule, leaf_state, talent.facts)
            if why:
                result["not_eligible"].append(
                    {"id": benefit_id, "name": benefit.name, "why_not": why}
                )
            continue
        if state is False:
            if known:
                if kind != "money" or not holds_card(benefit):
                    continue
                refused = audience is None or evaluate(audience, leaf_state) is True
            else:
                outside_audience = (
                    audience is not None and evaluate(audience, leaf_state) is not True
                )
                refused = kind == "money" and holds_card(benefit) and not outside_audience
            if refused:
                texts = failed_texts(benefit.requires, leaf_state, talent.facts)
                # not holding the granting card is not news: the card says why
                why = [t for t in texts if t not in card_refusals()] if texts else texts
                if why:
                    result["not_eligible"].append(
                        {"id": benefit_id, "name": benefit.name, "why_not": why}
                    )
            continue
        if benefit.kind in ("recognition", "selection"):
            _recognition_or_selection(explainer, benefit, result)
            continue
        if benefit.kind == "service":
            assert benefit.citation is not None
            entry = {
                "id": benefit.id,
                "name": benefit.name,
                "kind": "service",
                "granted_by": benefit.granted_by,
                "card": benefit.card,
                "citation": benefit.citation.as_dict(),
            }
            if benefit.disputed:
                _dispute(explainer, benefit, entry, result)
            result["benefits"].append(entry)
            continue
        line = lines[benefit.id]
        if benefit.id in losers:
            reason = lost_to(explainer, line, lines[losers[benefit.id]])
            result["not_eligible"].append(
                {"id": benefit.id, "name": benefit.name, "why_not": [reason]}
            )
        elif line.pending is not None:
            result["needs_administrator"].append(pending_entry(line))
        else:
            result["benefits"].append(money_entry(explainer, line))


def _dispute(
    explainer: Explainer, benefit: Benefit, entry: dict[str, Any], result: dict[str, Any]
) -> None:
    """The item's text states figures a later document changed: show the conflict with the text
    and, until the administrator rules, ask for the ruling (for this item only)."""
    assert benefit.disputed is not None
    path = benefit.disputed
    try:
        value = explainer.param(path)
    except KeyError:
        return
    if value.value is None and not value.needs_administrator:
        return  # no conflict on this day (the later document is not yet in force)
    node: Any = explainer.system.parameters
    for part in path.split("."):
        node = node.children[part]
    conflict = (node.metadata or {}).get("conflict")
    if value.value is None:
        entry["note"] = f"{conflict}（待裁定）"
        result["needs_administrator"].append(
            {
                "parameter": path,
                "benefit": benefit.id,
                "description": value.description,
                "question": value.needs_administrator,
            }
        )
    else:
        entry["note"] = f"{conflict}（已裁定：{value.value}）"


def _recognition_or_selection(
    explainer: Explainer, benefit: Benefit, result: dict[str, Any]
) -> None:
    talent = explainer.talent
    assert benefit.citation is not None
    entry = {
        "id": benefit.id,
        "name": benefit.name,
        "kind": benefit.kind,
        "because": held_texts(benefit.rule, talent.leaf_state, talent.facts),
        "condition": benefit.condition_on(explainer.on),
        "citation": benefit.citation.as_dict(),
    }
    if benefit.kind == "selection":
        entry["quota"] = benefit.quota
        entry["award"] = benefit.award
        entry["note"] = "可以申报；经评审择优确定，不是可直接享受的待遇"
        result["may_apply"].append(entry)
    else:
        result["recognitions"].append(entry)
