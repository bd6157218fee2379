"""Awards to units of the two leading industries (new-generation electronic information and
biomedicine), as far as the unit's facts decide them.

Document encoded:

- 石政办函〔2021〕42号 (石家庄市人民政府办公室, 2021; the day of issue is not printed, each rule is
  in force from issue: decision 0110) 《〈关于支持新一代电子信息产业和生物医药产业率先突破的
  若干措施（试行）〉相关实施细则》: the national major-project, R&D headquarters, testing
  institution, biomedicine R&D and industrialisation, market qualification, inter-firm
  cooperation, major project, project introduction, growth, 专精特新, technology SME loan and
  operating-cost rules; and its 高端人才 rule, an award to a person: 1.5 or 2 times the
  contribution of the person's salary to city and county revenue, at most 50万 (decision 0118).

The profile's ``unit`` section carries the facts of one application: one product, one project,
one supplier (decision 0107). Money facts are whole yuan. Tier words (decision 0108): 以上 / 达 /
（含） include the figure, 超过 excludes it; amounts the text calls 不超过 are ceilings.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from openfisca_core.errors import ParameterNotFoundError
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import DAY
from openfisca_core.variables import Variable

from rencai.policy.citations import Citation
from rencai.policy.engine.model import (
    Degree,
    DrugRoute,
    Person,
    ProfessionalTitle,
    RecognisedAs,
    Sector,
    TestingInstitution,
    WideVariable,
)
from rencai.policy.jurisdictions.shijiazhuang.common import (
    enterprise,
    flag,
    holds_a,
    in_force,
    in_shijiazhuang,
    leaf,
    unit_query,
)
from rencai.policy.leaves import idx, param_getter, plain
from rencai.policy.rules import Amount, Benefit, Condition, Exclusivity, Facts, all_of, any_of

DOCUMENT = "石政办函〔2021〕42号"
P = "industry_2021_42"

BIO = "鼓励生物医药研发及产业化奖励资金实施细则"
COSTS = "集成电路企业和软件企业、生物医药企业享受优惠政策实施细则"


def _yuan(value: Any) -> str:
    amount = float(value or 0)
    if amount >= 100_000_000 and amount % 1_000_000 == 0:
        return f"{amount / 100_000_000:g}亿元"
    if amount >= 10_000 and amount % 100 == 0:
        return f"{amount / 10_000:g}万元"
    return f"{amount:,.0f}元"


def _cite(clause: str, quote: str) -> Citation:
    return Citation(document=DOCUMENT, clause=clause, quote=quote)


in_force_42 = in_force(
    name="industry_2021_42_in_force",
    what=DOCUMENT,
    path=f"{P}.in_force",
    since="2021年（印发之日）",
)


def _choice(name: str, label: str, variable: str, members: list[Any], negative: str) -> Condition:
    """The unit's enum fact is one of ``members`` (an audience test: the default says no)."""
    wanted = [idx(m) for m in members]
    return leaf(
        name=name,
        label=label,
        reads=[],
        formula=lambda p, t, _: np.isin(plain(p(variable, t)), wanted),
        describe=lambda f, held: label if held else negative,
        qualifying=False,
    )


def _states(name: str, label: str, field: str) -> Condition:
    """The unit states this money fact (greater than zero): who the item is for."""
    variable = f"unit_{field}"
    return leaf(
        name=name,
        label=label,
        reads=[],
        formula=lambda p, t, _: p(variable, t) > 0,
        describe=lambda f, held: label if held else f"未申报{label}",
        qualifying=False,
    )


def _positive(name: str, label: str, field: str) -> Condition:
    """A money fact the award is computed from: stated and greater than zero."""
    variable = f"unit_{field}"
    return leaf(
        name=name,
        label=label,
        reads=[f"unit.{field}"],
        formula=lambda p, t, _: p(variable, t) > 0,
        describe=lambda f, held: (
            f"{label}：{_yuan(f.get(variable))}" if held else f"{label}为零，无可计算的奖补"
        ),
    )


def _at_least(name: str, label: str, field: str, path: str, strictly: bool = False) -> Condition:
    """A money fact reaches (``strictly``: exceeds) a cited threshold."""
    variable = f"unit_{field}"
    threshold = param_getter(path)

    def formula(p: Any, t: Any, params: Any) -> np.ndarray:
        limit = float(threshold(params, t))
        value = p(variable, t)
        return value > limit if strictly else value >= limit

    def describe(f: Facts, held: bool) -> str:
        limit = _yuan(f.param(path))
        word = "超过" if strictly else "达到"
        return f"{label}{_yuan(f.get(variable))}，{'' if held else '未'}{word}{limit}"

    return leaf(name=name, label=label, reads=[f"unit.{field}"], formula=formula, describe=describe)


two_industries = _choice(
    "unit_in_two_leading_industries",
    "新一代电子信息或生物医药产业的单位",
    "unit_sector",
    [Sector.electronic_information, Sector.biomedicine],
    "单位不属于新一代电子信息、生物医药两大主导产业",
)


# --- helper variables: tiers and bases ------------------------------------------------------


def _tier_enum(name: str, members: list[str]) -> type[Enum]:
    return Enum(name, {"none": "无", **{m: m for m in members}})


SalesTier = _tier_enum("SalesTier", ["t3", "t5", "t10", "t20", "t50"])
DeviceTier = _tier_enum("DeviceTier", ["s500", "s1000", "s2000"])
InvestmentTier = _tier_enum("InvestmentTier", ["f1", "f5", "f10"])
GrowthLevel = _tier_enum("GrowthLevel", ["l1", "l2", "l3", "l4", "l5"])


class LoanKind(Enum):
    repeat = "非首次获得贷款"
    first = "首次获得贷款"


def _reached(value: np.ndarray, params: Any, t: Any, path: str, members: list[str]) -> np.ndarray:
    """Index of the highest tier whose threshold the value reaches (0: none)."""
    result = np.zeros(len(value), dtype=np.int16)
    try:
        node = param_getter(path)(params, t)
    except ParameterNotFoundError:
        return result
    for number, member in enumerate(members, 1):
        result[value >= float(node[member])] = number
    return result


def _helper(name: str, label: str, enum: Any, formula: Any) -> type[Variable]:
    attrs = {
        "value_type": Enum,
        "possible_values": enum,
        "default_value": enum.none if hasattr(enum, "none") else next(iter(enum)),
        "entity": Person,
        "definition_period": DAY,
        "label": label,
        "formula": lambda person, period, parameters: formula(person, period, parameters),
    }
    return type(name, (Variable,), attrs)


