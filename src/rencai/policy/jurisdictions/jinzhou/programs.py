"""Jinzhou 锦州市: allowances for graduates and the startup subsidy, as declarations.

Source: seed 002 (2023), reporting 《实施“高校学子留锦来锦”专项行动 吸引集聚高校毕业生推动锦州
全面振兴若干政策措施》. The seed's 锦绣英才卡 / 锦绣学子卡 have no stated criteria: they are
catalogued, not computed (docs/decisions/0026-jinzhou-cangzhou-catalogue.md).
"""

from __future__ import annotations

from rencai.policy.citations import Citation
from rencai.policy.jurisdictions.jinzhou import conditions as c
from rencai.policy.rules import Amount, Benefit, Program, all_of

GRADUATES_ACTION = "高校学子留锦来锦专项行动"  # the program as named to people
# the documents as the seed reports them, for the citations
GRADUATES_MEASURES = (
    "《实施“高校学子留锦来锦”专项行动 吸引集聚高校毕业生推动锦州全面振兴若干政策"
    "措施》（2023年，据媒体报道，未载文号）"
)
UNIT_PLAN_REPORT = (
    "聚八方英才 织锦绣未来 锦州市人才支撑全面振兴新突破三年行动方案（2023年，据媒体报道，未载文号）"
)
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
        period_from="jinzhou_allowance_start",
        condition="在锦州市企业或事业单位缴纳社会保险期间按月发放",
        document=GRADUATES_ACTION,
        citation=Citation(
            document=GRADUATES_MEASURES,
            clause="高校学子留锦来锦 发放普惠性生活补贴",
            quote="为2023年以后毕业且在锦州市企业和事业单位(不含参照公务员法管理的事业单位)缴纳社会保险的博士、应届硕士和本科生,按每月2000元、1000元、800元的标准发放为期3年的生活补贴。",
        ),
    ),
    Benefit(
        id="jz.graduate.housing_allowance",
        name="高校毕业生居住补贴",
        kind="money",
        requires=ALLOWANCE_RULE,
        amount=Amount("housing_allowance", ("jinzhou_allowance_degree",)),
        per="month",
        years="allowance_years",
        period_from="jinzhou_allowance_start",
        condition="在锦州市企业或事业单位缴纳社会保险期间按月发放",
        document=GRADUATES_ACTION,
        citation=Citation(
            document=GRADUATES_MEASURES,
            clause="高校学子留锦来锦 居住补贴",
            quote="为2023年以后毕业且在锦州市企业和事业单位(不含参照公务员法管理的事业单位)缴纳社会保险的博士、应届硕士和本科生,按每月700元、500元、200元的标准发放为期3年的居住补贴。",
        ),
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
        document=GRADUATES_ACTION,
        citation=Citation(
            document=GRADUATES_MEASURES,
            clause="支持自主创业和灵活就业",
            quote="对毕业3年内的高校毕业生首次在锦州创办小微企业或从事个体经营,且成功申领锦州市创业担保贷款的,给予2万元的一次性创业补贴。",
        ),
    ),
    Benefit(
        id="jz.young_top_talent",
        name="青年拔尖人才",
        kind="selection",
        requires=all_of(c.in_jinzhou, c.young_top_talent_age),
        condition="在锦州承担重大科技任务或重点攻关课题，具备较强科学研究能力和创新潜力，经评审择优支持",
        citation=Citation(
            "聚八方英才 织锦绣未来 锦州市人才支撑全面振兴新突破三年行动方案"
            "（2023年，据媒体报道，未载文号）",
            "加快推进青年人才队伍建设",
            "每年支持10名左右40岁以下,在锦州承担重大科技任务或重点攻关课题,具备较强科学研究能力和"
            "创新潜力的青年拔尖人才,给予每人10万元科研经费和5万元奖励。",
        ),
        quota="每年10名左右",
        award="每人10万元科研经费和5万元奖励",
        document="锦州市人才支撑全面振兴新突破三年行动方案",
    ),
]


UNIT_PLAN = "锦州市人才支撑全面振兴新突破三年行动方案"

UNIT_AWARDS = [
    Benefit(
        id="jz.enterprise.high_tech",
        name="高新技术企业认定后补助",
        kind="money",
        target="employer",
        audience=all_of(c.unit_query, c.high_tech_certified),
        requires=c.in_jinzhou,
        amount=Amount("enterprise.high_tech", ("unit_high_tech_certification",)),
        per="once",
        condition="认定后申请，每户一次",
        document=UNIT_PLAN,
        citation=Citation(
            document=UNIT_PLAN_REPORT,
            clause="着力培育壮大市场主体",
            quote="对新认定的高新技术企业,给予每户20万元后补助,重新认定的给予每户5万元后补助。",
        ),
    ),
    Benefit(
        id="jz.enterprise.gazelle",
        name="瞪羚企业认定后补助",
        kind="money",
        target="employer",
        audience=all_of(c.unit_query, c.new_gazelle),
        requires=c.in_jinzhou,
        amount=Amount("enterprise.gazelle"),
        per="once",
        document=UNIT_PLAN,
        citation=Citation(
            document=UNIT_PLAN_REPORT,
            clause="着力培育壮大市场主体",
            quote="对新认定的瞪羚、雏鹰企业,分别一次性给予20万元、5万元后补助。",
        ),
    ),
    Benefit(
        id="jz.enterprise.eaglet",
        name="雏鹰企业认定后补助",
        kind="money",
        target="employer",
        audience=all_of(c.unit_query, c.new_eaglet),
        requires=c.in_jinzhou,
        amount=Amount("enterprise.eaglet"),
        per="once",
        document=UNIT_PLAN,
        citation=Citation(
            document=UNIT_PLAN_REPORT,
            clause="着力培育壮大市场主体",
            quote="对新认定的瞪羚、雏鹰企业,分别一次性给予20万元、5万元后补助。",
        ),
    ),
]


def program() -> Program:
    return Program(
        jurisdiction="jinzhou",
        conditions=list(c.CONDITIONS.values()),
        benefits=[*BENEFITS, *UNIT_AWARDS],
        helpers=list(c.HELPERS),
        field_labels={"employment.start_date": "到锦州工作或创业之日"},
    )
