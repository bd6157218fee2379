"""Kinds of service point and what each card tier grants there, traced to the cited service item.

The QR carries the benefit set as a bitmask of point kinds; the texts (and the service items they
come from, in the policy library's services.yaml) say what the card grants at such a point. The
tiers and texts are each jurisdiction's own (``cards`` in its ``jurisdiction.yaml``).
"""

from __future__ import annotations

from collections.abc import Collection
from enum import IntFlag
from typing import Any

from rencai.policy.cities import CardPlan, PointGrant, with_cards
from rencai.policy.contract.vocabulary import vocabulary


class PointKind(IntFlag):
    bus = 1
    subway = 2
    scenic = 4
    hospital = 8
    bank = 16


POINT_LABELS = {
    "bus": "公交",
    "subway": "地铁",
    "scenic": "景区",
    "hospital": "医院",
    "bank": "银行",
}

# Kinds of point where a person serves the holder at a counter and must compare card and face:
# the online check shows them the holder's masked name and photo (decision 0067). Gates (bus,
# subway) compare nothing and accept the 60-second dynamic code.
FACE_CHECK_KINDS = frozenset({"scenic", "hospital", "bank"})


def plans() -> dict[str, CardPlan]:
    """Jurisdiction code → its cards (tiers, what each grants at each kind of point)."""
    return with_cards()


def plan_of(jurisdiction: str) -> CardPlan | None:
    return plans().get(jurisdiction)


def tier_labels() -> dict[str, str]:
    """Card letter → label (A卡, 副卡 …), over every jurisdiction (letters are unique)."""
    return {t.letter: t.label for plan in plans().values() for t in plan.tiers}


def tier_label(letter: str) -> str:
    return tier_labels().get(letter, letter)


def main_tiers() -> dict[str, str]:
    """Letter → label of the main cards (a 副卡 follows its main card's validity)."""
    return {
        t.letter: t.label for plan in plans().values() for t in plan.tiers if not t.follows_main
    }


def title_of(county: str) -> str:
    """The card's printed title: its county's jurisdiction's name of its talent card."""
    found = vocabulary().counties.get(county)
    plan = plan_of(found.jurisdiction) if found else None
    return plan.title if plan else "人才绿卡"


def services_of(
    jurisdiction: str, program: str, granted: Collection[str] | None = None
) -> list[dict[str, Any]]:
    """The cited service items a card of this program grants (with those of the programs its
    tier includes, e.g. a city card's holder enjoys the county card's items). ``granted``: the
    service ids the calculator grants one holder; an item only some holders enjoy is then
    listed only if granted (without it, every item of the card is listed)."""
    from rencai.policy.engine.system import system_for

    system = system_for(jurisdiction)
    plan = plan_of(jurisdiction)
    tier = plan.tier_of(program) if plan else None
    if tier is not None and tier.follows_main:
        return system.jurisdiction.family_services()
    cards = {program, *(tier.includes if tier else ())}
    return [
        {"id": b.id, "name": b.name, "citation": b.citation.as_dict() if b.citation else None}
        for b in system.program.benefits
        if b.kind == "service"
        and b.card in cards
        and (granted is None or not b.some_holders or b.id in granted)
    ]


def _grants(jurisdiction: str) -> tuple[PointGrant, ...]:
    plan = plan_of(jurisdiction)
    return plan.grants if plan else ()


def _kinds(grant: PointGrant) -> PointKind:
    mask = PointKind(0)
    for kind in grant.kinds:
        mask |= PointKind[kind]
    return mask


def benefit_mask(jurisdiction: str, service_ids: list[str]) -> int:
    mask = PointKind(0)
    for grant in _grants(jurisdiction):
        if grant.service_id in service_ids:
            mask |= _kinds(grant)
    return int(mask)


def grants_at(jurisdiction: str, service_ids: list[str], kind: str) -> list[str]:
    """The Chinese texts of what these service items grant at a point of this kind."""
    return [
        g.text for g in _grants(jurisdiction) if g.service_id in service_ids and kind in g.kinds
    ]


def point_texts() -> dict[str, dict[str, list[str]]]:
    """For the verifier: card letter → point kind → texts (the QR carries only the mask)."""
    table: dict[str, dict[str, list[str]]] = {}
    for jurisdiction, plan in plans().items():
        for tier in plan.tiers:
            ids = [s["id"] for s in services_of(jurisdiction, tier.program)]
            table[tier.letter] = {kind: grants_at(jurisdiction, ids, kind) for kind in POINT_LABELS}
    return table
