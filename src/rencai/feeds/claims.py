"""What the department feeds say about an application's claims, for its reviewers (decision 0121).

Five claims are checked: the degree against 学信, social-insurance months and employer against
社保, the employer's type and county against 市场监管, the declared salary against 税务, and
(石家庄 保障性租赁住房) a declared 城区户口 or 主城区居住证 against 户籍 (decision 0130). Each
check states the claim, what the feed says, the source rows (load and line) and an outcome:

- ``match``     the feed confirms the claim, found by identity number (or credit code): exact;
- ``mismatch``  the feed, found by identity number, says otherwise: flagged for the reviewer;
- ``fuzzy``     nothing under the identity number, but a row under the same name: flagged, to be
                compared by a person — never a ground to refuse;
- ``no_data``   the feeds hold nothing on it;
- ``not_claimed`` the application states nothing this feed could check.

Nothing here decides a case: a mismatch is shown, the reviewer decides. ``check`` is pure (the
rows are passed in); ``facts_for`` reads them; ``verify`` does both.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai import clock
from rencai.feeds.departments import SOURCES
from rencai.feeds.models import (
    DegreeRow,
    EmployerRow,
    ResidenceRow,
    SocialInsuranceRow,
    TaxRow,
)
from rencai.policy.contract.vocabulary import vocabulary
from rencai.policy.jurisdictions.shijiazhuang.rental_housing import MAIN_CITY
from rencai.registry.identifiers import mask_id_number_for_review
from rencai.registry.models import Employer, TalentProfile

OUTCOME_LABELS = {
    "match": "一致",
    "mismatch": "不一致",
    "fuzzy": "仅姓名相符，须人工核对",
    "no_data": "部门数据中无记录",
    "not_claimed": "未申报",
}
FLAGGED = ("mismatch", "fuzzy")
STATUS_LABELS = {"active": "存续", "revoked": "吊销", "cancelled": "注销"}
EVENT_LABELS = {"settled": "落户", "moved_in": "迁入", "moved_out": "迁出"}


@dataclass(frozen=True)
class Evidence:
    """One source row: its source, load and line, and what it says (Chinese)."""

    source: str
    load_id: int
    row_number: int
    text: str

    @property
    def source_label(self) -> str:
        return SOURCES[self.source].label

    @property
    def where(self) -> str:
        return f"第{self.load_id}批第{self.row_number}行"


@dataclass(frozen=True)
class ClaimCheck:
    claim: str  # degree | social_insurance | employer | salary | residence
    label: str
    claimed: str
    found: str
    outcome: str
    exact: bool  # found by identity number or credit code (not by name)
    evidence: tuple[Evidence, ...] = ()

    @property
    def flagged(self) -> bool:
        return self.outcome in FLAGGED

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[self.outcome]


@dataclass(frozen=True)
class Claims:
    """What an application states that the feeds can check (read from its profile snapshot)."""

    id_number: str
    name: str
    jurisdiction: str
    on: dt.date  # the day the application was made
    profile: Mapping[str, Any]
    employer_uscc: str | None = None


@dataclass
class Facts:
    """The feed rows about one person (and the employer of the application)."""

    degrees: list[DegreeRow] = field(default_factory=list)
    degrees_by_name: list[DegreeRow] = field(default_factory=list)  # other identity numbers
    contributions: list[SocialInsuranceRow] = field(default_factory=list)
    tax: list[TaxRow] = field(default_factory=list)
    employer: EmployerRow | None = None  # the latest registration of the claimed employer
    residence: list[ResidenceRow] = field(default_factory=list)  # household events (户籍)


# --- rows as evidence ----------------------------------------------------------------------------


def _label(kind: str, code: str) -> str:
    return vocabulary().label(kind, code)


def _yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:,.2f}元"


def degree_evidence(row: DegreeRow) -> Evidence:
    tags = "、".join(_label("school_tag", t) for t in row.school_tags.split(",") if t)
    text = (
        f"{row.name}（{mask_id_number_for_review(row.id_number)}）：{row.school}"
        f"{'（' + tags + '）' if tags else ''}，{_label('degree', row.level)}，{row.discipline}，"
        f"{'全日制' if row.full_time else '非全日制'}，{row.graduated_on.isoformat()}毕业"
    )
    return Evidence("degrees", row.load_id, row.row_number, text)


def contribution_evidence(row: SocialInsuranceRow) -> Evidence:
    county = vocabulary().counties.get(row.region)
    text = (
        f"{row.period:%Y-%m}，单位{row.employer_uscc}，缴费基数{_yuan(row.wage_base_fen)}，"
        f"参保地{county.name if county else row.region}"
    )
    return Evidence("social_insurance", row.load_id, row.row_number, text)


def tax_evidence(row: TaxRow) -> Evidence:
    text = f"{row.year}年，扣缴单位{row.employer_uscc}，工资薪金收入{_yuan(row.wage_income_fen)}"
    return Evidence("tax", row.load_id, row.row_number, text)


def employer_evidence(row: EmployerRow) -> Evidence:
    county = vocabulary().counties.get(row.county)
    text = (
        f"{row.name}（{row.uscc}）：{_label('employer_type', row.employer_type)}，"
        f"登记地{county.name if county else row.county}，行业{row.industry}，"
        f"{STATUS_LABELS.get(row.status, row.status)}，{row.established_on.isoformat()}成立"
    )
    return Evidence("employers", row.load_id, row.row_number, text)


def residence_evidence(row: ResidenceRow) -> Evidence:
    county = vocabulary().counties.get(row.county)
    text = (
        f"{row.on_date.isoformat()} {EVENT_LABELS.get(row.event, row.event)}，"
        f"{county.name if county else row.county}"
    )
    return Evidence("residence", row.load_id, row.row_number, text)


# --- the five checks -----------------------------------------------------------------------------


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _education(claims: Claims) -> list[Mapping[str, Any]]:
    person = claims.profile.get("person") or {}
    entries = person.get("education") or []
    return [e for e in entries if e.get("degree") not in (None, "none")]


def _degree_differences(claim: Mapping[str, Any], row: DegreeRow) -> list[str]:
    differences = []
    if claim.get("school") and claim["school"] != row.school:
        differences.append(f"院校（申报{claim['school']}，学信{row.school}）")
    if claim.get("full_time") is not None and bool(claim["full_time"]) != row.full_time:
        said = "全日制" if claim["full_time"] else "非全日制"
        differences.append(f"学习形式（申报{said}）")
    graduated = _date(claim.get("graduation_date"))
    if graduated is not None and graduated != row.graduated_on:
        differences.append(f"毕业日期（申报{graduated.isoformat()}）")
    listed = set(row.school_tags.split(",")) - {""}
    missing = [t for t in claim.get("school_tags") or [] if t not in listed]
    if missing:
        differences.append(
            "院校类别（学信未列" + "、".join(_label("school_tag", t) for t in missing) + "）"
        )
    if claim.get("discipline") and claim["discipline"] != row.discipline:
        differences.append(f"专业（申报{claim['discipline']}，学信{row.discipline}）")
    return differences


def check_degree(claims: Claims, facts: Facts) -> list[ClaimCheck]:
    checks = []
    for entry in _education(claims):
        level = str(entry["degree"])
        claimed = _label("degree", level) + (f"，{entry['school']}" if entry.get("school") else "")
        label = f"学历：{_label('degree', level)}（学信）"
        if entry.get("overseas"):
            found = "境外学历不在学信数据范围内，请核对学历认证材料"
            checks.append(ClaimCheck("degree", label, claimed, found, "no_data", False))
            continue
        same_level = [row for row in facts.degrees if row.level == level]
        if same_level:
            best = min(same_level, key=lambda row: len(_degree_differences(entry, row)))
            differences = _degree_differences(entry, best)
            evidence: tuple[Evidence, ...] = (degree_evidence(best),)
            if differences:
                found = "学信数据与申报不一致：" + "；".join(differences)
                checks.append(
                    ClaimCheck("degree", label, claimed, found, "mismatch", True, evidence)
                )
            else:
                found = "学信数据（按身份证号）与申报一致"
                checks.append(ClaimCheck("degree", label, claimed, found, "match", True, evidence))
            continue
        if facts.degrees:
            held = "、".join(sorted({_label("degree", row.level) for row in facts.degrees}))
            found = f"学信数据（按身份证号）中无该层次学历，仅有：{held}"
            evidence = tuple(degree_evidence(row) for row in facts.degrees)
            checks.append(ClaimCheck("degree", label, claimed, found, "mismatch", True, evidence))
            continue
        namesakes = [row for row in facts.degrees_by_name if row.level == level]
        if namesakes:
            found = "学信数据中无该身份证号的记录；同名人员有该层次学历，须人工核对是否本人"
            evidence = tuple(degree_evidence(row) for row in namesakes)
            checks.append(ClaimCheck("degree", label, claimed, found, "fuzzy", False, evidence))
            continue
        checks.append(ClaimCheck("degree", label, claimed, "学信数据中无记录", "no_data", False))
    return checks


def _local(region: str, jurisdiction: str) -> bool:
    county = vocabulary().counties.get(region)
    return county is not None and county.jurisdiction == jurisdiction


def check_social_insurance(claims: Claims, facts: Facts) -> ClaimCheck | None:
    employment = claims.profile.get("employment") or {}
    person = claims.profile.get("person") or {}
    local = employment.get("social_insurance_local")
    months_claimed = person.get("unemployment_insurance_months")
    uscc = claims.employer_uscc
    if local is None and months_claimed is None and uscc is None:
        return None
    parts = []
    if uscc:
        parts.append(f"用人单位{uscc}")
    if local is not None:
        parts.append("在本市缴纳社会保险" if local else "未在本市缴纳社会保险")
    if months_claimed is not None:
        parts.append(f"累计缴费{months_claimed}个月")
    claimed = "，".join(parts)
    label = "社会保险缴费（社保）"
    rows = sorted(facts.contributions, key=lambda row: (row.period, row.employer_uscc))
    if not rows:
        return ClaimCheck(
            "social_insurance", label, claimed, "社保数据中无缴费记录", "no_data", False
        )
    months = len({row.period for row in rows})
    at_employer = [row for row in rows if uscc and row.employer_uscc == uscc]
    local_rows = [row for row in rows if _local(row.region, claims.jurisdiction)]
    problems = []
    if uscc and not at_employer:
        others = "、".join(sorted({row.employer_uscc for row in rows}))
        problems.append(f"社保数据中无申报单位的缴费记录（缴费单位为{others}）")
    if local is True and not local_rows:
        problems.append("社保数据中无本市参保记录")
    if months_claimed is not None and months < int(months_claimed):
        problems.append(f"社保数据记录的缴费月数为{months}个月，少于申报的{months_claimed}个月")
    shown = at_employer or rows
    latest = shown[-1]
    summary = (
        f"共{months}个月有缴费记录，最近一期{latest.period:%Y-%m}（单位{latest.employer_uscc}）"
    )
    if at_employer:
        summary += f"；在申报单位缴费{len({row.period for row in at_employer})}个月"
    evidence = tuple(contribution_evidence(row) for row in shown[-12:])
    if problems:
        found = "；".join(problems) + "。" + summary
        return ClaimCheck("social_insurance", label, claimed, found, "mismatch", True, evidence)
    return ClaimCheck("social_insurance", label, claimed, summary, "match", True, evidence)


def check_employer(claims: Claims, facts: Facts) -> ClaimCheck | None:
    employment = claims.profile.get("employment") or {}
    kind, county = employment.get("employer_type"), employment.get("county")
    if claims.employer_uscc is None and kind is None:
        return None
    label = "用人单位类型和所在地（市场监管）"
    parts = []
    if kind:
        parts.append(_label("employer_type", kind))
    if county:
        known = vocabulary().counties.get(county)
        parts.append(known.name if known else county)
    claimed = "，".join(parts) or "（未申报单位类型和所在地）"
    if claims.employer_uscc is None:
        found = "申请未关联用人单位的统一社会信用代码，无法比对"
        return ClaimCheck("employer", label, claimed, found, "no_data", False)
    row = facts.employer
    if row is None:
        found = f"市场监管数据中无{claims.employer_uscc}的登记记录"
        return ClaimCheck("employer", label, claimed, found, "no_data", False)
    problems = []
    if row.status != "active":
        problems.append(f"登记状态为{STATUS_LABELS.get(row.status, row.status)}")
    if kind and kind != row.employer_type:
        problems.append(f"单位类型登记为{_label('employer_type', row.employer_type)}")
    if county and county != row.county:
        registered = vocabulary().counties.get(row.county)
        problems.append(f"登记地为{registered.name if registered else row.county}")
    evidence = (employer_evidence(row),)
    if problems:
        found = "市场监管数据与申报不一致：" + "；".join(problems)
        return ClaimCheck("employer", label, claimed, found, "mismatch", True, evidence)
    return ClaimCheck("employer", label, claimed, "市场监管数据与申报一致", "match", True, evidence)


def check_salary(claims: Claims, facts: Facts) -> ClaimCheck | None:
    employment = claims.profile.get("employment") or {}
    declared = employment.get("annual_salary")
    if declared is None:
        return None
    try:
        declared_fen = int(Decimal(str(declared)) * 100)
    except InvalidOperation:
        return None
    label = "年工资薪金收入（税务）"
    claimed = _yuan(declared_fen)
    before = [row for row in facts.tax if row.year < claims.on.year]
    if not before:
        found = f"税务数据中无{claims.on.year}年以前的工资薪金收入记录"
        return ClaimCheck("salary", label, claimed, found, "no_data", False)
    year = max(row.year for row in before)
    rows = [row for row in before if row.year == year]
    income = sum(row.wage_income_fen for row in rows)
    evidence = tuple(tax_evidence(row) for row in rows)
    found = f"{year}年工资薪金收入合计{_yuan(income)}"
    if income < declared_fen:
        found += "，低于申报的年工资薪金收入"
        return ClaimCheck("salary", label, claimed, found, "mismatch", True, evidence)
    return ClaimCheck("salary", label, claimed, found + "，不低于申报额", "match", True, evidence)


def _county_name(code: str) -> str:
    county = vocabulary().counties.get(code)
    return county.name if county else code


def check_residence(claims: Claims, facts: Facts) -> ClaimCheck | None:
    """石家庄 保障性租赁住房 asks for 城区常住户口 or a 主城区居住证 (``housing.
    resides_in_main_city``, rule ``resides_in_main_city``). The 户籍 feed knows the 户口, not the
    居住证 nor where a person actually lives: a 户口 in 主城区 (the latest event a 落户 or 迁入
    there) confirms the claim; a 户口 elsewhere or moved out is flagged for the reviewer to look at
    the 居住证; no 户籍 row is no data. The 户籍 layout carries no name, so there is no match by
    name only."""
    housing = claims.profile.get("housing") or {}
    if claims.jurisdiction != "shijiazhuang" or housing.get("resides_in_main_city") is not True:
        return None
    label = "城区户口或主城区居住证（户籍）"
    claimed = "具有城区常住户口或主城区居住证，且在主城区实际居住"
    rows = sorted(facts.residence, key=lambda row: (row.on_date, row.load_id, row.row_number))
    if not rows:
        found = "户籍数据中无该身份证号的户口登记或迁移记录"
        return ClaimCheck("residence", label, claimed, found, "no_data", False)
    latest = rows[-1]
    evidence = tuple(residence_evidence(row) for row in rows[-5:])
    where = _county_name(latest.county)
    event = EVENT_LABELS.get(latest.event, latest.event)
    if latest.event != "moved_out" and latest.county in MAIN_CITY:
        found = f"户籍数据显示户口于{latest.on_date.isoformat()}{event}主城区（{where}）"
        return ClaimCheck("residence", label, claimed, found, "match", True, evidence)
    if latest.event == "moved_out":
        found = f"户籍数据显示户口已于{latest.on_date.isoformat()}自{where}迁出"
    else:
        found = f"户籍数据显示户口在{where}（{latest.on_date.isoformat()}{event}），不在主城区"
    found += "；如依据主城区居住证申报，请核对居住证"
    return ClaimCheck("residence", label, claimed, found, "mismatch", True, evidence)


def check(claims: Claims, facts: Facts) -> list[ClaimCheck]:
    """Every check this application's claims allow, in a fixed order (pure)."""
    checks = check_degree(claims, facts)
    for one in (check_social_insurance, check_employer, check_salary, check_residence):
        result = one(claims, facts)
        if result is not None:
            checks.append(result)
    return checks


