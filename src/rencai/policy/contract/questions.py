"""Every profile field as people are asked for it: its Chinese name and its question.

The one mapping from a field path (``employment.annual_salary``) to what a person reads
("年工资薪金收入（税前）", "您的年工资薪金收入（税前）是多少元？"). The calculator's 需补充的信息,
profile errors, the CLI and the assistant use it, so a field path never reaches a reader. A
jurisdiction may name a field its own way (``Program.field_labels``: "到石工作或创业之日"); the
question then asks with that name. ``tests/policy/test_field_questions.py`` checks that every
field the rules of every city read, and every field of the profile, has its entry here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rencai.policy.contract.display import UNIT_CHOICES, UNIT_COUNTS, UNIT_FLAGS, UNIT_MONEY


@dataclass(frozen=True)
class Question:
    label: str  # the field's name, as the form words it
    ask: str  # the question, "{label}" standing for the (possibly the city's own) name

    def text(self, label: str | None = None) -> str:
        return self.ask.format(label=label or self.label)


def _money(label: str) -> Question:
    return Question(label, "{label}是多少元？")


def _flag(label: str) -> Question:
    return Question(label, "是否{label}？")


def _date(label: str) -> Question:
    return Question(label, "{label}是哪一天？")


def _choice(label: str) -> Question:
    return Question(label, "{label}是哪一项？")


QUESTIONS: dict[str, Question] = {
    # the talent
    "person": Question("个人情况", "您的个人情况如何？"),
    "person.id_number": Question("公民身份号码", "您的公民身份号码是多少？"),
    "person.birth_date": Question("出生日期", "您的出生日期是哪一天？"),
    "person.nationality": Question("国籍", "您的国籍是？"),
    "person.education": Question("学历学位", "您取得了哪些学历学位？"),
    "person.education.degree": Question("学历学位", "您的学历学位是？"),
    "person.education.full_time": Question("是否全日制", "该学历是否为全日制？"),
    "person.education.graduation_date": Question("毕业日期", "您的毕业日期是哪一天？"),
    "person.education.school_tags": Question("院校类别", "毕业院校属于哪一类（如“双一流”）？"),
    "person.education.school": Question("毕业院校", "您的毕业院校是？"),
    "person.education.discipline": Question("学科", "您所学的学科是？"),
    "person.education.overseas": Question("境外学历", "该学历是否在国（境）外取得？"),
    "person.professional_title": Question("职称", "您的职称是？"),
    "person.skill_level": Question("技能等级", "您的职业技能等级是？"),
    "person.shortage_occupation": Question("急需紧缺职业", "您从事的是否为急需紧缺职业？"),
    "person.occupation": Question("工种（职业）", "您从事的工种（职业）名称是什么？"),
    "person.catalogued_occupation": Question(
        "工种列入本市急需紧缺工种目录", "您的工种是否列入本市公布的急需紧缺工种目录？"
    ),
    "person.honors": Question("荣誉称号", "您获得过哪些荣誉称号？"),
    "person.science_awards": Question("科技奖励", "您获得过哪些科技奖励？"),
    "person.science_awards.level": Question("科技奖励级别", "该科技奖励是国家级还是省部级？"),
    "person.science_awards.kind": Question("科技奖励类别", "该科技奖励属于哪一类？"),
    "person.science_awards.grade": Question("科技奖励等级", "该科技奖励是几等奖？"),
    "person.science_awards.rank": Question("获奖排名", "您在该奖项中排名第几？"),
    "person.invention_patents": Question("发明专利数", "您拥有几项发明专利？"),
    "person.patents_commercialised_locally": Question(
        "专利在本地转化", "您的专利成果是否在本地转化？"
    ),
    "person.management": Question("经营管理经历", "您有哪些经营管理经历？"),
    "person.management.provincial_honor": _flag("具有省部级及以上荣誉称号的经营管理人才"),
    "person.management.china500_middle_manager": _flag(
        "来本市前在中国500强企业担任过中层及以上职务"
    ),
    "person.management.leads_above_scale_enterprise": _flag("来本市后担任规模以上企业领导职务"),
    "person.recognitions": Question("人才认定", "您获得过哪些人才认定？"),
    "person.postdoc_in_station": Question("是否在站博士后研究人员", "您是否为在站博士后研究人员？"),
    "person.national_class1_competition_place": Question(
        "国家一类技能竞赛名次", "您在国家一类技能竞赛中获得第几名？"
    ),
    "person.unemployment_insurance_months": Question(
        "累计缴纳失业保险费月数", "您累计缴纳失业保险费多少个月？"
    ),
    "person.skill_certificate": Question(
        "取得的职业资格或职业技能等级证书", "您取得了哪一级职业资格或职业技能等级证书？"
    ),
    "person.skill_certificate_date": Question("取得证书日期", "您是哪一天取得该证书的？"),
    "person.startup_social_insurance_paid": _money("自主创业后申报年度本人实际缴纳的社会保险费"),
    "person.instrument_sharing_fees": _money("利用大型仪器设备共享平台测试检测的实际支出费用"),
    "person.city_revenue_contribution": _money("申报年度工资薪金收入对市及以下财政的贡献"),
    # the employment
    "employment": Question("工作情况", "您目前在哪里、以何种方式工作？"),
    "employment.employer_type": Question("单位类型", "您的用人单位属于哪一类？"),
    "employment.employer_leading_industry": _flag("用人单位属于主导产业"),
    "employment.employer_high_tech": _flag("用人单位为高新技术企业"),
    "employment.employer_tax_last_year": Question(
        "用人单位上年度纳税额", "您的用人单位上年度纳税额是多少元？"
    ),
    "employment.annual_salary": Question(
        "年工资薪金收入（税前）", "您的年工资薪金收入（税前）是多少元？"
    ),
    "employment.county": Question("工作所在县（市、区）", "您在哪个县（市、区）工作？"),
    "employment.introduced_from": Question("引进来源", "您是从市外、国（境）外引进还是本地培育？"),
    "employment.mode": Question("工作方式", "您是全职还是柔性引进？"),
    "employment.start_date": Question("到本地工作或创业之日", "您{label}是哪一天？"),
    "employment.social_insurance_local": Question("本地社保缴纳情况", "您是否在本地缴纳社会保险？"),
    "employment.employer_two_leading_industries": _flag("用人单位属于两大主导产业"),
    "jurisdiction": Question("地区", "您在哪个城市申请？"),
    "on": Question("查询日期", "按哪一天的政策计算？"),
    # the family
    "family": Question("家庭成员（父母、配偶）", "您有哪些家庭成员（父母、配偶）需要一并办理？"),
    "family.relation": Question("与本人关系", "该家庭成员与您是什么关系？"),
    "family.birth_date": Question("家庭成员出生日期", "该家庭成员的出生日期是哪一天？"),
    "family.name": Question("家庭成员姓名", "该家庭成员的姓名是？"),
    "family.employed": Question("配偶是否就业", "您的配偶目前是否就业？"),
    # housing (保障性租赁住房)
    "housing": Question("住房情况", "您家庭的住房情况如何？"),
    "housing.resides_in_main_city": Question(
        "在主城区居住", "您是否有城区户口或主城区居住证，并在主城区实际居住？"
    ),
    "housing.owns_property_in_main_city": Question(
        "在主城区有住房", "您的家庭在主城区是否有自有住房、公有住房或投资性房产？"
    ),
    "housing.household_size": Question("申请家庭人数", "申请家庭共有几人？"),
    "housing.lease_filed": Question("租赁合同已备案", "承租房源是否已在住房租赁监管服务平台备案？"),
    "housing.in_kind_allocation": Question("已享受实物配租", "是否已享受保障性租赁住房实物配租？"),
    # the unit (awards to units)
    "unit": Question("单位申报信息", "单位本次申报的情况如何？"),
    **{f"unit.{key}": _choice(label) for key, (label, _) in UNIT_CHOICES.items()},
    **{f"unit.{key}": _flag(label) for key, label in UNIT_FLAGS.items()},
    **{f"unit.{key}": _money(label) for key, label in UNIT_MONEY.items()},
    **{
        f"unit.{key}": Question(label, "{label}有多少" + f"{unit}？")
        for key, (label, unit) in UNIT_COUNTS.items()
    },
    "unit.specialised_titles": _choice("“专精特新”称号"),
    "unit.drug_rd_awarded": Question(
        "该品种研发阶段是否已获奖励支持", "该品种研发阶段是否已获奖励支持？"
    ),
    "unit.high_tech_certification": _choice("高新技术企业认定"),
    "unit.new_gazelle": _flag("新认定瞪羚企业"),
    "unit.new_eaglet": _flag("新认定雏鹰企业"),
    "unit.new_city_training_base": _flag("新创建市级高技能人才培训基地"),
    "unit.new_city_master_studio": _flag("新评定市级技能大师工作室"),
    "unit.new_postdoc_platform": _choice("新设立的博士后科研平台"),
    "unit.new_city_innovation_studio": _flag("新评定命名的市级劳模和工匠人才创新工作室"),
    "unit.first_gazelle_category": _choice("首次评选为瞪羚企业的类别"),
    "unit.park_dormitory_housing": _flag("产业园区工业项目配套建设宿舍型保障性租赁住房"),
    "unit.rental_housing_certified": _flag(
        "利用非居住存量土地或房屋建设保障性租赁住房并已取得项目认定书"
    ),
    "unit.new_school_training_base": _choice(
        "职业院校或技工院校新创建高技能人才培训基地达到的标准"
    ),
    "unit.new_city_industry_institute": _flag("新认定的市级产业技术研究院"),
}

_INDEX = re.compile(r"\.\d+(?=\.|$)")  # person.education.0.degree → person.education.degree


def question_of(path: str) -> Question | None:
    """The entry of a field path (list indexes ignored), or of its nearest named parent."""
    key = _INDEX.sub("", path)
    while key:
        if key in QUESTIONS:
            return QUESTIONS[key]
        key = key.rpartition(".")[0]
    return None


def field_label(path: str, labels: dict[str, str] | None = None) -> str:
    """The field's Chinese name (a jurisdiction's own wording first); never the path."""
    if labels and path in labels:
        return labels[path]
    entry = question_of(path)
    return entry.label if entry is not None else "所填信息"


def field_question(path: str, labels: dict[str, str] | None = None) -> str:
    """The question a person answers to give the field (a jurisdiction's wording first)."""
    entry = question_of(path)
    own = (labels or {}).get(path)
    if entry is None:
        return f"请补充{own}。" if own else "请补充所填信息。"
    return entry.text(own)