SALES = ["t3", "t5", "t10", "t20", "t50"]
DEVICE = ["s500", "s1000", "s2000"]
INVEST = ["f1", "f5", "f10"]
LEVELS = ["l1", "l2", "l3", "l4", "l5"]

drug_sales_tier = _helper(
    "industry42_drug_sales_tier",
    "新药年销售额档",
    SalesTier,
    lambda p, t, params: _reached(
        p("unit_product_annual_sales", t), params, t, f"{P}.drug_sales.threshold", SALES
    ),
)
device_sales_tier = _helper(
    "industry42_device_sales_tier",
    "医疗器械年销售额档",
    DeviceTier,
    lambda p, t, params: _reached(
        p("unit_product_annual_sales", t), params, t, f"{P}.device.threshold", DEVICE
    ),
)
investment_tier = _helper(
    "industry42_investment_tier",
    "基金支持项目投资额档",
    InvestmentTier,
    lambda p, t, params: _reached(
        p("unit_project_fixed_investment", t), params, t, f"{P}.major_investment.threshold", INVEST
    ),
)
loan_kind = _helper(
    "industry42_loan_kind",
    "是否首次获得贷款",
    LoanKind,
    lambda p, t, _: np.where(p("unit_first_loan", t), idx(LoanKind.first), idx(LoanKind.repeat)),
)


def _exceeded(value: np.ndarray, params: Any, t: Any, path: str) -> np.ndarray:
    """Index of the highest scale the value exceeds (超过: strictly), 0 for none."""
    result = np.zeros(len(value), dtype=np.int16)
    try:
        node = param_getter(path)(params, t)
    except ParameterNotFoundError:
        return result
    for number, member in enumerate(LEVELS, 1):
        result[value > float(node[member])] = number
    return result


def _new_level(track: str) -> Any:
    """The highest scale exceeded this year and never before (首次超过), else none."""

    def formula(p: Any, t: Any, params: Any) -> np.ndarray:
        path = f"{P}.growth.{track}.threshold"
        previous = p("unit_main_revenue_previous_best", t)
        now = _exceeded(p("unit_main_revenue", t), params, t, path)
        before = _exceeded(previous, params, t, path)
        # an unstated previous best (NaN) decides nothing: no level is first exceeded
        return np.where((now > before) & ~np.isnan(previous), now, 0).astype(np.int16)

    return formula


industrial_level = _helper(
    "industry42_industrial_new_level",
    "工业企业首次超过的收入规模",
    GrowthLevel,
    _new_level("industrial"),
)
ic_software_level = _helper(
    "industry42_ic_software_new_level",
    "集成电路和软件企业首次超过的收入规模",
    GrowthLevel,
    _new_level("ic_software"),
)


class industry42_steam_cost(WideVariable):
    value_type = float
    entity = Person
    definition_period = DAY
    label = "计补助的年度蒸汽费用（自备燃气锅炉按燃气费用的1.2倍）"

    def formula(person, period, parameters):
        try:
            factor = float(param_getter(f"{P}.operating_costs.gas_factor")(parameters, period))
        except ParameterNotFoundError:
            factor = 0.0
        steam = person("unit_steam_bill", period).astype(np.float64)
        gas = person("unit_boiler_gas_bill", period).astype(np.float64)
        # whole yuan × 1.2 is exact to the jiao; rounding to the fen removes binary noise
        return np.round(steam + gas * factor, 2)


class HighEndTier(Enum):
    none = "年度应纳税工资薪金收入不足60万元"
    t60 = "60万元（含）至96万元"
    t96 = "96万元（含）以上"


HIGH_END = ["t60", "t96"]

high_end_tier = _helper(
    "industry42_high_end_tier",
    "高端人才年度应纳税工资薪金收入档",
    HighEndTier,
    lambda p, t, params: _reached(
        p("annual_salary_yuan", t).astype(np.float64),
        params,
        t,
        f"{P}.high_end_talent.threshold",
        HIGH_END,
    ),
)


HELPERS: list[type[Variable]] = [
    high_end_tier,
    drug_sales_tier,
    device_sales_tier,
    investment_tier,
    loan_kind,
    industrial_level,
    ic_software_level,
    industry42_steam_cost,
]


# --- leaves ---------------------------------------------------------------------------------

major_project_lead = flag(
    name="unit_is_major_project_lead",
    label="国家科技重大专项牵头单位（已获立项批复并签订任务合同书）",
    variable="unit_major_project_lead",
    reads=[],
    negative="不是国家科技重大专项牵头单位",
    qualifying=False,
)


def _year_from(p: Any, t: Any, params: Any) -> np.ndarray:
    first = int(param_getter(f"{P}.major_project.first_year")(params, t))
    return p("unit_major_project_year", t) >= first


major_project_recent = leaf(
    name="major_project_approved_2021_or_later",
    label="重大专项为2021年及以后年度立项",
    reads=["unit.major_project_year"],
    formula=_year_from,
    describe=lambda f, held: (
        f"重大专项{f.get('unit_major_project_year')}年立项"
        if held
        else f"重大专项{f.get('unit_major_project_year')}年立项，须为2021年及以后年度立项"
    ),
)

national_funds = _positive(
    "major_project_funds_received", "国家实际拨付经费（已到账）", "major_project_national_funds"
)

rd_headquarters = flag(
    name="unit_is_rd_headquarters",
    label="经认定的研发总部（国家科研机构、“双一流”大学在石设立的独立法人企业）",
    variable="unit_rd_headquarters",
    reads=[],
    negative="不是经认定的研发总部",
    qualifying=False,
)
rd_spending = _positive("rd_spending_stated", "上年度研究开发费用总额", "rd_spending_last_year")

testing_institution = _choice(
    "unit_is_testing_institution",
    "新建或拓展检测能力、填补国内或省内空白的检验检测机构",
    "unit_testing_institution",
    [m for m in TestingInstitution if m.name != "none"],
    "不是新建或拓展检测能力的检验检测机构",
)
testing_investment = _positive("testing_investment_stated", "投资总额", "testing_investment")

biomedicine = _choice(
    "unit_in_biomedicine",
    "生物医药产业企业",
    "unit_sector",
    [Sector.biomedicine],
    "单位不属于生物医药产业",
)


