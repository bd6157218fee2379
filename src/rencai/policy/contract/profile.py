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
    ValidationError,
    WithJsonSchema,
)

from rencai.policy.contract.vocabulary import vocabulary


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


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Education(_Model):
    degree: _code("degree")  # type: ignore[valid-type]
    full_time: bool | None = None
    school: str | None = None
    school_tags: list[_code("school_tag")] = Field(default_factory=list)  # type: ignore[valid-type]
    discipline: str | None = None
    graduation_date: dt.date | None = None
    overseas: bool | None = None


class ScienceAward(_Model):
    level: Literal["national", "provincial"]
    kind: Literal["natural_science", "invention", "progress"]
    grade: Literal[1, 2, 3, "special"]
    rank: int = Field(ge=1)


class Management(_Model):
    provincial_honor: bool = False
    china500_middle_manager: bool = False
    leads_above_scale_enterprise: bool = False


class Person(_Model):
    birth_date: dt.date | None = None
    nationality: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    education: list[Education] | None = None
    professional_title: _code("professional_title") = "none"  # type: ignore[valid-type]
    skill_level: _code("skill_level") = "none"  # type: ignore[valid-type]
    shortage_occupation: bool = False
    honors: list[_code("honor")] = Field(default_factory=list)  # type: ignore[valid-type]
    science_awards: list[ScienceAward] = Field(default_factory=list)
    invention_patents: int = Field(default=0, ge=0)
    patents_commercialised_locally: bool = False
    management: Management = Field(default_factory=Management)
    recognitions: list[_code("recognition")] = Field(default_factory=list)  # type: ignore[valid-type]


Yuan = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]


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


class FamilyMember(_Model):
    relation: Literal["spouse", "parent", "child"]
    birth_date: dt.date | None = None
    name: str | None = None
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


class Profile(_Model):
    jurisdiction: _code("jurisdiction")  # type: ignore[valid-type]
    on: dt.date | None = None
    person: Person = Field(default_factory=Person)
    employment: Employment = Field(default_factory=Employment)
    family: list[FamilyMember] | None = None
    housing: Housing | None = None
    unit: Unit | None = None


@dataclass(frozen=True)
class FieldError:
    field: str  # dotted path, e.g. person.education.0.degree
    message: str  # Chinese, for people
    code: str  # machine-readable error type

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message, "code": self.code}

    def line(self) -> str:
        return f"{self.field}: {self.message}"


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


def _message(error: Any) -> tuple[str, str]:
    kind = error["type"]
    msg = str(error.get("msg", ""))
    given = error.get("input")
    expected = error.get("ctx", {}).get("expected", "")
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
