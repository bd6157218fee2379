"""The “石家庄工匠” selection: who may apply (the selection itself is by review within a quota).

Documents encoded:

- 《“石家庄工匠”选拔管理服务实施细则》 (石家庄市人力资源和社会保障局; no number or date printed;
  第七条: every two years from 2022, applications in August of the selection year): 第四条 and
  第五条 who may apply, 第六条 the exception to the skill level (named in the why-not, decision
  0355), 第七条 the selection years and the quota, 第九条 the award. A year without a
  selection answers “not this year” with the next selection year (decision 0352). A person the
  profile states was named 石家庄工匠 is told the 2万元 one-off award of 第九条 (decision 0376).
"""

from __future__ import annotations

import numpy as np
from openfisca_core.errors import ParameterNotFoundError

from rencai.policy.citations import Citation
from rencai.policy.engine.model import SkillLevel
from rencai.policy.jurisdictions.shijiazhuang.common import (
    age_at_most,
    employer_in,
    honors_any,
    in_force,
    in_shijiazhuang,
    leaf,
)
from rencai.policy.leaves import idx, param_getter, plain
from rencai.policy.rules import Amount, Benefit, all_of

craftsman_in_force = in_force(
    name="craftsman_selection_in_force",
    what="“石家庄工匠”选拔",
    path="craftsman.in_force",
    since="2022年",
)


FIRST_YEAR = "craftsman.first_selection_year"
INTERVAL = "craftsman.selection_interval"
MONTH = "craftsman.application_month"


def is_selection_year(year: int, first: int, interval: int) -> bool:
    return year >= first and (year - first) % interval == 0


def next_selection_year(year: int, first: int, interval: int) -> int:
    """The first selection year after ``year`` (the first year itself before it)."""
    if year < first:
        return first
    return year + interval - (year - first) % interval


def _selection_year(p, t, params):
    """第七条 “自 2022 年起，每两年选拔一次”: the year asked is a selection year. Before the first
    year the rules' own switch (``craftsman_in_force``) says why, so this leaf holds then."""
    try:
        first = int(param_getter(FIRST_YEAR)(params, t))
        interval = int(param_getter(INTERVAL)(params, t))
    except ParameterNotFoundError:
        return np.ones(p.count, dtype=bool)
    year = t.start.year
    return np.full(p.count, year < first or is_selection_year(year, first, interval))


def _describe_selection_year(facts, held: bool) -> str:
    year = facts.on.year
    values = [facts.param(path) for path in (FIRST_YEAR, INTERVAL, MONTH)]
    if None in values:  # before the rules: their switch says why
        return "“石家庄工匠”选拔尚未开始"
    first, interval, month = (int(v) for v in values)
    every = "两" if interval == 2 else str(interval)
    if held:
        return f"{year}年为选拔年度，当年{month}月组织申报"
    following = next_selection_year(year, first, interval)
    return (
        f"{year}年不组织“石家庄工匠”选拔（自{first}年起每{every}年选拔一次），"
        f"下次选拔为{following}年，当年{month}月组织申报"
    )


craftsman_selection_year = leaf(
    name="craftsman_selection_year",
    label="查询年度为“石家庄工匠”选拔年度",
    reads=[f"parameter:{FIRST_YEAR}", f"parameter:{INTERVAL}", f"parameter:{MONTH}"],
    formula=_selection_year,
    describe=_describe_selection_year,
    qualifying=False,
)


craftsman_age = age_at_most(name="craftsman_age_limit", limit_path="craftsman.age_limit")


# 第六条 “具有民间传统绝招、绝技、绝活的人员申报“石家庄工匠”可不受高级工资资格限制。” (sic)
# The profile holds no such fact (the review judges it), so a person below 高级工 is not listed
# as may apply, and the why-not names the exception (decision 0355). The skill level and the
# unit (below) each say whom the selection speaks to: meeting either, a person reads why not.
CRAFTSMAN_SKILL_EXCEPTION = (
    "具有民间传统绝招、绝技、绝活的人员申报可不受高级工资格限制"
    "（“石家庄工匠”选拔管理服务实施细则 第六条）"
)

craftsman_skill_level = leaf(
    name="craftsman_skill_level",
    label="具有高级工及以上技能等级（或具有民间传统绝招、绝技、绝活）",
    reads=[],
    formula=lambda p, t, _: plain(p("skill_level", t)) >= idx(SkillLevel.senior_worker),
    describe=lambda f, held: (
        "具有高级工及以上技能等级"
        if held
        else f"不具有高级工及以上技能等级；{CRAFTSMAN_SKILL_EXCEPTION}"
    ),
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


# 第四条 “面向全市企事业单位……中在一线岗位上直接从事技能工作的人员……以及符合条件的自由职业者”:
# whom the selection speaks to. It says who the person is, so a person of such a unit failing
# another condition (the skill level, the age) reads why not.
craftsman_audience = leaf(
    name="craftsman_unit_or_freelancer",
    label="企事业单位职工或自由职业者",
    reads=["employment.employer_type"],
    formula=lambda p, t, _: p("employer_unit_or_freelancer", t),
    describe=lambda f, held: unit_or_freelancer.text(f, held),
)


SELECTION = Benefit(
    id="sjz.skills.craftsman_selection",
    name="“石家庄工匠”选拔",
    kind="selection",
    requires=all_of(
        craftsman_in_force,
        craftsman_selection_year,
        in_shijiazhuang,
        craftsman_audience,
        craftsman_skill_level,
        craftsman_age,
        not_craftsman_excluded,
    ),
    condition="在一线岗位直接从事技能工作，并符合细则第五条所列业绩条件之一（发明专利、"
    "首席技师等称号、技能竞赛获奖、带徒成效等）；事业单位人选不超过当年度选拔数量的10%",
    citation=Citation(
        document="“石家庄工匠”选拔管理服务实施细则",
        clause="第五条、第七条、第九条",
        quote="自 2022 年起，每两年选拔一次，每次选拔 100 名。当年度 8 月份组织申报。",
    ),
    quota="自2022年起每两年选拔一次（2022年、2024年、2026年……），每次100名，选拔年度8月组织申报",
    award="入选者每人2万元一次性奖励，并优先推荐申报省级以上高技能人才评选",
)


named_craftsman = honors_any(
    name="named_shijiazhuang_craftsman",
    label="经命名的“石家庄工匠”",
    codes=["sjz_craftsman"],
)


# 第九条: the award is the selectee's, paid once on being named (第八条（五）
# “命名为“石家庄工匠”……落实奖励资金”). Being selected is by review (SELECTION above); a person
# the profile states was named is told the award, as the support plan's selectees are told
# theirs (decisions 0344, 0376).
AWARD = Benefit(
    id="sjz.skills.craftsman_award",
    name="“石家庄工匠”一次性奖励",
    kind="money",
    audience=named_craftsman,
    requires=all_of(craftsman_in_force, in_shijiazhuang, named_craftsman),
    amount=Amount(parameter="craftsman.award"),
    per="once",
    condition="经市委人才工作领导小组命名为“石家庄工匠”后一次性发放；"
    "管理期2年，取消称号的不再享受相关待遇（第十一条、第十二条）",
    citation=Citation(
        document="“石家庄工匠”选拔管理服务实施细则",
        clause="第九条",
        quote="对入选“石家庄工匠”的高技能人才，给予每人2万元一次性奖励。",
    ),
)