def _enum_not_none(name: str, label: str, variable: str, negative: str = "") -> Condition:
    return leaf(
        name=name,
        label=label,
        reads=[],
        formula=lambda p, t, _: plain(p(variable, t)) != 0,
        describe=lambda f, held: label if held else (negative or f"不是{label}"),
        qualifying=False,
    )


new_drug = _enum_not_none("unit_declares_new_drug", "I类或II类新药", "unit_drug_class", "")
phase_completed = _enum_not_none(
    "drug_clinical_phase_completed", "完成I、II或III期临床试验", "unit_clinical_phase_completed", ""
)
drug_registered = flag(
    name="drug_registered_and_produced_locally",
    label="已获药品注册证书并在本市产业化",
    variable="unit_drug_registered",
    reads=[],
    negative="未获药品注册证书或未在本市产业化",
    qualifying=False,
)


def _tier_reached(name: str, label: str, variable: str, path: str, first: str) -> Condition:
    def describe(f: Facts, held: bool) -> str:
        sales = _yuan(f.get("unit_product_annual_sales"))
        minimum = _yuan(f.param(f"{path}.{first}"))
        return f"{label}{sales}，{'达到' if held else '未达到'}{minimum}"

    return leaf(
        name=name,
        label=label,
        reads=["unit.product_annual_sales"],
        formula=lambda p, t, _: plain(p(variable, t)) != 0,
        describe=describe,
    )


drug_sales_reached = _tier_reached(
    "drug_sales_tier_reached",
    "该品种年销售额",
    "industry42_drug_sales_tier",
    f"{P}.drug_sales.threshold",
    "t3",
)
drug_rd_award_stated = leaf(
    name="drug_rd_award_stated",
    label="已说明研发阶段是否获得奖励支持",
    reads=["unit.drug_rd_awarded"],
    formula=lambda p, t, _: plain(p("unit_drug_route", t)) != idx(DrugRoute.unknown),
    describe=lambda f, held: DrugRoute[f.get("unit_drug_route")].value,
    qualifying=False,
)
generic = _enum_not_none(
    "unit_declares_generic", "首仿药或全国前三家通过一致性评价的仿制药", "unit_generic", ""
)
generic_sales = _at_least(
    "generic_sales_reached", "该品种年销售额", "product_annual_sales", f"{P}.generic.threshold"
)
device = _enum_not_none(
    "unit_declares_device", "创新型二类或三类医疗器械（已在本市产业化）", "unit_device", ""
)
device_sales_reached = _tier_reached(
    "device_sales_tier_reached",
    "该品种年销售额",
    "industry42_device_sales_tier",
    f"{P}.device.threshold",
    "s500",
)


def _count(name: str, label: str, variable: str) -> Condition:
    return leaf(
        name=name,
        label=label,
        reads=[],
        formula=lambda p, t, _: p(variable, t) > 0,
        describe=lambda f, held: f"{label}{f.get(variable)}个" if held else f"无{label}",
        qualifying=False,
    )


certified = _count(
    "unit_has_new_international_certifications",
    "新通过美国、欧盟（含英国）、WHO国际认证的药品和医疗器械品种",
    "unit_international_certifications",
)
procurement = _count(
    "unit_has_new_procurement_wins", "新中标国家集中采购的品种", "unit_procurement_wins"
)
purchases = _states(
    "unit_declares_local_purchase", "本地企业间协作配套采购", "local_supplier_purchase"
)
purchase_reached = _at_least(
    "local_purchase_reached",
    "与同一企业年交易额",
    "local_supplier_purchase",
    f"{P}.cooperation.threshold",
)
city_fund = flag(
    name="project_supported_by_city_fund",
    label="产业化项目获得市主导产业发展基金支持",
    variable="unit_project_city_fund",
    reads=[],
    negative="产业化项目未获得市主导产业发展基金支持",
    qualifying=False,
)


def _investment_tier_in(name: str, label: str, members: list[str]) -> Condition:
    wanted = [idx(InvestmentTier[m]) for m in members]

    def describe(f: Facts, held: bool) -> str:
        invested = _yuan(f.get("unit_project_fixed_investment"))
        return f"固定资产投资总额{invested}，{'属于' if held else '不属于'}{label}"

    return leaf(
        name=name,
        label=label,
        reads=["unit.project_fixed_investment"],
        formula=lambda p, t, _: np.isin(plain(p("industry42_investment_tier", t)), wanted),
        describe=describe,
    )


fund_tier_ordinary = _investment_tier_in(
    "fund_project_1_to_10_yi", "投资1亿元（含）至10亿元的产业化项目", ["f1", "f5"]
)
fund_tier_large = _investment_tier_in(
    "fund_project_10_yi_or_more", "投资10亿元以上的重大项目", ["f10"]
)
state_support = _states(
    "unit_declares_state_support", "国家和省产业化专项资金支持", "project_state_support"
)
introduced = _states(
    "declares_introduced_project", "引进的招商引资项目", "introduced_project_investment"
)
introduced_reached = _at_least(
    "introduced_project_reaches_threshold",
    "项目总投资",
    "introduced_project_investment",
    f"{P}.referral.threshold",
)


def _below_case_by_case(p: Any, t: Any, params: Any) -> np.ndarray:
    limit = float(param_getter(f"{P}.referral.case_by_case")(params, t))
    return p("unit_introduced_project_investment", t) < limit


introduced_not_case_by_case = leaf(
    name="introduced_project_below_case_by_case",
    label="项目总投资不足50亿元（50亿元以上实行“一事一议”）",
    reads=["unit.introduced_project_investment"],
    formula=_below_case_by_case,
    describe=lambda f, held: (
        "项目总投资不足50亿元"
        if held
        else "项目总投资50亿元（含）以上，实行统一的“一事一议”政策，不按3%计算"
    ),
    qualifying=False,
)
fixed_assets = _positive(
    "introduced_project_fixed_assets_stated",
    "固定资产投资完成额",
    "introduced_project_fixed_assets",
)
industrial = flag(
    name="unit_is_industrial_enterprise",
    label="工业企业",
    variable="unit_industrial_enterprise",
    reads=[],
    negative="不是工业企业",
    qualifying=False,
)
ic_or_software = _choice(
    "unit_is_ic_or_software",
    "经认定的集成电路或软件企业",
    "unit_recognised_as",
    [RecognisedAs.ic_design, RecognisedAs.ic, RecognisedAs.software],
    "不是经认定的集成电路或软件企业",
)
ic_design = _choice(
    "unit_is_ic_design",
    "集成电路设计企业",
    "unit_recognised_as",
    [RecognisedAs.ic_design],
    "不是集成电路设计企业",
)
recognised_biomedicine = _choice(
    "unit_is_recognised_biomedicine",
    "经认定的生物医药企业",
    "unit_recognised_as",
    [RecognisedAs.biomedicine],
    "不是经认定的生物医药企业",
)
declares_revenue = _states("unit_declares_revenue", "年度主营业务收入", "main_revenue")


