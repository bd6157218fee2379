"""The entitlement calculator: profile + date → cards, services and money, each cited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rencai.policy.contract.profile import FieldError, Profile, ProfileError
from rencai.policy.engine.system import system_for
from rencai.policy.explain import explain
from rencai.policy.jurisdictions import registry

CONTRACT_VERSION = 1


def supported_jurisdictions() -> list[str]:
    return sorted(registry())


def entitlements(profile: Profile, on: dt.date | None = None) -> dict[str, Any]:
    """What the law of ``on`` (default: the profile's date, else today) grants this profile.

    Raises ProfileError when the profile asks for something the calculator cannot answer
    (a jurisdiction whose rules are not yet computed, a date before its law).
    """
    day = on or profile.on or dt.date.today()
    jurisdictions = registry()
    if profile.jurisdiction not in jurisdictions:
        raise ProfileError(
            [
                FieldError(
                    "jurisdiction",
                    f"暂不支持计算该地区的政策（已支持：{'、'.join(supported_jurisdictions())}）",
                    "unsupported_jurisdiction",
                )
            ]
        )
    jurisdiction = jurisdictions[profile.jurisdiction]
    if day < jurisdiction.earliest:
        raise ProfileError(
            [
                FieldError(
                    "on",
                    f"查询日期 {day.isoformat()} 早于{jurisdiction.name}人才绿卡政策施行时间"
                    f"（{jurisdiction.earliest.year}年）",
                    "before_policy",
                )
            ]
        )
    result = explain(system_for(profile.jurisdiction), profile, day)
    result["contract_version"] = CONTRACT_VERSION
    return result
