"""《石家庄市人民政府办公室关于推行终身职业技能培训制度加快技能强市建设的实施意见》 (2019-10-15;
no number printed, catalogue mark "(2019)-129").

三（一）3: the skill-upgrade subsidy to an enterprise employee with 12 months or more of
unemployment-insurance contributions who obtains a primary, intermediate or advanced certificate —
1000, 1500 and 2000元 (decision 0112). The apprenticeship subsidy of the same clause, paid to the
enterprise per apprentice and year: 4000元 for an intermediate-level apprentice, 6000元 for an
advanced one; 石人社字〔2022〕36号 raised the first to 5000元 (its rates are dated in the
parameters; its technician levels are in ``apprentice_2022``; decision 0117).
"""

from __future__ import annotations

import numpy as np
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import DAY
from openfisca_core.variables import Variable

from rencai.policy.citations import Citation
from rencai.policy.engine.model import Person, SkillCertificate
from rencai.policy.jurisdictions.shijiazhuang.common import (
    enterprise,
    in_force,
    in_shijiazhuang,
    leaf,
    unit_query,
)
from rencai.policy.leaves import idx, param_getter, plain, years_before
from rencai.policy.rules import Amount, Benefit, all_of

DOCUMENT = "关于推行终身职业技能培训制度加快技能强市建设的实施意见"
OPINIONS_DATE = np.datetime64("2019-10-15")
CERTIFICATE_LABELS = {m.name: m.value for m in SkillCertificate}

opinions_in_force = in_force(
    name="skill_upgrade_subsidy_in_force",
    what="关于推行终身职业技能培训制度加快技能强市建设的实施意见",
    path="lifelong_skills_2019.skill_upgrade.primary.standard",
    since="2019年10月15日",
)


_months = param_getter("lifelong_skills_2019.insurance_months")


insured_long_enough = leaf(
    name="unemployment_insurance_12_months",
    label="累计缴纳失业保险费12个月以上",
    reads=["person.unemployment_insurance_months"],
    formula=lambda p, t, params: p("unemployment_insurance_months", t) >= _months(params, t),
    describe=lambda f, held: (
        f"累计缴纳失业保险费 {f.get('unemployment_insurance_months')} 个月，"
        f"{'达到' if held else '不足'} {f.param('lifelong_skills_2019.insurance_months')} 个月"
    ),
)


holds_certificate = leaf(
    name="holds_skill_certificate",
    label="取得初级、中级或高级职业资格证书或职业技能等级证书",
    reads=["person.skill_certificate"],
    formula=lambda p, t, _: plain(p("skill_certificate", t)) != idx(SkillCertificate.none),
    describe=lambda f, held: (
        f"取得{CERTIFICATE_LABELS.get(f.get('skill_certificate'), '无')}"
        "职业资格证书或职业技能等级证书"
        if held
        else "未取得初级、中级或高级职业资格证书或职业技能等级证书"
    ),
)


def _obtained_in_time(p, t, _):
    obtained = p("skill_certificate_date", t)
    return (obtained >= OPINIONS_DATE) & (obtained <= years_before(t.start, 0))


def _describe_obtained(f, held: bool) -> str:
    obtained = f.get("skill_certificate_date")
    if held:
        return f"证书于{obtained}取得，在实施意见印发（2019年10月15日）之后"
    return f"证书取得日期（{obtained}）不在实施意见印发（2019年10月15日）之后至查询日之间"


certificate_obtained_in_time = leaf(
    name="skill_certificate_after_opinions",
    label="证书在实施意见印发（2019年10月15日）后取得",
    reads=["person.skill_certificate_date"],
    formula=_obtained_in_time,
    describe=_describe_obtained,
    qualifying=False,
)


