"""Awards to skilled talents for competition medals and national skill titles.

Documents encoded:

- 石字〔2021〕7号 (2021-02-10) 《中共石家庄市委 石家庄市人民政府关于高质量建设人才强市的实施意见》
  第5条: WorldSkills and national competition medals, 中华技能大奖 and 全国技术能手, for talents
  introduced full time or trained by the city's units;
- 石办字〔2017〕45号 (2017-11-03) 《关于提高技能人才地位的实施意见》 三（八）: the earlier title
  awards, without the full-time limit, and the awards to the first five of a national class-1
  competition representing Hebei;
- 《关于石家庄市新创建高技能人才培训基地、市技能大师工作室及全职引进和培养的高技能人才认定奖励
  工作的实施细则》 (no number or date printed).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import DAY
from openfisca_core.variables import Variable

from rencai.policy.citations import Citation
from rencai.policy.engine.model import HONOR_SLOT, EmploymentMode, Person
from rencai.policy.jurisdictions.shijiazhuang.common import (
    employer_in,
    honors_any,
    in_force,
    in_shijiazhuang,
    leaf,
)
from rencai.policy.leaves import idx, param_getter, plain
from rencai.policy.rules import Amount, Benefit, Condition, Facts, all_of, any_of


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


def _skills_employer_not_limited(p: Any, t: Any, params: Any) -> np.ndarray:
    return np.full(p.count, not bool(_skills_restricted(params, t)))


def _describe_employer_not_limited(f: Facts, held: bool) -> str:
    if held:
        return "石办字〔2017〕45号的技能人才奖励未限定用人单位类型"
    return "石字〔2021〕7号第5条限我市企事业单位全职引进和培养的高技能人才"


# "我市企事业单位全职引进和培养" is 石字〔2021〕7号 第5条's; 石办字〔2017〕45号 三（八） names no
# employer, so the type is checked under the same dated switch (decision 0313). The switch is a
# leaf of its own, which reads no fact of the person: before 2021-02-10 the employer's type
# cannot change the answer and is not asked for (decision 0369).
skills_employer_not_limited = leaf(
    name="skills_employer_not_limited",
    label="技能人才奖励未限定用人单位类型",
    reads=["parameter:skills.full_time_or_trained_only"],
    formula=_skills_employer_not_limited,
    describe=_describe_employer_not_limited,
    qualifying=False,
)


skills_employed_by_city_unit = any_of(skills_employer_not_limited, employed_by_unit)


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


TITLE_AWARDS_2021 = Citation(
    document="石字〔2021〕7号",
    clause="5",
    quote="全职引进和培养新获得“中华技能大奖”“全国技术能手”的高技能人才，分别给予10万元、5万元支持。",
)


# The wording of the condition follows the document in force (石办字〔2017〕45号, then
# 石字〔2021〕7号 第5条), like the citation and the amount (decision 0114).
TITLE_CONDITION_2017 = "经推荐获得称号的人员；除省级奖励外由市级财政一次性给予"
# 实施细则 第五条（三） asks every award of 第六条 for a contract of 3 years or more (decision 0313)
TITLE_CONDITIONS = (
    (
        dt.date(2021, 2, 10),
        "新获得称号；由我市企事业单位全职引进或培养，与本市用人单位签订3年以上劳动合同",
    ),
)


# Before 石字〔2021〕7号 (2021-02-10) the WorldSkills award is 石办字〔2017〕45号 三（八）'s: to
# players and coaching teams, at a level the city sets after the national and provincial ones
# (no amount: the parameter's value awaits the administrator, cited to 三（八））; the wording and
# the citation follow the document in force, like the title awards' (decision 0328).
WORLDSKILLS_CONDITION_2017 = (
    "参加世界技能大赛获奖的选手及教练团队；除国家和省级奖励外，由市级财政参照国家和省确定的标准给予"
)
WORLDSKILLS_CONDITIONS = (
    (
        dt.date(2021, 2, 10),
        "新获得奖项；由我市企事业单位全职引进或培养，与本市用人单位签订3年以上劳动合同"
        "（团队获奖的按团队给予）",
    ),
)


SKILLS = [
    Benefit(
        id="sjz.skills.worldskills_award",
        name="世界技能大赛获奖支持",
        kind="money",
        audience=worldskills_medallist,
        # the medal is named (in Chinese) among the reasons, as the amount depends on it
        requires=all_of(
            worldskills_medallist,
            in_shijiazhuang,
            skills_employed_by_city_unit,
            skills_full_time_or_trained,
        ),
        amount=Amount(parameter="skills.worldskills", keys=("worldskills_medal",)),
        per="once",
        condition=WORLDSKILLS_CONDITION_2017,
        dated_conditions=WORLDSKILLS_CONDITIONS,
        citation=Citation(
            document="石字〔2021〕7号",
            clause="5",
            quote="对我市企事业单位全职引进和培养新获得世界技能大赛金、银、铜奖的团队或个人"
            "分别给予50万元、30万元、10万元支持",
        ),
    ),
    Benefit(
        id="sjz.skills.national_competition_award",
        name="全国技能大赛获奖支持",
        kind="money",
        audience=national_skills_medallist,
        requires=all_of(
            skills_2021_in_force,
            national_skills_medallist,
            in_shijiazhuang,
            skills_employed_by_city_unit,
            skills_full_time_or_trained,
        ),
        amount=Amount(parameter="skills.national_competition", keys=("national_skills_medal",)),
        per="once",
        condition="新获得奖项；由我市企事业单位全职引进或培养，与本市用人单位签订3年以上劳动合同",
        citation=Citation(
            document="石字〔2021〕7号",
            clause="5",
            quote="获全国技能大赛金、银、铜奖的分别给予30万元、10万元、5万元支持",
        ),
    ),
    Benefit(
        id="sjz.skills.china_skills_grand_award",
        name="“中华技能大奖”获得者奖励",
        kind="money",
        audience=china_skills_grand_award,
        requires=all_of(
            skills_2017_in_force,
            in_shijiazhuang,
            skills_employed_by_city_unit,
            skills_full_time_or_trained,
        ),
        amount=Amount(parameter="skills.china_skills_grand_award"),
        per="once",
        condition=TITLE_CONDITION_2017,
        dated_conditions=TITLE_CONDITIONS,
        citation=TITLE_AWARDS_2021,
    ),
    Benefit(
        id="sjz.skills.national_technical_expert",
        name="全国技术能手奖励",
        kind="money",
        audience=national_technical_expert,
        requires=all_of(
            skills_2017_in_force,
            in_shijiazhuang,
            skills_employed_by_city_unit,
            skills_full_time_or_trained,
        ),
        amount=Amount(parameter="skills.national_technical_expert"),
        per="once",
        condition=TITLE_CONDITION_2017,
        dated_conditions=TITLE_CONDITIONS,
        citation=TITLE_AWARDS_2021,
    ),
]


class CompetitionPlace(Enum):
    none = "无"
    first = "第1名"
    second = "第2名"
    third = "第3名"
    fourth = "第4名"
    fifth = "第5名"


class national_class1_place(Variable):
    """The place (1–5) in a national class-1 skills competition, as an enum for the amounts."""

    value_type = Enum
    possible_values = CompetitionPlace
    default_value = CompetitionPlace.none
    entity = Person
    definition_period = DAY
    label = "国家一类技能竞赛名次（前5名）"

    def formula(person, period, parameters):
        place = person("national_class1_competition_place", period)
        return np.where((place >= 1) & (place <= 5), place, 0).astype(np.int16)


class1_placed = leaf(
    name="placed_in_national_class1_competition",
    label="代表河北省获得国家一类技能竞赛前5名",
    reads=["person.national_class1_competition_place"],
    formula=lambda p, t, _: plain(p("national_class1_place", t)) != idx(CompetitionPlace.none),
    describe=lambda f, held: (
        f"代表河北省获得国家一类技能竞赛{CompetitionPlace[f.get('national_class1_place')].value}"
        if held
        else "未代表河北省获得国家一类技能竞赛前5名"
    ),
)


class1_in_force = in_force(
    name="class1_competition_award_in_force",
    what="石办字〔2017〕45号国家一类技能竞赛奖励",
    path="skills.national_class1_competition.first",
    since="2017年11月3日",
)


CLASS1_AWARD = Benefit(
    id="sjz.skills.national_class1_competition",
    name="国家一类技能竞赛前5名奖励",
    kind="money",
    audience=class1_placed,
    requires=all_of(class1_in_force, in_shijiazhuang, class1_placed),
    amount=Amount(parameter="skills.national_class1_competition", keys=("national_class1_place",)),
    per="once",
    condition="代表河北省参赛的我市选手，名次在石办字〔2017〕45号施行后取得；除省级奖励外由市级财政"
    "一次性给予",
    citation=Citation(
        document="石办字〔2017〕45号",
        clause="三（八）",
        quote="对代表我省获得国家一类技能竞赛前5名的我市选手，除省级奖励外，市级财政分别给予"
        "10000元、8000元、5000元、3000元和2000元一次性奖励。",
    ),
)


HELPERS: list[type[Variable]] = [
    national_class1_place,
    _medal_variable("worldskills_medal", "世界技能大赛最好奖牌", "worldskills"),
    _medal_variable("national_skills_medal", "全国技能大赛最好奖牌", "national_skills"),
]
