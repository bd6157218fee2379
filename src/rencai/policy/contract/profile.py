"""The talent profile (人才画像), validated field by field against the vocabulary.

Absent lists (honours, awards, recognitions, tags) mean "none"; absent facts that decide a rule
(birth date, education, employer, county, arrival date, ...) stay ``None`` and make the results
that depend on them "needs information" rather than a guess.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from rencai.policy.contract.identity import IdNumberError, parse_id_number
from rencai.policy.contract.vocabulary import vocabulary

# Bounds on every input: nothing a real profile needs comes near them, and they keep each value
# inside the engine's integer columns and each request small.
MAX_TEXT = 100  # a school, a discipline, a relative's name
MAX_RANK = 1000  # 完成人排名
MAX_PATENTS = 100_000  # 国家授权发明专利（项）
MAX_ITEMS = 50  # entries in any list (honours, awards, education, family, ...)
MAX_MONTHS = 600  # 累计缴费月数


def _code(kind: str) -> Any:
    """A string field restricted to the codes of one vocabulary section."""
    codes = sorted(vocabulary().codes(kind))

    def check(value: str) -> str:
        if value not in codes:
            raise ValueError(f"unknown_code:{kind}")
        return value

    return Annotated[
        str,
        AfterValidator(check),
        WithJsonSchema({"type": "string", "enum": codes, "description": f"vocabulary: {kind}"}),
    ]


def _county_code(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _check_county(value: str) -> str:
    if value not in vocabulary().counties:
        raise ValueError("unknown_code:county")
    return value


CountyCode = Annotated[
    str,
    BeforeValidator(_county_code),
    AfterValidator(_check_county),
    WithJsonSchema(
        {"type": "string", "enum": sorted(vocabulary().counties), "description": "GB/T 2260"}
    ),
]


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT)]


def _check_id_number(value: str) -> str:
    try:
        return parse_id_number(value)[0]
    except IdNumberError as exc:
        raise PydanticCustomError("bad_id_number", str(exc)) from None


IdNumber = Annotated[
    str,
    StringConstraints(max_length=18 + 2),
    AfterValidator(_check_id_number),
    WithJsonSchema({"type": "string", "pattern": r"^[1-9]\d{16}[\dX]$", "description": "GB 11643"}),
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Education(_Model):
    degree: _code("degree")  # type: ignore[valid-type]
    full_time: bool | None = None
    school: Text | None = None
    school_tags: list[_code("school_tag")] = Field(  # type: ignore[valid-type]
        default_factory=list, max_length=MAX_ITEMS
    )
    discipline: Text | None = None
    graduation_date: dt.date | None = None
    overseas: bool | None = None


class ScienceAward(_Model):
    level: Literal["national", "provincial"]
    kind: Literal["natural_science", "invention", "progress"]
    grade: Literal[1, 2, 3, "special"]
    rank: int = Field(ge=1, le=MAX_RANK)


class Management(_Model):
    provincial_honor: bool = False
    china500_middle_manager: bool = False
    leads_above_scale_enterprise: bool = False


Yuan = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
MAX_APPRENTICES = 100_000  # apprentices of one enterprise in one year, far above any real one
MAX_WHOLE_YUAN = 10**13  # 10万亿元: far above any unit's revenue, exact as a float64
# whole yuan: the application forms state 万元, and whole-yuan bases make every computed share
# an exact number of fen in both modes (decision 0107)
WholeYuan = Annotated[int, Field(ge=0, le=MAX_WHOLE_YUAN)]


class Person(_Model):
    # 公民身份号码: when given, the birth date (and sex) come from it (decision 0086)
    id_number: IdNumber | None = None
    birth_date: dt.date | None = Field(default=None, validate_default=True)
    nationality: str | None = Field(default=None, max_length=2, pattern=r"^[A-Z]{2}$")
    education: list[Education] | None = Field(default=None, max_length=MAX_ITEMS)
    professional_title: _code("professional_title") = "none"  # type: ignore[valid-type]
    skill_level: _code("skill_level") = "none"  # type: ignore[valid-type]
    shortage_occupation: bool = False
    # 工种（职业）, as the certificate names it; the platform reads it against the office's
    # published 急需紧缺工种 part of the year's catalogue and sets ``catalogued_occupation``
    # (decision 0186): what a talent states in that fact is not taken
    occupation: Text | None = None
    catalogued_occupation: bool = False
    honors: list[_code("honor")] = Field(  # type: ignore[valid-type]
        default_factory=list, max_length=MAX_ITEMS
    )
    science_awards: list[ScienceAward] = Field(default_factory=list, max_length=MAX_ITEMS)
    invention_patents: int = Field(default=0, ge=0, le=MAX_PATENTS)
    patents_commercialised_locally: bool = False
    management: Management = Field(default_factory=Management)
    recognitions: list[_code("recognition")] = Field(  # type: ignore[valid-type]
        default_factory=list, max_length=MAX_ITEMS
    )

    # -- Person-level grants of 石政办发〔2022〕6号 第8条, 石办字〔2017〕45号 （八） and the 2019
    # lifelong-skills opinions 三（一）3 --
    postdoc_in_station: bool = False  # 在站博士后研究人员（含分站、创新实践基地）
    # 代表河北省获国家一类技能竞赛的名次（前5名）
    national_class1_competition_place: int | None = Field(default=None, ge=1, le=5)
    # 累计缴纳失业保险费月数
    unemployment_insurance_months: int | None = Field(default=None, ge=0, le=MAX_MONTHS)
    # 取得的职业资格证书或职业技能等级证书（初级、中级、高级）及取得日期
    skill_certificate: Literal["none", "primary", "intermediate", "advanced"] = "none"
    skill_certificate_date: dt.date | None = None

    # -- Amounts equal to (a share of) what the person paid, and the 高端人才 award's base
    # (decisions 0116, 0118); whole yuan, as the receipts and certificates are summed --
    startup_social_insurance_paid: WholeYuan | None = Field(
        default=None,
        description="自主创业后申报年度本人实际缴纳的社会保险费（元）",
    )
    instrument_sharing_fees: WholeYuan | None = Field(
        default=None,
        description="利用石家庄市大型仪器设备共享平台测试检测的实际支出费用（元）",
    )
    city_revenue_contribution: WholeYuan | None = Field(
        default=None,
        description="申报年度工资薪金收入对市及以下财政的贡献（元，经税务部门核定）",
    )

    @field_validator("birth_date")
    @classmethod
    def _birth_date_from_id(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        number = info.data.get("id_number")
        if number is None:
            return value
        born = parse_id_number(number)[1]
        if value is not None and value != born:
            raise PydanticCustomError(
                "id_birth_mismatch",
                "出生日期（{given}）与身份证号中的出生日期（{born}）不一致，请核对",
                {"given": value.isoformat(), "born": born.isoformat()},
            )
        return born


class Employment(_Model):
    employer_type: _code("employer_type") | None = None  # type: ignore[valid-type]
    employer_leading_industry: bool = False
    employer_high_tech: bool = False  # 高新技术企业
    employer_tax_last_year: Yuan | None = None  # 用人单位上年度纳税额（元）
    annual_salary: Yuan | None = None  # 年工资薪金收入（元）
    county: CountyCode | None = None
    introduced_from: Literal["outside_city", "abroad", "local"] | None = None
    mode: Literal["full_time", "flexible"] = "full_time"
    start_date: dt.date | None = None
    social_insurance_local: bool | None = None
    # 用人单位属于新一代电子信息产业或生物医药产业（石政办函〔2021〕42号 高端人才奖励细则 第五条）
    employer_two_leading_industries: bool = Field(
        default=False,
        description="用人单位属于新一代电子信息产业或生物医药产业",
    )


class FamilyMember(_Model):
    relation: Literal["spouse", "parent", "child"]
    birth_date: dt.date | None = None
    name: Text | None = None
    employed: bool | None = None  # for the spouse allowance (待业期间生活补贴)


class Housing(_Model):
    """Housing facts for 保障性租赁住房 (石家庄市保障性租赁住房准入退出管理办法); optional: the
    rental-housing items are answered only for a profile that states its housing."""

    resides_in_main_city: bool | None = None  # 城区户口或主城区居住证，且在主城区实际居住
    owns_property_in_main_city: bool | None = None  # 家庭在主城区有自有住房、公有住房或投资性房产
    household_size: int | None = Field(default=None, ge=1, le=20)  # 申请家庭人数
    lease_filed: bool | None = None  # 承租房源已在石家庄市住房租赁监管服务平台备案
    in_kind_allocation: bool = False  # 已享受保障性租赁住房实物配租


class Unit(_Model):
    """An employer asking what the unit itself may receive (awards to units); optional. With this
    section the profile speaks for the unit: `employment` describes the unit."""

    high_tech_certification: Literal["none", "new", "renewed"] = "none"  # 高新技术企业认定
    new_gazelle: bool = False  # 新认定瞪羚企业
    new_eaglet: bool = False  # 新认定雏鹰企业
    new_city_training_base: bool = False  # 新创建市级高技能人才培训基地
    new_city_master_studio: bool = False  # 新评定市级技能大师工作室
    new_postdoc_platform: Literal["none", "station", "substation", "practice_base"] = "none"
    # 石政办函〔2021〕42号 (two leading industries): the unit's facts for this application, one
    # product or project per application (decision 0107); money in whole yuan
    sector: Literal["none", "electronic_information", "biomedicine"] = "none"  # 所属主导产业
    industrial_enterprise: bool = False  # 工业企业
    recognised_as: Literal["none", "ic_design", "ic", "software", "biomedicine"] = "none"
    major_project_lead: bool = False  # 国家科技重大专项牵头单位（已立项并签订任务合同书）
    major_project_year: int | None = Field(default=None, ge=2000, le=2100)  # 重大专项立项年度
    major_project_national_funds: WholeYuan | None = None  # 国家实际拨付经费（已到账）
    rd_headquarters: bool = False  # 经认定的研发总部
    rd_spending_last_year: WholeYuan | None = None  # 上年度研究开发费用总额
    testing_institution: Literal[
        "none",
        "new_national_gap",
        "new_provincial_gap",
        "expanded_national_gap",
        "expanded_provincial_gap",
    ] = "none"  # 检验检测机构新建或拓展检测能力，填补国内或省内空白
    testing_investment: WholeYuan | None = None  # 检验检测机构投资总额
    drug_class: Literal["none", "class1", "class2"] = "none"  # 申报品种为I类或II类新药
    clinical_phase_completed: Literal["none", "1", "2", "3"] = "none"  # 本次申报完成的临床试验
    drug_registered: bool = False  # 已获药品注册证书并在本市产业化
    drug_rd_awarded: bool | None = None  # 该品种研发阶段已获奖励支持
    generic: Literal["none", "first_generic", "consistency_top3"] = "none"
    device: Literal["none", "innovative_class2", "class3"] = "none"  # 医疗器械（已在本市产业化）
    product_annual_sales: WholeYuan | None = None  # 申报品种年销售额
    generic_awards_this_year: WholeYuan = 0  # 本年度已获仿制药奖励
    international_certifications: int = Field(default=0, ge=0, le=MAX_ITEMS)  # 新获国际认证品种数
    procurement_wins: int = Field(default=0, ge=0, le=MAX_ITEMS)  # 新中标国家集采品种数
    procurement_awards_received: WholeYuan = 0  # 已获国家集采奖励
    local_supplier_purchase: WholeYuan | None = None  # 向同一本地无资产关联企业的年采购额
    cooperation_awards_this_year: WholeYuan = 0  # 本年度已获协作配套奖励
    project_city_fund: bool = False  # 产业化项目获得市主导产业发展基金支持
    project_fixed_investment: WholeYuan | None = None  # 产业化项目固定资产投资总额
    project_state_support: WholeYuan | None = None  # 国家和省产业化专项资金支持总额
    introduced_project_investment: WholeYuan | None = None  # 引荐项目总投资
    introduced_project_fixed_assets: WholeYuan | None = None  # 引荐项目固定资产投资完成额
    main_revenue: WholeYuan | None = None  # 年度主营业务收入
    main_revenue_previous_best: WholeYuan | None = None  # 以往年度主营业务收入最高值
    specialised_titles: list[
        Literal["provincial", "provincial_renewed", "demonstration", "little_giant"]
    ] = Field(default_factory=list, max_length=4)  # “专精特新”称号
    tech_sme: bool = False  # 科技型中小企业（省科技厅备案有效期内）
    loan_interest_paid: WholeYuan | None = None  # 年度实际支付贷款利息
    first_loan: bool = False  # 首次获得贷款
    interest_subsidy_received: WholeYuan = 0  # 本措施有效期内已获贴息总额
    electricity_bill: WholeYuan | None = None  # 年度电费
    tapeout_costs: WholeYuan | None = None  # 流片、光罩、IP、测试验证费用
    steam_bill: WholeYuan = 0  # 年度蒸汽费
    boiler_gas_bill: WholeYuan = 0  # 自备燃气锅炉生产蒸汽所购燃气费

    # -- Awards to units of 石工总字〔2022〕11号, the 可支配收入 action plan, 石政办发〔2021〕6号 六
    # and 石办字〔2021〕17号 二（三） --
    # 新评定命名的市级劳模和工匠人才（名师、名医）创新工作室
    new_city_innovation_studio: bool = False
    # 首次评选为石家庄市瞪羚企业的类别：一年爆发式增长、三年复合式增长、五年连续增长
    first_gazelle_category: Literal["none", "one_year", "three_year", "five_year"] = "none"
    park_dormitory_housing: bool = False  # 产业园区工业项目配套建设宿舍型保障性租赁住房
    # 利用非居住存量土地或房屋建设保障性租赁住房，已取得保障性租赁住房项目认定书
    rental_housing_certified: bool = False
    # 职业院校或技工院校新创建高技能人才培训基地达到的标准（国家级、省级）
    new_school_training_base: Literal["none", "national", "provincial"] = "none"
    new_city_industry_institute: bool = False  # 新认定的市级产业技术研究院

    # -- 企业新型学徒制培训补贴 (2019 lifelong-skills opinions 三（一）3; 石人社字〔2022〕36号 二),
    # paid per apprentice and year by the level trained for (decision 0117) --
    apprentices_intermediate: int = Field(
        default=0,
        ge=0,
        le=MAX_APPRENTICES,
        description="本年度参加企业新型学徒制培训（已备案）的中级工学徒人数",
    )
    apprentices_advanced: int = Field(
        default=0,
        ge=0,
        le=MAX_APPRENTICES,
        description="本年度参加企业新型学徒制培训（已备案）的高级工学徒人数",
    )
    apprentices_technician: int = Field(
        default=0,
        ge=0,
        le=MAX_APPRENTICES,
        description="本年度参加企业新型学徒制培训（已备案）的技师和高级技师学徒人数",
    )


class Profile(_Model):
    jurisdiction: _code("jurisdiction")  # type: ignore[valid-type]
    on: dt.date | None = None
    person: Person = Field(default_factory=Person)
    employment: Employment = Field(default_factory=Employment)
    family: list[FamilyMember] | None = Field(default=None, max_length=MAX_ITEMS)
    housing: Housing | None = None
    unit: Unit | None = None


@dataclass(frozen=True)
class FieldError:
    field: str  # dotted path, e.g. person.education.0.degree
    message: str  # Chinese, for people
    code: str  # machine-readable error type

    @property
    def label(self) -> str:
        """The field's Chinese name, for people (the path is for programs)."""
        from rencai.policy.contract.questions import field_label

        return "所填内容" if self.field == "(profile)" else field_label(self.field)

    def as_dict(self) -> dict[str, str]:
        return {
            "field": self.field,
            "label": self.label,
            "message": self.message,
            "code": self.code,
        }

    def line(self) -> str:
        """For people: the field's Chinese name and the problem."""
        return f"{self.label}：{self.message}"

    def located(self) -> str:
        """For the author of a profile file: the key path in the file first, then in Chinese."""
        return f"{self.field}: {self.label}：{self.message}"


