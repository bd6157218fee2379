"""Shijiazhuang's talent green cards (A, B, county, family) and what they grant, as declarations.

Sources (seeds 004 §人才绿卡政策, 003, 001): 石办字〔2017〕15号 (A卡), 石办字〔2017〕39号 (B卡),
各县（市、区）人才绿卡管理办法 (县卡), 石字〔2021〕7号 (extensions and raised amounts), and the
2023 《关于深入实施新时代人才强市战略的若干措施（试行）》 as reported in 001 (安家补贴, 副卡).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from rencai.policy.citations import Citation
from rencai.policy.jurisdictions.shijiazhuang import conditions as c
from rencai.policy.rules import (
    Amount,
    Benefit,
    Card,
    Category,
    Exclusivity,
    Program,
    Rule,
    all_of,
    any_of,
)

HERE = Path(__file__).parent
A_DOC = "石办字〔2017〕15号"
B_DOC = "石办字〔2017〕39号"
COUNTY_DOC = "各县（市、区）人才绿卡管理办法"


def _cite(document: str, clause: str, quote: str) -> Citation:
    return Citation(document=document, clause=clause, quote=quote)


# --- A card -----------------------------------------------------------------------------------

A_CAT1 = ["nobel_laureate", "academician_cas", "academician_cae", "academician_foreign"]
A_CAT2 = [
    "national_talent_program",
    "bqw_national",
    "national_young_expert",
    "changjiang_scholar",
    "innovation_talent_program",
    "nsfc_distinguished_young",
    "nsfc_excellent_young",
    "national_outstanding_professional",
]
A_CAT2_2021 = ["state_supreme_sci_tech_award", "cass_member", "cass_honorary_member"]
A_CAT3 = [
    "national_key_discipline_leader",
    "national_project_leader",
    "state_council_special_allowance",
    "china_youth_sci_tech_award",
    "china_skills_grand_award",
    "worldskills_gold",
    "worldskills_gold_coach",
    "national_technical_expert",
]
A_CAT3_2021 = [
    "mao_dun_prize",
    "lu_xun_prize",
    "wu_jieping_medical_award",
    "national_tcm_master",
    "national_teaching_award_special_top3",
    "china_young_scientist_award",
    "china_patent_gold_top3",
    "china_arts_crafts_master",
    "national_survey_design_master",
    "changjiang_taofen_award",
    "plum_blossom_award",
    "ho_leung_ho_lee_prize",
]
A_CAT4 = [
    "hebei_high_end_talent",
    "hebei_provincial_expert",
    "hebei_giant_plan_leader",
    "hebei_hundred_talents",
    "hebei_foreign_hundred_talents",
    "hebei_special_allowance",
    "hebei_333_tier1",
    "hebei_outstanding_technician",
]
A_CAT5 = ["sjz_high_level_support_plan", "sjz_high_level_innovation_talent"]

CARD_A = Card(
    id="card.a",
    name="石家庄市人才绿卡A卡",
    category_noun="A卡申领范围",
    citation=_cite(
        document=A_DOC,
        clause="申领范围",
        quote="石家庄市域内用人单位（包括中央、省驻石单位）从市外、国（境）外引进（含柔性引进）"
        "或自主培育的以下人才：",
    ),
    scope=c.in_shijiazhuang,
    categories=(
        Category(
            number=1,
            rule=c.honors_any(name="a_cat1_honors", label="A卡第（1）类荣誉", codes=A_CAT1),
            citation=_cite(
                document=A_DOC,
                clause="申领范围（1）",
                quote="（1）诺贝尔奖获得者，中国科学院院士、中国工程院院士和发达国家院士；",
            ),
            summary="诺贝尔奖获得者、两院院士和发达国家院士",
        ),
        Category(
            number=2,
            rule=any_of(
                c.honors_any(name="a_cat2_honors", label="A卡第（2）类人才称号", codes=A_CAT2),
                all_of(
                    c.honors_any(
                        name="a_cat2_honors_2021", label="A卡第（2）类国家级奖项", codes=A_CAT2_2021
                    ),
                    c.awards_2021_in_scope,
                ),
            ),
            citation=_cite(
                document=A_DOC,
                clause="申领范围（2）",
                quote="（2）国家级人才项目入选者、“百千万人才工程”国家级人选、国家有突出贡献中青年专家、"
                "长江学者、国家“创新人才推进计划”入选者、国家杰出青年科学基金和国家优秀青年科学基金"
                "获得者、全国杰出专业技术人才、国家最高科学技术奖获得者、中国社科院学部委员、"
                "荣誉学部委员；",
            ),
            summary="国家级人才项目入选者等",
        ),
        Category(
            number=3,
            rule=any_of(
                c.honors_any(name="a_cat3_honors", label="A卡第（3）类人才称号", codes=A_CAT3),
                all_of(
                    c.honors_any(
                        name="a_cat3_honors_2021", label="A卡第（3）类国家级奖项", codes=A_CAT3_2021
                    ),
                    c.awards_2021_in_scope,
                ),
                c.national_award_top3,
            ),
            citation=_cite(
                document=A_DOC,
                clause="申领范围（3）",
                quote="（3）国家级重点学科、重点实验室学术技术带头人，国家级科技项目、工程项目的主要"
                "负责人，获得国家自然科学奖、技术发明奖、科技进步奖等项目一、二等奖的主要完成人"
                "（前三名），享受国务院特殊津贴专家，中国青年科技奖获得者，“中华技能大奖”获得者，"
                "世界技能大赛金牌获得者及其主教练，全国技术能手",
            ),
            summary="国家级重点学科带头人、国家科技奖主要完成人等",
        ),
        Category(
            number=4,
            rule=any_of(
                c.provincial_progress_first,
                c.honors_any(name="a_cat4_honors", label="A卡第（4）类省级人才称号", codes=A_CAT4),
            ),
            citation=_cite(
                document=A_DOC,
                clause="申领范围（4）",
                quote="(4) 获得省部级科技进步奖一等奖的主要完成人(第一名)、"
                "河北省高端人才、省管优秀专家、"
                "省“巨人计划”领军人才、省“百人计划”入选者、省外专“百人计划”入选者、"
                "省政府特殊津贴专家(省有突出贡献中青年专家)、省“三三三人才工程”第一层次人选、"
                "省突出贡献技师；",
            ),
            summary="省部级科技进步奖一等奖第一名、省级人才称号",
        ),
        Category(
            number=5,
            rule=c.honors_any(name="a_cat5_honors", label="A卡第（5）类市级人才称号", codes=A_CAT5),
            citation=_cite(
                document=A_DOC,
                clause="申领范围（5）",
                quote="(5) 市“高层次人才支持计划”入选者、市高层次科技创新创业人才；",
            ),
            summary="市高层次人才支持计划入选者、市高层次科技创新创业人才",
        ),
        Category(
            number=6,
            rule=c.sjz_high_level_recognition,
            citation=_cite(
                document=A_DOC,
                clause="申领范围（6）",
                quote="(6) 石家庄市经济社会发展急需并经市委人才工作领导小组认定"
                "具有某种特殊技能或专长的"
                "高层次人才。",
            ),
            summary="经市委人才工作领导小组认定的高层次人才",
        ),
    ),
)

# --- B card -----------------------------------------------------------------------------------

B_AGE_35 = c.age_at_most(
    name="b_card_age_group_1_to_3", limit_path="b_card.age_limit.categories_1_to_3"
)
B_AGE_45 = c.age_at_most(
    name="b_card_age_group_4_to_7", limit_path="b_card.age_limit.categories_4_to_7"
)

CARD_B = Card(
    id="card.b",
    name="石家庄市人才绿卡B卡",
    category_noun="B卡申领范围",
    citation=_cite(
        document=B_DOC,
        clause="申领范围",
        quote="石家庄市行政区划内用人单位从市外、国（境）外引进到我市工作或创业的以下人才：",
    ),
    scope=all_of(c.in_shijiazhuang, c.introduced, c.full_time_introduction),
    categories=(
        Category(
            number=1,
            rule=all_of(c.hebei_famous_school, B_AGE_35),
            citation=_cite(
                document=B_DOC,
                clause="申领范围（1）",
                quote="（1）列入河北省“名校英才入冀计划”的优秀毕业生；",
            ),
            summary="名校英才入冀计划优秀毕业生",
        ),
        Category(
            number=2,
            rule=all_of(
                any_of(
                    c.doctorate,
                    c.double_first_class_master,
                    all_of(c.a_class_master, c.a_class_in_scope),
                    all_of(c.provincial_key_master, c.leading_industry),
                    c.first_round_bachelor,
                    c.round2_discipline_bachelor,
                    label="博士、“双一流”高校全日制硕士、A类学科全日制硕士、主导产业企业引进的"
                    "省属骨干院校全日制硕士、首轮一流大学或第二轮一流学科全日制学士",
                ),
                B_AGE_35,
            ),
            citation=_cite(
                document=B_DOC,
                clause="申领范围（2）",
                quote="（2）博士学位研究生；“双一流”建设高校全日制硕士学位研究生；与我市产业结合紧密且全国"
                "高校学科评估为 A 类学科",
            ),
            summary="博士、“双一流”硕士等",
        ),
        Category(
            number=3,
            rule=all_of(c.top500_graduate, c.enterprise_institution_or_org, B_AGE_35),
            citation=_cite(
                document=B_DOC,
                clause="申领范围（3）",
                quote="（3）企事业单位、社会组织招聘（引进）的世界排名前500名国（境）外院校的全日制学士"
                "学位及以上优秀毕业生；",
            ),
            summary="世界排名前500名国（境）外院校毕业生",
        ),
        Category(
            number=4,
            rule=all_of(
                any_of(
                    c.provincial_progress_main,
                    all_of(c.patents_three, c.patents_local),
                    label="省部级科技进步奖主要完成人，或拥有3项以上发明专利并在石转化落地",
                ),
                c.enterprise_institution_or_org,
                B_AGE_45,
            ),
            citation=_cite(
                document=B_DOC,
                clause="申领范围（4）",
                quote="（4）企事业单位、社会组织招聘（引进）的获得省部级科技进步奖三等奖及以上的主要完成人"
                "（一等奖为前三名，二等奖为前两名，三等奖为第一名）或拥有3项以上国家授权的发明专利，"
                "能在石家庄转化落地并产生一定经济效益的人才；",
            ),
            summary="省部级科技奖主要完成人、发明专利人才",
        ),
        Category(
            number=5,
            rule=all_of(
                any_of(
                    all_of(
                        c.enterprise,
                        any_of(c.deputy_senior_title, c.shortage_senior_technician),
                    ),
                    all_of(c.institution_or_org, c.senior_title),
                    label="企业引进的副高级职称及以上或紧缺工种高级技师，事业单位、社会组织引进的"
                    "正高级职称",
                ),
                B_AGE_45,
            ),
            citation=_cite(
                document=B_DOC,
                clause="申领范围（5）",
                quote="（5）企业引进的副高级职称及以上专业技术人员或紧缺工种高级技师，事业单位、社会组织招聘"
                "（引进）的正高级职称及以上专业技术人员；",
            ),
            summary="高级职称专业技术人员、紧缺工种高级技师",
        ),
        Category(
            number=6,
            rule=all_of(
                c.enterprise,
                any_of(
                    c.management_honor,
                    all_of(c.china500_manager, c.leads_above_scale),
                    label="省部级及以上荣誉称号的经营管理人才，或中国500强企业中层以上且来石后"
                    "担任规模以上企业领导职务",
                ),
                B_AGE_45,
            ),
            citation=_cite(
                document=B_DOC,
                clause="申领范围（6）",
                quote="（6）企业引进的具有省部级及以上荣誉称号的经营管理人才和来石前在中国500强企业担任过"
                "中层及以上职务且来石后担任规模以上企业领导职务的人员；",
            ),
            summary="经营管理人才",
        ),
        Category(
            number=7,
            rule=all_of(c.sjz_special_recognition, B_AGE_45),
            citation=_cite(
                document=B_DOC,
                clause="申领范围（7）",
                quote="（7）石家庄市经济社会发展急需并经市委人才工作领导小组认定具有某种特殊技能或专长的"
                "人才。",
            ),
            summary="经市委人才工作领导小组认定的人才",
        ),
    ),
)

# --- county card ------------------------------------------------------------------------------

COUNTY_AGE_35 = c.age_at_most(
    name="county_card_age_group_1", limit_path="county_card.age_limit.category_1"
)
COUNTY_AGE_45 = c.age_at_most(
    name="county_card_age_group_2_3", limit_path="county_card.age_limit.categories_2_and_3"
)
A_OR_B_NO_COUNTY_CARD = _cite(
    document=COUNTY_DOC,
    clause="申领范围",
    quote="已持有石家庄市人才绿卡 A 卡、B 卡的人才，凭卡可享受本县（市、区）人才绿卡服务项目"
    "（资金补助项目按就高原则，不重复享受），不再发放本县（市、区）人才绿卡。",
)

CARD_COUNTY = Card(
    id="card.county",
    name="县（市、区）人才绿卡",
    category_noun="县卡申领范围",
    citation=_cite(
        document=COUNTY_DOC,
        clause="申领范围",
        quote="所在县（市、区）域内用人单位从市外、国（境）外引进到本县工作或创业的以下人才：",
    ),
    scope=all_of(c.in_shijiazhuang, c.introduced, c.full_time_introduction),
    categories=(
        Category(
            number=1,
            rule=all_of(c.full_time_bachelor_or_above, COUNTY_AGE_35),
            citation=_cite(
                document=COUNTY_DOC,
                clause="申领范围（1）",
                quote="（1）全日制学士学位及以上优秀毕业生；",
            ),
            summary="全日制学士学位及以上优秀毕业生",
        ),
        Category(
            number=2,
            rule=all_of(
                c.enterprise_institution_or_org,
                any_of(
                    c.intermediate_title,
                    c.shortage_technician,
                    label="中级职称及以上专业技术人员或紧缺工种技师",
                ),
                COUNTY_AGE_45,
            ),
            citation=_cite(
                document=COUNTY_DOC,
                clause="申领范围（2）",
                quote="（2）企事业单位、社会组织引进的中级职称及以上专业技术人员和紧缺工种技师；",
            ),
            summary="中级职称及以上专业技术人员、紧缺工种技师",
        ),
        Category(
            number=3,
            rule=all_of(c.county_special_recognition, COUNTY_AGE_45),
            citation=_cite(
                document=COUNTY_DOC,
                clause="申领范围（3）",
                quote="（3）符合本县（市、区）产业发展需求，经县（市、区）委人才工作领导小组办公室认定具有"
                "某种特殊技能或专长的人才。",
            ),
            summary="经县委人才工作领导小组办公室认定的人才",
        ),
    ),
    superseded_by=("card.a", "card.b"),
    superseded_citation=A_OR_B_NO_COUNTY_CARD,
)

# --- family card (副卡) -----------------------------------------------------------------------

FAMILY_QUOTE = _cite(
    document="《关于深入实施新时代人才强市战略的若干措施（试行）》（2023年11月3日发布；见《河北日报》2023年11月6日）",
    clause="深入实施人才绿卡制度",
    quote="對符合條件的A卡人才、B卡博士人才,為其父母、配偶辦理人才綠卡副卡,享受出入境、醫療保健、"
    "公交地鐵景點免費等服務項目",
)
CARD_FAMILY = Card(
    id="card.family",
    name="人才绿卡副卡",
    category_noun="副卡办理范围",
    citation=FAMILY_QUOTE,
    scope=all_of(c.relation_parent_or_spouse, c.family_card_in_force),
    categories=(
        Category(number=1, rule=c.sponsor_a, citation=FAMILY_QUOTE, summary="A卡人才的父母、配偶"),
        Category(
            number=2,
            rule=c.sponsor_b_doctor,
            citation=FAMILY_QUOTE,
            summary="B卡博士人才的父母、配偶",
        ),
    ),
    per_relative=True,
)

# --- benefits ---------------------------------------------------------------------------------


@cache
def _service_items() -> dict[str, list[dict[str, Any]]]:
    return yaml.safe_load((HERE / "services.yaml").read_text(encoding="utf-8"))


def _services() -> list[Benefit]:
    data = _service_items()
    holders: dict[str, Rule] = {
        "card.a": c.holds_a,
        "card.b": c.holds_b,
        # A and B holders enjoy the county's service items on their own card
        "card.county": any_of(c.holds_county, c.holds_a, c.holds_b),
    }
    result = []
    for card_id, requires in holders.items():
        prefix = {"card.a": "sjz.a", "card.b": "sjz.b", "card.county": "sjz.county"}[card_id]
        for item in data[card_id]:
            result.append(
                Benefit(
                    id=f"{prefix}.service.{item['id']}",
                    name=item["name"],
                    kind="service",
                    requires=requires,
                    citation=Citation.from_mapping(item["citation"]),
                    granted_by=card_id,
                )
            )
    return result


def family_card_services() -> list[dict[str, Any]]:
    data = _service_items()
    return [
        {"id": f"sjz.family.service.{i['id']}", "name": i["name"], "citation": i["citation"]}
        for i in data["card.family"]
    ]


BY_DEGREE = ("highest_degree",)

MONEY = [
    Benefit(
        id="sjz.b.rent_subsidy",
        name="房租补助",
        kind="money",
        requires=all_of(c.holds_b, c.bachelor_or_above, c.within_b_rent_period),
        amount=Amount(parameter="b_card.rent_subsidy", keys=BY_DEGREE),
        per="month",
        years="b_card.rent_subsidy_years",
        granted_by="card.b",
    ),
    Benefit(
        id="sjz.b.purchase_subsidy",
        name="一次性购房补贴",
        kind="money",
        requires=all_of(c.holds_b, c.bachelor_or_above),
        amount=Amount(parameter="b_card.purchase_subsidy", keys=BY_DEGREE),
        per="once",
        condition="在市域内购买首套自用商品房和存量房",
        granted_by="card.b",
    ),
    Benefit(
        id="sjz.b.settlement_allowance",
        name="一次性安家补贴",
        kind="money",
        requires=all_of(c.holds_b, c.bachelor_or_above, c.settlement_in_force),
        amount=Amount(parameter="b_card.settlement_allowance", keys=BY_DEGREE),
        per="once",
        granted_by="card.b",
    ),
    Benefit(
        id="sjz.b.startup_grant",
        name="一次性创业补助",
        kind="money",
        audience=c.self_employed,
        requires=all_of(c.holds_b, c.college_graduate),
        amount=Amount(parameter="startup.b_grant"),
        per="once",
        condition="初次领取营业执照并稳定经营6个月以上",
        granted_by="card.b",
    ),
    Benefit(
        id="sjz.b.startup_site_rent",
        name="创业经营场地租金补贴",
        kind="money",
        audience=c.self_employed,
        requires=all_of(c.holds_b, c.college_graduate),
        amount=Amount(parameter="startup.b_site_rent"),
        per="year",
        years="startup.b_site_rent_years",
        condition="租用经营场地（按实际租金补贴，每年最高额）",
        cap=True,
        granted_by="card.b",
    ),
    Benefit(
        id="sjz.county.rent_subsidy",
        name="县（市、区）房租补贴",
        kind="money",
        requires=all_of(
            any_of(c.holds_county, c.holds_a, c.holds_b),
            c.introduced,
            c.full_time_introduction,
            c.county_rent_tier_ok,
            c.within_county_rent_period,
        ),
        amount=Amount(
            parameter="county_card.rent_subsidy", keys=("county_rent_tier", "county_group")
        ),
        per="year",
        years="county_card.rent_subsidy_years",
        granted_by="card.county",
    ),
    Benefit(
        id="sjz.county.startup_grant",
        name="县（市、区）一次性创业补助",
        kind="money",
        requires=all_of(
            any_of(c.holds_county, c.holds_a, c.holds_b),
            c.college_graduate,
            c.social_insurance_local,
        ),
        audience=c.self_employed,
        amount=Amount(parameter="startup.county_grant"),
        per="once",
        condition="初次领取营业执照并稳定经营6个月以上",
        granted_by="card.county",
    ),
    Benefit(
        id="sjz.county.startup_site_rent",
        name="县（市、区）创业经营场地租金补贴",
        kind="money",
        requires=all_of(
            any_of(c.holds_county, c.holds_a, c.holds_b),
            c.college_graduate,
            c.social_insurance_local,
        ),
        audience=c.self_employed,
        amount=Amount(parameter="startup.county_site_rent"),
        per="year",
        years="startup.county_site_rent_years",
        condition="租用经营场地（按实际租金补贴，每年最高额）",
        cap=True,
        granted_by="card.county",
    ),
]

A_ENTREPRENEUR = (
    "掌握具有自主知识产权核心技术，成果能在石家庄市转化落地；"
    "所创办企业已在石家庄市行政区划内进行工商注册且税务登记"
)


def _a_entrepreneur(
    benefit_id: str, name: str, parameter: str, per: str, years: str | None, condition: str
) -> Benefit:
    return Benefit(
        id=benefit_id,
        name=name,
        kind="money",
        audience=all_of(c.holds_a, c.self_employed),
        requires=all_of(c.introduced),
        amount=Amount(parameter=parameter),
        per=per,  # type: ignore[arg-type]
        years=years,
        condition=f"{condition}；{A_ENTREPRENEUR}",
        cap=True,
        granted_by="card.a",
    )


A_MONEY = [
    _a_entrepreneur(
        benefit_id="sjz.a.loan_interest_subsidy",
        name="高层次人才创业贷款贴息补助",
        parameter="a_card.entrepreneur.loan_interest",
        per="year",
        years="a_card.entrepreneur.loan_interest_years",
        condition="获得银行贷款，按实际贴息，每年最高额",
    ),
    _a_entrepreneur(
        benefit_id="sjz.a.incubator_rent_subsidy",
        name="高层次人才创业孵化器租房费用补贴",
        parameter="a_card.entrepreneur.incubator_rent",
        per="year",
        years="a_card.entrepreneur.incubator_rent_years",
        condition="未取得建设用地前入驻政府建设的孵化器，按实际费用，每年最高额",
    ),
    _a_entrepreneur(
        benefit_id="sjz.a.factory_rent_subsidy",
        name="高层次人才创业厂房租赁费用补贴",
        parameter="a_card.entrepreneur.factory_rent",
        per="year",
        years="a_card.entrepreneur.factory_rent_years",
        condition="租赁厂房直接生产销售，按实际费用，每年最高额",
    ),
    _a_entrepreneur(
        benefit_id="sjz.a.home_purchase_subsidy",
        name="高层次人才创业购房补贴",
        parameter="a_card.entrepreneur.home_purchase",
        per="once",
        years=None,
        condition="在市区内购买首套自用商品住房，5年内给予，最高额",
    ),
    _a_entrepreneur(
        benefit_id="sjz.a.rent_reimbursement",
        name="高层次人才创业租房费用报销",
        parameter="a_card.entrepreneur.rent_reimbursement",
        per="year",
        years="a_card.entrepreneur.rent_reimbursement_years",
        condition="租住房屋，据实报销，每年最高额",
    ),
    Benefit(
        id="sjz.a.flexible_work_allowance",
        name="柔性引进高层次人才工作津贴",
        kind="money",
        audience=all_of(c.holds_a, c.flexible_introduction),
        requires=all_of(c.in_shijiazhuang),
        amount=Amount(parameter="a_card.flexible_allowance"),
        per="month",
        condition="入选我市人才项目、科技项目并签订3年以上合同；按专家本人在我市实际工作月数发放",
        granted_by="card.a",
    ),
]

RETENTION = [
    Benefit(
        id="sjz.retention.graduate_settling",
        name="高校毕业生一次性就业安家补贴",
        kind="money",
        requires=all_of(
            c.retention_in_force,
            c.in_shijiazhuang,
            c.recent_graduate,
            c.enterprise,
            c.social_insurance_local,
            c.not_card_b,
        ),
        amount=Amount(
            parameter="retention_2022.graduate_settling", keys=("highest_full_time_degree",)
        ),
        per="once",
        condition="与企业签订1年以上劳动合同，并按规定缴纳社会保险费",
        granted_by="石政办发〔2022〕6号",
    ),
    Benefit(
        id="sjz.retention.spouse_allowance",
        name="人才配偶待业期间生活补贴",
        kind="money",
        audience=any_of(c.holds_a, c.sponsor_b_doctor_self),
        requires=all_of(c.retention_in_force, c.unemployed_spouse),
        amount=Amount(parameter="retention_2022.spouse_allowance"),
        per="month",
        years="retention_2022.spouse_allowance_years",
        condition="配偶愿意在石家庄市就业、暂未就业；待业期间按月发放，最长2年",
        cap=True,
        granted_by="石政办发〔2022〕6号",
    ),
    Benefit(
        id="sjz.retention.title_upgrade_award",
        name="职称、技能等级提升奖励",
        kind="money",
        requires=all_of(
            c.retention_in_force,
            c.in_shijiazhuang,
            c.leading_industry,
            any_of(
                c.deputy_senior_title,
                c.technician_or_above,
                label="副高级及以上职称的专业技术人才或技师及以上职业技能等级的高技能人才",
            ),
        ),
        amount=Amount(parameter="retention_2022.title_upgrade_award"),
        per="once",
        condition="职称或技能等级须为在主导产业企业工作期间、本措施有效期内新获得（以证书取得时间为准）",
        granted_by="石政办发〔2022〕6号",
    ),
    Benefit(
        id="sjz.retention.key_talent_award",
        name="企业骨干人才奖",
        kind="selection",
        requires=all_of(
            c.retention_in_force,
            c.in_shijiazhuang,
            c.leading_industry,
            c.key_talent_employer_tax,
        ),
        condition="由所在企业按“业绩突出、群众公认、公开公正”原则推荐，优先推荐获得专利、科技进步奖、"
        "在本行业取得技术领先地位的人才；与高端人才、高层次人才个人所得税奖励同年度内不重复享受",
        citation=_cite(
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
        granted_by="石政办发〔2022〕6号",
    ),
    Benefit(
        id="sjz.retention.youth_station",
        name="青年人才驿站短住服务",
        kind="service",
        requires=all_of(
            c.retention_in_force,
            c.introduced,
            c.leading_industry,
            c.double_first_class_fresh_graduate,
        ),
        condition="来石到主导产业企业求职面试期间，在试点县（市、区）青年人才驿站服务点短住，"
        "不超过7天，住宿费用由市财政补助，每人每天最高200元",
        citation=_cite(
            document="石政办发〔2022〕6号",
            clause="17",
            quote="为外地来我市主导产业企业求职面试的“双一流”建设高校应届毕业生，提供不超过7天的短住服务，"
            "住宿费用由市财政予以补助，补助标准为每人每天最高200元。",
        ),
        granted_by="石政办发〔2022〕6号",
    ),
]

RENTAL_DOC = "石政办发〔2021〕6号"
RENTAL_YOUTH = all_of(
    c.rental_housing_in_force,
    c.resides_in_main_city,
    c.no_property_in_main_city,
    c.pension_in_main_city,
    any_of(
        c.graduated_within_5_years,
        c.holds_b,
        all_of(c.holds_county, c.inner_four_district),
        label="毕业未满5年的全日制大中专及以上毕业生，或持有有效B卡、市内四区（C卡）人才绿卡",
    ),
    c.single_applicant_adult,
)

RENTAL_HOUSING = [
    Benefit(
        id="sjz.rental_housing.admission",
        name="保障性租赁住房申请资格（新就业职工（青年人））",
        kind="service",
        audience=c.rental_housing_asked,
        requires=RENTAL_YOUTH,
        condition="收入稳定、有能力支付租金；政府产权房源摇号分配，企业产权房源优先分配本单位职工",
        citation=_cite(
            document=RENTAL_DOC,
            clause="附件3 二（一）",
            quote="持有有效市级（B 卡）或市内四区（C 卡）人才绿卡的申请人"
            "按照新就业职工（青年人）申请，"
            "不受“毕业未满 5 年”限制。",
        ),
        granted_by="石家庄市保障性租赁住房准入退出管理办法",
    ),
    Benefit(
        id="sjz.rental_housing.subsidy",
        name="保障性租赁住房租赁补贴",
        kind="money",
        audience=c.rental_housing_asked,
        requires=all_of(RENTAL_YOUTH, c.lease_filed, c.no_in_kind_allocation),
        amount=Amount(parameter="rental_housing.subsidy", keys=("rental_household_band",)),
        per="month",
        years="rental_housing.subsidy_years",
        dated=False,
        condition="自租赁补贴发放之月起最长5年；不再符合保障条件或所承租房源未在石家庄市住房租赁"
        "监管服务平台备案的，停止发放",
        granted_by="石家庄市保障性租赁住房准入退出管理办法",
    ),
]

UNIT_AWARDS = [
    Benefit(
        id="sjz.unit.training_base",
        name="新创建市级高技能人才培训基地支持",
        kind="money",
        target="employer",
        audience=c.unit_query,
        requires=all_of(c.in_shijiazhuang, c.new_city_training_base),
        amount=Amount(parameter="units.training_base"),
        per="once",
        condition="经评审新创建为市级高技能人才培训基地后拨付",
        granted_by="石字〔2021〕7号",
    ),
    Benefit(
        id="sjz.unit.master_studio",
        name="新评定市级技能大师工作室支持",
        kind="money",
        target="employer",
        audience=c.unit_query,
        requires=all_of(c.in_shijiazhuang, c.new_city_master_studio),
        amount=Amount(parameter="units.master_studio"),
        per="once",
        condition="经评审新评定为市级技能大师工作室后拨付",
        granted_by="石字〔2021〕7号",
    ),
    Benefit(
        id="sjz.unit.postdoc_platform",
        name="新设立博士后科研工作站、分站和创新实践基地一次性补贴",
        kind="money",
        target="employer",
        audience=c.unit_query,
        requires=all_of(c.retention_in_force, c.in_shijiazhuang, c.new_postdoc_platform),
        amount=Amount(parameter="units.postdoc_platform", keys=("unit_new_postdoc_platform",)),
        per="once",
        granted_by="石政办发〔2022〕6号",
    ),
]

SKILLS_DOC_QUOTE = _cite(
    document="石字〔2021〕7号",
    clause="5",
    quote="全职引进和培养新获得“中华技能大奖”“全国技术能手”的高技能人才，分别给予10万元、5万元支持。",
)
SKILLS = [
    Benefit(
        id="sjz.skills.worldskills_award",
        name="世界技能大赛获奖支持",
        kind="money",
        audience=c.worldskills_medallist,
        requires=all_of(c.in_shijiazhuang, c.employed_by_unit, c.skills_full_time_or_trained),
        amount=Amount(parameter="skills.worldskills", keys=("worldskills_medal",)),
        per="once",
        condition="新获得奖项；由我市企事业单位全职引进或培养，与本市用人单位签订3年以上劳动合同"
        "（团队获奖的按团队给予）",
        granted_by="石字〔2021〕7号",
    ),
    Benefit(
        id="sjz.skills.national_competition_award",
        name="全国技能大赛获奖支持",
        kind="money",
        audience=c.national_skills_medallist,
        requires=all_of(
            c.skills_2021_in_force,
            c.in_shijiazhuang,
            c.employed_by_unit,
            c.skills_full_time_or_trained,
        ),
        amount=Amount(parameter="skills.national_competition", keys=("national_skills_medal",)),
        per="once",
        condition="新获得奖项；由我市企事业单位全职引进或培养，与本市用人单位签订3年以上劳动合同",
        granted_by="石字〔2021〕7号",
    ),
    Benefit(
        id="sjz.skills.china_skills_grand_award",
        name="“中华技能大奖”获得者奖励",
        kind="money",
        audience=c.china_skills_grand_award,
        requires=all_of(
            c.skills_2017_in_force,
            c.in_shijiazhuang,
            c.employed_by_unit,
            c.skills_full_time_or_trained,
        ),
        amount=Amount(parameter="skills.china_skills_grand_award"),
        per="once",
        condition="新获得称号；全职引进或由我市企事业单位培养",
        granted_by="石字〔2021〕7号",
    ),
    Benefit(
        id="sjz.skills.national_technical_expert",
        name="全国技术能手奖励",
        kind="money",
        audience=c.national_technical_expert,
        requires=all_of(
            c.skills_2017_in_force,
            c.in_shijiazhuang,
            c.employed_by_unit,
            c.skills_full_time_or_trained,
        ),
        amount=Amount(parameter="skills.national_technical_expert"),
        per="once",
        condition="新获得称号；全职引进或由我市企事业单位培养",
        granted_by="石字〔2021〕7号",
    ),
    Benefit(
        id="sjz.skills.craftsman_selection",
        name="“石家庄工匠”选拔",
        kind="selection",
        requires=all_of(
            c.craftsman_in_force,
            c.in_shijiazhuang,
            c.unit_or_freelancer,
            c.senior_worker_or_above,
            c.craftsman_age,
            c.not_craftsman_excluded,
        ),
        condition="在一线岗位直接从事技能工作，并符合细则第五条所列业绩条件之一（发明专利、"
        "首席技师等称号、技能竞赛获奖、带徒成效等）；事业单位人选不超过当年度选拔数量的10%",
        citation=_cite(
            document="“石家庄工匠”选拔管理服务实施细则",
            clause="第五条、第七条、第九条",
            quote="自 2022 年起，每两年选拔一次，每次选拔 100 名。",
        ),
        quota="自2022年起每两年选拔一次，每次100名",
        award="入选者每人2万元一次性奖励，并优先推荐申报省级以上高技能人才评选",
        granted_by="“石家庄工匠”选拔管理服务实施细则",
    ),
]

RECOGNITION = [
    Benefit(
        id="sjz.recognition.city_high_level",
        name="直接认定为市高层次人才",
        kind="recognition",
        requires=all_of(
            c.recognition_in_force,
            c.in_shijiazhuang,
            any_of(
                c.provincial_programme,
                c.national_award_top3,
                c.provincial_progress_first,
                all_of(c.key_discipline_leader, c.introduced),
                all_of(c.high_tech_or_big_taxpayer, c.introduced, c.high_salary),
                label="省部级以上人才计划或称号、国家科技奖或省部级科技进步一等奖主要完成人、"
                "国家级重点学科带头人或项目负责人、高新技术企业或纳税500万元以上企业新引进的"
                "年薪50万元以上人才",
            ),
        ),
        citation=_cite(
            document="石字〔2021〕7号",
            clause="7",
            quote="以及我市高新技术企业和上年度纳税500万元以上的企业新引进的工资薪金收入在50万元以上的"
            "人才，直接认定为市高层次人才，给予相应支持。",
        ),
        condition="“给予相应支持”的具体项目，文件未列明",
        granted_by="石字〔2021〕7号",
    ),
]

EXCLUSIVITY = [
    Exclusivity(
        id="sjz.exclusive.rent",
        rule="highest",
        members=("sjz.b.rent_subsidy", "sjz.a.rent_reimbursement", "sjz.county.rent_subsidy"),
        citation=A_OR_B_NO_COUNTY_CARD,
        label="A卡创业人才租房费用报销、B卡房租补助与县（市、区）房租补贴按就高原则，不重复享受",
    ),
    Exclusivity(
        id="sjz.exclusive.startup_grant",
        rule="highest",
        members=("sjz.b.startup_grant", "sjz.county.startup_grant"),
        citation=A_OR_B_NO_COUNTY_CARD,
        label="市、县一次性创业补助按就高原则，不重复享受",
    ),
    Exclusivity(
        id="sjz.exclusive.startup_site_rent",
        rule="highest",
        members=("sjz.b.startup_site_rent", "sjz.county.startup_site_rent"),
        citation=A_OR_B_NO_COUNTY_CARD,
        label="市、县创业经营场地租金补贴按就高原则，不重复享受",
    ),
]


def program() -> Program:
    return Program(
        jurisdiction="shijiazhuang",
        conditions=list(c.CONDITIONS.values()),
        cards=[CARD_A, CARD_B, CARD_COUNTY, CARD_FAMILY],
        benefits=[
            *MONEY,
            *A_MONEY,
            *RETENTION,
            *RENTAL_HOUSING,
            *UNIT_AWARDS,
            *SKILLS,
            *RECOGNITION,
            *_services(),
        ],
        exclusivity=EXCLUSIVITY,
        helpers=list(c.HELPERS),
    )