def _first_exceeded(name: str, variable: str) -> Condition:
    def describe(f: Facts, held: bool) -> str:
        now = _yuan(f.get("unit_main_revenue"))
        before = _yuan(f.get("unit_main_revenue_previous_best"))
        if held:
            return f"年度主营业务收入{now}，首次超过一档规模（以往最高{before}）"
        return f"年度主营业务收入{now}，未首次超过新的规模档（以往最高{before}）"

    return leaf(
        name=name,
        label="年度主营业务收入首次超过规模档",
        reads=["unit.main_revenue", "unit.main_revenue_previous_best"],
        formula=lambda p, t, _: plain(p(variable, t)) != 0,
        describe=describe,
    )


industrial_first = _first_exceeded(
    "industrial_revenue_first_exceeds", "industry42_industrial_new_level"
)
ic_software_first = _first_exceeded(
    "ic_software_revenue_first_exceeds", "industry42_ic_software_new_level"
)


def _title(code: str, label: str) -> Condition:
    return flag(
        name=f"unit_title_{code}_held",
        label=label,
        variable=f"unit_title_{code}",
        reads=[],
        negative=f"未{label}",
        qualifying=False,
    )


title_renewed = _title("provincial_renewed", "首次获评省级“专精特新”中小企业，三年有效期满通过复核")
title_demonstration = _title("demonstration", "获得省级“专精特新”示范企业称号")
title_little_giant = _title("little_giant", "获得国家专精特新“小巨人”称号")


def _any_title(p: Any, t: Any, _: Any) -> np.ndarray:
    held = np.zeros(p.count, dtype=bool)
    for code in ("provincial", "provincial_renewed", "demonstration", "little_giant"):
        held |= p(f"unit_title_{code}", t)
    return held


specialised = leaf(
    name="unit_holds_specialised_title",
    label="“专精特新”中小企业及以上称号",
    reads=[],
    formula=_any_title,
    describe=lambda f, held: "获得“专精特新”中小企业及以上称号" if held else "未获得“专精特新”称号",
    qualifying=False,
)
tech_sme = flag(
    name="unit_is_tech_sme",
    label="经河北省科技厅备案、有效期内的科技型中小企业（拥有有效自主知识产权）",
    variable="unit_tech_sme",
    reads=[],
    negative="不是有效期内的科技型中小企业",
    qualifying=False,
)
interest = _positive("loan_interest_stated", "实际支付的贷款利息", "loan_interest_paid")
electricity = _positive("electricity_bill_stated", "年度电费", "electricity_bill")
tapeout = _positive("tapeout_costs_stated", "流片、光罩、IP及测试验证费用", "tapeout_costs")


def _steam_positive(p: Any, t: Any, _: Any) -> np.ndarray:
    return p("industry42_steam_cost", t) > 0


steam = leaf(
    name="steam_cost_stated",
    label="年度蒸汽费用（或自备燃气锅炉生产蒸汽的燃气费用）",
    reads=["unit.steam_bill", "unit.boiler_gas_bill"],
    formula=_steam_positive,
    describe=lambda f, held: (
        f"计补助的年度蒸汽费用{_yuan(f.get('industry42_steam_cost'))}" if held else "无年度蒸汽费用"
    ),
)


def _room_left(name: str, label: str, field: str, cap: str) -> Condition:
    """What was already received stays below a cited cap (累计最高): something is still due."""
    variable, path = f"unit_{field}", f"{P}.{cap}"

    def formula(p: Any, t: Any, params: Any) -> np.ndarray:
        return p(variable, t) < float(param_getter(path)(params, t))

    def describe(f: Facts, held: bool) -> str:
        used, limit = _yuan(f.get(variable)), _yuan(f.param(path))
        return f"{label}{used}，{'未达' if held else '已达'}上限{limit}"

    return leaf(name=name, label=label, reads=[], formula=formula, describe=describe)


generic_room = _room_left(
    "generic_yearly_cap_not_reached",
    "本年度已获仿制药奖励",
    "generic_awards_this_year",
    "generic.yearly_cap",
)
procurement_room = _room_left(
    "procurement_cap_not_reached",
    "已获国家集采奖励",
    "procurement_awards_received",
    "market.procurement_cap",
)
cooperation_room = _room_left(
    "cooperation_yearly_cap_not_reached",
    "本年度已获协作配套奖励",
    "cooperation_awards_this_year",
    "cooperation.yearly_cap",
)
specialised_interest_room = _room_left(
    "specialised_interest_total_not_reached",
    "本措施有效期内已获贴息",
    "interest_subsidy_received",
    "specialised_interest.total_cap",
)
tech_sme_interest_room = _room_left(
    "tech_sme_interest_total_not_reached",
    "本措施有效期内已获贴息",
    "interest_subsidy_received",
    "tech_sme_interest.total_cap",
)


# --- benefits -------------------------------------------------------------------------------


def _unit_award(
    id: str,
    name: str,
    audience: Condition,
    requires: list[Condition],
    amount: Amount,
    citation: Citation,
    condition: str,
    cap: bool = False,
    per: str = "once",
) -> Benefit:
    return Benefit(
        id=id,
        name=name,
        kind="money",
        target="employer",
        audience=all_of(unit_query, audience),
        requires=all_of(in_shijiazhuang, in_force_42, *requires),
        amount=amount,
        per=per,  # type: ignore[arg-type]
        condition=condition,
        cap=cap,
        citation=citation,
    )


