"""The measures to attract and keep talent, as far as a profile decides them.

Documents encoded:

- 石政办发〔2022〕6号 《关于进一步吸引留住人才的若干措施（试行）》 (石家庄市人民政府办公室, 2022;
  the day of issue is not printed; in force from issue for two years, decision 0017):
  第3条 graduates' settling subsidy, 第8条 new postdoctoral platforms, 第11条 企业骨干人才奖,
  第12条 title and skill-level award, 第16条 the unemployed spouse's allowance, 第17条 the youth
  station's short stay.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from openfisca_core.errors import ParameterNotFoundError
from openfisca_core.periods import DAY
from openfisca_core.variables import Variable

from rencai.policy.citations import Citation
from rencai.policy.engine.model import (
    TAG_BIT,
    Degree,
    EmployerType,
    Family,
    Relation,
    SkillLevel,
)
from rencai.policy.jurisdictions.shijiazhuang.common import (
    deputy_senior_title,
    enterprise,
    flag,
    holds_a,
    in_force,
    in_shijiazhuang,
    introduced,
    leaf,
    social_insurance_local,
    unit_query,
)
from rencai.policy.leaves import idx, param_getter, plain, years_apart_less_than
from rencai.policy.rules import Amount, Benefit, Facts, all_of, any_of

retention_in_force = in_force(
    name="retention_2022_in_force",
    what="石政办发〔2022〕6号",
    path="retention_2022.in_force",
    since="2022年（印发之日）",
    until="2024-12-31",
)


def _graduated_within(p: Any, t: Any, params: Any) -> np.ndarray:
    highest = plain(p("highest_full_time_degree", t))
    graduated = np.where(
        highest == idx(Degree.master),
        p("full_time_graduation_master", t),
        np.where(
            highest == idx(Degree.bachelor),
            p("full_time_graduation_bachelor", t),
            np.datetime64("1900-01-01"),
        ),
    )
    try:
        years = int(param_getter("retention_2022.graduate_settling_years")(params, t))
    except ParameterNotFoundError:  # before the measures existed
        return np.zeros(p.count, dtype=bool)
    return years_apart_less_than(graduated, p("start_date", t), years)


recent_graduate = leaf(
    name="graduated_within_two_years_before_starting",
    label="毕业2年内新到我市就业的普通高等学校全日制学士、全日制硕士",
    reads=[
        "person.education",
        "person.education.full_time",
        "person.education.graduation_date",
        "employment.start_date",
    ],
    formula=_graduated_within,
    describe=lambda f, held: (
        "毕业2年内新到我市就业的全日制学士或全日制硕士"
        if held
        else "不是毕业2年内新到我市就业的全日制学士或全日制硕士"
        "（按最高全日制学位的毕业日期与到石就业日期计算）"
    ),
)


# 附则: "本措施中的主导产业是指…。与我市主导产业发展结合紧密的市域内科研院所，参照执行。" A public
# institution whose employer is marked as in a leading industry is read as such an institute
# (decision 0291); the measures' items for 主导产业企业 reach its staff too.
_LEADING_EMPLOYERS = (idx(EmployerType.enterprise), idx(EmployerType.public_institution))

leading_industry = leaf(
    name="employer_leading_industry_enterprise_or_institute",
    label="我市五大主导产业企业，或与主导产业发展结合紧密的市域内科研院所",
    reads=["employment.employer_type"],
    formula=lambda p, t, _: (
        p.employer("employer_leading_industry", t)
        & np.isin(plain(p.employer("employer_type", t)), _LEADING_EMPLOYERS)
    ),
    describe=lambda f, held: (
        "五大主导产业企业（或与主导产业发展结合紧密的科研院所，参照执行）"
        if held
        else "用人单位不是我市五大主导产业企业，也不是与主导产业发展结合紧密的市域内科研院所"
    ),
)


# The measures were issued in 2022 and apply from their issue (附则: "本措施自印发之日起施行"): a
# graduate who began work here before 2022 did not "新到我市就业" under them (decision 0290). The
# day of issue is not printed, so a start within 2022 is left to the reviewers (the condition).
MEASURES_YEAR_START = np.datetime64("2022-01-01")

started_under_measures = leaf(
    name="started_work_in_the_measures_year_or_later",
    label="本措施施行后新到我市就业",
    reads=["employment.start_date"],
    formula=lambda p, t, _: p("start_date", t) >= MEASURES_YEAR_START,
    describe=lambda f, held: (
        "本措施施行后新到我市就业"
        if held
        else "到石就业早于本措施施行（石政办发〔2022〕6号于2022年印发，自印发之日起施行）"
    ),
    qualifying=False,
)


not_card_b = leaf(
    name="not_card_b",
    label="不享受人才绿卡（B卡）政策",
    reads=["card:card.b"],
    formula=lambda p, t, _: ~p("card_b", t),
    describe=lambda f, held: (
        "不享受人才绿卡（B卡）政策"
        if held
        else "已符合人才绿卡（B卡）条件：就业安家补贴与人才绿卡（B卡）政策不重复享受"
    ),
    qualifying=False,
)


class family_has_unemployed_spouse(Variable):
    value_type = bool
    entity = Family
    definition_period = DAY
    label = "家庭中有暂未就业的配偶"

    def formula(family, period, parameters):
        members = family.members
        spouse = plain(members("relation", period)) == idx(Relation.spouse)
        return family.any(spouse & ~members("employed", period), role=Family.RELATIVE)


unemployed_spouse = leaf(
    name="has_unemployed_spouse",
    label="配偶暂未就业（待业期间）",
    reads=["family", "family.employed"],
    formula=lambda p, t, _: p.family("family_has_unemployed_spouse", t),
    describe=lambda f, held: "配偶暂未就业" if held else "没有暂未就业的配偶",
)


sponsor_b_doctor_self = leaf(
    name="is_card_b_doctor",
    label="持有人才绿卡（B卡）的博士人才",
    reads=["card:card.b", "person.education"],
    formula=lambda p, t, _: (
        p("card_b", t) & (plain(p("highest_degree", t)) == idx(Degree.doctorate))
    ),
    describe=lambda f, held: "B卡博士人才" if held else "不是B卡博士人才",
    qualifying=False,
)


# 第11条: 年缴税额 10亿/5亿/2亿/1亿/5000万元以上 → 每年推荐 20/10/4/2/1 名 (quota per employer)
KEY_TALENT_BANDS = (
    (1_000_000_000, "10亿元", 20),
    (500_000_000, "5亿元", 10),
    (200_000_000, "2亿元", 4),
    (100_000_000, "1亿元", 2),
    (50_000_000, "5000万元", 1),
)


def _key_talent_band(facts: Facts, held: bool) -> str:
    tax = facts.get("employer_tax_last_year_yuan")
    for floor, label, quota in KEY_TALENT_BANDS:
        if held and tax is not None and tax >= floor:
            return f"所在企业上年度纳税{tax}元，达到{label}以上档，每年可推荐{quota}名"
    return f"所在企业上年度纳税{tax}元，不足5000万元"


key_talent_employer_tax = leaf(
    name="employer_tax_at_least_50m",
    label="所在主导产业企业年缴税额5000万元以上",
    reads=["employment.employer_tax_last_year"],
    formula=lambda p, t, params: (
        p.employer("employer_tax_last_year_yuan", t)
        >= param_getter("retention_2022.key_talent_award_min_tax")(params, t)
    ),
    describe=_key_talent_band,
)


technician_or_above = leaf(
    name="skill_technician_or_above",
    label="技师及以上职业技能等级",
    reads=[],
    formula=lambda p, t, _: plain(p("skill_level", t)) >= idx(SkillLevel.technician),
    describe=lambda f, held: (
        "具有技师及以上职业技能等级" if held else "不具有技师及以上职业技能等级"
    ),
)


def _double_first_class_this_year(p: Any, t: Any, _: Any) -> np.ndarray:
    bit = TAG_BIT["double_first_class"]
    # the year's first and last day, compared as dates (no conversion of every date)
    first = np.datetime64(f"{t.start.year:04d}-01-01")
    last = np.datetime64(f"{t.start.year:04d}-12-31")
    result = np.zeros(p.count, dtype=bool)
    for level in ("doctorate", "master", "bachelor"):
        tagged = (p(f"full_time_{level}_tags", t) & bit) != 0
        graduated = p(f"full_time_graduation_{level}", t)
        result |= tagged & (graduated >= first) & (graduated <= last)
    return result


double_first_class_fresh_graduate = leaf(
    name="double_first_class_fresh_graduate",
    label="“双一流”建设高校应届毕业生",
    reads=["person.education", "person.education.graduation_date"],
    formula=_double_first_class_this_year,
    describe=lambda f, held: (
        "“双一流”建设高校应届毕业生（毕业年份为当年）"
        if held
        else "不是当年毕业的“双一流”建设高校全日制毕业生"
    ),
)


new_postdoc_platform = leaf(
    name="unit_is_new_postdoc_platform",
    label="新设立的博士后科研工作站、分站或博士后创新实践基地",
    reads=[],
    formula=lambda p, t, _: plain(p("unit_new_postdoc_platform", t)) != 0,
    describe=lambda f, held: (
        "新设立博士后平台" if held else "未新设立博士后科研工作站、分站或创新实践基地"
    ),
)


RETENTION = [
    Benefit(
        id="sjz.retention.graduate_settling",
        name="高校毕业生一次性就业安家补贴",
        kind="money",
        requires=all_of(
            retention_in_force,
            in_shijiazhuang,
            recent_graduate,
            started_under_measures,
            enterprise,
            social_insurance_local,
            not_card_b,
        ),
        amount=Amount(
            parameter="retention_2022.graduate_settling", keys=("highest_full_time_degree",)
        ),
        per="once",
        condition="与企业签订1年以上劳动合同，并按规定缴纳社会保险费；到石就业须在本措施印发之后",
        citation=Citation(
            document="石政办发〔2022〕6号",
            clause="3",
            quote="毕业2年内的普通高等学校全日制学士学位毕业生、全日制硕士学位研究生新到我市就业，与企业签订1年以上劳动合同，并按规定缴纳社会保险费的，由市财政给予一次性就业安家补贴。补贴标准为学士1万元、硕士3万元。",
        ),
    ),
    Benefit(
        id="sjz.retention.spouse_allowance",
        name="人才配偶待业期间生活补贴",
        kind="money",
        audience=any_of(holds_a, sponsor_b_doctor_self),
        requires=all_of(retention_in_force, unemployed_spouse),
        amount=Amount(parameter="retention_2022.spouse_allowance"),
        per="month",
        years="retention_2022.spouse_allowance_years",
        # "待业期间……补贴时限最长2年": the 2 years are the allowance's own, counted from its
        # approval, not from the talent's arrival (decision 0330)
        dated=False,
        condition="配偶愿意在石家庄市就业、暂未就业；自批准之月起在待业期间按月发放，最长2年，"
        "配偶就业后停发",
        # "每月3000元": the monthly amount is fixed, only the period is a maximum (decision 0330),
        # so the ledger pays it month by month like the other monthly allowances
        citation=Citation(
            document="石政办发〔2022〕6号",
            clause="16",
            quote="对暂未就业的，结合本人条件、意愿，积极协调、帮助就业。待业期间，由市财政给予每月3000元的生活补贴，补贴时限最长2年。",
        ),
    ),
    Benefit(
        id="sjz.retention.title_upgrade_award",
        name="职称、技能等级提升奖励",
        kind="money",
        requires=all_of(
            retention_in_force,
            in_shijiazhuang,
            leading_industry,
            any_of(
                deputy_senior_title,
                technician_or_above,
                label="副高级及以上职称的专业技术人才或技师及以上职业技能等级的高技能人才",
            ),
        ),
        amount=Amount(parameter="retention_2022.title_upgrade_award"),
        per="once",
        condition="职称或技能等级须为在主导产业企业工作期间、本措施有效期内新获得（以证书取得时间为准）",
        citation=Citation(
            document="石政办发〔2022〕6号",
            clause="12",
            quote="对主导产业企业新获得副高级及以上职称的专业技术人才或者新获得技师及以上职业技能"
            "等级的高技能人才，由市财政给予 3000 元的一次性奖励。",
        ),
    ),
    Benefit(
        id="sjz.retention.key_talent_award",
        name="企业骨干人才奖",
        kind="selection",
        requires=all_of(
            retention_in_force,
            in_shijiazhuang,
            leading_industry,
            key_talent_employer_tax,
        ),
        condition="由所在企业按“业绩突出、群众公认、公开公正”原则推荐，优先推荐获得专利、科技进步奖、"
        "在本行业取得技术领先地位的人才；与高端人才、高层次人才个人所得税奖励（如石政办函〔2021〕42号"
        "高端人才奖励）同年度内不重复享受",
        citation=Citation(
            document="石政办发〔2022〕6号",
            clause="11",
            quote="设立“企业骨干人才奖”，对年缴税额达到 10 亿元、5 亿元、2 亿元、1 亿元、"
            "5000 万元以上的"
            "主导产业企业，由企业按照“业绩突出、群众公认、公开公正”的原则，每年分别推荐 20 名、"
            "10 名、4 名、2 名、1 名做出突出贡献的骨干人才作为奖励对象，由市财政给予每人 1 万元的"
            "一次性奖励。",
        ),
        quota="按企业年缴税额每年推荐：10亿元以上20名、5亿元以上10名、2亿元以上4名、1亿元以上2名、"
        "5000万元以上1名",
        award="市财政给予每人1万元一次性奖励",
    ),
    Benefit(
        id="sjz.retention.youth_station",
        name="青年人才驿站短住服务",
        kind="service",
        requires=all_of(
            retention_in_force,
            introduced,
            leading_industry,
            double_first_class_fresh_graduate,
        ),
        condition="来石到主导产业企业求职面试期间，在试点县（市、区）青年人才驿站服务点短住，"
        "不超过7天，住宿费用由市财政补助，每人每天最高200元",
        citation=Citation(
            document="石政办发〔2022〕6号",
            clause="17",
            quote="为外地来我市主导产业企业求职面试的“双一流”建设高校应届毕业生，提供不超过7天的短住服务，"
            "住宿费用由市财政予以补助，补助标准为每人每天最高200元。",
        ),
    ),
]


# 第8条: an award to units, answered with the other awards to units
POSTDOC_PLATFORM = Benefit(
    id="sjz.unit.postdoc_platform",
    name="新设立博士后科研工作站、分站和创新实践基地一次性补贴",
    kind="money",
    target="employer",
    audience=all_of(unit_query, new_postdoc_platform),
    requires=all_of(retention_in_force, in_shijiazhuang),
    amount=Amount(parameter="retention_2022.postdoc_platform", keys=("unit_new_postdoc_platform",)),
    per="once",
    citation=Citation(
        document="石政办发〔2022〕6号",
        clause="8",
        quote="对新设立的博士后科研工作站、分站和博士后创新实践基地，由市财政分别给予50万元、20万元、10万元的一次性补贴。",
    ),
)


new_industry_institute = flag(
    name="unit_is_new_city_industry_institute",
    label="新认定的市级产业技术研究院",
    variable="unit_new_city_industry_institute",
    reads=[],
    negative="未新认定为市级产业技术研究院",
)


# 第7条: an award to units, answered with the other awards to units
INDUSTRY_INSTITUTE = Benefit(
    id="sjz.unit.industry_institute",
    name="新认定市级产业技术研究院资金支持",
    kind="money",
    target="employer",
    audience=all_of(unit_query, new_industry_institute),
    requires=all_of(retention_in_force, in_shijiazhuang),
    amount=Amount(parameter="retention_2022.industry_institute"),
    per="once",
    condition="经市科技局认定为市级产业技术研究院后拨付",
    citation=Citation(
        document="石政办发〔2022〕6号",
        clause="7",
        quote="对新认定的市级产业技术研究院，由市财政给予20万元的资金支持。",
    ),
)


postdoc_in_station = flag(
    name="is_postdoc_in_station",
    label="在站（含分站、创新实践基地）的博士后研究人员",
    variable="postdoc_in_station",
    reads=["person.postdoc_in_station"],
    negative="不是在站的博士后研究人员",
)


# 第8条, second sentence: the postdoctoral researcher's yearly allowance
POSTDOC_RESEARCHER = Benefit(
    id="sjz.retention.postdoc_researcher",
    name="在站博士后研究人员日常经费资助",
    kind="money",
    audience=postdoc_in_station,
    requires=all_of(retention_in_force, in_shijiazhuang, postdoc_in_station),
    amount=Amount(parameter="retention_2022.postdoc_researcher"),
    per="year",
    dated=False,
    condition="在站期间按年资助；出站后停止",
    citation=Citation(
        document="石政办发〔2022〕6号",
        clause="8",
        quote="对在站（含分站、创新实践基地）的博士后研究人员，"
        "由市财政每人每年给予日常经费资助 5 万元。",
    ),
)


HELPERS: list[type[Variable]] = [family_has_unemployed_spouse]
