"""人才绿卡: the A, B and county cards (who may hold them) and the service items they grant.

Documents encoded:

- 石办字〔2017〕15号 (date not printed in the compilation; modelled from 2017-01-01, decision 0004)
  《石家庄市人才绿卡管理办法（试行）》: the A card, its six categories and fifteen service items;
- 石办字〔2017〕39号 (date not printed; modelled from 2017-01-01)
  《石家庄市人才绿卡(B卡)管理办法(试行)》: the B card, its seven categories and eight items;
- 各县（市、区）人才绿卡管理办法 (no number or date printed): the county card, its three
  categories and twelve items, and the rule that A/B holders are not issued it;
- 石字〔2021〕7号 (2021-02-10) 《中共石家庄市委 石家庄市人民政府关于高质量建设人才强市的实施意见》
  第4条: the national awards of 附件2 brought into the A card, A-class masters into the B card.

The money the cards grant is in ``green_card_money``; the 副卡 in ``family_card``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from openfisca_core.indexed_enums import Enum

from rencai.policy.citations import Citation
from rencai.policy.contract.vocabulary import vocabulary
from rencai.policy.engine.model import TAG_BIT, ProfessionalTitle, SkillLevel
from rencai.policy.jurisdictions.shijiazhuang.common import (
    age_at_most,
    award_rank_at_most,
    deputy_senior_title,
    doctorate,
    enterprise,
    enterprise_institution_or_org,
    flag,
    full_time_bachelor_or_above,
    full_time_introduction,
    holds_a,
    holds_b,
    holds_county,
    honors_any,
    in_force,
    in_shijiazhuang,
    institution_or_org,
    introduced,
    leading_industry,
    leaf,
    national_award_top3,
    provincial_progress_first,
    tag_on_level,
    title_at_least,
)
from rencai.policy.leaves import idx, plain
from rencai.policy.rules import Benefit, Card, Category, Condition, Rule, all_of, any_of

HERE = Path(__file__).parent


A_DOC = "石办字〔2017〕15号"


B_DOC = "石办字〔2017〕39号"


COUNTY_DOC = "各县（市、区）人才绿卡管理办法"


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


hebei_famous_school = leaf(
    name="hebei_famous_school_graduate",
    label="列入河北省“名校英才入冀计划”的优秀毕业生",
    reads=["person.education"],
    formula=lambda p, t, _: (
        (p("school_tags_any", t) & TAG_BIT["hebei_famous_school_graduate"]) != 0
    ),
    describe=lambda f, held: (
        "列入河北省“名校英才入冀计划”的优秀毕业生" if held else "未列入河北省“名校英才入冀计划”"
    ),
)


double_first_class_master = tag_on_level(
    name="double_first_class_full_time_master",
    label="“双一流”建设高校全日制硕士学位研究生",
    levels=["master"],
    tag="double_first_class",
)


a_class_master = tag_on_level(
    name="a_class_discipline_full_time_master",
    label="全国高校学科评估为A类学科的全日制硕士学位毕业生",
    levels=["master"],
    tag="a_class_discipline",
)


a_class_in_scope = in_force(
    name="a_class_master_in_scope",
    what="A类学科全日制硕士纳入B卡服务范围的规定",
    path="b_card.a_class_master_in_scope",
    since="2021年2月10日",
)


provincial_key_master = tag_on_level(
    name="provincial_key_university_full_time_master",
    label="省属骨干院校全日制硕士学位研究生",
    levels=["master"],
    tag="provincial_key_university",
)


first_round_bachelor = tag_on_level(
    name="first_round_world_class_full_time_bachelor",
    label="首轮一流大学全日制学士学位毕业生",
    levels=["bachelor"],
    tag="first_round_world_class_university",
)


round2_discipline_bachelor = tag_on_level(
    name="world_class_discipline_round2_full_time_bachelor",
    label="第二轮一流学科全日制学士学位毕业生",
    levels=["bachelor"],
    tag="world_class_discipline_round2",
)


top500_graduate = tag_on_level(
    name="world_top500_full_time_graduate",
    label="世界排名前500名国（境）外院校的全日制学士学位及以上优秀毕业生",
    levels=["doctorate", "master", "bachelor"],
    tag="world_top500",
)


provincial_progress_main = award_rank_at_most(
    name="provincial_progress_award_main_contributor",
    label="省部级科技进步奖三等奖及以上的主要完成人（一等奖为前三名，二等奖为前两名，三等奖为第一名）",
    levels=["provincial", "national"],
    kinds=["progress"],
    grade_ranks={"special": 3, "1": 3, "2": 2, "3": 1},
)


patents_three = leaf(
    name="three_invention_patents",
    label="拥有3项以上国家授权的发明专利",
    reads=["person.invention_patents"],
    formula=lambda p, t, _: p("invention_patents", t) >= 3,
    describe=lambda f, held: (
        f"拥有国家授权发明专利 {f.get('invention_patents')} 项"
        + ("，达到3项以上" if held else "，不足3项")
    ),
)


patents_local = flag(
    name="patents_put_to_local_use",
    label="能在石家庄转化落地并产生一定经济效益",
    variable="patents_commercialised_locally",
    reads=[],
    negative="发明专利尚未在石家庄转化落地并产生经济效益",
)


senior_title = title_at_least(
    name="senior_title", level=ProfessionalTitle.senior, label="正高级职称及以上专业技术人员"
)


intermediate_title = title_at_least(
    name="intermediate_title_or_above",
    level=ProfessionalTitle.intermediate,
    label="中级职称及以上专业技术人员",
)


def shortage_skill_at_least(name: str, level: Any, label: str) -> Condition:
    return leaf(
        name=name,
        label=label,
        reads=[],
        formula=lambda p, t, _: (
            p("shortage_occupation", t) & (plain(p("skill_level", t)) >= idx(level))
        ),
        describe=lambda f, held: label if held else f"不是{label}",
    )


shortage_senior_technician = shortage_skill_at_least(
    name="shortage_senior_technician", level=SkillLevel.senior_technician, label="紧缺工种高级技师"
)


shortage_technician = shortage_skill_at_least(
    name="shortage_technician_or_above", level=SkillLevel.technician, label="紧缺工种技师"
)


management_honor = flag(
    name="manager_with_provincial_honor",
    label="具有省部级及以上荣誉称号的经营管理人才",
    variable="management_provincial_honor",
    reads=[],
    negative="不是具有省部级及以上荣誉称号的经营管理人才",
)


china500_manager = flag(
    name="was_china500_middle_manager",
    label="来石前在中国500强企业担任过中层及以上职务",
    variable="management_china500_middle_manager",
    reads=[],
    negative="来石前未在中国500强企业担任中层及以上职务",
)


leads_above_scale = flag(
    name="now_leads_above_scale_enterprise",
    label="来石后担任规模以上企业领导职务",
    variable="management_leads_above_scale_enterprise",
    reads=[],
    negative="来石后未担任规模以上企业领导职务",
)


def recognised(name: str, code: str) -> Condition:
    label = vocabulary().label("recognition", code)
    return flag(
        name=name,
        label=label,
        variable=f"recognition_{code}",
        reads=["person.recognitions"],
        negative=f"未经认定：{label}",
    )


sjz_high_level_recognition = recognised(
    name="recognised_city_high_level", code="sjz_city_high_level"
)


sjz_special_recognition = recognised(name="recognised_city_special", code="sjz_city_special")


county_special_recognition = recognised(name="recognised_county_special", code="county_special")


awards_2021_in_scope = in_force(
    name="a_card_2021_awards_in_scope",
    what="石字〔2021〕7号附件2所列国家级奖项纳入A卡服务范围的规定",
    path="a_card.national_awards_2021_in_scope",
    since="2021年2月10日",
)


CARD_A = Card(
    id="card.a",
    name="石家庄市人才绿卡A卡",
    category_noun="A卡申领范围",
    citation=Citation(
        document=A_DOC,
        clause="申领范围",
        quote="石家庄市域内用人单位（包括中央、省驻石单位）从市外、国（境）外引进（含柔性引进）"
        "或自主培育的以下人才：",
    ),
    scope=in_shijiazhuang,
    categories=(
        Category(
            number=1,
            rule=honors_any(name="a_cat1_honors", label="A卡第（1）类荣誉", codes=A_CAT1),
            citation=Citation(
                document=A_DOC,
                clause="申领范围（1）",
                quote="（1）诺贝尔奖获得者，中国科学院院士、中国工程院院士和发达国家院士；",
            ),
            summary="诺贝尔奖获得者、两院院士和发达国家院士",
        ),
        Category(
            number=2,
            rule=any_of(
                honors_any(name="a_cat2_honors", label="A卡第（2）类人才称号", codes=A_CAT2),
                all_of(
                    honors_any(
                        name="a_cat2_honors_2021", label="A卡第（2）类国家级奖项", codes=A_CAT2_2021
                    ),
                    awards_2021_in_scope,
                ),
            ),
            citation=Citation(
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
                honors_any(name="a_cat3_honors", label="A卡第（3）类人才称号", codes=A_CAT3),
                all_of(
                    honors_any(
                        name="a_cat3_honors_2021", label="A卡第（3）类国家级奖项", codes=A_CAT3_2021
                    ),
                    awards_2021_in_scope,
                ),
                national_award_top3,
            ),
            citation=Citation(
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
                provincial_progress_first,
                honors_any(name="a_cat4_honors", label="A卡第（4）类省级人才称号", codes=A_CAT4),
            ),
            citation=Citation(
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
            rule=honors_any(name="a_cat5_honors", label="A卡第（5）类市级人才称号", codes=A_CAT5),
            citation=Citation(
                document=A_DOC,
                clause="申领范围（5）",
                quote="(5) 市“高层次人才支持计划”入选者、市高层次科技创新创业人才；",
            ),
            summary="市高层次人才支持计划入选者、市高层次科技创新创业人才",
        ),
        Category(
            number=6,
            rule=sjz_high_level_recognition,
            citation=Citation(
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


B_AGE_35 = age_at_most(
    name="b_card_age_group_1_to_3", limit_path="b_card.age_limit.categories_1_to_3"
)


B_AGE_45 = age_at_most(
    name="b_card_age_group_4_to_7", limit_path="b_card.age_limit.categories_4_to_7"
)


CARD_B = Card(
    id="card.b",
    name="石家庄市人才绿卡B卡",
    category_noun="B卡申领范围",
    citation=Citation(
        document=B_DOC,
        clause="申领范围",
        quote="石家庄市行政区划内用人单位从市外、国（境）外引进到我市工作或创业的以下人才：",
    ),
    scope=all_of(in_shijiazhuang, introduced, full_time_introduction),
    categories=(
        Category(
            number=1,
            rule=all_of(hebei_famous_school, B_AGE_35),
            citation=Citation(
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
                    doctorate,
                    double_first_class_master,
                    all_of(a_class_master, a_class_in_scope),
                    all_of(provincial_key_master, leading_industry),
                    first_round_bachelor,
                    round2_discipline_bachelor,
                    label="博士、“双一流”高校全日制硕士、A类学科全日制硕士、主导产业企业引进的"
                    "省属骨干院校全日制硕士、首轮一流大学或第二轮一流学科全日制学士",
                ),
                B_AGE_35,
            ),
            citation=Citation(
                document=B_DOC,
                clause="申领范围（2）",
                quote="（2）博士学位研究生；“双一流”建设高校全日制硕士学位研究生；与我市产业结合紧密且全国"
                "高校学科评估为 A 类学科",
            ),
            summary="博士、“双一流”硕士等",
        ),
        Category(
            number=3,
            rule=all_of(top500_graduate, enterprise_institution_or_org, B_AGE_35),
            citation=Citation(
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
                    provincial_progress_main,
                    all_of(patents_three, patents_local),
                    label="省部级科技进步奖主要完成人，或拥有3项以上发明专利并在石转化落地",
                ),
                enterprise_institution_or_org,
                B_AGE_45,
            ),
            citation=Citation(
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
                        enterprise,
                        any_of(deputy_senior_title, shortage_senior_technician),
                    ),
                    all_of(institution_or_org, senior_title),
                    label="企业引进的副高级职称及以上或紧缺工种高级技师，事业单位、社会组织引进的"
                    "正高级职称",
                ),
                B_AGE_45,
            ),
            citation=Citation(
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
                enterprise,
                any_of(
                    management_honor,
                    all_of(china500_manager, leads_above_scale),
                    label="省部级及以上荣誉称号的经营管理人才，或中国500强企业中层以上且来石后"
                    "担任规模以上企业领导职务",
                ),
                B_AGE_45,
            ),
            citation=Citation(
                document=B_DOC,
                clause="申领范围（6）",
                quote="（6）企业引进的具有省部级及以上荣誉称号的经营管理人才和来石前在中国500强企业担任过"
                "中层及以上职务且来石后担任规模以上企业领导职务的人员；",
            ),
            summary="经营管理人才",
        ),
        Category(
            number=7,
            rule=all_of(sjz_special_recognition, B_AGE_45),
            citation=Citation(
                document=B_DOC,
                clause="申领范围（7）",
                quote="（7）石家庄市经济社会发展急需并经市委人才工作领导小组认定具有某种特殊技能或专长的"
                "人才。",
            ),
            summary="经市委人才工作领导小组认定的人才",
        ),
    ),
)


class CountyGroup(Enum):
    none = "不在石家庄市"
    main_urban = "市内主城区"
    cluster = "组团县（区）"
    transformation = "转型升级重点县"
    western_mountain = "西部山区县"
    unlisted = "未列入分组"


class CountyRentTier(Enum):
    none = "不符合县卡房租补贴人员范围"
    higher = "全日制硕士、一本学士、中级职称及以上、紧缺工种技师"
    other_bachelor = "其他全日制学士学位毕业生"


# The county card's item (3) 子女入学 names who enjoys it by area: in the main urban districts and
# the cluster counties only the higher tier of item (10) (the same people, decision 0008); in the
# transformation and western mountain counties every holder. 辛集市 is in neither list (0281).
_SCHOOLING_EVERY_HOLDER = (idx(CountyGroup.transformation), idx(CountyGroup.western_mountain))
_SCHOOLING_HIGHER_TIER = (idx(CountyGroup.main_urban), idx(CountyGroup.cluster))


def county_higher_by_title(p: Any, t: Any) -> Any:
    """The higher tier of item (10) by a title or a skill, which no degree can change:
    中级职称及以上专业技术人员和紧缺工种技师."""
    return (plain(p("professional_title", t)) >= idx(ProfessionalTitle.intermediate)) | (
        p("shortage_occupation", t) & (plain(p("skill_level", t)) >= idx(SkillLevel.technician))
    )


# Three leaves, so that what the profile states decides the item without the education where the
# education cannot change it (a title, a county where every holder enjoys it; decision 0359)
county_schooling_every_holder = leaf(
    name="county_children_schooling_every_holder",
    label="转型升级重点县、西部山区县的持卡人才",
    reads=["employment.county"],
    formula=lambda p, t, _: np.isin(plain(p("county_group", t)), _SCHOOLING_EVERY_HOLDER),
    describe=lambda f, held: (
        f"{CountyGroup[f.get('county_group')].value}：持卡人才可享受子女入学服务"
        if held
        else f"工作地（{CountyGroup[f.get('county_group')].value}）不是转型升级重点县、西部山区县"
    ),
)


county_schooling_by_title = leaf(
    name="county_children_schooling_by_title",
    label="主城区、组团县（区）的中级职称及以上专业技术人员和紧缺工种技师",
    reads=["employment.county"],
    formula=lambda p, t, _: (
        np.isin(plain(p("county_group", t)), _SCHOOLING_HIGHER_TIER) & county_higher_by_title(p, t)
    ),
    describe=lambda f, held: (
        "在主城区、组团县（区）工作的中级职称及以上专业技术人员或紧缺工种技师"
        if held
        else "不是在主城区、组团县（区）工作的中级职称及以上专业技术人员或紧缺工种技师"
    ),
)


def _county_schooling(p: Any, t: Any, _: Any) -> Any:
    group = plain(p("county_group", t))
    higher = plain(p("county_rent_tier", t)) == idx(CountyRentTier.higher)
    return np.isin(group, _SCHOOLING_HIGHER_TIER) & higher


def _describe_county_schooling(facts: Any, held: bool) -> str:
    group: Any = CountyGroup[facts.get("county_group")]
    if held:
        return f"{group.value}：持卡人才可享受子女入学服务"
    if group in (CountyGroup.main_urban, CountyGroup.cluster):
        return (
            f"在{group.value}，子女入学服务限引进的全日制硕士学位研究生、大学本科一批录取的全日制"
            "学士学位毕业生、中级职称及以上专业技术人员和紧缺工种技师"
        )
    return f"工作地（{group.value}）不在本项所列县（市、区）之内"


county_schooling_by_degree = leaf(
    name="county_children_schooling_covered",
    label="主城区、组团县（区）的全日制硕士、一本学士、中级职称及以上专业技术人员和紧缺工种技师",
    reads=["employment.county", "person.education", "person.education.full_time"],
    formula=_county_schooling,
    describe=_describe_county_schooling,
)


county_schooling_covered = any_of(
    county_schooling_every_holder,
    county_schooling_by_title,
    county_schooling_by_degree,
    label="主城区、组团县（区）的全日制硕士、一本学士、中级职称及以上专业技术人员和紧缺工种技师，"
    "或转型升级重点县、西部山区县的持卡人才",
)
# service items granted to only some of a card's holders: (card, item) → who
SERVICE_CONDITIONS: dict[tuple[str, str], Rule] = {
    ("card.county", "children_schooling"): county_schooling_covered,
}


COUNTY_AGE_35 = age_at_most(
    name="county_card_age_group_1", limit_path="county_card.age_limit.category_1"
)


COUNTY_AGE_45 = age_at_most(
    name="county_card_age_group_2_3", limit_path="county_card.age_limit.categories_2_and_3"
)


A_OR_B_NO_COUNTY_CARD = Citation(
    document=COUNTY_DOC,
    clause="申领范围",
    quote="已持有石家庄市人才绿卡 A 卡、B 卡的人才，凭卡可享受本县（市、区）人才绿卡服务项目"
    "（资金补助项目按就高原则，不重复享受），不再发放本县（市、区）人才绿卡。",
)


CARD_COUNTY = Card(
    id="card.county",
    name="县（市、区）人才绿卡",
    category_noun="县卡申领范围",
    citation=Citation(
        document=COUNTY_DOC,
        clause="申领范围",
        quote="所在县（市、区）域内用人单位从市外、国（境）外引进到本县工作或创业的以下人才：",
    ),
    scope=all_of(in_shijiazhuang, introduced, full_time_introduction),
    categories=(
        Category(
            number=1,
            rule=all_of(full_time_bachelor_or_above, COUNTY_AGE_35),
            citation=Citation(
                document=COUNTY_DOC,
                clause="申领范围（1）",
                quote="（1）全日制学士学位及以上优秀毕业生；",
            ),
            summary="全日制学士学位及以上优秀毕业生",
        ),
        Category(
            number=2,
            rule=all_of(
                enterprise_institution_or_org,
                any_of(
                    intermediate_title,
                    shortage_technician,
                    label="中级职称及以上专业技术人员或紧缺工种技师",
                ),
                COUNTY_AGE_45,
            ),
            citation=Citation(
                document=COUNTY_DOC,
                clause="申领范围（2）",
                quote="（2）企事业单位、社会组织引进的中级职称及以上专业技术人员和紧缺工种技师；",
            ),
            summary="中级职称及以上专业技术人员、紧缺工种技师",
        ),
        Category(
            number=3,
            rule=all_of(county_special_recognition, COUNTY_AGE_45),
            citation=Citation(
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
    superseded_note="已符合{other}条件，凭卡享受本县（市、区）人才绿卡服务项目，"
    "不再发放本县（市、区）人才绿卡",
)


@cache
def service_items() -> dict[str, list[dict[str, Any]]]:
    return yaml.safe_load((HERE / "services.yaml").read_text(encoding="utf-8"))


def services() -> list[Benefit]:
    data = service_items()
    holders: dict[str, Rule] = {
        "card.a": holds_a,
        "card.b": holds_b,
        # A and B holders enjoy the county's service items on their own card
        "card.county": any_of(holds_county, holds_a, holds_b),
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
                    requires=(
                        all_of(requires, SERVICE_CONDITIONS[card_id, item["id"]])
                        if (card_id, item["id"]) in SERVICE_CONDITIONS
                        else requires
                    ),
                    citation=Citation.from_mapping(item["citation"]),
                    card=card_id,
                    disputed=item.get("disputed"),
                    some_holders=(card_id, item["id"]) in SERVICE_CONDITIONS,
                )
            )
    return result
