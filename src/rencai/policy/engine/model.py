"""The entities and input variables every jurisdiction shares: the profile as OpenFisca sees it.

Inputs are facts about a person on a day, flattened into columns so that a million people load
as a handful of numpy arrays. Education is reduced to per-level bitmasks of school tags; honours
and recognitions to one boolean column each; science awards to the best rank held per
(level, kind, grade). The flattening keeps every fact a rule can ask about and decides nothing.
"""

from __future__ import annotations

import datetime as dt

from openfisca_core.entities import build_entity
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import DAY
from openfisca_core.variables import Variable

from rencai.policy.contract.vocabulary import vocabulary
from rencai.policy.rules import WideVariable

Person = build_entity(
    key="person",
    plural="persons",
    label="人员",
    doc="A talent, or a relative of one (for 副卡).",
    is_person=True,
)
Family = build_entity(
    key="family",
    plural="families",
    label="家庭",
    doc="A talent and the relatives a family card (副卡) can be issued to.",
    roles=[
        {"key": "talent", "label": "人才", "max": 1},
        {"key": "relative", "plural": "relatives", "label": "家属"},
    ],
)
Employer = build_entity(
    key="employer",
    plural="employers",
    label="用人单位",
    doc="The unit that employs or introduces the talent.",
    roles=[{"key": "employee", "plural": "employees", "label": "职工"}],
)
ENTITIES = [Person, Family, Employer]


class Degree(Enum):
    none = "无"
    associate = "大专"
    bachelor = "大学本科（学士）"
    master = "硕士研究生"
    doctorate = "博士研究生"


DEGREE_ORDER = [d.name for d in Degree]  # ascending; Enum indices compare as degree levels


class ProfessionalTitle(Enum):
    none = "无"
    junior = "初级职称"
    intermediate = "中级职称"
    deputy_senior = "副高级职称"
    senior = "正高级职称"


class SkillLevel(Enum):
    none = "无"
    senior_worker = "高级工"
    technician = "技师"
    senior_technician = "高级技师"


EmployerType = Enum("EmployerType", {"unknown": "未知", **vocabulary().codes("employer_type")})


class IntroducedFrom(Enum):
    unknown = "未知"
    outside_city = "市外引进"
    abroad = "国（境）外引进"
    local = "本地培育"


class EmploymentMode(Enum):
    full_time = "全职"
    flexible = "柔性引进"


class HighTechCertification(Enum):
    none = "无"
    new = "新认定"
    renewed = "重新认定"


class GazelleCategory(Enum):
    none = "无"
    one_year = "一年爆发式增长瞪羚企业"
    three_year = "三年复合式增长瞪羚企业"
    five_year = "五年连续增长瞪羚企业"


class SchoolTrainingBase(Enum):
    none = "无"
    national = "国家级"
    provincial = "省级"


class SkillCertificate(Enum):
    none = "无"
    primary = "初级"
    intermediate = "中级"
    advanced = "高级"


class PostdocPlatform(Enum):
    none = "无"
    station = "博士后科研工作站"
    substation = "博士后科研工作站分站"
    practice_base = "博士后创新实践基地"


class Sector(Enum):
    none = "其他"
    electronic_information = "新一代电子信息产业"
    biomedicine = "生物医药产业"


class RecognisedAs(Enum):
    none = "未认定"
    ic_design = "集成电路设计企业"
    ic = "其他集成电路企业"
    software = "软件企业"
    biomedicine = "生物医药企业"


class TestingInstitution(Enum):
    none = "无"
    new_national_gap = "新建，检测能力填补国内空白"
    new_provincial_gap = "新建，检测能力填补省内空白"
    expanded_national_gap = "拓展检测能力，填补国内空白"
    expanded_provincial_gap = "拓展检测能力，填补省内空白"


class DrugClass(Enum):
    none = "无"
    class1 = "I类新药"
    class2 = "II类新药"


class ClinicalPhase(Enum):
    none = "无"
    p1 = "I期临床试验"
    p2 = "II期临床试验"
    p3 = "III期临床试验"


