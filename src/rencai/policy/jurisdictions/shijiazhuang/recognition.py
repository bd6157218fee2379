"""Direct recognition as a city high-level talent (市高层次人才), and the yearly grant of the
city's high-level talent support plan.

Documents encoded:

- 石字〔2021〕7号 (2021-02-10) 《中共石家庄市委 石家庄市人民政府关于高质量建设人才强市的实施意见》
  第7条: who is recognised directly, without further review; 第5条: what those selected into the
  市高层次人才支持计划 receive each year of their three-year support period (decision 0344).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from openfisca_core.errors import ParameterNotFoundError

from rencai.policy.citations import Citation
from rencai.policy.engine.model import EmployerType
from rencai.policy.jurisdictions.shijiazhuang.common import (
    honors_any,
    in_force,
    in_shijiazhuang,
    introduced,
    leaf,
    national_award_top3,
    provincial_progress_first,
)
from rencai.policy.leaves import idx, param_getter, plain
from rencai.policy.rules import Amount, Benefit, all_of, any_of

PROVINCIAL_OR_HIGHER_PROGRAMS = [
    # national and provincial talent programmes and titles (称号) the A card lists; a prize (奖)
    # counts only through the clause's own science-award branch (decisions 0019, 0346)
    "academician_cas",
    "academician_cae",
    "national_talent_program",
    "bqw_national",
    "national_young_expert",
    "changjiang_scholar",
    "innovation_talent_program",
    "nsfc_distinguished_young",
    "nsfc_excellent_young",
    "national_outstanding_professional",
    "cass_member",
    "cass_honorary_member",
    "state_council_special_allowance",
    "national_technical_expert",
    "national_tcm_master",
    "china_arts_crafts_master",
    "national_survey_design_master",
    "hebei_high_end_talent",
    "hebei_provincial_expert",
    "hebei_giant_plan_leader",
    "hebei_hundred_talents",
    "hebei_foreign_hundred_talents",
    "hebei_special_allowance",
    "hebei_333_tier1",
    "hebei_outstanding_technician",
]


recognition_in_force = in_force(
    name="direct_recognition_in_force",
    what="直接认定市高层次人才的规定",
    path="recognition.in_scope",
    since="2021年2月10日",
)


provincial_programme = honors_any(
    name="provincial_or_higher_programme",
    label="省部级以上人才计划入选者或省部级以上人才称号",
    codes=PROVINCIAL_OR_HIGHER_PROGRAMS,
)


key_discipline_leader = honors_any(
    name="national_key_discipline_or_project_leader",
    label="国家级重点学科、重点实验室学术技术带头人或国家级科技项目、工程项目的主要负责人",
    codes=["national_key_discipline_leader", "national_project_leader"],
)


# “我市高新技术企业和上年度纳税500万元以上的企业”: two kinds of enterprise, two leaves, so that
# a high-tech enterprise decides the branch without its tax being stated (decision 0358, as 0357
# reads the same words of 石政办函〔2021〕42号)
def _enterprise(p: Any, t: Any) -> np.ndarray:
    return plain(p.employer("employer_type", t)) == idx(EmployerType.enterprise)


def _high_tech_enterprise(p: Any, t: Any, _: Any) -> np.ndarray:
    return _enterprise(p, t) & p.employer("employer_high_tech", t)


def _big_taxpayer(p: Any, t: Any, params: Any) -> np.ndarray:
    try:
        threshold = param_getter("recognition.employer_tax_threshold")(params, t)
    except ParameterNotFoundError:
        return np.zeros(p.count, dtype=bool)
    return _enterprise(p, t) & (p.employer("employer_tax_last_year_yuan", t) >= threshold)


high_tech_employer = leaf(
    name="employer_high_tech_enterprise",
    label="我市高新技术企业",
    reads=["employment.employer_type"],
    formula=_high_tech_enterprise,
    describe=lambda f, held: (
        "用人单位为我市高新技术企业" if held else "用人单位不是我市高新技术企业"
    ),
    qualifying=False,
)


big_taxpayer = leaf(
    name="employer_tax_5m",
    label="上年度纳税500万元以上的企业",
    reads=["employment.employer_type", "employment.employer_tax_last_year"],
    formula=_big_taxpayer,
    describe=lambda f, held: (
        "用人单位为上年度纳税500万元以上的企业"
        if held
        else "用人单位不是上年度纳税500万元以上的企业"
    ),
    qualifying=False,
)


def _salary_at_least(p: Any, t: Any, params: Any) -> np.ndarray:
    try:
        threshold = param_getter("recognition.salary_threshold")(params, t)
    except ParameterNotFoundError:
        return np.zeros(p.count, dtype=bool)
    return p("annual_salary_yuan", t) >= threshold


high_salary = leaf(
    name="salary_at_least_500k",
    label="工资薪金收入在50万元以上",
    reads=["employment.annual_salary"],
    formula=_salary_at_least,
    describe=lambda f, held: (
        f"年工资薪金收入 {f.get('annual_salary_yuan')} 元，"
        + ("达到50万元" if held else "不足50万元")
    ),
)


RECOGNITION = [
    Benefit(
        id="sjz.recognition.city_high_level",
        name="直接认定为市高层次人才",
        kind="recognition",
        requires=all_of(
            recognition_in_force,
            in_shijiazhuang,
            any_of(
                provincial_programme,
                national_award_top3,
                provincial_progress_first,
                all_of(key_discipline_leader, introduced),
                all_of(any_of(high_tech_employer, big_taxpayer), introduced, high_salary),
                label="省部级以上人才计划或称号、国家科技奖或省部级科技进步一等奖主要完成人、"
                "国家级重点学科带头人或项目负责人、高新技术企业或纳税500万元以上企业新引进的"
                "年薪50万元以上人才",
            ),
        ),
        citation=Citation(
            document="石字〔2021〕7号",
            clause="7",
            quote="以及我市高新技术企业和上年度纳税500万元以上的企业新引进的工资薪金收入在50万元以上的"
            "人才，直接认定为市高层次人才，给予相应支持。",
        ),
        condition="“给予相应支持”的具体项目待主管部门明确",
    ),
]


support_plan_member = honors_any(
    name="city_high_level_support_plan_member",
    label="市“高层次人才支持计划”入选者",
    codes=["sjz_high_level_support_plan"],
)


# 第5条: the selection itself is by review (criteria and quota are not in the texts); a person the
# profile states was selected is told the yearly grant of the support period (decision 0344)
SUPPORT_PLAN_GRANT = Benefit(
    id="sjz.support_plan.grant",
    name="市高层次人才支持计划专项资助",
    kind="money",
    audience=support_plan_member,
    requires=all_of(in_shijiazhuang, support_plan_member),
    amount=Amount(parameter="high_level_support_plan.grant"),
    per="year",
    years="high_level_support_plan.years",
    dated=False,
    condition="自入选之日起3年支持期内按年拨付；支持期内离开我市或弄虚作假、违规使用的，取消并收回拨付资金",
    citation=Citation(
        document="石字〔2021〕7号",
        clause="5",
        quote="深化实施市高层次人才支持计划，在3年支持期内，每年给予的专项资助由10万元提高到20万元",
    ),
)
