"""石科规〔2019〕3号 (2019-07-05, valid 5 years) 《石家庄市科技领军人物和科技创新团队项目管理办法》.

The leader project is a selection (15 every two years, 第四条), so it is answered as "may apply"
(decisions 0020, 0316) with the thresholds a profile states: 第六条（三） a senior professional
title and under 58, 第十一条（一） an employer that is a high-tech enterprise or a research
institution in Shijiazhuang. The other conditions (第六条（二）（四）, 第十一条（二）（三）) are
stated. The team project stays catalogued: its applicant is the unit and the team's make-up is
not in a profile.

第四条 "每两年组织一次" names no first year (第十三条: the bureau publishes each call's guide), so
the first selection year is a parameter the administrator sets; until it is set, nobody is told
"may apply" in a year that may have no call: the year is a switch whose why-not says it is to be
made clear by the office, given beside any other reason (decision 0375).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from openfisca_core.errors import ParameterNotFoundError

from rencai.policy.citations import Citation
from rencai.policy.engine.model import EmployerType, ProfessionalTitle
from rencai.policy.jurisdictions.shijiazhuang.common import (
    age_at_most,
    in_force,
    in_shijiazhuang,
    leaf,
)
from rencai.policy.jurisdictions.shijiazhuang.craftsman import (
    is_selection_year,
    next_selection_year,
)
from rencai.policy.leaves import idx, param_getter, plain
from rencai.policy.rules import Benefit, all_of

DOCUMENT = "石科规〔2019〕3号"

science_in_force = in_force(
    name="science_leaders_2019_in_force",
    what="石科规〔2019〕3号",
    path="science_2019.in_force",
    since="2019年7月5日",
    until="2024-07-05",
)


FIRST_YEAR = "science_2019.first_selection_year"
INTERVAL = "science_2019.selection_interval"


def _selection_year(p: Any, t: Any, params: Any) -> np.ndarray:
    """第四条 "每两年组织一次": the year asked is a selection year. Outside the measures' five
    years their own switch says why, so this leaf holds then; within them, a first year not yet
    set by the administrator holds in no year (decision 0375)."""
    try:
        in_force = bool(param_getter("science_2019.in_force")(params, t))
    except ParameterNotFoundError:
        in_force = False
    if not in_force:
        return np.ones(p.count, dtype=bool)
    try:
        first = int(param_getter(FIRST_YEAR)(params, t))
        interval = int(param_getter(INTERVAL)(params, t))
    except (ParameterNotFoundError, TypeError):
        return np.zeros(p.count, dtype=bool)
    return np.full(p.count, is_selection_year(t.start.year, first, interval))


def _describe_selection_year(facts: Any, held: bool) -> str:
    year = facts.on.year
    first, interval = facts.param(FIRST_YEAR), facts.param(INTERVAL)
    if first is None or interval is None:
        if held:  # outside the measures' five years: their switch says why
            return "石科规〔2019〕3号有效期外"
        return (
            f"{year}年是否组织领军人物项目申报评审待主管部门明确"
            "（办法规定每两年组织一次，未载首次年度，以市科技局发布的申报指南为准）"
        )
    if held:
        return f"{year}年为领军人物项目申报评审年度（以市科技局发布的申报指南为准）"
    following = next_selection_year(year, int(first), int(interval))
    return (
        f"{year}年不组织领军人物项目申报评审（自{int(first)}年起每两年组织一次），"
        f"下次为{following}年"
    )


science_selection_year = leaf(
    name="science_leader_selection_year",
    label="查询年度为科技领军人物项目申报评审年度",
    # the parameters are read by the formula, not declared: a year the office has not yet made
    # clear is a reason given beside the person's own (not a switch hiding them), and is not
    # asked of every profile of the city as a parameter awaiting the administrator would be
    reads=[],
    formula=_selection_year,
    describe=_describe_selection_year,
    qualifying=False,
)


leader_age = age_at_most(
    name="science_leader_age_limit", limit_path="science_2019.leader_age_limit"
)


senior_title = leaf(
    name="senior_professional_title",
    label="具有高级专业技术职务任职资格",
    reads=[],
    formula=lambda p, t, _: (
        plain(p("professional_title", t)) >= idx(ProfessionalTitle.deputy_senior)
    ),
    describe=lambda f, held: (
        "具有高级专业技术职务任职资格" if held else "不具有高级专业技术职务任职资格（副高级及以上）"
    ),
)


def _high_tech_or_institute(p: Any, t: Any, _: Any) -> np.ndarray:
    # 第十一条（一）: a high-tech enterprise or a research institution; the profile has no research
    # institution type, so a 事业单位 may apply and the office checks it is one
    kind = plain(p.employer("employer_type", t))
    high_tech = p.employer("employer_high_tech", t) & (kind == idx(EmployerType.enterprise))
    return high_tech | (kind == idx(EmployerType.public_institution))


high_tech_or_institute = leaf(
    name="employer_high_tech_or_research_institution",
    label="所在单位为高新技术企业或科研机构",
    reads=["employment.employer_type"],
    formula=_high_tech_or_institute,
    describe=lambda f, held: (
        "所在单位为高新技术企业或事业单位（须为科研机构）"
        if held
        else "所在单位须为在石家庄市登记注册的高新技术企业或科研机构"
    ),
    qualifying=False,
)


LEADER_SELECTION = Benefit(
    id="sjz.science.leader_selection",
    name="石家庄市科技领军人物项目",
    kind="selection",
    requires=all_of(
        science_in_force,
        in_shijiazhuang,
        high_tech_or_institute,
        senior_title,
        leader_age,
        science_selection_year,
    ),
    condition="由所在单位申报；是创新团队的组织者和技术带头人，已取得拥有自主知识产权的创新性科技成果；"
    "并具备下列之一：近三年市级以上重点科技计划项目的主持人或项目负责人，近五年国家科学技术奖主要完成人、"
    "省科学技术奖一等奖前5名、二等奖前3名、三等奖第一完成人或省级以上专利技术奖主要发明人，"
    "市级以上高层次创新平台主要技术负责人；所在单位具有独立法人资格、社会信用良好、近两年无重大事故",
    citation=Citation(
        document=DOCUMENT,
        clause="第四条、第六条、第二十条",
        quote="领军人物和创新团队项目的申报评审每两年组织一次，每次支持领军人物和创新团队项目各15个。",
    ),
    quota="每两年评审一次（评审年度以市科技局发布的申报指南为准），每次支持15个领军人物项目",
    award="入选项目安排20万元专项资金，分两年各拨付50%（第二年经年末评估通过后拨付），"
    "授予“石家庄市科技领军人物”称号",
)
