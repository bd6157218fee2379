"""保障性租赁住房 for new employees and young people (新就业职工（青年人）).

Documents encoded:

- 石政办发〔2021〕6号 (2021-11-19) 《关于加快发展保障性租赁住房的实施办法》, 附件3
  《石家庄市保障性租赁住房准入退出管理办法》: admission of new employees and young people
  (B-card and inner-district card holders without the five-year limit) and the rent subsidy;
  六（一）3 and 六（五): for units building the housing, the raised share of supporting land in
  industrial parks and residential water, electricity and gas prices (answered for a unit).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import DAY
from openfisca_core.variables import Variable

from rencai.policy.citations import Citation
from rencai.policy.engine.model import County, Person, county_member
from rencai.policy.jurisdictions.shijiazhuang.common import (
    flag,
    holds_b,
    holds_county,
    in_force,
    in_shijiazhuang,
    leaf,
    unit_query,
)
from rencai.policy.leaves import idx, lookup, param_getter, plain, years_before
from rencai.policy.rules import Amount, Benefit, all_of, any_of


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
        > years_before(t.start, int(param_getter("rental_housing.graduation_years")(params, t)))
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


RENTAL_DOC = "石政办发〔2021〕6号"


RENTAL_YOUTH = all_of(
    rental_housing_in_force,
    resides_in_main_city,
    no_property_in_main_city,
    pension_in_main_city,
    any_of(
        graduated_within_5_years,
        holds_b,
        all_of(holds_county, inner_four_district),
        label="毕业未满5年的全日制大中专及以上毕业生，或持有有效B卡、市内四区（C卡）人才绿卡",
    ),
    single_applicant_adult,
)


RENTAL_HOUSING = [
    Benefit(
        id="sjz.rental_housing.admission",
        name="保障性租赁住房申请资格（新就业职工（青年人））",
        kind="service",
        audience=rental_housing_asked,
        requires=RENTAL_YOUTH,
        # 五（六）: "已享受公共租赁住房保障的家庭，不得申请保障性租赁住房；每个家庭只能租赁一套" —
        # whether a family has 公共租赁住房 protection (a unit or its subsidy) is not a profile fact
        condition="收入稳定、有能力支付租金；已享受公共租赁住房保障的家庭不得申请，每个家庭只能租赁一套；"
        "政府产权房源摇号分配，企业产权房源优先分配本单位职工",
        citation=Citation(
            document=RENTAL_DOC,
            clause="附件3 二（一）",
            quote="持有有效市级（B 卡）或市内四区（C 卡）人才绿卡的申请人"
            "按照新就业职工（青年人）申请，"
            "不受“毕业未满 5 年”限制。",
        ),
        document="石家庄市保障性租赁住房准入退出管理办法",
    ),
    Benefit(
        id="sjz.rental_housing.subsidy",
        name="保障性租赁住房租赁补贴",
        kind="money",
        audience=rental_housing_asked,
        requires=all_of(RENTAL_YOUTH, lease_filed, no_in_kind_allocation),
        amount=Amount(parameter="rental_housing.subsidy", keys=("rental_household_band",)),
        per="month",
        years="rental_housing.subsidy_years",
        dated=False,
        condition="已享受公共租赁住房保障的家庭不得申请；自租赁补贴发放之月起最长5年；不再符合保障条件"
        "或所承租房源未在石家庄市住房租赁监管服务平台备案的，停止发放",
        document="石家庄市保障性租赁住房准入退出管理办法",
        citation=Citation(
            document="石政办发〔2021〕6号",
            clause="附件3 三（二）",
            quote="补贴标准为：1—2人家庭，每月补贴90元；3人及以上家庭每月补贴150元。实施租赁补贴保障最长为5年。",
        ),
    ),
]


measures_in_force = in_force(
    name="rental_housing_measures_in_force",
    what="关于加快发展保障性租赁住房的实施办法",
    path="rental_housing.measures_in_force",
    since="2021年11月19日",
)


park_dormitory_housing = flag(
    name="unit_builds_park_dormitory_housing",
    label="产业园区工业项目配套建设宿舍型保障性租赁住房",
    variable="unit_park_dormitory_housing",
    reads=[],
    negative="未在产业园区工业项目配套建设宿舍型保障性租赁住房",
)


rental_housing_certified = flag(
    name="unit_has_rental_housing_certificate",
    label="利用非居住存量土地或房屋建设保障性租赁住房并取得项目认定书",
    variable="unit_rental_housing_certified",
    reads=[],
    negative="未取得保障性租赁住房项目认定书",
)


# 六、支持政策: what the units building the housing receive (a right, not money)
UNIT_SUPPORT = [
    Benefit(
        id="sjz.unit.park_land_ratio",
        name="产业园区工业项目配套用地比例上限提高至15%",
        kind="service",
        target="employer",
        audience=all_of(unit_query, park_dormitory_housing),
        requires=all_of(measures_in_force, in_shijiazhuang),
        condition="经县（市、区）人民政府（管委会）同意；提高部分主要用于建设宿舍型保障性租赁住房，"
        "严禁建设成套商品住宅；配套用地面积比例及违约责任在合同中明确约定",
        citation=Citation(
            document=RENTAL_DOC,
            clause="六（一）3",
            quote="可将产业园区中工业项目配套建设行政办公及生活服务设施的"
            "用地面积占项目总用地面积的比例上限由7%提高到15%",
        ),
    ),
    Benefit(
        id="sjz.unit.residential_utility_prices",
        name="保障性租赁住房项目用水、用电、用气执行居民价格",
        kind="service",
        target="employer",
        audience=all_of(unit_query, rental_housing_certified),
        requires=all_of(measures_in_force, in_shijiazhuang),
        citation=Citation(
            document=RENTAL_DOC,
            clause="六（五）",
            quote="利用非居住存量土地和非居住存量房屋建设保障性租赁住房，取得保障性租赁住房项目"
            "认定书后，用水、用电、用气价格按照居民标准执行。",
        ),
    ),
]


HELPERS: list[type[Variable]] = [rental_household_band]
