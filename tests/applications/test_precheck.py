"""The pre-check of a case reads the calculator's answer: an item whose conditions all hold while
only its amount is the office's to fix may be filed (decision 0337)."""

from __future__ import annotations

import datetime as dt

from rencai.applications.service import precheck

# 石办字〔2017〕15号 可享受的服务项目（8）: "柔性引进的高层次人才……签订 3 年以上合同的，根据专家
# 本人在我市实际工作月数，每月分别给予 1.5 万元、0.5 万元的工作津贴" — which tier is whose is unsaid
FLEXIBLE_ACADEMICIAN = {
    "jurisdiction": "shijiazhuang",
    "person": {"birth_date": "1960-05-01", "honors": ["academician_cae"]},
    "employment": {
        "employer_type": "enterprise",
        "county": "130102",
        "introduced_from": "outside_city",
        "mode": "flexible",
        "start_date": "2024-07-01",
    },
}


def test_an_item_whose_amount_awaits_the_office_may_be_filed() -> None:
    check = precheck(FLEXIBLE_ACADEMICIAN, "sjz.a.flexible_work_allowance", dt.date(2026, 11, 23))
    assert check["state"] == "eligible"
    assert check["name"] == "柔性引进高层次人才工作津贴"
    assert check["amount"] is None
    assert check["reasons"][-1] == "金额待主管部门明确"
    assert check["citation"]["document"] == "石办字〔2017〕15号"


def test_an_unknown_program_is_still_refused() -> None:
    check = precheck(FLEXIBLE_ACADEMICIAN, "sjz.no_such_item", dt.date(2026, 11, 23))
    assert check["state"] == "unknown_program"