Q_12_1 = (
    "I 类新药。对完成 I、II、III 期临床试验的品种，分别给予不超过 500 万、1000 万、1500 万元奖励"
)
Q_13_1 = "该品种年销售额达 3 亿元以上，给予 1000 万元奖励，年销售额达 5 亿元以上，给予2000 万元奖励"
Q_14 = "每个企业每年累计奖励最高 500 万元。"
Q_15 = "该品种年销售额达 500 万元的，给予 50 万元奖励，年销售额达 1000 万元的，给予 100 万元奖励"
Q_16 = "对同一家企业的同一项目符合多项奖补或补助条件的，按最高标准奖励或补助。"
Q_MARKET = (
    "通过美国、欧盟（含英国）、WHO 国际认证（疫苗）的药品（制剂、原料药）和医疗器械，"
    "每个奖励 200 万元"
)
Q_PROCUREMENT = "中标国家集中采购的每个品种奖励 100 万元，单个企业最高不超过 1000 万元。"
Q_FUND = (
    "补助资金不超过固定资产投资总额的 2%；5 亿元（含）至 10 亿元的，"
    "补助资金不超过固定资产投资总额的 5%"
)
Q_GROWTH_1 = (
    "对年度主营业务收入首次超过 10 亿元、50 亿元、100 亿元、200 亿元、300 亿元规模的工业企业"
)
Q_GROWTH_2 = (
    "对年度主营业务收入首次超过 5000 万元、1 亿元、5 亿元、10 亿元、30 亿元的集成电路和软件企业"
)
Q_TITLES = "同一家企业获得多个称号的，以最高的标准给予奖励，不予重复奖励。"

