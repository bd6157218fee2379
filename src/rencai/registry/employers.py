"""The city office's verification of employers (decision 0080).

Anyone may register a unit with a well-formed 统一社会信用代码, so a registered unit proves
nothing by itself. Until the city office has checked the unit (a city reviewer or the
administrator records who checked, when, and on what evidence), its HR accounts may not confirm
anyone's employment, nor apply on a talent's behalf (which is a confirmation too). The
market-supervision (市场监管) feed will verify units automatically through
``verify_from_market_record``; the office's decision stays on record beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai import clock
from rencai.audit.log import append as audit
from rencai.registry.accounts import RegistryError, create_account, register_employer
from rencai.registry.models import Account, Employer, Role, TalentProfile

VERIFIERS = (Role.city_reviewer, Role.admin)
VERIFICATION_LABELS = {"pending": "待核验", "verified": "已核验", "refused": "核验未通过"}
SOURCE_LABELS = {"office": "市委人才办核验", "market_feed": "市场监管数据核验"}
MAX_EVIDENCE = 2000


class VerificationError(RegistryError):
    """A refused verification step (Chinese message)."""


def may_verify(account: Account) -> bool:
    return account.role in VERIFIERS


def is_hr(account: Account) -> bool:
    """An employer's HR account (经办人), attached to its unit."""
    return account.role == Role.employer and account.employer_id is not None


def register_with_hr(
    session: Session,
    uscc: str,
    name: str,
    county: str,
    employer_type: str,
    leading_industry: str | None,
    high_tech: bool,
    username: str,
    password: str,
    contact_name: str,
) -> Employer:
    """A unit and its first HR account, registered together (both or neither); the unit waits
    for the city office's verification."""
    with session.begin_nested():
        employer = register_employer(
            session, uscc, name, county, employer_type, leading_industry, high_tech
        )
        create_account(
            session, username, password, contact_name, Role.employer, employer_id=employer.id
        )
    return employer


def staff_of(session: Session, hr: Account) -> list[TalentProfile]:
    """The talents registered with the HR account's unit (nobody else's)."""
    if not is_hr(hr):
        return []
    return list(
        session.scalars(select(TalentProfile).where(TalentProfile.employer_id == hr.employer_id))
    )


def staff_member(session: Session, hr: Account, talent_id: int | None) -> TalentProfile | None:
    """One talent of the HR account's unit, or None (also for another unit's talent)."""
    talent = session.get(TalentProfile, talent_id) if talent_id else None
    if talent is None or not is_hr(hr) or talent.employer_id != hr.employer_id:
        return None
    return talent


def waiting(session: Session) -> list[Employer]:
    """Units the office has not verified yet (the refused ones too, at the end)."""
    return list(
        session.scalars(
            select(Employer)
            .where(Employer.verification_status != "verified")
            .order_by(Employer.verification_status, Employer.id)
        )
    )


def decide(
    session: Session, officer: Account, employer: Employer, decision: str, evidence: str
) -> Employer:
    """Verify (``verify``) or refuse (``refuse``) a unit, recording who, when and what evidence
    was checked (the licence seen, the registry entry looked up, the reason for refusing)."""
    if not may_verify(officer):
        raise VerificationError(
            "role", "仅市委人才办审核人员或系统管理员可以核验用人单位", "forbidden"
        )
    if decision not in ("verify", "refuse"):
        raise VerificationError("decision", "核验结论应为通过或不通过", "bad_decision")
    evidence = evidence.strip()
    if not evidence:
        message = "请填写核验依据（如营业执照原件、国家企业信用信息公示系统查询结果）"
        if decision == "refuse":
            message = "核验不通过须填写理由"
        raise VerificationError("evidence", message, "evidence_required")
    if len(evidence) > MAX_EVIDENCE:
        raise VerificationError(
            "evidence", f"核验依据不能超过{MAX_EVIDENCE}字", "evidence_too_long"
        )
    if employer.verification_status == "verified" and decision == "verify":
        raise VerificationError("employer", "该单位已核验", "already_verified")
    _record(session, employer, "verified" if decision == "verify" else "refused", "office",
            evidence, officer.username)  # fmt: skip
    return employer


@dataclass(frozen=True)
class MarketRecord:
    """One entry of the market-supervision (市场监管) registry, as the feed will deliver it."""

    uscc: str
    name: str
    status: str  # 存续 / 在业 / 注销 / 吊销 …
    source: str  # the feed file or query that carried it


ACTIVE_STATES = ("存续", "在业", "开业")


def verify_from_market_record(session: Session, record: MarketRecord) -> Employer | None:
    """The hook for the 市场监管 feed: a unit registered here whose code the registry lists
    as existing under the same name is verified automatically; one the registry lists as
    cancelled or revoked loses its verification. Returns the unit changed, if any."""
    employer = session.scalar(select(Employer).where(Employer.uscc == record.uscc.strip().upper()))
    if employer is None:
        return None
    evidence = f"市场监管登记：{record.name}（{record.status}），来源：{record.source}"
    if record.status in ACTIVE_STATES and record.name.strip() == employer.name:
        if employer.verification_status == "verified":
            return None
        _record(session, employer, "verified", "market_feed", evidence, "market_feed")
        return employer
    if record.status not in ACTIVE_STATES and employer.verification_status == "verified":
        _record(session, employer, "refused", "market_feed", evidence, "market_feed")
        return employer
    return None


def _record(
    session: Session, employer: Employer, status: str, source: str, evidence: str, actor: str
) -> None:
    employer.verification_status = status
    employer.verification_source = source
    employer.verification_evidence = evidence
    employer.verified_by = actor
    employer.verified_at = clock.now()
    session.flush()
    audit(
        session,
        actor,
        "employer.verify" if status == "verified" else "employer.verify_refused",
        f"employer:{employer.id}",
        {"source": source, "evidence": evidence},
    )


def require_verified(session: Session, employer_id: int | None) -> None:
    """Refuse an employer's confirmation while the office has not verified the unit."""
    employer = session.get(Employer, employer_id) if employer_id is not None else None
    if employer is None or employer.verification_status != "verified":
        refused = employer is not None and employer.verification_status == "refused"
        raise VerificationError(
            "employer",
            "本单位核验未通过，不能确认在职情况，请联系市委人才办"
            if refused
            else "本单位尚未经市委人才办核验，暂不能确认在职情况或代为申请；"
            "请携营业执照等材料联系市委人才办办理单位核验",
            "employer_unverified",
        )


def verification_view(employer: Employer) -> dict[str, object]:
    return {
        "id": employer.id,
        "uscc": employer.uscc,
        "name": employer.name,
        "county": employer.county,
        "employer_type": employer.employer_type,
        "verification_status": employer.verification_status,
        "verification_label": VERIFICATION_LABELS.get(employer.verification_status, ""),
        "verification_source": employer.verification_source,
        "verification_evidence": employer.verification_evidence,
        "verified_by": employer.verified_by,
        "verified_at": clock.display(employer.verified_at) if employer.verified_at else None,
    }
