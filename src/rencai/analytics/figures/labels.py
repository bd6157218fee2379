"""The dimensions a figure is broken down by, and the words shown for their values."""

from __future__ import annotations

import functools

from rencai.policy.contract.vocabulary import vocabulary

DIMENSIONS = {
    "tier": "人才绿卡类别",
    "county": "县（市、区）",
    "industry": "产业",
    "degree": "学历",
    "age": "年龄段",
    "source": "来源",
}
TIER_LABELS = {"A": "A卡", "B": "B卡", "C": "县（市、区）人才绿卡", "F": "副卡"}
DEGREE_LABELS = {
    "doctorate": "博士研究生",
    "master": "硕士研究生",
    "bachelor": "大学本科",
    "associate": "大专",
    "none": "其他",
}
DEGREE_ORDER = ["doctorate", "master", "bachelor", "associate", "none"]
AGE_BANDS = [
    ("lt30", "30岁以下", 0, 29),
    ("30_34", "30—34岁", 30, 34),
    ("35_39", "35—39岁", 35, 39),
]
AGE_BANDS += [
    ("40_49", "40—49岁", 40, 49),
    ("50plus", "50岁及以上", 50, 200),
]
SOURCE_LABELS = {"local": "本地培养", "introduced": "外地引进", "unknown": "未填报"}
OTHER_INDUSTRY = ("other", "其他产业")
UNKNOWN = ("unknown", "未填报")
ACTIVE_AFTER = {"issue", "resume", "renew"}  # the card is usable after these steps
INACTIVE_AFTER = {"suspend", "revoke", "expire"}


@functools.cache
def county_names() -> dict[str, str]:
    """County code → name (the vocabulary with the cities' own counties; read once)."""
    return {code: county.name for code, county in vocabulary().counties.items()}


def county_label(code: str | None) -> tuple[str, str]:
    if not code:
        return UNKNOWN
    return code, county_names().get(code, code)