INDUSTRY_2021_42 = [
    _unit_award(
        "sjz.industry42.major_project",
        "国家级科技重大专项配套奖励",
        major_project_lead,
        [two_industries, major_project_recent, national_funds],
        Amount(parameter=f"{P}.major_project.rate", base="unit_major_project_national_funds"),
        _cite(
            "国家级科技重大专项奖励实施细则 第十条",
            "对符合条件的重大专项承担单位，按照国家实际拨付经费的50%予以配套奖励。",
        ),
        "按国家实际拨付经费的50%；经市科技局评审、公示后拨付",
    ),
    _unit_award(
        "sjz.industry42.rd_headquarters",
        "研发总部奖励",
        rd_headquarters,
        [two_industries, rd_spending],
        Amount(
            parameter=f"{P}.rd_headquarters.rate",
            base="unit_rd_spending_last_year",
            ceiling=f"{P}.rd_headquarters.ceiling",
        ),
        _cite(
            "研发总部奖励实施细则 第七条",
            "对符合条件的研发总部，按照其上年度研究开发费用总额的 30% 予以奖励，"
            "最高不超过 500 万元。",
        ),
        "按上年度研究开发费用总额的30%，最高500万元；研发总部每年认定一次",
    ),
    _unit_award(
        "sjz.industry42.testing_institution",
        "检验检测机构创新发展奖励",
        testing_institution,
        [two_industries, testing_investment],
        Amount(
            parameter=f"{P}.testing.rate",
            keys=("unit_testing_institution",),
            base="unit_testing_investment",
            ceiling=f"{P}.testing.ceiling",
            ceiling_keys=("unit_testing_institution",),
        ),
        _cite(
            "检验检测机构创新发展奖励实施细则 第十一条",
            "新建检验检测机构检测能力填补国内空白的，奖励投资总额的 70%，最高给予 500 万元奖励",
        ),
        "投资总额含实验室环境及设施建设费、仪器设备购置费、检验场地租赁费；事后奖励，经市场监管部门审查、公示",
    ),
    _unit_award(
        "sjz.industry42.drug_rd",
        "新药研发奖励（完成临床试验阶段）",
        new_drug,
        [biomedicine, phase_completed],
        Amount(
            parameter=f"{P}.drug_rd",
            keys=("unit_drug_class", "unit_clinical_phase_completed"),
        ),
        _cite(f"{BIO} 第十二条", Q_12_1),
        "文件规定为“不超过”该金额，具体金额经评审确定；品种进入临床下一试验阶段时拨付上一阶段奖励",
        cap=True,
    ),
    _unit_award(
        "sjz.industry42.drug_sales",
        "新药产业化奖励",
        new_drug,
        [biomedicine, drug_registered, drug_rd_award_stated, drug_sales_reached],
        Amount(
            parameter=f"{P}.drug_sales",
            keys=("unit_drug_class", "unit_drug_route", "industry42_drug_sales_tier"),
        ),
        _cite(f"{BIO} 第十三条", Q_13_1),
        "按该品种年销售额所达档次；经认定、公示后拨付",
    ),
    _unit_award(
        "sjz.industry42.generic",
        "仿制药奖励（首仿、一致性评价前三家）",
        generic,
        [biomedicine, generic_sales, generic_room],
        Amount(
            parameter=f"{P}.generic.award",
            keys=("unit_generic",),
            room=(f"{P}.generic.yearly_cap", "unit_generic_awards_this_year"),
        ),
        _cite(f"{BIO} 第十四条", Q_14),
        "在本市产业化；每个企业每年累计奖励最高500万元（已扣除本年度已获奖励）",
    ),
    _unit_award(
        "sjz.industry42.device",
        "医疗器械产业化奖励",
        device,
        [biomedicine, device_sales_reached],
        Amount(parameter=f"{P}.device", keys=("unit_device", "industry42_device_sales_tier")),
        _cite(f"{BIO} 第十五条", Q_15),
        "获得注册证书后在本市产业化，按该品种年销售额所达档次",
    ),
    _unit_award(
        "sjz.industry42.certification",
        "通过国际认证的药品和医疗器械奖励",
        certified,
        [biomedicine],
        Amount(parameter=f"{P}.market.certification", base="unit_international_certifications"),
        _cite("开拓国内外市场资质认定奖励实施细则 第十三条", Q_MARKET),
        "2020年1月1日后通过认证、申报时仍有效；每个品种只能申报一次奖励",
    ),
    _unit_award(
        "sjz.industry42.procurement",
        "国家集中采购中标品种奖励",
        procurement,
        [biomedicine, procurement_room],
        Amount(
            parameter=f"{P}.market.procurement",
            base="unit_procurement_wins",
            room=(f"{P}.market.procurement_cap", "unit_procurement_awards_received"),
        ),
        _cite("开拓国内外市场资质认定奖励实施细则 第十三条", Q_PROCUREMENT),
        "申报时仍在集采目录内；单个企业最高1000万元（已扣除已获奖励）",
    ),
    _unit_award(
        "sjz.industry42.cooperation",
        "主导产业企业间协作配套奖励",
        purchases,
        [two_industries, purchase_reached, cooperation_room],
        Amount(
            parameter=f"{P}.cooperation.rate",
            base="unit_local_supplier_purchase",
            room=(f"{P}.cooperation.yearly_cap", "unit_cooperation_awards_this_year"),
        ),
        _cite(
            "主导产业企业间协作配套实施细则 第九条、第十条",
            "且与同一企业年交易额在 500 万元（含）以上的，按照实际交易金额 2% 奖励采购企业。",
        ),
        "规模以上工业企业向本市无资产关联企业采购自主创新研发产品用于本企业生产；"
        "单户企业年度奖励最高200万元（已扣除本年度已获奖励）",
    ),
    _unit_award(
        "sjz.industry42.fund_project",
        "主导产业发展基金支持项目补助",
        city_fund,
        [two_industries, fund_tier_ordinary],
        Amount(
            parameter=f"{P}.major_investment.rate",
            keys=("industry42_investment_tier",),
            base="unit_project_fixed_investment",
        ),
        _cite("主导产业重大项目补助实施细则 第四条", Q_FUND),
        "文件规定为“不超过”固定资产投资总额的2%或5%，具体金额经评审确定；与国家和省专项资金配套支持不得重复享受",
        cap=True,
    ),
    _unit_award(
        "sjz.industry42.fund_project_large",
        "主导产业发展基金支持重大项目补助（一事一议）",
        city_fund,
        [two_industries, fund_tier_large],
        Amount(parameter=f"{P}.major_investment.case_by_case"),
        _cite(
            "主导产业重大项目补助实施细则 第四条",
            "10 亿元以上、带动产业链上下游融通发展的重大项目，按照一事一议原则最多补助 1 亿元。",
        ),
        "须带动产业链上下游融通发展，一事一议，最多1亿元",
        cap=True,
    ),
    _unit_award(
        "sjz.industry42.state_project",
        "国家和省产业化专项资金支持项目配套",
        state_support,
        [two_industries],
        Amount(parameter=f"{P}.major_investment.state_rate", base="unit_project_state_support"),
        _cite(
            "主导产业重大项目补助实施细则 第五条",
            "获得国家和省产业化专项资金支持的项目，按照国家和省支持资金总额的 30% 予以配套支持。",
        ),
        "与主导产业发展基金支持项目补助不得重复享受",
    ),
    _unit_award(
        "sjz.industry42.referral",
        "主导产业项目引进奖励（引荐人）",
        introduced,
        [introduced_reached, introduced_not_case_by_case, fixed_assets],
        Amount(
            parameter=f"{P}.referral.rate",
            base="unit_introduced_project_fixed_assets",
            ceiling=f"{P}.referral.ceiling",
        ),
        _cite(
            "主导产业项目引进奖励实施细则 第四条",
            "对引进总投资1亿元（含1亿元）人民币以上招商引资项目的引荐人，按固定资产投资完成额给予3%的奖励，同一项目最高奖励不超过1000万元。",
        ),
        "引荐人（机构或个人）须先期签订引荐协议并备案；项目须符合新一代电子信息、生物医药两大产业方向；"
        "项目关联单位、投资利益相关方、国家机关、事业单位及其工作人员除外；项目竣工投产后一年内申报；"
        "同一项目只认定一个引荐人",
    ),
    _unit_award(
        "sjz.industry42.growth_industrial",
        "工业企业做大做强奖励（主营业务收入首次超过规模）",
        declares_revenue,
        [two_industries, industrial, industrial_first],
        Amount(parameter=f"{P}.growth.industrial.award", keys=("industry42_industrial_new_level",)),
        _cite("做大做强资金奖励实施细则 第五条", Q_GROWTH_1),
        "一次性奖励，按本年度首次超过的最高规模档",
    ),
    _unit_award(
        "sjz.industry42.growth_ic_software",
        "集成电路和软件企业做大做强奖励（主营业务收入首次超过规模）",
        declares_revenue,
        [ic_or_software, ic_software_first],
        Amount(
            parameter=f"{P}.growth.ic_software.award", keys=("industry42_ic_software_new_level",)
        ),
        _cite("做大做强资金奖励实施细则 第五条", Q_GROWTH_2),
        "一次性奖励，按本年度首次超过的最高规模档",
    ),
    _unit_award(
        "sjz.industry42.specialised_renewed",
        "省级“专精特新”中小企业复核通过奖励",
        title_renewed,
        [two_industries],
        Amount(parameter=f"{P}.specialised.provincial_renewed"),
        _cite(
            "“专精特新”中小企业奖补实施细则 第八条",
            "对首次获评省级“专精特新”中小企业，三年有效期满通过复核的，给予30万元奖励。",
        ),
        "一次性奖励；获得多个称号的以最高标准奖励",
    ),
    _unit_award(
        "sjz.industry42.specialised_demonstration",
        "省级“专精特新”示范企业奖励",
        title_demonstration,
        [two_industries],
        Amount(parameter=f"{P}.specialised.demonstration"),
        _cite(
            "“专精特新”中小企业奖补实施细则 第八条",
            "对获得省级“专精特新”示范企业称号的，给予50万元奖励。",
        ),
        "一次性奖励；获得多个称号的以最高标准奖励",
    ),
    _unit_award(
        "sjz.industry42.little_giant",
        "国家专精特新“小巨人”奖励",
        title_little_giant,
        [two_industries],
        Amount(parameter=f"{P}.specialised.little_giant"),
        _cite(
            "“专精特新”中小企业奖补实施细则 第八条",
            "对获得国家专精特新“小巨人”称号的，给予100万元奖励。",
        ),
        "一次性奖励；获得多个称号的以最高标准奖励",
    ),
    _unit_award(
        "sjz.industry42.specialised_interest",
        "“专精特新”中小企业贷款贴息",
        specialised,
        [two_industries, interest, specialised_interest_room],
        Amount(
            parameter=f"{P}.specialised_interest.rate",
            keys=("industry42_loan_kind",),
            base="unit_loan_interest_paid",
            ceiling=f"{P}.specialised_interest.yearly_cap",
            room=(f"{P}.specialised_interest.total_cap", "unit_interest_subsidy_received"),
        ),
        _cite(
            "“专精特新”中小企业奖补实施细则 第九条",
            "对“专精特新”中小企业按照实际支付贷款利息的50%予以补助，其中，对于首次获得贷款的申请企业，按照实际支付利息的70%予以补助。",
        ),
        "每年最高100万元，本措施有效期内累计最高300万元（已扣除已获贴息）",
        per="year",
    ),
    _unit_award(
        "sjz.industry42.tech_sme_interest",
        "科技型中小企业贷款补助",
        tech_sme,
        [two_industries, interest, tech_sme_interest_room],
        Amount(
            parameter=f"{P}.tech_sme_interest.rate",
            keys=("industry42_loan_kind",),
            base="unit_loan_interest_paid",
            ceiling=f"{P}.tech_sme_interest.yearly_cap",
            room=(f"{P}.tech_sme_interest.total_cap", "unit_interest_subsidy_received"),
        ),
        _cite(
            "科技型中小企业贷款补助实施细则 第七条",
            "符合支持条件的科技型中小企业贷款利息按照实际支付利息的 50% 予以补助。",
        ),
        "贷款用于科技创新活动且实际发生；每年最高100万元，本措施有效期内累计最高300万元（已扣除已获贴息）",
        per="year",
    ),
    _unit_award(
        "sjz.industry42.electricity",
        "集成电路及软件企业电费补助",
        ic_or_software,
        [electricity],
        Amount(
            parameter=f"{P}.operating_costs.electricity_rate",
            base="unit_electricity_bill",
            ceiling=f"{P}.operating_costs.yearly_cap",
        ),
        _cite(f"{COSTS} 第二十四条", "对经认定的集成电路及软件企业，给予年度电费20%的补助。"),
        "按年度电费的20%；每个企业每年最高补助1000万元（与流片验证补助合计）",
        per="year",
    ),
    _unit_award(
        "sjz.industry42.tapeout",
        "集成电路设计企业流片验证补助",
        ic_design,
        [tapeout],
        Amount(
            parameter=f"{P}.operating_costs.tapeout_rate",
            base="unit_tapeout_costs",
            room=(f"{P}.operating_costs.yearly_cap", "sjz_industry42_electricity_total"),
        ),
        _cite(
            f"{COSTS} 第二十五条",
            "对集成电路设计企业开展流片验证，包括流片费、光罩制作费、购买IP以及测试验证等费用给予50%补助",
        ),
        "产品具有自主知识产权，限首次MPW及首次工程流片；已享受市级其他资金支持的不再补贴；"
        "每个企业每年最高补助1000万元（与电费补助合计）",
        per="year",
    ),
    _unit_award(
        "sjz.industry42.steam",
        "生物医药企业蒸汽费用补助",
        recognised_biomedicine,
        [steam],
        Amount(
            parameter=f"{P}.operating_costs.steam_rate",
            base="industry42_steam_cost",
            ceiling=f"{P}.operating_costs.yearly_cap",
        ),
        _cite(f"{COSTS} 第二十六条", "对经认定的生物医药企业，给予年度蒸汽费用20%的补助。"),
        "自备燃气锅炉生产蒸汽的，以所购燃气费用的1.2倍计蒸汽费用；每个企业每年最高补助1000万元",
        per="year",
    ),
]


