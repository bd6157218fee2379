"""The calculator's result names what the asked city grants: no 人才绿卡 (Shijiazhuang's card) in
Jinzhou's answer (decision 0345)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from rencai.policy.calculator import entitlements
from rencai.policy.contract.profile import parse_profile
from rencai.web.pages.calculator import PER_SHORT, presented
from rencai.web.templating import templates


def _nothing(profile: dict[str, Any], on: dt.date) -> str:
    result = entitlements(parse_profile(profile), on)
    html = templates.env.get_template("calculator_result.html").render(
        result=result, view=presented(result), per_short=PER_SHORT
    )
    found = re.search(r'id="nothing">([^<]*)<', html)
    assert found is not None, html
    return found.group(1)


def test_a_jinzhou_profile_granted_nothing_is_not_told_of_green_cards() -> None:
    message = _nothing(
        {
            "jurisdiction": "jinzhou",
            "person": {"birth_date": "1970-01-01", "education": []},
            "employment": {
                "employer_type": "enterprise",
                "county": "210702",
                "start_date": "2024-01-01",
                "social_insurance_local": True,
            },
        },
        dt.date(2025, 1, 1),
    )
    assert "人才绿卡" not in message and "不符合的原因" in message
