"""Who each person of a run's population is, for its breakdowns (degree, age band, tier,
county): codes per person and their Chinese names."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from rencai.policy.contract.vocabulary import vocabulary
from rencai.policy.engine.model import DEGREE_ORDER, County, county_member
from rencai.policy.engine.population import Population

DEGREE_LABELS = {
    "none": "无学位",
    "associate": "专科",
    "bachelor": "学士",
    "master": "硕士",
    "doctorate": "博士",
}


AGE_BANDS = (
    (0, 30, "30岁以下"),
    (30, 35, "30–34岁"),
    (35, 40, "35–39岁"),
    (40, 45, "40–44岁"),
    (45, 55, "45–54岁"),
    (55, 200, "55岁及以上"),
)


TIERS = (("card.a", "A卡"), ("card.b", "B卡"), ("card.county", "县卡"))


NO_TIER = "无绿卡"


@dataclass
class Labels:
    """Who each person is, for the breakdowns: codes per person and their Chinese names."""

    degree: np.ndarray
    county: np.ndarray
    age_band: np.ndarray
    tier: np.ndarray
    names: dict[str, list[str]]  # dimension → label of each code
    person_names: list[str] | None = None  # registered talents: their names (else None)


def person_labels(population: Population, start: dt.date, cards: dict[str, np.ndarray]) -> Labels:
    n = population.count
    degree = population.persons.get("highest_degree", np.zeros(n, dtype=np.int16)).astype(np.int16)
    county_index = population.persons.get("county", np.zeros(n, dtype=np.int16)).astype(np.int32)
    county_names = ["未知"] * len(County)
    for code, county in vocabulary().counties.items():
        member = County.__members__.get(county_member(code))
        if member is not None:
            county_names[member.index] = county.name
    birth = population.persons.get("birth_date")
    band = np.zeros(n, dtype=np.int16)
    if birth is not None:
        start64 = np.datetime64(start.isoformat())
        years = (start64 - birth.astype("datetime64[D]")).astype(np.int64) // 365.2425
        for k, (lo, hi, _) in enumerate(AGE_BANDS):
            band[(years >= lo) & (years < hi)] = k
    tier = np.full(n, len(TIERS), dtype=np.int16)
    for k, (card, _) in reversed(list(enumerate(TIERS))):
        held = cards.get(card)
        if held is not None:
            tier[held.astype(bool)] = k
    return Labels(
        degree=degree,
        county=county_index,
        age_band=band,
        tier=tier,
        names={
            "degree": [DEGREE_LABELS[d] for d in DEGREE_ORDER],
            "county": county_names,
            "age_band": [label for _, _, label in AGE_BANDS],
            "tier": [label for _, label in TIERS] + [NO_TIER],
        },
    )


DIMENSIONS = {
    "degree": "学历学位",
    "county": "县（市、区）",
    "tier": "人才绿卡层次",
    "age_band": "年龄段",
}