EXCLUSIVITY = [
    Exclusivity(
        id="sjz.exclusive.industry42_titles",
        rule="highest",
        members=(
            "sjz.industry42.little_giant",
            "sjz.industry42.specialised_demonstration",
            "sjz.industry42.specialised_renewed",
        ),
        citation=_cite("“专精特新”中小企业奖补实施细则 第八条", Q_TITLES),
        label="同一家企业获得多个“专精特新”称号的，以最高的标准给予奖励，不予重复奖励",
    ),
    Exclusivity(
        id="sjz.exclusive.industry42_product",
        rule="highest",
        members=(
            "sjz.industry42.drug_sales",
            "sjz.industry42.drug_rd",
            "sjz.industry42.generic",
            "sjz.industry42.device",
        ),
        citation=_cite(f"{BIO} 第十六条", Q_16),
        label="同一家企业的同一项目符合多项奖补条件的，按最高标准奖励",
    ),
    Exclusivity(
        id="sjz.exclusive.industry42_project",
        rule="highest",
        members=(
            "sjz.industry42.state_project",
            "sjz.industry42.fund_project",
            "sjz.industry42.fund_project_large",
        ),
        citation=_cite(
            "主导产业重大项目补助实施细则 第六条",
            "对同一家企业的同一项目符合多项奖补或补助条件的，按最高标准奖励或补助。",
        ),
        label="基金支持项目补助与国家和省专项资金配套支持不得重复享受，按最高标准补助",
    ),
]


# --- 高端人才奖励工作实施细则: an award to a person -------------------------------------------

Q_HIGH_END = (
    "对申报人年度应纳税工资薪金收入在60万元(含)至96万元的,给予相当于其年度工资薪金收入对市及以下"
    "财政贡献的1.5倍奖励;年度应纳税工资薪金收入在96万元(含)以上的,给予相当于其年度工资薪金收入对市"
    "及以下财政贡献的2倍奖励。最高不超过50万元。"
)

contribution_declared = leaf(
    name="city_revenue_contribution_declared",
    label="申报了年度工资薪金收入对市及以下财政的贡献",
    reads=[],
    formula=lambda p, t, _: p("city_revenue_contribution", t) > 0,
    describe=lambda f, held: (
        f"年度工资薪金收入对市及以下财政的贡献：{_yuan(f.get('city_revenue_contribution'))}"
        if held
        else "未申报年度工资薪金收入对市及以下财政的贡献"
    ),
    qualifying=False,
)

employer_in_two_industries = flag(
    name="employer_in_two_leading_industries",
    label="用人单位属于新一代电子信息产业或生物医药产业",
    variable="employer_two_leading_industries",
    reads=[],
    # 高端人才奖励工作实施细则 第十二条: the other industries' talents are under
    # 石组发〔2020〕5号, the two not both enjoyed; the why-not says where they are answered
    negative="用人单位不属于新一代电子信息产业或生物医药产业"
    "（其他产业企业引进的人才按石组发〔2020〕5号执行，不重复享受政策支持措施）",
)


def _salary_reached(p: Any, t: Any, _: Any) -> np.ndarray:
    return plain(p("industry42_high_end_tier", t)) != idx(HighEndTier.none)


def _describe_salary(f: Facts, held: bool) -> str:
    salary = _yuan(f.get("annual_salary_yuan"))
    threshold = _yuan(f.param(f"{P}.high_end_talent.threshold.t60"))
    return f"年度应纳税工资薪金收入{salary}，{'达到' if held else '不足'}{threshold}"