def all_exact_matches(checks: Iterable[ClaimCheck]) -> bool:
    """Every check confirmed by identity number (what an automatic approval may rely on)."""
    listed = list(checks)
    return bool(listed) and all(c.outcome == "match" and c.exact for c in listed)


# --- reading the rows ----------------------------------------------------------------------------


def facts_for(session: Session, claims: Claims) -> Facts:
    """The feed rows the checks read: by identity number, by name only when the number finds
    no degree, and the latest registration of the claimed employer."""
    degrees = list(
        session.scalars(select(DegreeRow).where(DegreeRow.id_number == claims.id_number))
    )
    by_name: list[DegreeRow] = []
    if not degrees and claims.name:
        by_name = list(
            session.scalars(
                select(DegreeRow)
                .where(DegreeRow.name == claims.name, DegreeRow.id_number != claims.id_number)
                .limit(20)
            )
        )
    contributions = list(
        session.scalars(
            select(SocialInsuranceRow)
            .where(SocialInsuranceRow.id_number == claims.id_number)
            .order_by(SocialInsuranceRow.period)
        )
    )
    tax = list(session.scalars(select(TaxRow).where(TaxRow.id_number == claims.id_number)))
    employer = None
    if claims.employer_uscc:
        employer = session.scalar(
            select(EmployerRow)
            .where(EmployerRow.uscc == claims.employer_uscc)
            .order_by(EmployerRow.load_id.desc(), EmployerRow.row_number.desc())
            .limit(1)
        )
    residence = list(
        session.scalars(select(ResidenceRow).where(ResidenceRow.id_number == claims.id_number))
    )
    return Facts(degrees, by_name, contributions, tax, employer, residence)


