"""The money the green cards grant, and which of it is not received twice (就高).

Documents encoded:

- 石办字〔2017〕15号 《石家庄市人才绿卡管理办法（试行）》 可享受的服务项目（5）—（7）: the A-card
  entrepreneur's loan interest, incubator and factory rent, home purchase and rent; and the
  flexible-introduction work allowance;
- 石办字〔2017〕39号 《石家庄市人才绿卡(B卡)管理办法(试行)》 可享受的服务项目（3）（4）（5）: the B
  card's startup grant, site rent and social-insurance 等额补贴, the 50 % instrument-sharing
  subsidy, rent subsidy and purchase subsidy;
- 各县（市、区）人才绿卡管理办法 可享受的服务项目（6）（10）: the county's startup grant, site rent,
  social-insurance 等额补贴 and rent subsidy, and 资金补助项目按就高原则，不重复享受;
- 石字〔2021〕7号 (2021-02-10) 第4条: the B card's doctorate rent and purchase amounts raised;
- 《关于深入实施新时代人才强市战略的若干措施（试行）》 (2023-11-03): the B card's one-off
  settlement allowance.
"""

from __future__ import annotations

import numpy as np
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import DAY
from openfisca_core.variables import Variable

from rencai.policy.citations import Citation
from rencai.policy.engine.model import (
    TAG_BIT,
    County,
    Degree,
    EmploymentMode,
    Person,
    county_member,
)
from rencai.policy.jurisdictions.shijiazhuang.common import (
    bachelor_or_above,
    college_graduate,
    full_time_introduction,
    holds_a,
    holds_b,
    holds_county,
    in_force,
    in_shijiazhuang,
    introduced,
    leaf,
    self_employed,
    social_insurance_local,
)
from rencai.policy.jurisdictions.shijiazhuang.green_card import (
    A_OR_B_NO_COUNTY_CARD,
    CountyGroup,
    CountyRentTier,
    county_higher_by_title,
)
from rencai.policy.leaves import idx, lookup, param_getter, plain, years_before
from rencai.policy.rules import Amount, Benefit, Condition, Exclusivity, Facts, all_of, any_of


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
            | county_higher_by_title(person, period)
        )
        other = ~higher & (ft == idx(Degree.bachelor))
        return np.select(
            [higher, other],
            [idx(CountyRentTier.higher), idx(CountyRentTier.other_bachelor)],
            idx(CountyRentTier.none),
        )


# Two leaves, so that a title or a skill decides the tier without the education, which cannot
# change it (decision 0359); the amount reads the tier, the higher one either way
county_rent_tier_by_title = leaf(
    name="in_county_rent_tier_by_title",
    label="中级职称及以上专业技术人员和紧缺工种技师",
    reads=[],
    formula=lambda p, t, _: county_higher_by_title(p, t),
    describe=lambda f, held: (
        "属于县卡房租补贴人员范围：中级职称及以上专业技术人员或紧缺工种技师"
        if held
        else "不是中级职称及以上专业技术人员或紧缺工种技师"
    ),
)


county_rent_tier_by_degree = leaf(
    name="in_county_rent_tier",
    label="引进的全日制硕士学位研究生、大学本科一批录取的高校全日制学士学位毕业生，"
    "或其他全日制学士学位毕业生",
    reads=["person.education", "person.education.full_time"],
    formula=lambda p, t, _: plain(p("county_rent_tier", t)) != idx(CountyRentTier.none),
    describe=lambda f, held: (
        f"属于县卡房租补贴人员范围：{CountyRentTier[f.get('county_rent_tier')].value}"
        if held
        else "不属于县卡房租补贴人员范围（全日制学士及以上、中级职称及以上或紧缺工种技师）"
    ),
)


