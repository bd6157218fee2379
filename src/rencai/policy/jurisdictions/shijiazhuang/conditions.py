"""Shijiazhuang's condition leaves and helper variables: each one test, with its own wording.

Formulas are vectorised over the whole population; ``describe`` words the outcome for one person
with the margin ("年龄 36 周岁，超过 35 周岁"). Labels quote the seeds' wording where they can.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from openfisca_core.errors import ParameterNotFoundError
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import DAY
from openfisca_core.variables import Variable

from rencai.policy.contract.vocabulary import vocabulary
from rencai.policy.engine.model import (
    HONOR_SLOT,
    TAG_BIT,
    County,
    Degree,
    EmployerType,
    EmploymentMode,
    Family,
    IntroducedFrom,
    Person,
    ProfessionalTitle,
    Relation,
    SkillLevel,
    award_column,
    county_member,
)
from rencai.policy.leaves import (
    ConditionSet,
    age,
    idx,
    lookup,
    param_getter,
    plain,
    whole_years_between,
    years_apart_less_than,
    years_before,
    yyyymmdd,
)
from rencai.policy.rules import Condition, Facts

# --- date arithmetic on vectors ---------------------------------------------------------------


# --- helper variables -------------------------------------------------------------------------


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


class years_since_start(Variable):
    value_type = int
    entity = Person
    definition_period = DAY
    label = "自到石工作或创业之日起已满年数"

    def formula(person, period, parameters):
        return whole_years_between(person("start_date", period), period.start)


class RentalHousehold(Enum):
    one_or_two = "1—2人家庭"
    three_or_more = "3人及以上家庭"


class rental_household_band(Variable):
    """保障性租赁住房租赁补贴 is set by household size (准入退出管理办法 三（二))."""

    value_type = Enum
    possible_values = RentalHousehold
    default_value = RentalHousehold.one_or_two
    entity = Person
    definition_period = DAY
    label = "租赁补贴家庭人数档"

    def formula(person, period, parameters):
        return np.where(
            person("housing_household_size", period) >= 3,
            idx(RentalHousehold.three_or_more),
            idx(RentalHousehold.one_or_two),
        )


class county_group(Variable):
    value_type = Enum
    possible_values = CountyGroup
    default_value = CountyGroup.none
    entity = Person
    definition_period = DAY
    label = "县（市、区）分组"

    def formula(person, period, parameters):
        groups = parameters(period.start).county_card.groups
        table = lookup(
            {
                idx(County[county_member(code)]): idx(CountyGroup[group])
                for group in groups
                for code in groups[group]
            },
            len(County),
            idx(CountyGroup.none),
        )
        return table[plain(person("county", period))]


class county_rent_tier(Variable):
    value_type = Enum
    possible_values = CountyRentTier
    default_value = CountyRentTier.none
    entity = Person
    definition_period = DAY
    label = "县卡房租补贴人员层次"

    def formula(person, period, parameters):
        ft = plain(person("highest_full_time_degree", period))
        first_batch = (
            person("full_time_bachelor_tags", period) & TAG_BIT["first_batch_undergraduate"]
        ) != 0
        higher = (
            (ft >= idx(Degree.master))
            | ((ft == idx(Degree.bachelor)) & first_batch)
            | (plain(person("professional_title", period)) >= idx(ProfessionalTitle.intermediate))
            | (
                person("shortage_occupation", period)
                & (plain(person("skill_level", period)) >= idx(SkillLevel.technician))
            )
        )
        other = ~higher & (ft == idx(Degree.bachelor))
        return np.select(
            [higher, other],
            [idx(CountyRentTier.higher), idx(CountyRentTier.other_bachelor)],
            idx(CountyRentTier.none),
        )


def _family_talent_holds(card_variable: str) -> type[Variable]:
    def formula(family, period, parameters):
        return family.any(family.members(card_variable, period), role=Family.TALENT)

    return type(
        f"family_talent_{card_variable}",
        (Variable,),
        {
            "value_type": bool,
            "entity": Family,
            "definition_period": DAY,
            "label": f"家庭中的人才符合 {card_variable}",
            "formula": formula,
        },
    )


def _family_talent_b_doctor() -> type[Variable]:
    def formula(family, period, parameters):
        doctor = family.members("card_b", period) & (
            plain(family.members("highest_degree", period)) == idx(Degree.doctorate)
        )
        return family.any(doctor, role=Family.TALENT)

    return type(
        "family_talent_card_b_doctor",
        (Variable,),
        {
            "value_type": bool,
            "entity": Family,
            "definition_period": DAY,
            "label": "家庭中的人才为B卡博士人才",
            "formula": formula,
        },
    )


HELPERS: list[type[Variable]] = [
    rental_household_band,
    age,
    years_since_start,
    county_group,
    county_rent_tier,
    _family_talent_holds("card_a"),
    _family_talent_b_doctor(),
]

# --- leaf factories ---------------------------------------------------------------------------

_SET = ConditionSet()
CONDITIONS = _SET.conditions
leaf = _SET.leaf
age_at_most = _SET.age_at_most
flag = _SET.flag
employer_in = _SET.employer_in
in_force = _SET.in_force
mirror_card = _SET.mirror_card
_param = param_getter


def holds_honor(facts: Facts, code: str) -> bool:
    mask, bit = HONOR_SLOT[code]
    return bool(facts.get(mask) & bit)


def honors_any(name: str, label: str, codes: list[str]) -> Condition:
    """Holds at least one of the honours."""
    names = vocabulary().codes("honor")

    wanted: dict[str, int] = {}
    for code in codes:
        mask, bit = HONOR_SLOT[code]
        wanted[mask] = wanted.get(mask, 0) | bit

    def formula(p, t, params):
        held = np.zeros(p.count, dtype=bool)
        for mask, bits in wanted.items():
            held |= (p(mask, t) & bits) != 0
        return held

    def describe(facts: Facts, held: bool) -> str:
        have = [names[c] for c in codes if holds_honor(facts, c)]
        return f"{label}：{'、'.join(have)}" if held else f"未持有{label}"

    return leaf(name, label, ["person.honors"], formula, describe)


def tag_on_level(name: str, label: str, levels: list[str], tag: str) -> Condition:
    bit = TAG_BIT[tag]

    def formula(p, t, _):
        masks = p(f"full_time_{levels[0]}_tags", t) & bit
        for level in levels[1:]:
            masks = masks | (p(f"full_time_{level}_tags", t) & bit)
        return masks != 0

    return leaf(
        name,
        label,
        ["person.education", "person.education.full_time"],
        formula,
        lambda f, held: label if held else f"不是{label}",
    )


# --- the leaves -------------------------------------------------------------------------------

SJZ_COUNTY_TABLE = lookup(
    {
        idx(County[county_member(c)]): 1
        for c, v in vocabulary().counties.items()
        if v.jurisdiction == "shijiazhuang"
    },
    len(County),
)
INTRODUCED_TABLE = lookup(
    {idx(IntroducedFrom.outside_city): 1, idx(IntroducedFrom.abroad): 1}, len(IntroducedFrom)
)
in_shijiazhuang = leaf(
    "works_in_shijiazhuang",
    "在石家庄市行政区划内用人单位工作或创业",
    ["employment.county"],
    lambda p, t, _: SJZ_COUNTY_TABLE[plain(p("county", t))] == 1,
    lambda f, held: "在石家庄市行政区划内工作" if held else "工作地不在石家庄市行政区划内",
    qualifying=False,
)
introduced = leaf(
    "introduced_from_outside",
    "从市外、国（境）外引进",
    ["employment.introduced_from"],
    lambda p, t, _: INTRODUCED_TABLE[plain(p("introduced_from", t))] == 1,
    lambda f, held: (
        "从市外、国（境）外引进" if held else "本地培育人才，不属于从市外、国（境）外引进的人才"
    ),
    qualifying=False,
)
full_time_introduction = leaf(
    "full_time_introduction",
    "全职引进到我市工作或创业",
    [],
    lambda p, t, _: plain(p("employment_mode", t)) == idx(EmploymentMode.full_time),
    lambda f, held: "全职引进" if held else "柔性引进人才不在本卡申领范围（本卡未含柔性引进）",
    qualifying=False,
)
self_employed = employer_in("self_employed", "自主创业", ["self_employed"])
enterprise = employer_in("employer_enterprise", "企业", ["enterprise"])
enterprise_institution_or_org = employer_in(
    "employer_enterprise_institution_or_org",
    "企事业单位、社会组织",
    [
        "enterprise",
        "public_institution",
        "civil_service_managed_institution",
        "social_organization",
    ],
)
institution_or_org = employer_in(
    "employer_institution_or_org",
    "事业单位、社会组织",
    ["public_institution", "civil_service_managed_institution", "social_organization"],
)
leading_industry = leaf(
    "employer_leading_industry_enterprise",
    "我市五大主导产业企业",
    ["employment.employer_type"],
    lambda p, t, _: (
        p.employer("employer_leading_industry", t)
        & (plain(p.employer("employer_type", t)) == idx(EmployerType.enterprise))
    ),
    lambda f, held: "五大主导产业企业" if held else "用人单位不是我市五大主导产业企业",
)
social_insurance_local = leaf(
    "pays_social_insurance_locally",
    "正常缴纳社会保险",
    ["employment.social_insurance_local"],
    lambda p, t, _: p("social_insurance_local", t),
    lambda f, held: "正常缴纳社会保险" if held else "未在本地正常缴纳社会保险",
    qualifying=False,
)

DEGREE_LABELS = {d.name: d.value for d in Degree}


def degree_at_least(name: str, level: Any, label: str) -> Condition:
    return leaf(
        name,
        label,
        ["person.education"],
        lambda p, t, _: plain(p("highest_degree", t)) >= idx(level),
        lambda f, held: (
            label
            if held
            else f"最高学历为{DEGREE_LABELS.get(f.get('highest_degree'), '无')}，须为{label}"
        ),
    )


doctorate = degree_at_least("holds_doctorate", Degree.doctorate, "博士学位研究生")
college_graduate = degree_at_least("college_graduate", Degree.associate, "普通高校毕业生")
bachelor_or_above = degree_at_least("bachelor_or_above", Degree.bachelor, "学士及以上学位")
full_time_bachelor_or_above = leaf(
    "full_time_bachelor_or_above",
    "全日制学士学位及以上毕业生",
    ["person.education", "person.education.full_time"],
    lambda p, t, _: plain(p("highest_full_time_degree", t)) >= idx(Degree.bachelor),
    lambda f, held: "全日制学士学位及以上毕业生" if held else "没有全日制学士及以上学位",
)
hebei_famous_school = leaf(
    "hebei_famous_school_graduate",
    "列入河北省“名校英才入冀计划”的优秀毕业生",
    ["person.education"],
    lambda p, t, _: (p("school_tags_any", t) & TAG_BIT["hebei_famous_school_graduate"]) != 0,
    lambda f, held: (
        "列入河北省“名校英才入冀计划”的优秀毕业生" if held else "未列入河北省“名校英才入冀计划”"
    ),
)
double_first_class_master = tag_on_level(
    "double_first_class_full_time_master",
    "“双一流”建设高校全日制硕士学位研究生",
    ["master"],
    "double_first_class",
)
a_class_master = tag_on_level(
    "a_class_discipline_full_time_master",
    "全国高校学科评估为A类学科的全日制硕士学位毕业生",
    ["master"],
    "a_class_discipline",
)
a_class_in_scope = in_force(
    "a_class_master_in_scope",
    "A类学科全日制硕士纳入B卡服务范围的规定",
    "b_card.a_class_master_in_scope",
    "2021年2月10日",
)
provincial_key_master = tag_on_level(
    "provincial_key_university_full_time_master",
    "省属骨干院校全日制硕士学位研究生",
    ["master"],
    "provincial_key_university",
)
first_round_bachelor = tag_on_level(
    "first_round_world_class_full_time_bachelor",
    "首轮一流大学全日制学士学位毕业生",
    ["bachelor"],
    "first_round_world_class_university",
)
round2_discipline_bachelor = tag_on_level(
    "world_class_discipline_round2_full_time_bachelor",
    "第二轮一流学科全日制学士学位毕业生",
    ["bachelor"],
    "world_class_discipline_round2",
)
top500_graduate = tag_on_level(
    "world_top500_full_time_graduate",
    "世界排名前500名国（境）外院校的全日制学士学位及以上优秀毕业生",
    ["doctorate", "master", "bachelor"],
    "world_top500",
)


def award_rank_at_most(
    name: str, label: str, levels: list[str], kinds: list[str], grade_ranks: dict[str, int]
) -> Condition:
    """Main contributor: some award of the levels/kinds whose grade allows the rank held."""

    def formula(p, t, _):
        result = np.zeros(p.count, dtype=bool)
        for level in levels:
            for kind in kinds:
                for grade, max_rank in grade_ranks.items():
                    rank = p(award_column(level, kind, grade), t)
                    result |= (rank >= 1) & (rank <= max_rank)
        return result

    return leaf(
        name,
        label,
        ["person.science_awards"],
        formula,
        lambda f, held: label if held else f"未获得{label}",
    )


national_award_top3 = award_rank_at_most(
    "national_science_award_top3",
    "国家自然科学奖、技术发明奖、科技进步奖等项目一、二等奖的主要完成人（前三名）",
    ["national"],
    ["natural_science", "invention", "progress"],
    {"special": 3, "1": 3, "2": 3},
)
provincial_progress_first = award_rank_at_most(
    "provincial_progress_award_first_prize_first",
    "省部级科技进步奖一等奖的主要完成人（第一名）",
    ["provincial", "national"],
    ["progress"],
    {"special": 1, "1": 1},
)
provincial_progress_main = award_rank_at_most(
    "provincial_progress_award_main_contributor",
    "省部级科技进步奖三等奖及以上的主要完成人（一等奖为前三名，二等奖为前两名，三等奖为第一名）",
    ["provincial", "national"],
    ["progress"],
    {"special": 3, "1": 3, "2": 2, "3": 1},
)
patents_three = leaf(
    "three_invention_patents",
    "拥有3项以上国家授权的发明专利",
    ["person.invention_patents"],
    lambda p, t, _: p("invention_patents", t) >= 3,
    lambda f, held: (
        f"拥有国家授权发明专利 {f.get('invention_patents')} 项"
        + ("，达到3项以上" if held else "，不足3项")
    ),
)
patents_local = flag(
    "patents_put_to_local_use",
    "能在石家庄转化落地并产生一定经济效益",
    "patents_commercialised_locally",
    [],
    "发明专利尚未在石家庄转化落地并产生经济效益",
)
TITLE_LABELS = {t.name: t.value for t in ProfessionalTitle}


def title_at_least(name: str, level: Any, label: str) -> Condition:
    return leaf(
        name,
        label,
        [],
        lambda p, t, _: plain(p("professional_title", t)) >= idx(level),
        lambda f, held: (
            label
            if held
            else f"职称为{TITLE_LABELS.get(f.get('professional_title'), '无')}，须为{label}"
        ),
    )


deputy_senior_title = title_at_least(
    "deputy_senior_title_or_above", ProfessionalTitle.deputy_senior, "副高级职称及以上专业技术人员"
)
senior_title = title_at_least(
    "senior_title", ProfessionalTitle.senior, "正高级职称及以上专业技术人员"
)
intermediate_title = title_at_least(
    "intermediate_title_or_above", ProfessionalTitle.intermediate, "中级职称及以上专业技术人员"
)


def shortage_skill_at_least(name: str, level: Any, label: str) -> Condition:
    return leaf(
        name,
        label,
        [],
        lambda p, t, _: p("shortage_occupation", t) & (plain(p("skill_level", t)) >= idx(level)),
        lambda f, held: label if held else f"不是{label}",
    )


shortage_senior_technician = shortage_skill_at_least(
    "shortage_senior_technician", SkillLevel.senior_technician, "紧缺工种高级技师"
)
shortage_technician = shortage_skill_at_least(
    "shortage_technician_or_above", SkillLevel.technician, "紧缺工种技师"
)
management_honor = flag(
    "manager_with_provincial_honor",
    "具有省部级及以上荣誉称号的经营管理人才",
    "management_provincial_honor",
    [],
    "不是具有省部级及以上荣誉称号的经营管理人才",
)
china500_manager = flag(
    "was_china500_middle_manager",
    "来石前在中国500强企业担任过中层及以上职务",
    "management_china500_middle_manager",
    [],
    "来石前未在中国500强企业担任中层及以上职务",
)
leads_above_scale = flag(
    "now_leads_above_scale_enterprise",
    "来石后担任规模以上企业领导职务",
    "management_leads_above_scale_enterprise",
    [],
    "来石后未担任规模以上企业领导职务",
)


def recognised(name: str, code: str) -> Condition:
    label = vocabulary().label("recognition", code)
    return flag(name, label, f"recognition_{code}", ["person.recognitions"], f"未经认定：{label}")


sjz_high_level_recognition = recognised("recognised_city_high_level", "sjz_city_high_level")
sjz_special_recognition = recognised("recognised_city_special", "sjz_city_special")
county_special_recognition = recognised("recognised_county_special", "county_special")

# family card (副卡)
relation_parent_or_spouse = leaf(
    "relative_is_parent_or_spouse",
    "人才的父母或配偶",
    ["family"],
    lambda p, t, _: (
        lookup({idx(Relation.parent): 1, idx(Relation.spouse): 1}, len(Relation))[
            plain(p("relation", t))
        ]
        == 1
    ),
    lambda f, held: "人才的父母或配偶" if held else "副卡只为人才的父母、配偶办理",
    qualifying=False,
)
family_card_in_force = in_force(
    "family_card_in_force", "人才绿卡副卡政策", "family_card.in_force", "2023年11月3日"
)
sponsor_a = leaf(
    "sponsor_holds_card_a",
    "A卡人才的家属",
    ["card:card.a"],
    lambda p, t, _: p.family("family_talent_card_a", t),
    lambda f, held: "A卡人才的家属" if held else "人才不符合A卡条件",
)
sponsor_b_doctor = leaf(
    "sponsor_is_card_b_doctor",
    "B卡博士人才的家属",
    ["card:card.b", "person.education"],
    lambda p, t, _: p.family("family_talent_card_b_doctor", t),
    lambda f, held: "B卡博士人才的家属" if held else "人才不是B卡博士人才",
)

holds_a = mirror_card("holds_card_a", "card.a", "石家庄市人才绿卡A卡人才")
holds_b = mirror_card("holds_card_b", "card.b", "石家庄市人才绿卡B卡人才")
holds_county = mirror_card("holds_card_county", "card.county", "县（市、区）人才绿卡人才")

county_rent_tier_ok = leaf(
    "in_county_rent_tier",
    "引进的全日制硕士学位研究生、大学本科一批录取的高校全日制学士学位毕业生、"
    "中级职称及以上专业技术人员和紧缺工种技师，或其他全日制学士学位毕业生",
    ["person.education", "person.education.full_time"],
    lambda p, t, _: plain(p("county_rent_tier", t)) != idx(CountyRentTier.none),
    lambda f, held: (
        f"属于县卡房租补贴人员范围：{CountyRentTier[f.get('county_rent_tier')].value}"
        if held
        else "不属于县卡房租补贴人员范围（全日制学士及以上、中级职称及以上或紧缺工种技师）"
    ),
)


def within_years(name: str, years_path: str, label: str) -> Condition:
    def describe(facts: Facts, held: bool) -> str:
        years = facts.param(years_path)
        if held:
            return f"在自到石工作或创业之日起{years}年的补助期内"
        return f"自到石工作或创业之日起{years}年的补助期已届满"

    return leaf(
        name,
        label,
        ["employment.start_date"],
        lambda p, t, params: (
            p("start_date", t) > years_before(t.start, _param(years_path)(params, t))
        ),
        describe,
        qualifying=False,
    )


within_b_rent_period = within_years(
    "within_b_rent_period", "b_card.rent_subsidy_years", "在B卡房租补助期内"
)
within_county_rent_period = within_years(
    "within_county_rent_period", "county_card.rent_subsidy_years", "在县卡房租补贴期内"
)
settlement_in_force = in_force(
    "settlement_allowance_in_force",
    "B卡人才一次性安家补贴政策",
    "b_card.settlement_allowance.doctorate",
    "2023年11月3日",
)
awards_2021_in_scope = in_force(
    "a_card_2021_awards_in_scope",
    "石字〔2021〕7号附件2所列国家级奖项纳入A卡服务范围的规定",
    "a_card.national_awards_2021_in_scope",
    "2021年2月10日",
)

# --- 石政办发〔2022〕6号 (talent retention measures) -------------------------------------------

retention_in_force = in_force(
    "retention_2022_in_force",
    "石政办发〔2022〕6号",
    "retention_2022.in_force",
    "2022年（印发之日）",
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
        years = int(_param("retention_2022.graduate_settling_years")(params, t))
    except ParameterNotFoundError:  # before the measures existed
        return np.zeros(p.count, dtype=bool)
    return years_apart_less_than(graduated, p("start_date", t), years)


recent_graduate = leaf(
    "graduated_within_two_years_before_starting",
    "毕业2年内新到我市就业的普通高等学校全日制学士、全日制硕士",
    [
        "person.education",
        "person.education.full_time",
        "person.education.graduation_date",
        "employment.start_date",
    ],
    _graduated_within,
    lambda f, held: (
        "毕业2年内新到我市就业的全日制学士或全日制硕士"
        if held
        else "不是毕业2年内新到我市就业的全日制学士或全日制硕士"
        "（按最高全日制学位的毕业日期与到石就业日期计算）"
    ),
)
not_card_b = leaf(
    "not_card_b",
    "不享受人才绿卡（B卡）政策",
    ["card:card.b"],
    lambda p, t, _: ~p("card_b", t),
    lambda f, held: (
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


HELPERS.append(family_has_unemployed_spouse)

unemployed_spouse = leaf(
    "has_unemployed_spouse",
    "配偶暂未就业（待业期间）",
    ["family", "family.employed"],
    lambda p, t, _: p.family("family_has_unemployed_spouse", t),
    lambda f, held: "配偶暂未就业" if held else "没有暂未就业的配偶",
)
sponsor_b_doctor_self = leaf(
    "is_card_b_doctor",
    "持有人才绿卡（B卡）的博士人才",
    ["card:card.b", "person.education"],
    lambda p, t, _: p("card_b", t) & (plain(p("highest_degree", t)) == idx(Degree.doctorate)),
    lambda f, held: "B卡博士人才" if held else "不是B卡博士人才",
    qualifying=False,
)

# --- skills awards (石字〔2021〕7号 第5条; 石办字〔2017〕45号) ---------------------------------


class Medal(Enum):
    none = "无"
    bronze = "铜奖"
    silver = "银奖"
    gold = "金奖"


def _medal_variable(name: str, label: str, prefix: str) -> type[Variable]:
    def formula(person, period, parameters):
        result = np.full(person.count, idx(Medal.none), dtype=np.int16)
        for medal in ("bronze", "silver", "gold"):  # the best medal wins
            mask, bit = HONOR_SLOT[f"{prefix}_{medal}"]
            result[(person(mask, period) & bit) != 0] = idx(Medal[medal])
        return result

    return type(
        name,
        (Variable,),
        {
            "value_type": Enum,
            "possible_values": Medal,
            "default_value": Medal.none,
            "entity": Person,
            "definition_period": DAY,
            "label": label,
            "formula": formula,
        },
    )


HELPERS.append(_medal_variable("worldskills_medal", "世界技能大赛最好奖牌", "worldskills"))
HELPERS.append(_medal_variable("national_skills_medal", "全国技能大赛最好奖牌", "national_skills"))


def medal_won(name: str, variable: str, label: str) -> Condition:
    return leaf(
        name,
        label,
        ["person.honors"],
        lambda p, t, _: plain(p(variable, t)) != idx(Medal.none),
        lambda f, held: f"{label}（{Medal[f.get(variable)].value}）" if held else f"未{label}",
    )


worldskills_medallist = medal_won(
    "worldskills_medallist", "worldskills_medal", "获得世界技能大赛奖牌"
)
national_skills_medallist = medal_won(
    "national_skills_medallist", "national_skills_medal", "获得全国技能大赛奖牌"
)
china_skills_grand_award = honors_any(
    "holds_china_skills_grand_award", "“中华技能大奖”", ["china_skills_grand_award"]
)
national_technical_expert = honors_any(
    "holds_national_technical_expert", "全国技术能手称号", ["national_technical_expert"]
)
_skills_restricted = param_getter("skills.full_time_or_trained_only")


def _skills_full_time_or_trained(p: Any, t: Any, params: Any) -> np.ndarray:
    # 石字〔2021〕7号 第5条 supports talents 全职引进和培养 by our units; 石办字〔2017〕45号 did not
    # limit its awards that way, so the switch is dated (parameter skills.full_time_or_trained_only)
    restricted = bool(_skills_restricted(params, t))
    full_time = plain(p("employment_mode", t)) == idx(EmploymentMode.full_time)
    return full_time if restricted else np.ones(p.count, dtype=bool)


def _describe_skills_full_time(f: Facts, held: bool) -> str:
    if not held:
        return "柔性引进人才不在此项支持范围（限全职引进和我市培养的高技能人才）"
    if not f.param("skills.full_time_or_trained_only"):
        return "石办字〔2017〕45号的技能人才奖励未限定全职引进"
    return "全职引进或由我市企事业单位培养"


skills_full_time_or_trained = leaf(
    "skills_full_time_or_trained",
    "全职引进或由我市企事业单位培养",
    [],
    _skills_full_time_or_trained,
    _describe_skills_full_time,
    qualifying=False,
)
employed_by_unit = employer_in(
    "employer_enterprise_or_institution",
    "我市企事业单位",
    ["enterprise", "public_institution", "civil_service_managed_institution"],
)
skills_2021_in_force = in_force(
    "national_skills_award_in_force",
    "石字〔2021〕7号第5条全国技能大赛奖励",
    "skills.national_competition.gold",
    "2021年2月10日",
)
skills_2017_in_force = in_force(
    "skills_title_award_in_force",
    "技能人才称号奖励（石办字〔2017〕45号）",
    "skills.national_technical_expert",
    "2017年11月3日",
)

# --- direct recognition as 市高层次人才 (石字〔2021〕7号 第7条) -------------------------------

PROVINCIAL_OR_HIGHER_PROGRAMS = [
    # national and provincial talent programmes and titles (A卡第（1）（2）（4）类所列)
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
    "state_council_special_allowance",
    "hebei_high_end_talent",
    "hebei_provincial_expert",
    "hebei_giant_plan_leader",
    "hebei_hundred_talents",
    "hebei_foreign_hundred_talents",
    "hebei_special_allowance",
    "hebei_333_tier1",
]
recognition_in_force = in_force(
    "direct_recognition_in_force",
    "直接认定市高层次人才的规定",
    "recognition.in_scope",
    "2021年2月10日",
)
provincial_programme = honors_any(
    "provincial_or_higher_programme",
    "省部级以上人才计划入选者或省部级以上人才称号",
    PROVINCIAL_OR_HIGHER_PROGRAMS,
)
key_discipline_leader = honors_any(
    "national_key_discipline_or_project_leader",
    "国家级重点学科、重点实验室学术技术带头人或国家级科技项目、工程项目的主要负责人",
    ["national_key_discipline_leader", "national_project_leader"],
)


def _qualifying_employer(p: Any, t: Any, params: Any) -> np.ndarray:
    try:
        threshold = _param("recognition.employer_tax_threshold")(params, t)
    except ParameterNotFoundError:
        return np.zeros(p.count, dtype=bool)
    return p.employer("employer_high_tech", t) | (
        p.employer("employer_tax_last_year_yuan", t) >= threshold
    )


high_tech_or_big_taxpayer = leaf(
    "employer_high_tech_or_tax_5m",
    "我市高新技术企业或上年度纳税500万元以上的企业",
    ["employment.employer_tax_last_year"],
    _qualifying_employer,
    lambda f, held: (
        "用人单位为高新技术企业或上年度纳税500万元以上"
        if held
        else "用人单位不是高新技术企业，上年度纳税也不足500万元"
    ),
    qualifying=False,
)


def _salary_at_least(p: Any, t: Any, params: Any) -> np.ndarray:
    try:
        threshold = _param("recognition.salary_threshold")(params, t)
    except ParameterNotFoundError:
        return np.zeros(p.count, dtype=bool)
    return p("annual_salary_yuan", t) >= threshold


high_salary = leaf(
    "salary_at_least_500k",
    "工资薪金收入在50万元以上",
    ["employment.annual_salary"],
    _salary_at_least,
    lambda f, held: (
        f"年工资薪金收入 {f.get('annual_salary_yuan')} 元，"
        + ("达到50万元" if held else "不足50万元")
    ),
)

# --- 石政办发〔2022〕6号 第11、12、17条 --------------------------------------------------------

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
    "employer_tax_at_least_50m",
    "所在主导产业企业年缴税额5000万元以上",
    ["employment.employer_tax_last_year"],
    lambda p, t, params: (
        p.employer("employer_tax_last_year_yuan", t)
        >= _param("retention_2022.key_talent_award_min_tax")(params, t)
    ),
    _key_talent_band,
)
technician_or_above = leaf(
    "skill_technician_or_above",
    "技师及以上职业技能等级",
    [],
    lambda p, t, _: plain(p("skill_level", t)) >= idx(SkillLevel.technician),
    lambda f, held: "具有技师及以上职业技能等级" if held else "不具有技师及以上职业技能等级",
)


def _double_first_class_this_year(p: Any, t: Any, _: Any) -> np.ndarray:
    bit = TAG_BIT["double_first_class"]
    year = t.start.year
    result = np.zeros(p.count, dtype=bool)
    for level in ("doctorate", "master", "bachelor"):
        tagged = (p(f"full_time_{level}_tags", t) & bit) != 0
        graduated = yyyymmdd(p(f"full_time_graduation_{level}", t)) // 10000 == year
        result |= tagged & graduated
    return result


double_first_class_fresh_graduate = leaf(
    "double_first_class_fresh_graduate",
    "“双一流”建设高校应届毕业生",
    ["person.education", "person.education.graduation_date"],
    _double_first_class_this_year,
    lambda f, held: (
        "“双一流”建设高校应届毕业生（毕业年份为当年）"
        if held
        else "不是当年毕业的“双一流”建设高校全日制毕业生"
    ),
)


# --- 保障性租赁住房 (准入退出管理办法, 新就业职工（青年人）) ---------------------------------

# 主城区 as the measures define it: 长安区、裕华区、桥西区、新华区、高新区
MAIN_CITY = ("130102", "130104", "130105", "130108", "sjz-hitech")
INNER_FOUR = ("130102", "130104", "130105", "130108")  # 市内四区 (C卡: their county cards)


def _county_table(codes: tuple[str, ...]) -> np.ndarray:
    return lookup({idx(County[county_member(code)]): 1 for code in codes}, len(County))


MAIN_CITY_TABLE = _county_table(MAIN_CITY)
INNER_FOUR_TABLE = _county_table(INNER_FOUR)

rental_housing_in_force = in_force(
    "rental_housing_in_force",
    "石家庄市保障性租赁住房准入退出管理办法",
    "rental_housing.in_force",
    "2021年11月19日",
)
rental_housing_asked = leaf(
    "states_housing",
    "填写了住房情况",
    [],
    lambda p, t, _: p("housing_declared", t),
    lambda f, held: "已填写住房情况" if held else "未填写住房情况",
    qualifying=False,
)
resides_in_main_city = leaf(
    "resides_in_main_city",
    "具有城区常住户口或持有主城区居住证，且在主城区实际居住",
    ["housing.resides_in_main_city"],
    lambda p, t, _: p("housing_resides_main_city", t),
    lambda f, held: (
        "具有城区常住户口或主城区居住证，且在主城区实际居住"
        if held
        else "不具有城区常住户口或主城区居住证，或未在主城区实际居住"
    ),
    qualifying=False,
)
no_property_in_main_city = leaf(
    "no_property_in_main_city",
    "家庭在市内四区和高新区无自有住房、未租住公有住房，未购买商业用房、写字楼或其他投资性房产",
    ["housing.owns_property_in_main_city"],
    lambda p, t, _: ~p("housing_owns_property", t),
    lambda f, held: (
        "家庭在市内四区和高新区无自有住房或投资性房产"
        if held
        else "家庭在市内四区和高新区已有自有住房、公有住房或投资性房产"
    ),
    qualifying=False,
)
pension_in_main_city = leaf(
    "pension_in_main_city",
    "在主城区缴纳养老保险",
    ["employment.county", "employment.social_insurance_local"],
    lambda p, t, _: (MAIN_CITY_TABLE[plain(p("county", t))] == 1) & p("social_insurance_local", t),
    lambda f, held: (
        "在主城区缴纳养老保险"
        if held
        else "未在主城区（长安、裕华、桥西、新华、高新区）缴纳养老保险"
    ),
    qualifying=False,
)


def _latest_full_time_graduation(p: Any, t: Any) -> np.ndarray:
    return np.maximum.reduce(
        [
            p(f"full_time_graduation_{level}", t)
            for level in ("doctorate", "master", "bachelor", "associate")
        ]
    )


graduated_within_5_years = leaf(
    "graduated_within_5_years",
    "持有全日制大中专及以上院校毕业证，且毕业未满5年",
    ["person.education", "person.education.graduation_date"],
    lambda p, t, params: (
        _latest_full_time_graduation(p, t)
        > years_before(t.start, int(_param("rental_housing.graduation_years")(params, t)))
    ),
    lambda f, held: (
        "全日制大中专及以上院校毕业未满5年"
        if held
        else "不是毕业未满5年的全日制大中专及以上院校毕业生"
    ),
)
inner_four_district = leaf(
    "works_in_inner_four_districts",
    "在市内四区（长安、裕华、桥西、新华）",
    ["employment.county"],
    lambda p, t, _: INNER_FOUR_TABLE[plain(p("county", t))] == 1,
    lambda f, held: "工作地在市内四区" if held else "工作地不在市内四区",
    qualifying=False,
)
single_applicant_adult = leaf(
    "single_applicant_adult",
    "单身申请人须满18周岁",
    ["person.birth_date", "housing.household_size"],
    lambda p, t, _: (
        (p("housing_household_size", t) != 1) | (p("birth_date", t) <= years_before(t.start, 18))
    ),
    lambda f, held: "符合单身申请人年龄要求" if held else "单身申请人未满18周岁",
    qualifying=False,
)
lease_filed = leaf(
    "lease_filed_on_platform",
    "通过石家庄市住房租赁监管服务平台承租并备案",
    ["housing.lease_filed"],
    lambda p, t, _: p("housing_lease_filed", t),
    lambda f, held: (
        "承租房源已在石家庄市住房租赁监管服务平台备案"
        if held
        else "承租房源未在石家庄市住房租赁监管服务平台备案"
    ),
)
no_in_kind_allocation = leaf(
    "no_in_kind_allocation",
    "未享受保障性租赁住房实物配租",
    [],
    lambda p, t, _: ~p("housing_in_kind", t),
    lambda f, held: "未享受实物配租" if held else "已享受保障性租赁住房实物配租",
    qualifying=False,
)


# --- awards to units (the profile's `unit` section speaks for the employer) ---------------------

unit_query = flag(
    "asks_for_a_unit",
    "以用人单位身份查询",
    "unit_declared",
    [],
    "不是用人单位查询",
    qualifying=False,
)
new_city_training_base = flag(
    "unit_is_new_city_training_base",
    "新创建的市级高技能人才培训基地",
    "unit_new_city_training_base",
    [],
    "未新创建市级高技能人才培训基地",
)
new_city_master_studio = flag(
    "unit_is_new_city_master_studio",
    "新评定的市级技能大师工作室",
    "unit_new_city_master_studio",
    [],
    "未新评定市级技能大师工作室",
)
new_postdoc_platform = leaf(
    "unit_is_new_postdoc_platform",
    "新设立的博士后科研工作站、分站或博士后创新实践基地",
    [],
    lambda p, t, _: plain(p("unit_new_postdoc_platform", t)) != 0,
    lambda f, held: "新设立博士后平台" if held else "未新设立博士后科研工作站、分站或创新实践基地",
)


# --- 石家庄工匠 selection ------------------------------------------------------------------------

craftsman_in_force = in_force(
    "craftsman_selection_in_force", "“石家庄工匠”选拔", "craftsman.in_force", "2022年"
)
craftsman_age = age_at_most("craftsman_age_limit", "craftsman.age_limit")
senior_worker_or_above = leaf(
    "senior_worker_or_above",
    "具有高级工及以上技能等级",
    [],
    lambda p, t, _: plain(p("skill_level", t)) >= idx(SkillLevel.senior_worker),
    lambda f, held: "具有高级工及以上技能等级" if held else "不具有高级工及以上技能等级",
)
craftsman_excluded = honors_any(
    "holds_honour_excluded_from_craftsman",
    "已获“中华技能大奖”、全国技术能手、国务院或省政府特殊津贴、省管优秀专家、省突出贡献技师",
    [
        "china_skills_grand_award",
        "national_technical_expert",
        "state_council_special_allowance",
        "hebei_provincial_expert",
        "hebei_special_allowance",
        "hebei_outstanding_technician",
    ],
)
not_craftsman_excluded = leaf(
    "not_excluded_from_craftsman",
    "不属于“石家庄工匠”选拔范围排除的人员",
    ["person.honors"],
    lambda p, t, _: ~p("holds_honour_excluded_from_craftsman", t),
    lambda f, held: (
        "不属于排除人员"
        if held
        else "已获“中华技能大奖”、全国技术能手等称号者不在“石家庄工匠”选拔范围"
    ),
    qualifying=False,
)
unit_or_freelancer = employer_in(
    "employer_unit_or_freelancer",
    "企事业单位职工或自由职业者",
    ["enterprise", "public_institution", "civil_service_managed_institution", "self_employed"],
)

# --- A card: high-level talents who come to start a business, flexible introduction -----------

flexible_introduction = leaf(
    "flexible_introduction",
    "柔性引进",
    [],
    lambda p, t, _: plain(p("employment_mode", t)) == idx(EmploymentMode.flexible),
    lambda f, held: "柔性引进" if held else "全职引进（本项为柔性引进人才的工作津贴）",
)