def verify(session: Session, claims: Claims) -> list[ClaimCheck]:
    return check(claims, facts_for(session, claims))


def claims_for(
    session: Session,
    talent_id: int,
    jurisdiction: str,
    submitted_at: dt.datetime,
    profile_snapshot: str,
    employer_id: int | None,
) -> Claims | None:
    """The claims of an application, from its fields (the talent's identity number and name, the
    case's employer or else the talent's)."""
    talent = session.get(TalentProfile, talent_id)
    if talent is None:
        return None
    unit_id = employer_id or talent.employer_id
    employer = session.get(Employer, unit_id) if unit_id else None
    return Claims(
        id_number=talent.id_number,
        name=talent.name,
        jurisdiction=jurisdiction,
        on=clock.office_date(submitted_at),
        profile=json.loads(profile_snapshot),
        employer_uscc=employer.uscc if employer else None,
    )


def for_automatic(checks: list[ClaimCheck]) -> dict[str, Any]:
    """What 秒批 takes from the checks: a hold when any is flagged (a mismatch, or a match by
    name only, goes to a person), and the exact matches as findings for its explanation."""
    return {
        "hold": any(c.flagged for c in checks),
        "findings": [
            {
                "claim": c.claim,
                "label": c.label,
                "found": c.found,
                "rows": [f"{e.source_label} {e.where}" for e in c.evidence],
            }
            for c in checks
            if c.outcome == "match" and c.exact
        ],
    }
