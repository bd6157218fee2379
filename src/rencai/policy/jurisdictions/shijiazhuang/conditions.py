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

    return leaf(name=name, label=label, reads=["person.honors"], formula=formula, describe=describe)


def tag_on_level(name: str, label: str, levels: list[str], tag: str) -> Condition:
    bit = TAG_BIT[tag]

    def formula(p, t, _):
        masks = p(f"full_time_{levels[0]}_tags", t) & bit
        for level in levels[1:]:
            masks = masks | (p(f"full_time_{level}_tags", t) & bit)
        return masks != 0

    return leaf(
        name=name,
        label=label,
        reads=["person.education", "person.education.full_time"],
        formula=formula,
        describe=lambda f, held: label if held else f"不是{label}",
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
    name="works_in_shijiazhuang",
    label="在石家庄市行政区划内用人单位工作或创业",
    reads=["employment.county"],
    formula=lambda p, t, _: SJZ_COUNTY_TABLE[plain(p("county", t))] == 1,
    describe=lambda f, held: "在石家庄市行政区划内工作" if held else "工作地不在石家庄市行政区划内",
    qualifying=False,
)
introduced = leaf(
    name="introduced_from_outside",
    label="从市外、国（境）外引进",
    reads=["employment.introduced_from"],
    formula=lambda p, t, _: INTRODUCED_TABLE[plain(p("introduced_from", t))] == 1,
    describe=lambda f, held: (
        "从市外、国（境）外引进" if held else "本地培育人才，不属于从市外、国（境）外引进的人才"
    ),
    qualifying=False,
)
full_time_introduction = leaf(
    name="full_time_introduction",
    label="全职引进到我市工作或创业",
    reads=[],
    formula=lambda p, t, _: plain(p("employment_mode", t)) == idx(EmploymentMode.full_time),
    describe=lambda f, held: (
        "全职引进" if held else "柔性引进人才不在本卡申领范围（本卡未含柔性引进）"
    ),
    qualifying=False,
)
self_employed = employer_in(name="self_employed", label="自主创业", types=["self_employed"])
enterprise = employer_in(name="employer_enterprise", label="企业", types=["enterprise"])
enterprise_institution_or_org = employer_in(
    name="employer_enterprise_institution_or_org",
    label="企事业单位、社会组织",
    types=[
        "enterprise",
        "public_institution",
        "civil_service_managed_institution",
        "social_organization",
    ],
)
institution_or_org = employer_in(
    name="employer_institution_or_org",
    label="事业单位、社会组织",
    types=["public_institution", "civil_service_managed_institution", "social_organization"],
)
leading_industry = leaf(
    name="employer_leading_industry_enterprise",
    label="我市五大主导产业企业",
    reads=["employment.employer_type"],
    formula=lambda p, t, _: (
        p.employer("employer_leading_industry", t)
        & (plain(p.employer("employer_type", t)) == idx(EmployerType.enterprise))
    ),
    describe=lambda f, held: "五大主导产业企业" if held else "用人单位不是我市五大主导产业企业",
)
social_insurance_local = leaf(
    name="pays_social_insurance_locally",
    label="正常缴纳社会保险",
    reads=["employment.social_insurance_local"],
    formula=lambda p, t, _: p("social_insurance_local", t),
    describe=lambda f, held: "正常缴纳社会保险" if held else "未在本地正常缴纳社会保险",
    qualifying=False,
)

DEGREE_LABELS = {d.name: d.value for d in Degree}


def degree_at_least(name: str, level: Any, label: str) -> Condition:
    return leaf(
        name=name,
        label=label,
        reads=["person.education"],
        formula=lambda p, t, _: plain(p("highest_degree", t)) >= idx(level),
        describe=lambda f, held: (
            label
            if held
            else f"最高学历为{DEGREE_LABELS.get(f.get('highest_degree'), '无')}，须为{label}"
        ),
    )


