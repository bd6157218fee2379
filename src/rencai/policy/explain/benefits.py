"""Benefits: services, money, recognitions and selections — received, refused (with why, where a
reason helps the person) or undecided."""

from __future__ import annotations

from typing import Any

from rencai.policy.explain.batch import BatchExplainer, Table
from rencai.policy.explain.cards import near_miss
from rencai.policy.explain.exclusivity import decide, lost_to
from rencai.policy.explain.money import (
    VALUE_OPEN,
    MoneyLine,
    money_entry,
    money_line,
    pending_entry,
)
from rencai.policy.explain.needs import needs_information
from rencai.policy.explain.subject import Explainer
from rencai.policy.rules import (
    Benefit,
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
        self.talent_card_set = frozenset(self.talent_cards)
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


class _Rows:
    """A batch's rows of benefits, worked out once for all its profiles from the states over the
    batch: for each row, the persons whose explanation does something with it (those for whom it
    holds, those asked for information, those refused with reasons); a profile's explanation
    walks only its own rows. What a service received says is the same for everyone on the day
    (made once, copied for each profile)."""

    def __init__(self, table: Table, plan: _Plan):
        everyone = table.everyone
        talent_cards = plan.talent_card_set
        held = {card_id: table.card(card_id)[0] for card_id in plan.talent_cards}

        def holds_card(benefit: Benefit) -> int:
            """Who holds the card granting it, or one superseding it (as ``holds_card``)."""
            if benefit.card is None:
                return everyone
            mask = held[benefit.card] if benefit.card in talent_cards else everyone
            for other in plan.superseding[benefit.card]:
                if other in talent_cards:
                    mask |= held[other]
            return mask

        self.rows: list[tuple[tuple[Benefit, str, str, Any], int, int, int]] = []
        for row, (_, holds, fails) in zip(plan.rows, table.benefits(), strict=True):
            benefit, _, kind, audience = row
            active = holds
            undecided = everyone & ~holds & ~fails
            if undecided and kind != "service":
                if benefit.card is None or benefit.card not in talent_cards:
                    active |= undecided
                else:
                    active |= undecided & held[benefit.card]
            if fails:
                if kind == "recognition" or kind == "selection":
                    active |= fails
                elif kind == "money":
                    refused = fails & holds_card(benefit)
                    if refused and audience is not None:
                        refused &= table.of(audience)[0]
                    active |= refused
            self.rows.append((row, active, holds, fails))
        self._services: dict[str, dict[str, Any]] = {}

    def service(self, benefit: Benefit) -> dict[str, Any]:
        found = self._services.get(benefit.id)
        if found is None:
            found = self._services[benefit.id] = _service_entry(benefit)
        entry = dict(found)
        entry["citation"] = dict(found["citation"])
        return entry


def _rows(table: Table, plan: _Plan) -> _Rows:
    found = table.derived.get("benefits")
    if found is None:
        found = table.derived["benefits"] = _Rows(table, plan)
    return found


def benefits(explainer: Explainer, result: dict[str, Any]) -> None:
    plan = _plan(explainer.program)
    if isinstance(explainer, BatchExplainer):
        _batch_benefits(explainer, plan, result)
        return
    talent = explainer.talent
    states = explainer.benefit_states()
    lines = {b.id: money_line(explainer, b, talent) for b in plan.money if states[b.id] is True}
    losers = decide(explainer, lines, result)
    card_state = explainer.card_state
    card_held = {card_id: card_state(card_id) is True for card_id in plan.talent_cards}
    refusals = _Refusals(plan, explainer)

    def holds_card(benefit: Benefit) -> bool:
        """Whether the talent holds the card granting it (an item granted by a document needs
        none); holders of a card that supersedes it enjoy its items on their own card."""
        if benefit.card is None:
            return True
        return card_held.get(benefit.card, True) or any(
            card_held.get(other, False) for other in plan.superseding[benefit.card]
        )

    leaf_state = talent.leaf_state
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
            outside_audience = audience is not None and evaluate(audience, leaf_state) is not True
            if kind == "money" and holds_card(benefit) and not outside_audience:
                _refused(explainer, benefit, refusals, result)
            continue
        _received(explainer, benefit, lines, losers, result, None)


def _batch_benefits(explainer: BatchExplainer, plan: _Plan, result: dict[str, Any]) -> None:
    """``benefits`` of one profile of a batch: only its rows (``_Rows``), each as above."""
    rows = _rows(explainer.table, plan)
    bit = 1 << explainer.row(0)
    talent = explainer.talent
    mine = [
        (row, holds & bit, fails & bit) for row, active, holds, fails in rows.rows if active & bit
    ]
    lines = {
        row[1]: money_line(explainer, row[0], talent)
        for row, holds, _ in mine
        if holds and row[2] == "money"
    }
    losers = decide(explainer, lines, result)
    refusals = _Refusals(plan, explainer)
    leaf_state = talent.leaf_state
    for (benefit, benefit_id, kind, _), holds, fails in mine:
        if holds:
            _received(explainer, benefit, lines, losers, result, rows)
        elif not fails:
            entry = needs_information(explainer, benefit_id, benefit.name, benefit.rule, talent)
            if entry is not None:
                result["needs_information"].append(entry)
        elif kind == "recognition" or kind == "selection":
            why = near_miss(benefit.rule, leaf_state, talent.facts)
            if why:
                result["not_eligible"].append(
                    {"id": benefit_id, "name": benefit.name, "why_not": why}
                )
        else:  # money refused to a holder of its card, within its audience
            _refused(explainer, benefit, refusals, result)


class _Refusals:
    """How the talent's refused cards read (worked out only when a refused item has reasons)."""

    def __init__(self, plan: _Plan, explainer: Explainer):
        self.plan = plan
        self.explainer = explainer
        self._texts: set[str] | None = None

    def texts(self) -> set[str]:
        if self._texts is None:
            facts = self.explainer.talent.facts
            self._texts = set(self.plan.fixed_refusals)
            self._texts.update(c.text(facts, False) for c in self.plan.described_mirrors)
        return self._texts


def _refused(
    explainer: Explainer, benefit: Benefit, refusals: _Refusals, result: dict[str, Any]
) -> None:
    """Money the talent's card would grant, refused: why (unless only the card is missing)."""
    talent = explainer.talent
    texts = failed_texts(benefit.requires, talent.leaf_state, talent.facts)
    # not holding the granting card is not news: the card says why
    why = [t for t in texts if t not in refusals.texts()] if texts else texts
    if why:
        result["not_eligible"].append({"id": benefit.id, "name": benefit.name, "why_not": why})


def _service_entry(benefit: Benefit) -> dict[str, Any]:
    assert benefit.citation is not None
    return {
        "id": benefit.id,
        "name": benefit.name,
        "kind": "service",
        "granted_by": benefit.granted_by,
        "card": benefit.card,
        "citation": benefit.citation.as_dict(),
    }


def _received(
    explainer: Explainer,
    benefit: Benefit,
    lines: dict[str, MoneyLine],
    losers: dict[str, str],
    result: dict[str, Any],
    rows: _Rows | None,
) -> None:
    """An item the talent qualifies for: received, lost to another (就高), or its amount
    awaiting the administrator."""
    if benefit.kind in ("recognition", "selection"):
        _recognition_or_selection(explainer, benefit, result)
        return
    if benefit.kind == "service":
        if benefit.disputed:
            entry = _service_entry(benefit)
            _dispute(explainer, benefit, entry, result)
        else:
            entry = _service_entry(benefit) if rows is None else rows.service(benefit)
        result["benefits"].append(entry)
        return
    line = lines[benefit.id]
    if benefit.id in losers:
        reason = lost_to(explainer, line, lines[losers[benefit.id]])
        result["not_eligible"].append({"id": benefit.id, "name": benefit.name, "why_not": [reason]})
    elif line.pending is not None:
        result["needs_administrator"].append(pending_entry(explainer, line))
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
                "note": VALUE_OPEN,
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