class ProfileError(ValueError):
    """An invalid profile; ``errors`` lists every problem, field by field."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(e.line() for e in errors))
        self.errors = errors


_KIND_LABELS = {
    "degree": "学历学位",
    "school_tag": "院校标签",
    "professional_title": "职称",
    "skill_level": "技能等级",
    "honor": "荣誉称号",
    "recognition": "认定类别",
    "employer_type": "单位类型",
    "jurisdiction": "地区",
    "county": "县（市、区）代码",
}


class _Shown:
    """A refused value as shown back in a message: its repr, cut short (it may be huge)."""

    def __init__(self, value: Any):
        text = repr(value)
        self.text = text if len(text) <= 40 else text[:37] + "…"

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__


def _message(error: Any) -> tuple[str, str]:
    kind = error["type"]
    msg = str(error.get("msg", ""))
    given = _Shown(error.get("input"))
    expected = error.get("ctx", {}).get("expected", "")
    if kind in ("bad_id_number", "id_birth_mismatch"):
        return msg, kind
    if "unknown_code:" in msg:
        vocab = msg.split("unknown_code:", 1)[1]
        return f"未知的{_KIND_LABELS.get(vocab, vocab)}代码：{given!r}", "unknown_code"
    messages = {
        "missing": "缺少必填项",
        "extra_forbidden": f"不认识的字段：{given!r}",
        "literal_error": f"取值 {given!r} 不在允许范围内（{expected}）",
        "date_from_datetime_parsing": f"日期格式应为 YYYY-MM-DD，收到 {given!r}",
        "date_parsing": f"日期格式应为 YYYY-MM-DD，收到 {given!r}",
        "date_type": f"日期格式应为 YYYY-MM-DD，收到 {given!r}",
        "bool_parsing": f"应为 true 或 false，收到 {given!r}",
        "bool_type": f"应为 true 或 false，收到 {given!r}",
        "int_parsing": f"应为整数，收到 {given!r}",
        "int_type": f"应为整数，收到 {given!r}",
        "greater_than_equal": f"数值过小：{given!r}",
        "less_than_equal": f"数值过大：{given!r}（不超过 {error.get('ctx', {}).get('le')}）",
        "int_from_float": f"应为整数，收到 {given!r}",
        "string_too_long": f"内容过长（不超过 {error.get('ctx', {}).get('max_length')} 个字符）",
        "string_too_short": (
            "不能为空"
            if error.get("ctx", {}).get("min_length", 1) <= 1
            else f"内容过短（至少 {error['ctx']['min_length']} 个字符）"
        ),
        "too_short": f"至少应有 {error.get('ctx', {}).get('min_length')} 项",
        "less_than": f"数值过大：{given!r}",
        "greater_than": f"数值过小：{given!r}",
        "enum": f"取值 {given!r} 不在允许范围内（{expected}）",
        "json_invalid": "请求内容不是有效的 JSON",
        "float_parsing": f"应为数字，收到 {given!r}",
        "too_long": f"条目过多（不超过 {error.get('ctx', {}).get('max_length')} 项）",
        "decimal_parsing": f"应为金额（元），收到 {given!r}",
        "decimal_type": f"应为金额（元），收到 {given!r}",
        "decimal_max_places": f"金额最多两位小数，收到 {given!r}",
        "decimal_max_digits": f"金额过大：{given!r}",
        "string_type": f"应为文本，收到 {given!r}",
        "string_pattern_mismatch": f"格式不正确：{given!r}",
        "list_type": f"应为列表，收到 {given!r}",
        "model_type": f"应为对象，收到 {given!r}",
        "model_attributes_type": f"应为对象，收到 {given!r}",
        "dict_type": f"应为对象，收到 {given!r}",
    }
    return messages.get(kind, f"取值无效：{given!r}（{msg}）"), kind


def error_message(error: Any) -> tuple[str, str]:
    """Chinese message and code for one pydantic error (also used for API request bodies)."""
    return _message(error)


def _errors(exc: ValidationError) -> list[FieldError]:
    result = []
    for error in exc.errors():
        loc = [str(p) for p in error["loc"] if not str(p).startswith("function-")]
        # pydantic adds the union member / literal name to the path; keep the data path only
        loc = [p for p in loc if p not in {"str", "date", "int", "bool", "list[Education]"}]
        message, code = _message(error)
        result.append(FieldError(".".join(loc) or "(profile)", message, code))
    return result


def parse_profile(data: Any) -> Profile:
    """Validate a decoded JSON/YAML object; raises ProfileError listing every problem."""
    if not isinstance(data, dict):
        raise ProfileError([FieldError("(profile)", "画像应为 JSON/YAML 对象", "model_type")])
    if True in data and "on" not in data:  # YAML 1.1 reads a bare `on:` key as boolean true
        data = {("on" if k is True else k): v for k, v in data.items()}
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(_errors(exc)) from None


def load_profile_file(path: Path) -> Profile:
    """Read a profile from a .json, .yaml or .yml file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProfileError([FieldError("(file)", f"无法读取文件：{exc.strerror}", "io")]) from None
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        line = getattr(exc, "lineno", None) or getattr(
            getattr(exc, "problem_mark", None), "line", 0
        )
        raise ProfileError(
            [FieldError("(file)", f"文件不是有效的 JSON/YAML（第 {line} 行附近）", "syntax")]
        ) from None
    return parse_profile(data)


def profile_json_schema() -> dict[str, Any]:
    schema = Profile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://rencai.local/schemas/profile-v1.json"
    schema["title"] = "rencai talent profile (人才画像), contract version 1"
    return schema