salary_reached = leaf(
    name="high_end_salary_reached",
    label="年度应纳税工资薪金收入在60万元以上",
    reads=["employment.annual_salary"],
    formula=_salary_reached,
    describe=_describe_salary,
)

# 第五条: "年度应纳税工资薪金收入在 60 万元以上，同时符合下列条件之一的高端人才" — (1) an A-card
# talent; (2) 正高级 or a doctorate, together with an award, an accepted project or two patents;
# (3) a senior manager or technical leader of a 高新技术企业 or of an enterprise that paid
# 500万元 or more last year. The profile decides whether the person is in none of the three (no
# A card, neither 正高级 nor doctorate, an employer neither high-tech nor at 500万元); the
# achievement of (2) and the post of (3) stay in the condition for the reviewers (decision 0357).
# (2) is two leaves, so that a 正高级 title decides it without the education being stated
senior_title_holder = leaf(
    name="high_end_senior_title",
    label="具有正高级专业技术职务（且为省部级科技进步奖三等奖及以上主要完成人、主持省部级以上科研项目"
    "并通过验收或拥有2项以上国家授权发明专利（第一发明人），并产生一定经济效益）",
    reads=[],
    formula=lambda p, t, _: plain(p("professional_title", t)) == idx(ProfessionalTitle.senior),
    describe=lambda f, held: "具有正高级专业技术职务" if held else "不具有正高级专业技术职务",
    qualifying=False,
)


doctorate_holder = leaf(
    name="high_end_doctorate",
    label="具有博士学位（且为省部级科技进步奖三等奖及以上主要完成人、主持省部级以上科研项目并通过验收"
    "或拥有2项以上国家授权发明专利（第一发明人），并产生一定经济效益）",
    reads=["person.education"],
    formula=lambda p, t, _: plain(p("highest_degree", t)) == idx(Degree.doctorate),
    describe=lambda f, held: "具有博士学位" if held else "不具有博士学位",
    qualifying=False,
)


high_tech_employer = leaf(
    name="high_end_employer_high_tech",
    label="高新技术企业的高级经营管理人才和高新技术人才",
    reads=[],
    formula=lambda p, t, _: p.employer("employer_high_tech", t),
    describe=lambda f, held: "所在企业为高新技术企业" if held else "所在企业不是高新技术企业",
    qualifying=False,
)


def _taxpayer(p: Any, t: Any, params: Any) -> np.ndarray:
    floor = param_getter(f"{P}.high_end_talent.employer_tax_floor")(params, t)
    return p.employer("employer_tax_last_year_yuan", t) >= floor


def _describe_taxpayer(f: Facts, held: bool) -> str:
    floor = _yuan(f.param(f"{P}.high_end_talent.employer_tax_floor"))
    paid = _yuan(f.get("employer_tax_last_year_yuan"))
    return f"所在企业上年度纳税{paid}，{'达到' if held else '不足'}{floor}"


taxpayer_employer = leaf(
    name="high_end_employer_tax_at_least_5m",
    label="上年度纳税500万元及以上企业的高级经营管理人才和高新技术人才",
    reads=["employment.employer_tax_last_year"],
    formula=_taxpayer,
    describe=_describe_taxpayer,
    qualifying=False,
)

high_end_category = any_of(
    holds_a,
    senior_title_holder,
    doctorate_holder,
    high_tech_employer,
    taxpayer_employer,
    label="符合第五条三类人才之一：持有石家庄市人才绿卡A卡；具有正高级专业技术职务或博士学位；"
    "高新技术企业或上年度纳税500万元及以上企业的高级经营管理人才和高新技术人才",
)

HIGH_END_CONDITION = (
    "按年度应纳税工资薪金收入所在档次，相当于对市及以下财政贡献的1.5倍或2倍，最高50万元；"
    "须符合第五条三类之一：持有石家庄市人才绿卡A卡；具有正高级专业技术职务或博士学位，且获得省部级"
    "科技进步奖三等奖及以上的主要完成人、或主持省部级以上科研项目并通过验收、或拥有2项以上国家授权"
    "发明专利（第一发明人）并产生一定经济效益；高新技术企业或上年度纳税500万元及以上企业的高级经营"
    "管理人才和高新技术人才。用人单位在本市工商注册和税务登记、依法纳税、参加社会保险并具有独立法人"
    "资格；对市及以下财政的贡献以税务部门核定为准；所在县（市、区）、开发区已兑付奖励的不重复奖励；"
    "每年7月1日至15日申报上一年度"
)

# 石政办发〔2022〕6号 第11条: "人才贡献奖励与高端人才、高层次人才个人所得税奖励，同年度内不重复
# 享受" —
# the rule joins this award too, so it is stated here as on the 企业骨干人才奖 (decision 0330);
# the measures were issued in 2022 (day not printed), so the sentence shows from that year on;
# they lapsed by the end of 2024 (有效期2年), and the award is claimed in July for the year before,
# so from 2026 no claim concerns a year of theirs
RETENTION_2022_YEAR = dt.date(2022, 1, 1)
AFTER_RETENTION_2022_YEARS = dt.date(2026, 1, 1)
SAME_YEAR_AS_KEY_TALENT_AWARD = (
    "；与石政办发〔2022〕6号第11条“企业骨干人才奖”（人才贡献奖励）同年度内不重复享受"
)

HIGH_END_TALENT = Benefit(
    id="sjz.industry.high_end_talent_award",
    name="新一代电子信息和生物医药产业高端人才奖励",
    kind="money",
    audience=contribution_declared,
    requires=all_of(
        in_force_42,
        in_shijiazhuang,
        enterprise,
        employer_in_two_industries,
        salary_reached,
        high_end_category,
    ),
    amount=Amount(
        parameter=f"{P}.high_end_talent.multiple",
        keys=("industry42_high_end_tier",),
        base="city_revenue_contribution",
        ceiling=f"{P}.high_end_talent.ceiling",
    ),
    per="year",
    condition=HIGH_END_CONDITION,
    dated_conditions=(
        (RETENTION_2022_YEAR, HIGH_END_CONDITION + SAME_YEAR_AS_KEY_TALENT_AWARD),
        (AFTER_RETENTION_2022_YEARS, HIGH_END_CONDITION),
    ),
    citation=_cite("高端人才奖励工作实施细则 第五条、第八条", Q_HIGH_END),
)
