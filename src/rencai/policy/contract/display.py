"""A profile as people read it: labelled Chinese fields in sections, codes turned into their
vocabulary labels, money with 元, yes/no as 是/否. The labels are the calculator form's wording.

Used where a person looks at a stored profile (the reviewer's case page); a field the profile
does not state is left out rather than shown as empty, and nothing internal (keys, codes,
field paths) reaches the reader.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from rencai.policy.contract.vocabulary import vocabulary

Rows = list[tuple[str, str]]

INTRODUCED = {"outside_city": "从市外引进", "abroad": "从国（境）外引进", "local": "本地培育"}
MODES = {"full_time": "全职", "flexible": "柔性引进"}
RELATIONS = {"spouse": "配偶", "parent": "父母", "child": "子女"}
AWARD_LEVELS = {"national": "国家级", "provincial": "省部级"}
AWARD_KINDS = {"natural_science": "自然科学奖", "invention": "技术发明奖", "progress": "科技进步奖"}
AWARD_GRADES = {"1": "一等奖", "2": "二等奖", "3": "三等奖", "special": "特等奖"}
HIGH_TECH = {"none": "无", "new": "新认定", "renewed": "重新认定"}
POSTDOC = {
    "none": "无",
    "station": "博士后科研工作站",
    "substation": "分站",
    "practice_base": "创新实践基地",
}
# 石政办函〔2021〕42号: the unit's facts for one application, as the form words them
UNIT_CHOICES = {
    "sector": (
        "所属主导产业",
        {"none": "其他", "electronic_information": "新一代电子信息", "biomedicine": "生物医药"},
    ),
    "recognised_as": (
        "经认定的企业类别",
        {
            "none": "未认定",
            "ic_design": "集成电路设计企业",
            "ic": "其他集成电路企业",
            "software": "软件企业",
            "biomedicine": "生物医药企业",
        },
    ),
    "testing_institution": (
        "检验检测机构",
        {
            "none": "无",
            "new_national_gap": "新建，检测能力填补国内空白",
            "new_provincial_gap": "新建，检测能力填补省内空白",
            "expanded_national_gap": "拓展检测能力，填补国内空白",
            "expanded_provincial_gap": "拓展检测能力，填补省内空白",
        },
    ),
    "drug_class": ("新药类别", {"none": "无", "class1": "I类新药", "class2": "II类新药"}),
    "clinical_phase_completed": (
        "完成的临床试验阶段",
        {"none": "无", "1": "I期", "2": "II期", "3": "III期"},
    ),
    "generic": (
        "仿制药",
        {"none": "无", "first_generic": "首仿药", "consistency_top3": "全国前三家通过一致性评价"},
    ),
    "device": (
        "医疗器械",
        {"none": "无", "innovative_class2": "创新型二类医疗器械", "class3": "三类医疗器械"},
    ),
}
UNIT_FLAGS = {
    "industrial_enterprise": "工业企业",
    "major_project_lead": "国家科技重大专项牵头单位",
    "rd_headquarters": "经认定的研发总部",
    "drug_registered": "已获药品注册证书并在本市产业化",
    "drug_rd_awarded": "该品种研发阶段已获奖励支持",
    "project_city_fund": "项目获得市主导产业发展基金支持",
    "tech_sme": "科技型中小企业（省科技厅备案有效期内）",
    "first_loan": "首次获得贷款",
}
UNIT_MONEY = {
    "major_project_national_funds": "重大专项国家实际拨付经费",
    "rd_spending_last_year": "上年度研究开发费用总额",
    "testing_investment": "检验检测机构投资总额",
    "product_annual_sales": "申报品种年销售额",
    "generic_awards_this_year": "本年度已获仿制药奖励",
    "procurement_awards_received": "已获国家集采奖励",
    "local_supplier_purchase": "向同一本地无资产关联企业的年采购额",
    "cooperation_awards_this_year": "本年度已获协作配套奖励",
    "project_fixed_investment": "产业化项目固定资产投资总额",
    "project_state_support": "国家和省产业化专项资金支持总额",
    "introduced_project_investment": "引荐项目总投资",
    "introduced_project_fixed_assets": "引荐项目固定资产投资完成额",
    "main_revenue": "年度主营业务收入",
    "main_revenue_previous_best": "以往年度主营业务收入最高值",
    "loan_interest_paid": "年度实际支付贷款利息",
    "interest_subsidy_received": "本措施有效期内已获贴息总额",
    "electricity_bill": "年度电费",
    "tapeout_costs": "流片、光罩、IP及测试验证费用",
    "steam_bill": "年度蒸汽费",
    "boiler_gas_bill": "自备燃气锅炉生产蒸汽所购燃气费",
}
UNIT_COUNTS = {
    "major_project_year": ("重大专项立项年度", "年"),
    "international_certifications": ("新通过国际认证的品种数", "个"),
    "procurement_wins": ("新中标国家集采的品种数", "个"),
    "apprentices_intermediate": ("本年度参加企业新型学徒制培训的中级工学徒", "人"),
    "apprentices_advanced": ("本年度参加企业新型学徒制培训的高级工学徒", "人"),
    "apprentices_technician": ("本年度参加企业新型学徒制培训的技师和高级技师学徒", "人"),
}
SPECIALISED_TITLES = {
    "provincial": "省级“专精特新”中小企业",
    "provincial_renewed": "首次获评省级“专精特新”中小企业，三年期满通过复核",
    "demonstration": "省级“专精特新”示范企业",
    "little_giant": "国家专精特新“小巨人”",
}
# Chinese names of the unit's fields, for "needs information" messages
UNIT_FIELD_LABELS = {
    **{f"unit.{k}": v[0] for k, v in UNIT_CHOICES.items()},
    **{f"unit.{k}": v for k, v in UNIT_FLAGS.items()},
    **{f"unit.{k}": v for k, v in UNIT_MONEY.items()},
    **{f"unit.{k}": v[0] for k, v in UNIT_COUNTS.items()},
    "unit.specialised_titles": "“专精特新”称号",
    "unit.drug_rd_awarded": "该品种研发阶段是否已获奖励支持",
}
GAZELLE = {
    "one_year": "一年爆发式增长瞪羚企业",
    "three_year": "三年复合式增长瞪羚企业",
    "five_year": "五年连续增长瞪羚企业",
}
SCHOOL_BASE = {"national": "达到国家级标准", "provincial": "达到省级标准"}
SKILL_CERTIFICATES = {"primary": "初级", "intermediate": "中级", "advanced": "高级"}
MANAGEMENT = {
    "provincial_honor": "具有省部级及以上荣誉称号的经营管理人才",
    "china500_middle_manager": "来本市前在中国500强企业担任过中层及以上职务",
    "leads_above_scale_enterprise": "来本市后担任规模以上企业领导职务",
}


def _yes(value: Any) -> str:
    return "是" if value else "否"


def _money(value: Any) -> str:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"{amount:,.2f} 元"


def _label(kind: str, code: Any) -> str:
    return vocabulary().label(kind, str(code))


def _county(code: Any) -> str:
    county = vocabulary().counties.get(str(code))
    return county.name if county else str(code)


def _add(rows: Rows, label: str, value: Any, render: Any = str) -> None:
    if value is None or value == "" or value == []:
        return
    rows.append((label, render(value)))


def _person(person: dict[str, Any]) -> Rows:
    rows: Rows = []
    _add(rows, "出生日期", person.get("birth_date"))
    _add(rows, "国籍（地区）", person.get("nationality"))
    for title, key, kind in (
        ("职称", "professional_title", "professional_title"),
        ("技能等级", "skill_level", "skill_level"),
    ):
        if person.get(key) not in (None, "none"):
            rows.append((title, _label(kind, person[key])))
    if person.get("shortage_occupation"):
        rows.append(("紧缺工种", "是"))
    _add(rows, "工种（职业）", person.get("occupation"))
    if person.get("catalogued_occupation"):
        rows.append(("列入本市公布的急需紧缺工种目录", "是"))
    honors = [_label("honor", h) for h in person.get("honors") or []]
    _add(rows, "荣誉称号", "、".join(honors))
    for award in person.get("science_awards") or []:
        rows.append(
            (
                "科技奖励",
                f"{AWARD_LEVELS.get(award.get('level'), '')}"
                f"{AWARD_KINDS.get(award.get('kind'), '')}"
                f"{AWARD_GRADES.get(str(award.get('grade')), '')}，完成人排名第{award.get('rank')}",
            )
        )
    if person.get("invention_patents"):
        rows.append(("国家授权发明专利", f"{person['invention_patents']} 项"))
    if person.get("patents_commercialised_locally"):
        rows.append(("专利在本市转化落地并产生经济效益", "是"))
    management = person.get("management") or {}
    for key, text in MANAGEMENT.items():
        if management.get(key):
            rows.append(("经营管理人才", text))
    recognitions = [_label("recognition", r) for r in person.get("recognitions") or []]
    _add(rows, "认定类别", "、".join(recognitions))
    if person.get("postdoc_in_station"):
        rows.append(("在站博士后研究人员", "是"))
    _add(
        rows,
        "国家一类技能竞赛名次",
        person.get("national_class1_competition_place"),
        lambda v: f"第{v}名",
    )
    _add(
        rows,
        "累计缴纳失业保险费",
        person.get("unemployment_insurance_months"),
        lambda v: f"{v} 个月",
    )
    if person.get("skill_certificate") not in (None, "none"):
        rows.append(("取得的职业技能证书", SKILL_CERTIFICATES.get(person["skill_certificate"], "")))
    _add(rows, "取得证书日期", person.get("skill_certificate_date"))
    _add(
        rows,
        "自主创业后申报年度实际缴纳的社会保险费",
        person.get("startup_social_insurance_paid"),
        _money,
    )
    _add(
        rows,
        "利用市大型仪器设备共享平台测试检测的实际支出",
        person.get("instrument_sharing_fees"),
        _money,
    )
    _add(
        rows,
        "年度工资薪金收入对市及以下财政的贡献",
        person.get("city_revenue_contribution"),
        _money,
    )
    return rows


def _education(item: dict[str, Any]) -> Rows:
    rows: Rows = []
    _add(rows, "学历学位", item.get("degree"), lambda v: _label("degree", v))
    if item.get("full_time") is not None:
        rows.append(("全日制", _yes(item["full_time"])))
    _add(rows, "毕业院校", item.get("school"))
    tags = [_label("school_tag", t) for t in item.get("school_tags") or []]
    _add(rows, "院校类别", "、".join(tags))
    _add(rows, "学科", item.get("discipline"))
    _add(rows, "毕业日期", item.get("graduation_date"))
    if item.get("overseas") is not None:
        rows.append(("国（境）外学历", _yes(item["overseas"])))
    return rows


def _employment(employment: dict[str, Any]) -> Rows:
    rows: Rows = []
    _add(rows, "单位类型", employment.get("employer_type"), lambda v: _label("employer_type", v))
    if employment.get("employer_leading_industry"):
        rows.append(("五大主导产业企业", "是"))
    if employment.get("employer_high_tech"):
        rows.append(("高新技术企业", "是"))
    _add(rows, "单位上年度纳税额", employment.get("employer_tax_last_year"), _money)
    _add(rows, "年工资薪金收入", employment.get("annual_salary"), _money)
    if employment.get("employer_two_leading_industries"):
        rows.append(("新一代电子信息或生物医药产业企业", "是"))
    _add(rows, "工作所在县（市、区）", employment.get("county"), _county)
    _add(rows, "引进来源", employment.get("introduced_from"), lambda v: INTRODUCED.get(v, v))
    _add(rows, "引进方式", employment.get("mode"), lambda v: MODES.get(v, v))
    _add(rows, "到本市工作或创业日期", employment.get("start_date"))
    if employment.get("social_insurance_local") is not None:
        rows.append(("在本地缴纳社会保险", _yes(employment["social_insurance_local"])))
    return rows


def _family(member: dict[str, Any]) -> Rows:
    rows: Rows = []
    _add(rows, "关系", member.get("relation"), lambda v: RELATIONS.get(v, v))
    _add(rows, "姓名", member.get("name"))
    _add(rows, "出生日期", member.get("birth_date"))
    if member.get("employed") is not None:
        rows.append(("是否就业", _yes(member["employed"])))
    return rows


def _housing(housing: dict[str, Any]) -> Rows:
    rows: Rows = []
    for key, title in (
        ("resides_in_main_city", "有城区户口或主城区居住证，且在主城区实际居住"),
        ("owns_property_in_main_city", "家庭在主城区有自有住房、公有住房或投资性房产"),
        ("lease_filed", "承租房源已在本市住房租赁监管服务平台备案"),
        ("in_kind_allocation", "已享受保障性租赁住房实物配租"),
    ):
        if housing.get(key) is not None:
            rows.append((title, _yes(housing[key])))
    _add(rows, "申请家庭人数", housing.get("household_size"), lambda v: f"{v} 人")
    return rows


def _unit(unit: dict[str, Any]) -> Rows:
    rows: Rows = []
    _add(
        rows, "高新技术企业认定", unit.get("high_tech_certification"), lambda v: HIGH_TECH.get(v, v)
    )
    for key, title in (
        ("new_gazelle", "新认定瞪羚企业"),
        ("new_eaglet", "新认定雏鹰企业"),
        ("new_city_training_base", "新创建市级高技能人才培训基地"),
        ("new_city_master_studio", "新评定市级技能大师工作室"),
    ):
        if unit.get(key):
            rows.append((title, "是"))
    _add(rows, "博士后平台", unit.get("new_postdoc_platform"), lambda v: POSTDOC.get(v, v))
    for key, (title, names) in UNIT_CHOICES.items():
        if unit.get(key) not in (None, "none"):
            rows.append((title, names.get(unit[key], unit[key])))
    for key, title in UNIT_FLAGS.items():
        if unit.get(key) is not None and (unit[key] or key == "drug_rd_awarded"):
            rows.append((title, _yes(unit[key])))
    titles = unit.get("specialised_titles") or []
    _add(rows, "“专精特新”称号", "、".join(SPECIALISED_TITLES.get(t, t) for t in titles))
    for key, (title, measure) in UNIT_COUNTS.items():
        if unit.get(key):
            rows.append((title, f"{unit[key]} {measure}"))
    for key, title in UNIT_MONEY.items():
        _add(rows, title, unit.get(key), _money)
    for key, title in (
        ("new_city_innovation_studio", "新评定命名的市级劳模和工匠人才创新工作室"),
        ("park_dormitory_housing", "产业园区工业项目配套建设宿舍型保障性租赁住房"),
        ("rental_housing_certified", "已取得保障性租赁住房项目认定书"),
        ("new_city_industry_institute", "新认定的市级产业技术研究院"),
    ):
        if unit.get(key):
            rows.append((title, "是"))
    _add(
        rows,
        "首次评选为瞪羚企业",
        GAZELLE.get(unit.get("first_gazelle_category") or "none"),
    )
    _add(
        rows,
        "院校新创建高技能人才培训基地",
        SCHOOL_BASE.get(unit.get("new_school_training_base") or "none"),
    )
    return rows


def describe(profile: dict[str, Any]) -> list[dict[str, Any]]:
    """The profile as sections of (label, value) rows, in Chinese; empty sections left out."""
    sections: list[dict[str, Any]] = []

    def section(title: str, rows: Rows) -> None:
        if rows:
            sections.append({"title": title, "rows": rows})

    jurisdiction = profile.get("jurisdiction")
    basics: Rows = []
    _add(basics, "地区", jurisdiction, lambda v: _label("jurisdiction", v))
    section("基本信息", basics + _person(profile.get("person") or {}))
    for number, item in enumerate((profile.get("person") or {}).get("education") or [], 1):
        section(f"学历学位（{number}）", _education(item))
    section("工作单位与引进", _employment(profile.get("employment") or {}))
    for number, member in enumerate(profile.get("family") or [], 1):
        section(f"家庭成员（{number}）", _family(member))
    if profile.get("housing"):
        section("住房情况", _housing(profile["housing"]))
    if profile.get("unit"):
        section("单位申报事项", _unit(profile["unit"]))
    return sections
