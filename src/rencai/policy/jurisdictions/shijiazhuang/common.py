"""Leaves and helper variables that several of Shijiazhuang's documents test.

Each leaf is one test with its own wording; formulas are vectorised over the whole population and
``describe`` words the outcome for one person with the margin ("年龄 36 周岁，超过 35 周岁").
The leaves particular to one document live in that document's module.
"""

from __future__ import annotations

from typing import Any

import numpy as np
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
    IntroducedFrom,
    Person,
    ProfessionalTitle,
    award_column,
    county_member,
)
from rencai.policy.leaves import ConditionSet, age, idx, lookup, plain, whole_years_between
from rencai.policy.rules import Condition, Facts

# One set of leaves for the whole jurisdiction: every document's module adds its own to it.
CONDITION_SET = ConditionSet()
CONDITIONS = CONDITION_SET.conditions
leaf = CONDITION_SET.leaf
age_at_most = CONDITION_SET.age_at_most
flag = CONDITION_SET.flag
employer_in = CONDITION_SET.employer_in
in_force = CONDITION_SET.in_force
mirror_card = CONDITION_SET.mirror_card


class years_since_start(Variable):
    value_type = int
    entity = Person
    definition_period = DAY
    label = "自到石工作或创业之日起已满年数"

    def formula(person, period, parameters):
        return whole_years_between(person("start_date", period), period.start)


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


holds_a = mirror_card(name="holds_card_a", card_id="card.a", label="石家庄市人才绿卡A卡人才")


holds_b = mirror_card(name="holds_card_b", card_id="card.b", label="石家庄市人才绿卡B卡人才")


holds_county = mirror_card(
    name="holds_card_county", card_id="card.county", label="县（市、区）人才绿卡人才"
)


unit_query = flag(
    name="asks_for_a_unit",
    label="以用人单位身份查询",
    variable="unit_declared",
    reads=[],
    negative="不是用人单位查询",
    qualifying=False,
)


HELPERS: list[type[Variable]] = [age, years_since_start]