doctorate = degree_at_least(name="holds_doctorate", level=Degree.doctorate, label="博士学位研究生")
college_graduate = degree_at_least(
    name="college_graduate", level=Degree.associate, label="普通高校毕业生"
)
bachelor_or_above = degree_at_least(
    name="bachelor_or_above", level=Degree.bachelor, label="学士及以上学位"
)
full_time_bachelor_or_above = leaf(
    name="full_time_bachelor_or_above",
    label="全日制学士学位及以上毕业生",
    reads=["person.education", "person.education.full_time"],
    formula=lambda p, t, _: plain(p("highest_full_time_degree", t)) >= idx(Degree.bachelor),
    describe=lambda f, held: "全日制学士学位及以上毕业生" if held else "没有全日制学士及以上学位",
)
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
        name=name,
        label=label,
        reads=["person.science_awards"],
        formula=formula,
        describe=lambda f, held: label if held else f"未获得{label}",
    )


national_award_top3 = award_rank_at_most(
    name="national_science_award_top3",
    label="国家自然科学奖、技术发明奖、科技进步奖等项目一、二等奖的主要完成人（前三名）",
    levels=["national"],
    kinds=["natural_science", "invention", "progress"],
    grade_ranks={"special": 3, "1": 3, "2": 3},
)
provincial_progress_first = award_rank_at_most(
    name="provincial_progress_award_first_prize_first",
    label="省部级科技进步奖一等奖的主要完成人（第一名）",
    levels=["provincial", "national"],
    kinds=["progress"],
    grade_ranks={"special": 1, "1": 1},
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
TITLE_LABELS = {t.name: t.value for t in ProfessionalTitle}


def title_at_least(name: str, level: Any, label: str) -> Condition:
    return leaf(
        name=name,
        label=label,
        reads=[],
        formula=lambda p, t, _: plain(p("professional_title", t)) >= idx(level),
        describe=lambda f, held: (
            label
            if held
            else f"职称为{TITLE_LABELS.get(f.get('professional_title'), '无')}，须为{label}"
        ),
    )


deputy_senior_title = title_at_least(
    name="deputy_senior_title_or_above",
    level=ProfessionalTitle.deputy_senior,
    label="副高级职称及以上专业技术人员",
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

# family card (副卡)
relation_parent_or_spouse = leaf(
    name="relative_is_parent_or_spouse",
    label="人才的父母或配偶",
    reads=["family"],
    formula=lambda p, t, _: (
        lookup({idx(Relation.parent): 1, idx(Relation.spouse): 1}, len(Relation))[
            plain(p("relation", t))
        ]
        == 1
    ),
    describe=lambda f, held: "人才的父母或配偶" if held else "副卡只为人才的父母、配偶办理",
    qualifying=False,
)
family_card_in_force = in_force(
    name="family_card_in_force",
    what="人才绿卡副卡政策",
    path="family_card.in_force",
    since="2023年11月3日",
)
sponsor_a = leaf(
    name="sponsor_holds_card_a",
    label="A卡人才的家属",
    reads=["card:card.a"],
    formula=lambda p, t, _: p.family("family_talent_card_a", t),
    describe=lambda f, held: "A卡人才的家属" if held else "人才不符合A卡条件",
)
sponsor_b_doctor = leaf(
    name="sponsor_is_card_b_doctor",
    label="B卡博士人才的家属",
    reads=["card:card.b", "person.education"],
    formula=lambda p, t, _: p.family("family_talent_card_b_doctor", t),
    describe=lambda f, held: "B卡博士人才的家属" if held else "人才不是B卡博士人才",
)

holds_a = mirror_card(name="holds_card_a", card_id="card.a", label="石家庄市人才绿卡A卡人才")
holds_b = mirror_card(name="holds_card_b", card_id="card.b", label="石家庄市人才绿卡B卡人才")
holds_county = mirror_card(
    name="holds_card_county", card_id="card.county", label="县（市、区）人才绿卡人才"
)

county_rent_tier_ok = leaf(
    name="in_county_rent_tier",
    label="引进的全日制硕士学位研究生、大学本科一批录取的高校全日制学士学位毕业生、"
    "中级职称及以上专业技术人员和紧缺工种技师，或其他全日制学士学位毕业生",
    reads=["person.education", "person.education.full_time"],
    formula=lambda p, t, _: plain(p("county_rent_tier", t)) != idx(CountyRentTier.none),
    describe=lambda f, held: (
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
        name=name,
        label=label,
        reads=["employment.start_date"],
        formula=lambda p, t, params: (
            p("start_date", t) > years_before(t.start, _param(years_path)(params, t))
        ),
        describe=describe,
        qualifying=False,
    )


within_b_rent_period = within_years(
    name="within_b_rent_period", years_path="b_card.rent_subsidy_years", label="在B卡房租补助期内"
)
within_county_rent_period = within_years(
    name="within_county_rent_period",
    years_path="county_card.rent_subsidy_years",
    label="在县卡房租补贴期内",
)
settlement_in_force = in_force(
    name="settlement_allowance_in_force",
    what="B卡人才一次性安家补贴政策",
    path="b_card.settlement_allowance.doctorate",
    since="2023年11月3日",
)
awards_2021_in_scope = in_force(
    name="a_card_2021_awards_in_scope",
    what="石字〔2021〕7号附件2所列国家级奖项纳入A卡服务范围的规定",
    path="a_card.national_awards_2021_in_scope",
    since="2021年2月10日",
)

# --- 石政办发〔2022〕6号 (talent retention measures) -------------------------------------------

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
        years = int(_param("retention_2022.graduate_settling_years")(params, t))
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


HELPERS.append(family_has_unemployed_spouse)

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
        name=name,
        label=label,
        reads=["person.honors"],
        formula=lambda p, t, _: plain(p(variable, t)) != idx(Medal.none),
        describe=lambda f, held: (
            f"{label}（{Medal[f.get(variable)].value}）" if held else f"未{label}"
        ),
    )


worldskills_medallist = medal_won(
    name="worldskills_medallist", variable="worldskills_medal", label="获得世界技能大赛奖牌"
)
national_skills_medallist = medal_won(
    name="national_skills_medallist", variable="national_skills_medal", label="获得全国技能大赛奖牌"
)
china_skills_grand_award = honors_any(
    name="holds_china_skills_grand_award",
    label="“中华技能大奖”",
    codes=["china_skills_grand_award"],
)
national_technical_expert = honors_any(
    name="holds_national_technical_expert",
    label="全国技术能手称号",
    codes=["national_technical_expert"],
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
    name="skills_full_time_or_trained",
    label="全职引进或由我市企事业单位培养",
    reads=[],
    formula=_skills_full_time_or_trained,
    describe=_describe_skills_full_time,
    qualifying=False,
)
employed_by_unit = employer_in(
    name="employer_enterprise_or_institution",
    label="我市企事业单位",
    types=["enterprise", "public_institution", "civil_service_managed_institution"],
)
skills_2021_in_force = in_force(
    name="national_skills_award_in_force",
    what="石字〔2021〕7号第5条全国技能大赛奖励",
    path="skills.national_competition.gold",
    since="2021年2月10日",
)
skills_2017_in_force = in_force(
    name="skills_title_award_in_force",
    what="技能人才称号奖励（石办字〔2017〕45号）",
    path="skills.national_technical_expert",
    since="2017年11月3日",
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


def _qualifying_employer(p: Any, t: Any, params: Any) -> np.ndarray:
    try:
        threshold = _param("recognition.employer_tax_threshold")(params, t)
    except ParameterNotFoundError:
        return np.zeros(p.count, dtype=bool)
    return p.employer("employer_high_tech", t) | (
        p.employer("employer_tax_last_year_yuan", t) >= threshold
    )


high_tech_or_big_taxpayer = leaf(
    name="employer_high_tech_or_tax_5m",
    label="我市高新技术企业或上年度纳税500万元以上的企业",
    reads=["employment.employer_tax_last_year"],
    formula=_qualifying_employer,
    describe=lambda f, held: (
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
    name="salary_at_least_500k",
    label="工资薪金收入在50万元以上",
    reads=["employment.annual_salary"],
    formula=_salary_at_least,
    describe=lambda f, held: (
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
    name="employer_tax_at_least_50m",
    label="所在主导产业企业年缴税额5000万元以上",
    reads=["employment.employer_tax_last_year"],
    formula=lambda p, t, params: (
        p.employer("employer_tax_last_year_yuan", t)
        >= _param("retention_2022.key_talent_award_min_tax")(params, t)
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
    year = t.start.year
    result = np.zeros(p.count, dtype=bool)
    for level in ("doctorate", "master", "bachelor"):
        tagged = (p(f"full_time_{level}_tags", t) & bit) != 0
        graduated = yyyymmdd(p(f"full_time_graduation_{level}", t)) // 10000 == year
        result |= tagged & graduated
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


# --- 保障性租赁住房 (准入退出管理办法, 新就业职工（青年人）) ---------------------------------

# 主城区 as the measures define it: 长安区、裕华区、桥西区、新华区、高新区
MAIN_CITY = ("130102", "130104", "130105", "130108", "sjz-hitech")
INNER_FOUR = ("130102", "130104", "130105", "130108")  # 市内四区 (C卡: their county cards)


def _county_table(codes: tuple[str, ...]) -> np.ndarray:
    return lookup({idx(County[county_member(code)]): 1 for code in codes}, len(County))


MAIN_CITY_TABLE = _county_table(MAIN_CITY)
INNER_FOUR_TABLE = _county_table(INNER_FOUR)

rental_housing_in_force = in_force(
    name="rental_housing_in_force",
    what="石家庄市保障性租赁住房准入退出管理办法",
    path="rental_housing.in_force",
    since="2021年11月19日",
)
rental_housing_asked = leaf(
    name="states_housing",
    label="填写了住房情况",
    reads=[],
    formula=lambda p, t, _: p("housing_declared", t),
    describe=lambda f, held: "已填写住房情况" if held else "未填写住房情况",
    qualifying=False,
)
resides_in_main_city = leaf(
    name="resides_in_main_city",
    label="具有城区常住户口或持有主城区居住证，且在主城区实际居住",
    reads=["housing.resides_in_main_city"],
    formula=lambda p, t, _: p("housing_resides_main_city", t),
    describe=lambda f, held: (
        "具有城区常住户口或主城区居住证，且在主城区实际居住"
        if held
        else "不具有城区常住户口或主城区居住证，或未在主城区实际居住"
    ),
    qualifying=False,
)
no_property_in_main_city = leaf(
    name="no_property_in_main_city",
    label="家庭在市内四区和高新区无自有住房、未租住公有住房，未购买商业用房、写字楼或其他投资性房产",
    reads=["housing.owns_property_in_main_city"],
    formula=lambda p, t, _: ~p("housing_owns_property", t),
    describe=lambda f, held: (
        "家庭在市内四区和高新区无自有住房或投资性房产"
        if held
        else "家庭在市内四区和高新区已有自有住房、公有住房或投资性房产"
    ),
    qualifying=False,
)
pension_in_main_city = leaf(
    name="pension_in_main_city",
    label="在主城区缴纳养老保险",
    reads=["employment.county", "employment.social_insurance_local"],
    formula=lambda p, t, _: (
        (MAIN_CITY_TABLE[plain(p("county", t))] == 1) & p("social_insurance_local", t)
    ),
    describe=lambda f, held: (
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
    name="graduated_within_5_years",
    label="持有全日制大中专及以上院校毕业证，且毕业未满5年",
    reads=["person.education", "person.education.graduation_date"],
    formula=lambda p, t, params: (
        _latest_full_time_graduation(p, t)
        > years_before(t.start, int(_param("rental_housing.graduation_years")(params, t)))
    ),
    describe=lambda f, held: (
        "全日制大中专及以上院校毕业未满5年"
        if held
        else "不是毕业未满5年的全日制大中专及以上院校毕业生"
    ),
)
inner_four_district = leaf(
    name="works_in_inner_four_districts",
    label="在市内四区（长安、裕华、桥西、新华）",
    reads=["employment.county"],
    formula=lambda p, t, _: INNER_FOUR_TABLE[plain(p("county", t))] == 1,
    describe=lambda f, held: "工作地在市内四区" if held else "工作地不在市内四区",
    qualifying=False,
)
single_applicant_adult = leaf(
    name="single_applicant_adult",
    label="单身申请人须满18周岁",
    reads=["person.birth_date", "housing.household_size"],
    formula=lambda p, t, _: (
        (p("housing_household_size", t) != 1) | (p("birth_date", t) <= years_before(t.start, 18))
    ),
    describe=lambda f, held: "符合单身申请人年龄要求" if held else "单身申请人未满18周岁",
    qualifying=False,
)
lease_filed = leaf(
    name="lease_filed_on_platform",
    label="通过石家庄市住房租赁监管服务平台承租并备案",
    reads=["housing.lease_filed"],
    formula=lambda p, t, _: p("housing_lease_filed", t),
    describe=lambda f, held: (
        "承租房源已在石家庄市住房租赁监管服务平台备案"
        if held
        else "承租房源未在石家庄市住房租赁监管服务平台备案"
    ),
)
no_in_kind_allocation = leaf(
    name="no_in_kind_allocation",
    label="未享受保障性租赁住房实物配租",
    reads=[],
    formula=lambda p, t, _: ~p("housing_in_kind", t),
    describe=lambda f, held: "未享受实物配租" if held else "已享受保障性租赁住房实物配租",
    qualifying=False,
)


# --- awards to units (the profile's `unit` section speaks for the employer) ---------------------

unit_query = flag(
    name="asks_for_a_unit",
    label="以用人单位身份查询",
    variable="unit_declared",
    reads=[],
    negative="不是用人单位查询",
    qualifying=False,
)
new_city_training_base = flag(
    name="unit_is_new_city_training_base",
    label="新创建的市级高技能人才培训基地",
    variable="unit_new_city_training_base",
    reads=[],
    negative="未新创建市级高技能人才培训基地",
)
new_city_master_studio = flag(
    name="unit_is_new_city_master_studio",
    label="新评定的市级技能大师工作室",
    variable="unit_new_city_master_studio",
    reads=[],
    negative="未新评定市级技能大师工作室",
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


# --- 石家庄工匠 selection ------------------------------------------------------------------------

craftsman_in_force = in_force(
    name="craftsman_selection_in_force",
    what="“石家庄工匠”选拔",
    path="craftsman.in_force",
    since="2022年",
)
craftsman_age = age_at_most(name="craftsman_age_limit", limit_path="craftsman.age_limit")
senior_worker_or_above = leaf(
    name="senior_worker_or_above",
    label="具有高级工及以上技能等级",
    reads=[],
    formula=lambda p, t, _: plain(p("skill_level", t)) >= idx(SkillLevel.senior_worker),
    describe=lambda f, held: "具有高级工及以上技能等级" if held else "不具有高级工及以上技能等级",
)
craftsman_excluded = honors_any(
    name="holds_honour_excluded_from_craftsman",
    label="已获“中华技能大奖”、全国技术能手、国务院或省政府特殊津贴、省管优秀专家、省突出贡献技师",
    codes=[
        "china_skills_grand_award",
        "national_technical_expert",
        "state_council_special_allowance",
        "hebei_provincial_expert",
        "hebei_special_allowance",
        "hebei_outstanding_technician",
    ],
)
not_craftsman_excluded = leaf(
    name="not_excluded_from_craftsman",
    label="不属于“石家庄工匠”选拔范围排除的人员",
    reads=["person.honors"],
    formula=lambda p, t, _: ~p("holds_honour_excluded_from_craftsman", t),
    describe=lambda f, held: (
        "不属于排除人员"
        if held
        else "已获“中华技能大奖”、全国技术能手等称号者不在“石家庄工匠”选拔范围"
    ),
    qualifying=False,
)
unit_or_freelancer = employer_in(
    name="employer_unit_or_freelancer",
    label="企事业单位职工或自由职业者",
    types=[
        "enterprise",
        "public_institution",
        "civil_service_managed_institution",
        "self_employed",
    ],
)

# --- A card: high-level talents who come to start a business, flexible introduction -----------

flexible_introduction = leaf(
    name="flexible_introduction",
    label="柔性引进",
    reads=[],
    formula=lambda p, t, _: plain(p("employment_mode", t)) == idx(EmploymentMode.flexible),
    describe=lambda f, held: "柔性引进" if held else "全职引进（本项为柔性引进人才的工作津贴）",
)