SKILL_UPGRADE = Benefit(
    id="sjz.skills.skill_upgrade_subsidy",
    name="企业职工技能提升补贴",
    kind="money",
    audience=holds_certificate,
    requires=all_of(
        opinions_in_force,
        in_shijiazhuang,
        enterprise,
        insured_long_enough,
        holds_certificate,
        certificate_obtained_in_time,
    ),
    amount=Amount(
        parameter="lifelong_skills_2019.skill_upgrade",
        keys=("skill_certificate", "skill_upgrade_rate"),
    ),
    per="once",
    condition="每取得一个等级的证书补贴一次；工种列入本市公布的急需紧缺工种目录的，"
    "按提高10%的标准计算（由人社部门核定）",
    citation=Citation(
        document=DOCUMENT,
        clause="三（一）3",
        quote="累计缴纳失业保险费12个月以上的企业职工取得初、中、高级职业资格证书或职业技能等级证书的，"
        "分别给予1000元、1500元、2000元的技能提升补贴",
    ),
)


class SkillUpgradeRate(Enum):
    standard = "标准"
    listed = "列入急需紧缺工种目录，标准提高10%"


class skill_upgrade_rate(Variable):
    """三（一）3: 纳入急需紧缺工种目录的，补贴标准可提高10%. The fact is the platform's: the
    talent's 工种 is in the city's published catalogue of the year (decision 0186)."""

    value_type = Enum
    possible_values = SkillUpgradeRate
    default_value = SkillUpgradeRate.standard
    entity = Person
    definition_period = DAY
    label = "技能提升补贴标准"

    def formula(person, period, parameters):
        return np.where(
            person("catalogued_occupation", period),
            idx(SkillUpgradeRate.listed),
            idx(SkillUpgradeRate.standard),
        )


HELPERS: list[type[Variable]] = [skill_upgrade_rate]


# --- 企业新型学徒制培训补贴: to the enterprise, per apprentice and year ---------------------------

APPRENTICE_CONDITION = (
    "学徒培训前已报人社部门备案；补贴期限按实际培训期限（不超过备案期限）计算，"
    "按符合补贴申领条件的学徒人数拨付"
)


def apprentice_subsidy(
    benefit_id: str, name: str, level: str, label: str, since: str, citation: Citation
) -> Benefit:
    """The enterprise's subsidy for its apprentices of one level: the rate times their number."""
    variable = f"unit_apprentices_{level}"
    declared = leaf(
        name=f"unit_declares_{level}_apprentices",
        label=f"本年度有参加企业新型学徒制培训的{label}学徒",
        reads=[],
        formula=lambda p, t, _: p(variable, t) > 0,
        describe=lambda f, held: (
            f"本年度参加企业新型学徒制培训的{label}学徒{f.get(variable)}人"
            if held
            else f"本年度没有{label}学徒"
        ),
        qualifying=False,
    )
    rate_in_force = in_force(
        name=f"apprentice_{level}_rate_in_force",
        what=f"企业新型学徒制{label}培训补贴",
        path=f"apprenticeship.{level}",
        since=since,
    )
    return Benefit(
        id=benefit_id,
        name=name,
        kind="money",
        target="employer",
        audience=all_of(unit_query, declared),
        requires=all_of(rate_in_force, in_shijiazhuang, enterprise),
        amount=Amount(parameter=f"apprenticeship.{level}", base=variable),
        per="year",
        condition=APPRENTICE_CONDITION,
        citation=citation,
    )


APPRENTICE_2019 = Citation(
    document=DOCUMENT,
    clause="三（一）3",
    quote="职工参加企业新型学徒制培训的，给予企业每人每年中级工4000元、高级工6000元的职业培训补贴。",
)

APPRENTICESHIP = [
    apprentice_subsidy(
        "sjz.skills.apprenticeship_intermediate",
        "企业新型学徒制培训补贴（中级工）",
        "intermediate",
        "中级工",
        "2019年10月15日",
        APPRENTICE_2019,
    ),
    apprentice_subsidy(
        "sjz.skills.apprenticeship_advanced",
        "企业新型学徒制培训补贴（高级工）",
        "advanced",
        "高级工",
        "2019年10月15日",
        APPRENTICE_2019,
    ),
]