class Generic(Enum):
    none = "无"
    first_generic = "首仿药"
    consistency_top3 = "全国前三家通过一致性评价"


class DrugRoute(Enum):
    unknown = "未说明研发阶段是否获得奖励支持"
    awarded = "研发阶段已获奖励支持"
    not_awarded = "研发阶段未获奖励支持"


class Device(Enum):
    none = "无"
    innovative_class2 = "创新型二类医疗器械"
    class3 = "三类医疗器械"


# The unit's facts for 石政办函〔2021〕42号 (profile field → engine variable ``unit_<field>``).
UNIT_CHOICES: dict[str, type[Enum]] = {
    "sector": Sector,
    "recognised_as": RecognisedAs,
    "testing_institution": TestingInstitution,
    "drug_class": DrugClass,
    "clinical_phase_completed": ClinicalPhase,
    "generic": Generic,
    "device": Device,
}
UNIT_FLAGS = {
    "industrial_enterprise": "工业企业",
    "major_project_lead": "国家科技重大专项牵头单位",
    "rd_headquarters": "经认定的研发总部",
    "drug_registered": "已获药品注册证书并在本市产业化",
    "project_city_fund": "项目获得市主导产业发展基金支持",
    "tech_sme": "科技型中小企业",
    "first_loan": "首次获得贷款",
}
UNIT_YUAN = {
    "major_project_national_funds": "国家实际拨付经费（元）",
    "rd_spending_last_year": "上年度研究开发费用总额（元）",
    "testing_investment": "检验检测机构投资总额（元）",
    "product_annual_sales": "申报品种年销售额（元）",
    "generic_awards_this_year": "本年度已获仿制药奖励（元）",
    "procurement_awards_received": "已获国家集采奖励（元）",
    "local_supplier_purchase": "向同一本地无资产关联企业的年采购额（元）",
    "cooperation_awards_this_year": "本年度已获协作配套奖励（元）",
    "project_fixed_investment": "产业化项目固定资产投资总额（元）",
    "project_state_support": "国家和省产业化专项资金支持总额（元）",
    "introduced_project_investment": "引荐项目总投资（元）",
    "introduced_project_fixed_assets": "引荐项目固定资产投资完成额（元）",
    "main_revenue": "年度主营业务收入（元）",
    "main_revenue_previous_best": "以往年度主营业务收入最高值（元）",
    "loan_interest_paid": "年度实际支付贷款利息（元）",
    "interest_subsidy_received": "本措施有效期内已获贴息总额（元）",
    "electricity_bill": "年度电费（元）",
    "tapeout_costs": "流片、光罩、IP、测试验证费用（元）",
    "steam_bill": "年度蒸汽费（元）",
    "boiler_gas_bill": "自备燃气锅炉生产蒸汽所购燃气费（元）",
}
# facts a unit may leave open (None): NaN in the engine, so no test on them holds
UNIT_OPEN = [
    name
    for name in UNIT_YUAN
    if name
    not in (
        "generic_awards_this_year",
        "procurement_awards_received",
        "cooperation_awards_this_year",
        "interest_subsidy_received",
        "steam_bill",
        "boiler_gas_bill",
    )
]
UNIT_COUNTS = {
    "major_project_year": "重大专项立项年度（0 表示未填）",
    "international_certifications": "新通过国际认证的品种数",
    "procurement_wins": "新中标国家集采的品种数",
    "apprentices_intermediate": "本年度参加企业新型学徒制培训的中级工学徒人数",
    "apprentices_advanced": "本年度参加企业新型学徒制培训的高级工学徒人数",
    "apprentices_technician": "本年度参加企业新型学徒制培训的技师和高级技师学徒人数",
}
SPECIALISED_TITLES = ("provincial", "provincial_renewed", "demonstration", "little_giant")


class Relation(Enum):
    self = "本人"
    spouse = "配偶"
    parent = "父母"
    child = "子女"


def county_member(code: str) -> str:
    """Enum member name for a county code ("130102" → "c130102", "sjz-hitech" → "sjz_hitech")."""
    return "c" + code if code[0].isdigit() else code.replace("-", "_")


