"""Jinzhou 锦州市: allowances for graduates and the startup subsidy, as declarations.

Source: seed 002 (2023), reporting 《实施“高校学子留锦来锦”专项行动 吸引集聚高校毕业生推动锦州
全面振兴若干政策措施》. The seed's 锦绣英才卡 / 锦绣学子卡 have no stated criteria: they are
catalogued, not computed (docs/decisions/0026-jinzhou-cangzhou-catalogue.md).
"""

from __future__ import annotations

from rencai.policy.citations import Citation
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
    Benefit(
        id="jz.young_top_talent",
        name="青年拔尖人才",
        kind="selection",
        requires=all_of(c.in_jinzhou, c.young_top_talent_age),
        condition="在锦州承担重大科技任务或重点攻关课题，具备较强科学研究能力和创新潜力，经评审择优支持",
        citation=Citation(
            "聚八方英才 织锦绣未来 锦州市人才支撑全面振兴新突破三年行动方案"
            "（2023年，见种子文件002报道）",
            "加快推进青年人才队伍建设",
            "每年支持10名左右40岁以下,在锦州承担重大科技任务或重点攻关课题,具备较强科学研究能力和"
            "创新潜力的青年拔尖人才,给予每人10万元科研经费和5万元奖励。",
        ),
        quota="每年10名左右",
        award="每人10万元科研经费和5万元奖励",
        granted_by="锦州市人才支撑全面振兴新突破三年行动方案",
    ),
]


UNIT_PLAN = "锦州市人才支撑全面振兴新突破三年行动方案"

UNIT_AWARDS = [
    Benefit(
        id="jz.enterprise.high_tech",
        name="高新技术企业认定后补助",
        kind="money",
        target="employer",
        audience=c.unit_query,
        requires=all_of(c.in_jinzhou, c.high_tech_certified),
        amount=Amount("enterprise.high_tech", ("unit_high_tech_certification",)),
        per="once",
        condition="认定后申请，每户一次",
        granted_by=UNIT_PLAN,
    ),
    Benefit(
        id="jz.enterprise.gazelle",
        name="瞪羚企业认定后补助",
        kind="money",
        target="employer",
        audience=c.unit_query,
        requires=all_of(c.in_jinzhou, c.new_gazelle),
        amount=Amount("enterprise.gazelle"),
        per="once",
        granted_by=UNIT_PLAN,
    ),
    Benefit(
        id="jz.enterprise.eaglet",
        name="雏鹰企业认定后补助",
        kind="money",
        target="employer",
        audience=c.unit_query,
        requires=all_of(c.in_jinzhou, c.new_eaglet),
        amount=Amount("enterprise.eaglet"),
        per="once",
        granted_by=UNIT_PLAN,
    ),
]


def program() -> Program:
    return Program(
        jurisdiction="jinzhou",
        conditions=list(c.CONDITIONS.values()),
        benefits=[*BENEFITS, *UNIT_AWARDS],
        helpers=list(c.HELPERS),
    )
