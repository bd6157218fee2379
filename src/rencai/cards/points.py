"""Kinds of service point and what each card tier grants there, traced to the cited service item.

The QR carries the benefit set as a bitmask of point kinds; the texts (and the service items they
come from, in the policy library's services.yaml) say what the card grants at such a point.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntFlag


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

TIER_OF_PROGRAM = {"card.a": "A", "card.b": "B", "card.county": "C", "card.family": "F"}
PROGRAM_OF_TIER = {v: k for k, v in TIER_OF_PROGRAM.items()}
TIER_LABELS = {"A": "A卡", "B": "B卡", "C": "县（市、区）卡", "F": "副卡"}


@dataclass(frozen=True)
class PointGrant:
    """What a service item of a card grants at one kind of point."""

    service_id: str  # the calculator's service benefit id
    kinds: PointKind
    text: str


# The service items that matter at a verifying point (the other items are handled at offices).
GRANTS: tuple[PointGrant, ...] = (
    PointGrant(
        "sjz.a.service.daily_life",
        PointKind.bus | PointKind.subway | PointKind.scenic,
        "免费乘坐市区内公交车、地铁，免费参观市管文化旅游景区（A卡 生活服务）",
    ),
    PointGrant(
        "sjz.a.service.healthcare",
        PointKind.hospital,
        "就医预约诊疗绿色通道（A卡 医疗保健）",
    ),
    PointGrant(
        "sjz.a.service.finance",
        PointKind.bank,
        "人才绿卡服务窗口绿色通道（A卡 金融服务）",
    ),
    PointGrant(
        "sjz.b.service.daily_life",
        PointKind.bus | PointKind.subway | PointKind.scenic,
        "免费乘坐市区内公交车、地铁，免费参观市域内国有A级旅游景区（B卡 生活服务）",
    ),
    PointGrant(
        "sjz.county.service.daily_life",
        PointKind.scenic,
        "免费参观本县（市、区）域内国有文化旅游景区（县卡 生活服务）",
    ),
    PointGrant(
        "sjz.county.service.healthcare",
        PointKind.hospital,
        "在县（市、区）卫计部门指定的医疗机构享受就医预约绿色通道（县卡 医疗保健）",
    ),
    PointGrant(
        "sjz.county.service.finance",
        PointKind.bank,
        "县（市、区）金融机构人才绿卡服务窗口优先服务（县卡 金融服务）",
    ),
    PointGrant(
        "sjz.family.service.daily_life",
        PointKind.bus | PointKind.subway | PointKind.scenic,
        "公交、地铁、景点免费（副卡）",
    ),
    PointGrant(
        "sjz.family.service.healthcare",
        PointKind.hospital,
        "医疗保健服务（副卡）",
    ),
)


def benefit_mask(service_ids: list[str]) -> int:
    mask = PointKind(0)
    for grant in GRANTS:
        if grant.service_id in service_ids:
            mask |= grant.kinds
    return int(mask)


def grants_at(service_ids: list[str], kind: str) -> list[str]:
    """The Chinese texts of what these service items grant at a point of this kind."""
    flag = PointKind[kind]
    return [g.text for g in GRANTS if g.service_id in service_ids and g.kinds & flag]


def point_texts() -> dict[str, dict[str, list[str]]]:
    """For the verifier: tier → point kind → texts (the QR carries only the mask)."""
    table: dict[str, dict[str, list[str]]] = {}
    prefixes = {"A": "sjz.a.", "B": "sjz.b.", "C": "sjz.county.", "F": "sjz.family."}
    for tier, prefix in prefixes.items():
        ids = [g.service_id for g in GRANTS if g.service_id.startswith(prefix)]
        if tier in ("A", "B"):  # A and B holders enjoy the county items on their own card
            ids += [g.service_id for g in GRANTS if g.service_id.startswith("sjz.county.")]
        table[tier] = {kind: grants_at(ids, kind) for kind in POINT_LABELS}
    return table