County = Enum(
    "County",
    # values carry the code: two cities have a 新华区, and equal enum values would be aliases
    {
        "unknown": "未知",
        **{county_member(c): f"{v.name}（{c}）" for c, v in vocabulary().counties.items()},
    },
)
assert len(County) == len(vocabulary().counties) + 1, "county enum members must not alias"

# School tags as bits; a_class_discipline is derived from (school, discipline) pairs.
SCHOOL_TAGS = [*sorted(vocabulary().codes("school_tag")), "a_class_discipline"]
TAG_BIT = {tag: 1 << i for i, tag in enumerate(SCHOOL_TAGS)}
EDUCATION_LEVELS = ("doctorate", "master", "bachelor", "associate")

AWARD_LEVELS = ("national", "provincial")
AWARD_KINDS = ("natural_science", "invention", "progress")
AWARD_GRADES = ("special", "1", "2", "3")

HONORS = sorted(vocabulary().codes("honor"))
# Honours as bits of a few int32 masks (30 bits each, clear of the sign bit): one column per
# 30 honours instead of one per honour keeps both the million-row and one-profile paths short.
HONOR_BITS_PER_MASK = 30
HONOR_MASKS = [f"honors_{i}" for i in range((len(HONORS) - 1) // HONOR_BITS_PER_MASK + 1)]
HONOR_SLOT = {
    code: (HONOR_MASKS[i // HONOR_BITS_PER_MASK], 1 << (i % HONOR_BITS_PER_MASK))
    for i, code in enumerate(HONORS)
}
RECOGNITIONS = sorted(vocabulary().codes("recognition"))


def _input(name: str, entity, value_type, label: str, **extra) -> type[Variable]:
    attrs = {
        "value_type": value_type,
        "entity": entity,
        "definition_period": DAY,
        "label": label,
        **extra,
    }
    return type(name, (Variable,), attrs)


def _yuan(name: str, label: str) -> type[Variable]:
    """A whole-yuan unit fact (float64, so sums beyond int32 stay exact)."""
    attrs = {"value_type": float, "entity": Person, "definition_period": DAY, "label": label}
    return type(name, (WideVariable,), attrs)


# The facts a profile may leave unstated that the rules read (a unit's open facts are NaN
# instead): where one is unstated, the one-profile calculator asks for it, and population mode
# counts the person as undetermined for every item it could decide (decision 0368). Each is an
# input column per person, true where the fact is unstated.
UNSTATED_FACTS = (
    "person.birth_date",
    "person.education",
    "person.education.graduation_date",
    "person.education.full_time",
    "person.unemployment_insurance_months",
    "person.skill_certificate_date",
    "employment.employer_type",
    "employment.county",
    "employment.introduced_from",
    "employment.start_date",
    "employment.social_insurance_local",
    "employment.annual_salary",
    "employment.employer_tax_last_year",
    "family",
    "family.employed",
    "housing.resides_in_main_city",
    "housing.owns_property_in_main_city",
    "housing.household_size",
    "housing.lease_filed",
)


def unstated_column(path: str) -> str:
    """The input column that marks ``path`` (one of ``UNSTATED_FACTS``) unstated."""
    return "unstated_" + path.replace(".", "_")


def award_column(level: str, kind: str, grade: str) -> str:
    return f"award_best_rank_{level}_{kind}_{grade}"


def input_variables() -> list[type[Variable]]:
    v = vocabulary()
    result = [
        _input("birth_date", Person, dt.date, "出生日期"),
        _input(
            "relation",
            Person,
            Enum,
            "与人才关系",
            possible_values=Relation,
            default_value=Relation.self,
        ),
        _input(
            "highest_degree",
            Person,
            Enum,
            "最高学位（不论是否全日制）",
            possible_values=Degree,
            default_value=Degree.none,
        ),
        _input(
            "highest_full_time_degree",
            Person,
            Enum,
            "最高全日制学位",
            possible_values=Degree,
            default_value=Degree.none,
        ),
        _input("school_tags_any", Person, int, "各学历院校标签（位掩码）"),
        _input(
            "professional_title",
            Person,
            Enum,
            "职称",
            possible_values=ProfessionalTitle,
            default_value=ProfessionalTitle.none,
        ),
        _input(
            "skill_level",
            Person,
            Enum,
            "技能等级",
            possible_values=SkillLevel,
            default_value=SkillLevel.none,
        ),
        _input("shortage_occupation", Person, bool, "紧缺工种"),
        _input("catalogued_occupation", Person, bool, "工种列入本市公布的急需紧缺工种目录"),
        _input("invention_patents", Person, int, "国家授权发明专利数"),
        _input(
            "patents_commercialised_locally", Person, bool, "能在石家庄转化落地并产生一定经济效益"
        ),
        _input(
            "management_provincial_honor", Person, bool, "具有省部级及以上荣誉称号的经营管理人才"
        ),
        _input(
            "management_china500_middle_manager",
            Person,
            bool,
            "来石前在中国500强企业担任过中层及以上职务",
        ),
        _input(
            "management_leads_above_scale_enterprise",
            Person,
            bool,
            "来石后担任规模以上企业领导职务",
        ),
        _input(
            "county",
            Person,
            Enum,
            "工作所在县（市、区）",
            possible_values=County,
            default_value=County.unknown,
        ),
        _input(
            "introduced_from",
            Person,
            Enum,
            "引进来源",
            possible_values=IntroducedFrom,
            default_value=IntroducedFrom.unknown,
        ),
        _input(
            "employment_mode",
            Person,
            Enum,
            "引进方式",
            possible_values=EmploymentMode,
            default_value=EmploymentMode.full_time,
        ),
        _input("start_date", Person, dt.date, "到石工作或创业之日"),
        _input("social_insurance_local", Person, bool, "在本地缴纳社会保险"),
        _input("employed", Person, bool, "已就业（家属）", default_value=True),
        _input(
            "employer_type",
            Employer,
            Enum,
            "单位类型",
            possible_values=EmployerType,
            default_value=EmployerType.unknown,
        ),
        _input("employer_leading_industry", Employer, bool, "五大主导产业企业"),
        _input("employer_high_tech", Employer, bool, "高新技术企业"),
        _input("employer_tax_last_year_yuan", Employer, int, "用人单位上年度纳税额（整元）"),
        _input("annual_salary_yuan", Person, int, "年工资薪金收入（整元）"),
        _input("unit_declared", Person, bool, "以用人单位身份查询（画像含 unit）"),
        _input(
            "unit_high_tech_certification",
            Person,
            Enum,
            "高新技术企业认定",
            possible_values=HighTechCertification,
            default_value=HighTechCertification.none,
        ),
        _input("unit_new_gazelle", Person, bool, "新认定瞪羚企业"),
        _input("unit_new_eaglet", Person, bool, "新认定雏鹰企业"),
        _input("unit_new_city_training_base", Person, bool, "新创建市级高技能人才培训基地"),
        _input("unit_new_city_master_studio", Person, bool, "新评定市级技能大师工作室"),
        _input(
            "unit_new_postdoc_platform",
            Person,
            Enum,
            "新设立的博士后平台",
            possible_values=PostdocPlatform,
            default_value=PostdocPlatform.none,
        ),
        *[
            _input(
                f"unit_{name}",
                Person,
                Enum,
                enum.__name__,
                possible_values=enum,
                default_value=enum.none,
            )
            for name, enum in UNIT_CHOICES.items()
        ],
        *[_input(f"unit_{name}", Person, bool, label) for name, label in UNIT_FLAGS.items()],
        _input(
            "unit_drug_route",
            Person,
            Enum,
            "该品种研发阶段是否已获奖励支持",
            possible_values=DrugRoute,
            default_value=DrugRoute.unknown,
        ),
        *[_yuan(f"unit_{name}", label) for name, label in UNIT_YUAN.items()],
        *[_input(f"unit_{name}", Person, int, label) for name, label in UNIT_COUNTS.items()],
        *[
            _input(f"unit_title_{code}", Person, bool, f"“专精特新”称号 {code}")
            for code in SPECIALISED_TITLES
        ],
        # -- inputs of the grants added with the inventory of granting clauses --
        _input(
            "unit_new_city_innovation_studio",
            Person,
            bool,
            "新评定命名的市级劳模和工匠人才创新工作室",
        ),
        _input(
            "unit_first_gazelle_category",
            Person,
            Enum,
            "首次评选为石家庄市瞪羚企业的类别",
            possible_values=GazelleCategory,
            default_value=GazelleCategory.none,
        ),
        _input(
            "unit_park_dormitory_housing",
            Person,
            bool,
            "产业园区工业项目配套建设宿舍型保障性租赁住房",
        ),
        _input("unit_rental_housing_certified", Person, bool, "已取得保障性租赁住房项目认定书"),
        _input(
            "unit_new_school_training_base",
            Person,
            Enum,
            "院校新创建高技能人才培训基地的级别",
            possible_values=SchoolTrainingBase,
            default_value=SchoolTrainingBase.none,
        ),
        _input("unit_new_city_industry_institute", Person, bool, "新认定的市级产业技术研究院"),
        _input("postdoc_in_station", Person, bool, "在站博士后研究人员"),
        _input("national_class1_competition_place", Person, int, "国家一类技能竞赛名次（0为无）"),
        _input("unemployment_insurance_months", Person, int, "累计缴纳失业保险费月数"),
        _input(
            "skill_certificate",
            Person,
            Enum,
            "取得的职业资格或职业技能等级证书",
            possible_values=SkillCertificate,
            default_value=SkillCertificate.none,
        ),
        _input("skill_certificate_date", Person, dt.date, "取得证书日期（无则为1900-01-01）"),
        # -- amounts equal to (a share of) what was paid; the 高端人才 award (decisions 0116, 0118)
        _yuan("startup_social_insurance_paid", "自主创业后申报年度实际缴纳的社会保险费（元）"),
        _yuan("instrument_sharing_fees", "利用市大型仪器设备共享平台测试检测的实际支出（元）"),
        _yuan("city_revenue_contribution", "年度工资薪金收入对市及以下财政的贡献（元）"),
        _input(
            "employer_two_leading_industries",
            Person,
            bool,
            "用人单位属于新一代电子信息产业或生物医药产业",
        ),
        _input("housing_declared", Person, bool, "画像填写了住房情况"),
        _input("housing_resides_main_city", Person, bool, "在主城区居住（城区户口或主城区居住证）"),
        _input("housing_owns_property", Person, bool, "家庭在主城区有自有住房或投资性房产"),
        _input("housing_household_size", Person, int, "申请家庭人数"),
        _input("housing_lease_filed", Person, bool, "承租房源已在住房租赁监管服务平台备案"),
        _input("housing_in_kind", Person, bool, "已享受保障性租赁住房实物配租"),
    ]
    for level in EDUCATION_LEVELS:
        degree = v.label("degree", level)
        result.append(_input(f"full_time_{level}_tags", Person, int, f"全日制{degree}院校标签"))
        result.append(
            _input(
                f"graduation_{level}", Person, dt.date, f"{degree}最近毕业日期（无则为1900-01-01）"
            )
        )
        result.append(
            _input(
                f"full_time_graduation_{level}",
                Person,
                dt.date,
                f"全日制{degree}最近毕业日期（无则为1900-01-01）",
            )
        )
    for level in AWARD_LEVELS:
        for kind in AWARD_KINDS:
            for grade in AWARD_GRADES:
                result.append(
                    _input(
                        award_column(level, kind, grade),
                        Person,
                        int,
                        f"科技奖励最好名次 {level}/{kind}/{grade}（0 表示无）",
                    )
                )
    for mask in HONOR_MASKS:
        result.append(_input(mask, Person, int, f"荣誉称号位掩码（{mask}）"))
    for code in RECOGNITIONS:
        result.append(_input(f"recognition_{code}", Person, bool, v.label("recognition", code)))
    for path in UNSTATED_FACTS:
        result.append(_input(unstated_column(path), Person, bool, f"未填写的事实（{path}）"))
    return result