county_rent_tier_ok = any_of(
    county_rent_tier_by_title,
    county_rent_tier_by_degree,
    label="引进的全日制硕士学位研究生、大学本科一批录取的高校全日制学士学位毕业生、"
    "中级职称及以上专业技术人员和紧缺工种技师，或其他全日制学士学位毕业生",
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
            p("start_date", t) > years_before(t.start, param_getter(years_path)(params, t))
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


flexible_introduction = leaf(
    name="flexible_introduction",
    label="柔性引进",
    reads=[],
    formula=lambda p, t, _: plain(p("employment_mode", t)) == idx(EmploymentMode.flexible),
    describe=lambda f, held: "柔性引进" if held else "全职引进（本项为柔性引进人才的工作津贴）",
)


def _declared(name: str, label: str, variable: str) -> Condition:
    """The person states the amount paid (greater than zero): who the item is for."""
    return leaf(
        name=name,
        label=f"申报了{label}",
        reads=[],
        formula=lambda p, t, _: p(variable, t) > 0,
        describe=lambda f, held: f"{label}：{f.get(variable)}元" if held else f"未申报{label}",
        qualifying=False,
    )


social_insurance_declared = _declared(
    "startup_social_insurance_declared",
    "自主创业后申报年度实际缴纳的社会保险费",
    "startup_social_insurance_paid",
)
instrument_fees_declared = _declared(
    "instrument_sharing_fees_declared",
    "利用市大型仪器设备共享平台测试检测的实际支出费用",
    "instrument_sharing_fees",
)
within_b_social_insurance_period = within_years(
    name="within_b_social_insurance_period",
    years_path="startup.b_social_insurance_years",
    label="在B卡创业社会保险费补贴的3年期限内",
)
within_county_social_insurance_period = within_years(
    name="within_county_social_insurance_period",
    years_path="startup.county_social_insurance_years",
    label="在县卡创业社会保险费补贴的3年期限内",
)

SOCIAL_INSURANCE_CONDITION = (
    "初次领取营业执照并稳定经营6个月以上；按申报年度实际缴纳的社会保险费等额补贴，"
    "以缴费记录为准，每年申报"
)


BY_DEGREE = ("highest_degree",)


MONEY = [
    Benefit(
        id="sjz.b.rent_subsidy",
        name="房租补助",
        kind="money",
        requires=all_of(holds_b, bachelor_or_above, within_b_rent_period),
        amount=Amount(parameter="b_card.rent_subsidy", keys=BY_DEGREE),
        per="month",
        years="b_card.rent_subsidy_years",
        card="card.b",
        citation=Citation(
            document="石办字〔2017〕39号",
            clause="可享受的服务项目（5）",
            quote="持卡人到我市工作或创业之日起5年内，可享受每月博士3000元、硕士1500元、学士1000元的房租补助。",
        ),
    ),
    Benefit(
        id="sjz.b.purchase_subsidy",
        name="一次性购房补贴",
        kind="money",
        requires=all_of(holds_b, bachelor_or_above),
        amount=Amount(parameter="b_card.purchase_subsidy", keys=BY_DEGREE),
        per="once",
        condition="在市域内购买首套自用商品房和存量房",
        card="card.b",
        citation=Citation(
            document="石办字〔2017〕39号",
            clause="可享受的服务项目（5）",
            quote="在市域内购买首套自用商品房和存量房的，不受住房限购政策限制，市财政分别给予博士30万元、硕士10万元、学士5万元的一次性购房补贴。",
        ),
    ),
    Benefit(
        id="sjz.b.settlement_allowance",
        name="一次性安家补贴",
        kind="money",
        requires=all_of(holds_b, bachelor_or_above, settlement_in_force),
        amount=Amount(parameter="b_card.settlement_allowance", keys=BY_DEGREE),
        per="once",
        card="card.b",
        citation=Citation(
            document="《关于深入实施新时代人才强市战略的若干措施（试行）》（2023年11月3日发布；见《河北日报》2023年11月6日）",
            clause="深入实施人才绿卡制度",
            quote="對符合市人才綠卡B卡的人才,在享受房租補助、購房補貼等政策的同時,再分別給予學士1萬元、碩士3萬元、博士5萬元的一次性安家補貼",
        ),
    ),
    Benefit(
        id="sjz.b.startup_grant",
        name="一次性创业补助",
        kind="money",
        audience=self_employed,
        requires=all_of(holds_b, college_graduate),
        amount=Amount(parameter="startup.b_grant"),
        per="once",
        condition="初次领取营业执照并稳定经营6个月以上",
        card="card.b",
        citation=Citation(
            document="石办字〔2017〕39号",
            clause="可享受的服务项目（3）",
            quote="引进的普通高校毕业生自主创业，初次领取营业执照并稳定经营6个月以上的，给予每人1万元的一次性创业补助",
        ),
    ),
    Benefit(
        id="sjz.b.startup_site_rent",
        name="创业经营场地租金补贴",
        kind="money",
        audience=self_employed,
        requires=all_of(holds_b, college_graduate),
        amount=Amount(parameter="startup.b_site_rent"),
        per="year",
        years="startup.b_site_rent_years",
        condition="租用经营场地（按实际租金补贴，每年最高额）",
        cap=True,
        card="card.b",
        citation=Citation(
            document="石办字〔2017〕39号",
            clause="可享受的服务项目（3）",
            quote="无经营场地的优先入驻政府建设的孵化器，租用经营场地的，3年内每年给予最高5000元的租金补贴。",
        ),
    ),
    Benefit(
        id="sjz.b.social_insurance_subsidy",
        name="创业社会保险费等额补贴",
        kind="money",
        audience=social_insurance_declared,
        requires=all_of(holds_b, college_graduate, self_employed, within_b_social_insurance_period),
        amount=Amount(
            parameter="startup.b_social_insurance_rate", base="startup_social_insurance_paid"
        ),
        per="year",
        years="startup.b_social_insurance_years",
        condition=SOCIAL_INSURANCE_CONDITION,
        card="card.b",
        citation=Citation(
            document="石办字〔2017〕39号",
            clause="可享受的服务项目（3）",
            quote="引进的普通高校毕业生自主创业，初次领取营业执照并稳定经营6个月以上的，给予每人1万元的"
            "一次性创业补助，3年内按实际缴纳的社会保险费给予等额补贴",
        ),
    ),
    Benefit(
        id="sjz.b.instrument_sharing",
        name="大型仪器设备共享测试检测补助",
        kind="money",
        audience=instrument_fees_declared,
        requires=all_of(holds_b),
        amount=Amount(parameter="b_card.instrument_sharing_rate", base="instrument_sharing_fees"),
        per="once",
        condition="利用石家庄市大型仪器设备共享平台资源进行测试检测等研发活动；"
        "按申报的实际支出费用（以票据为准）的50%补助，文件未规定上限",
        card="card.b",
        citation=Citation(
            document="石办字〔2017〕39号",
            clause="可享受的服务项目（4）",
            quote="对利用石家庄市大型仪器设备共享平台资源进行测试检测等研发活动的，按实际支出费用的50%给予补助。",
        ),
    ),
    Benefit(
        id="sjz.county.rent_subsidy",
        name="县（市、区）房租补贴",
        kind="money",
        requires=all_of(
            any_of(holds_county, holds_a, holds_b),
            introduced,
            full_time_introduction,
            county_rent_tier_ok,
            within_county_rent_period,
        ),
        amount=Amount(
            parameter="county_card.rent_subsidy", keys=("county_rent_tier", "county_group")
        ),
        per="year",
        years="county_card.rent_subsidy_years",
        card="card.county",
        citation=Citation(
            document="各县（市、区）人才绿卡管理办法",
            clause="可享受的服务项目（10）",
            quote="持卡人到县(市、区)工作或创业之日起5年内可享受房租补贴,其中,引进的全日制硕士学位研究生、大学本科一批录取的高校全日制学士学位毕业生、中级职称及以上专业技术人员和紧缺工种技师,引进5年内每人每年房租补助为:市内主城区5000元、组团县(区)6000元、转型升级重点县7000元、西部山区县8000元。",
        ),
    ),
    Benefit(
        id="sjz.county.startup_grant",
        name="县（市、区）一次性创业补助",
        kind="money",
        requires=all_of(
            any_of(holds_county, holds_a, holds_b),
            college_graduate,
            social_insurance_local,
        ),
        audience=self_employed,
        amount=Amount(parameter="startup.county_grant"),
        per="once",
        condition="初次领取营业执照并稳定经营6个月以上",
        card="card.county",
        citation=Citation(
            document="各县（市、区）人才绿卡管理办法",
            clause="可享受的服务项目（6）",
            quote="引进的普通高校毕业生自主创业并正常缴纳社会保险的，初次领取营业执照并稳定经营6个月以上的，县（市、区）财政给予每人1万元的一次性创业补助",
        ),
    ),
    Benefit(
        id="sjz.county.social_insurance_subsidy",
        name="县（市、区）创业社会保险费等额补贴",
        kind="money",
        audience=social_insurance_declared,
        requires=all_of(
            any_of(holds_county, holds_a, holds_b),
            college_graduate,
            self_employed,
            social_insurance_local,
            within_county_social_insurance_period,
        ),
        amount=Amount(
            parameter="startup.county_social_insurance_rate",
            base="startup_social_insurance_paid",
        ),
        per="year",
        years="startup.county_social_insurance_years",
        condition=SOCIAL_INSURANCE_CONDITION,
        card="card.county",
        citation=Citation(
            document="各县（市、区）人才绿卡管理办法",
            clause="可享受的服务项目（6）",
            quote="引进的普通高校毕业生自主创业并正常缴纳社会保险的，初次领取营业执照并稳定经营6个月以"
            "上的，县（市、区）财政给予每人1万元的一次性创业补助，3年内按实际缴纳的社会保险费给予等额补贴",
        ),
    ),
    Benefit(
        id="sjz.county.startup_site_rent",
        name="县（市、区）创业经营场地租金补贴",
        kind="money",
        requires=all_of(
            any_of(holds_county, holds_a, holds_b),
            college_graduate,
            social_insurance_local,
        ),
        audience=self_employed,
        amount=Amount(parameter="startup.county_site_rent"),
        per="year",
        years="startup.county_site_rent_years",
        condition="租用经营场地（按实际租金补贴，每年最高额）",
        cap=True,
        card="card.county",
        citation=Citation(
            document="各县（市、区）人才绿卡管理办法",
            clause="可享受的服务项目（6）",
            quote="无经营场地的优先入驻政府建设的孵化器，租用经营场地的，3年内每年给予最高5000元的租金补贴。",
        ),
    ),
]


A_ENTREPRENEUR = (
    "掌握具有自主知识产权核心技术，成果能在石家庄市转化落地；"
    "所创办企业已在石家庄市行政区划内进行工商注册且税务登记"
)


def _a_entrepreneur(
    benefit_id: str,
    name: str,
    parameter: str,
    per: str,
    years: str | None,
    condition: str,
    citation: Citation,
) -> Benefit:
    return Benefit(
        id=benefit_id,
        name=name,
        kind="money",
        audience=all_of(holds_a, self_employed),
        requires=all_of(introduced),
        amount=Amount(parameter=parameter),
        per=per,  # type: ignore[arg-type]
        years=years,
        condition=f"{condition}；{A_ENTREPRENEUR}",
        cap=True,
        card="card.a",
        citation=citation,
    )


A_MONEY = [
    _a_entrepreneur(
        benefit_id="sjz.a.loan_interest_subsidy",
        name="高层次人才创业贷款贴息补助",
        parameter="a_card.entrepreneur.loan_interest",
        per="year",
        years="a_card.entrepreneur.loan_interest_years",
        condition="获得银行贷款，按实际贴息，每年最高额",
        citation=Citation(
            document="石办字〔2017〕15号",
            clause="可享受的服务项目（5）",
            quote="获得银行贷款，市财政 2 年内每年给予最高 1000 万元的贷款贴息补助。",
        ),
    ),
    _a_entrepreneur(
        benefit_id="sjz.a.incubator_rent_subsidy",
        name="高层次人才创业孵化器租房费用补贴",
        parameter="a_card.entrepreneur.incubator_rent",
        per="year",
        years="a_card.entrepreneur.incubator_rent_years",
        condition="未取得建设用地前入驻政府建设的孵化器，按实际费用，每年最高额",
        citation=Citation(
            document="石办字〔2017〕15号",
            clause="可享受的服务项目（6）",
            quote="在未取得建设用地之前，优先入驻石家庄科技中心等政府建设的孵化器，市财政 3 年内每"
            "年补贴最高 50 万元的租房费用",
        ),
    ),
    _a_entrepreneur(
        benefit_id="sjz.a.factory_rent_subsidy",
        name="高层次人才创业厂房租赁费用补贴",
        parameter="a_card.entrepreneur.factory_rent",
        per="year",
        years="a_card.entrepreneur.factory_rent_years",
        condition="租赁厂房直接生产销售，按实际费用，每年最高额",
        citation=Citation(
            document="石办字〔2017〕15号",
            clause="可享受的服务项目（6）",
            quote="租赁厂房直接生产销售的，市财政 2 年内每年补贴最高 200 万元的房屋租赁费用。",
        ),
    ),
    _a_entrepreneur(
        benefit_id="sjz.a.home_purchase_subsidy",
        name="高层次人才创业购房补贴",
        parameter="a_card.entrepreneur.home_purchase",
        per="once",
        years=None,
        condition="在市区内购买首套自用商品住房，5年内给予，最高额",
        citation=Citation(
            document="石办字〔2017〕15号",
            clause="可享受的服务项目（7）",
            quote="在市区内购买首套自用商品住房，不受住房限购政策限制，房屋登记部门优先办理房屋登"
            "记，市财政 5 年内给予最高 100 万元的购房补贴",
        ),
    ),
    _a_entrepreneur(
        benefit_id="sjz.a.rent_reimbursement",
        name="高层次人才创业租房费用报销",
        parameter="a_card.entrepreneur.rent_reimbursement",
        per="year",
        years="a_card.entrepreneur.rent_reimbursement_years",
        condition="租住房屋，据实报销，每年最高额",
        citation=Citation(
            document="石办字〔2017〕15号",
            clause="可享受的服务项目（7）",
            quote="对租住房屋的据实报销，5 年内每年报销最高 5 万元的租房费用",
        ),
    ),
    Benefit(
        id="sjz.a.flexible_work_allowance",
        name="柔性引进高层次人才工作津贴",
        kind="money",
        audience=all_of(holds_a, flexible_introduction),
        requires=all_of(in_shijiazhuang),
        amount=Amount(parameter="a_card.flexible_allowance"),
        per="month",
        condition="入选我市人才项目、科技项目并签订3年以上合同；按专家本人在我市实际工作月数发放",
        card="card.a",
        citation=Citation(
            document="石办字〔2017〕15号",
            clause="可享受的服务项目（8）",
            quote="柔性引进的高层次人才可申报我市人才项目、科技项目，入选者享受相关政策待遇，签订 "
            "3 年以上合同的，根据专家本人在我市实际工作月数，每月分别给予 1.5 万元、0.5 万元"
            "的工作津贴。",
        ),
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
        id="sjz.exclusive.startup_social_insurance",
        rule="highest",
        members=("sjz.b.social_insurance_subsidy", "sjz.county.social_insurance_subsidy"),
        citation=A_OR_B_NO_COUNTY_CARD,
        label="市、县创业社会保险费等额补贴按就高原则，不重复享受",
    ),
    Exclusivity(
        id="sjz.exclusive.startup_site_rent",
        rule="highest",
        members=("sjz.b.startup_site_rent", "sjz.county.startup_site_rent"),
        citation=A_OR_B_NO_COUNTY_CARD,
        label="市、县创业经营场地租金补贴按就高原则，不重复享受",
    ),
]


HELPERS: list[type[Variable]] = [county_group, county_rent_tier]
