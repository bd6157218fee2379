"""Jinzhou 锦州市: allowances for graduates and the startup subsidy, as declarations.

Source: seed 002 (2023), reporting 《实施“高校学子留锦来锦”专项行动 吸引集聚高校毕业生推动锦州
全面振兴若干政策措施》. The seed's 锦绣英才卡 / 锦绣学子卡 have no stated criteria: they are
catalogued, not computed (docs/decisions/0026-jinzhou-cangzhou-catalogue.md).
"""

from __future__ import annotations

from rencai.policy.jurisdictions.jinzhou import conditions as c
from rencai.policy.rules import Amount, Benefit, Program, all_of

GRANTED_BY = "高校学子留锦来锦专项行动"
ALLOWANCE_RULE = all_of(
    c.in_jinzhou,
    c.enterprise_or_institution,
    c.social_insurance_in_jinzhou,
    c.graduate_2023,
    c.within_allowance_period,
)

BENEFITS = [
    Benefit(
        id="jz.graduate.living_allowance",
        name="高校毕业生生活补贴",
        kind="money",
        requires=ALLOWANCE_RULE,
        amount=Amount("living_allowance", ("jinzhou_allowance_degree",)),
        per="month",
        years="allowance_years",
        condition="在锦州市企业或事业单位缴纳社会保险期间按月发放",
        granted_by=GRANTED_BY,
    ),
    Benefit(
        id="jz.graduate.housing_allowance",
        name="高校毕业生居住补贴",
        kind="money",
        requires=ALLOWANCE_RULE,
        amount=Amount("housing_allowance", ("jinzhou_allowance_degree",)),
        per="month",
        years="allowance_years",
        condition="在锦州市企业或事业单位缴纳社会保险期间按月发放",
        granted_by=GRANTED_BY,
    ),
    Benefit(
        id="jz.graduate.startup_grant",
        name="高校毕业生一次性创业补贴",
        kind="money",
        audience=c.self_employed,
        requires=all_of(c.in_jinzhou, c.recent_graduate_founder),
        amount=Amount("startup_grant"),
        per="once",
        condition="首次在锦州创办小微企业或从事个体经营，且成功申领锦州市创业担保贷款",
        granted_by=GRANTED_BY,
    ),
]


def program() -> Program:
    return Program(
        jurisdiction="jinzhou",
        conditions=list(c.CONDITIONS.values()),
        benefits=list(BENEFITS),
        helpers=list(c.HELPERS),
    )
