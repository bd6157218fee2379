"""Accounts: registration, argon2 passwords, lock-out after repeated failures, tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rencai import clock
from rencai.audit.log import append as audit
from rencai.policy.contract.profile import ProfileError, parse_profile
from rencai.policy.contract.vocabulary import vocabulary
from rencai.registry.identifiers import (
    IdentifierError,
    mask_id_number,
    validate_id_number,
    validate_uscc,
)
from rencai.registry.models import (
    LEADING_INDUSTRIES,
    Account,
    Employer,
    Role,
    TalentProfile,
    Token,
)

MAX_FAILED_LOGINS = 5
LOCK_OUT = dt.timedelta(minutes=15)
TOKEN_LIFETIME = {"session": dt.timedelta(hours=8), "api": dt.timedelta(days=30)}
MIN_PASSWORD_LENGTH = 8
MAX_NAME_LENGTH = 100  # a person's name as on the identity card, minority names included

_hasher = PasswordHasher()


class RegistryError(ValueError):
    """Refused input; ``message`` is Chinese, ``field`` and ``code`` are for machines."""

    def __init__(self, field: str, message: str, code: str):
        super().__init__(f"{field}: {message}")
        self.field, self.message, self.code = field, message, code

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message, "code": self.code}


def _now() -> dt.datetime:
    return clock.now()


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands back naive datetimes; everything stored is UTC
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise RegistryError("password", f"密码至少{MIN_PASSWORD_LENGTH}位", "weak_password")
    if password.isdigit() or password.isalpha():
        raise RegistryError("password", "密码须同时包含字母和数字", "weak_password")


def create_account(
    session: Session,
    username: str,
    password: str,
    display_name: str,
    role: Role,
    *,
    county: str | None = None,
    department: str | None = None,
    employer_id: int | None = None,
) -> Account:
    username = username.strip()
    if not 3 <= len(username) <= 64:
        raise RegistryError("username", "用户名长度应为3至64个字符", "bad_username")
    _check_password(password)
    if len(display_name.strip()) > MAX_NAME_LENGTH:
        raise RegistryError("display_name", f"姓名不超过{MAX_NAME_LENGTH}个字", "bad_name")
    if role is Role.county_reviewer and county not in vocabulary().counties:
        raise RegistryError(
            "county", "县（市、区）审核人员须指定有效的县（市、区）代码", "bad_county"
        )
    if session.scalar(select(Account.id).where(Account.username == username)) is not None:
        raise RegistryError("username", "用户名已被注册", "duplicate_username")
    account = Account(
        username=username,
        display_name=display_name.strip() or username,
        password_hash=_hasher.hash(password),
        role=role.value,
        county=county,
        department=department,
        employer_id=employer_id,
        failed_logins=0,
        active=True,
    )
    session.add(account)
    try:
        session.flush()
    except IntegrityError:  # a concurrent registration took the name first
        raise RegistryError("username", "用户名已被注册", "duplicate_username") from None
    audit(session, username, "account.create", f"account:{account.id}", {"role": role.value})
    return account


def register_talent(
    session: Session,
    username: str,
    password: str,
    name: str,
    id_number: str,
    profile: dict[str, Any] | None = None,
) -> TalentProfile:
    name = name.strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise RegistryError("name", f"请填写姓名（不超过{MAX_NAME_LENGTH}个字）", "bad_name")
    try:
        number = validate_id_number(id_number)
    except IdentifierError as exc:
        raise RegistryError("id_number", str(exc), "bad_id_number") from None
    if session.scalar(select(TalentProfile.id).where(TalentProfile.id_number == number)):
        raise RegistryError("id_number", "该身份证号已注册", "duplicate_id_number")
    document = _validated_profile(profile or {"jurisdiction": "shijiazhuang"}, number)
    account = create_account(session, username, password, name, Role.talent)
    talent = TalentProfile(
        account_id=account.id,
        name=name.strip(),
        id_number=number,
        profile=document,
        updated_at=_now(),
    )
    session.add(talent)
    session.flush()
    audit(
        session,
        username,
        "talent.register",
        f"talent:{talent.id}",
        {"id_number": mask_id_number(number)},
    )
    return talent


def _validated_profile(profile: dict[str, Any], id_number: str) -> str:
    """The profile as stored: checked against the holder's identity number, whose birth date it
    carries (decision 0086); the number itself stays on the talent row, not in the document."""
    person = profile.get("person") if isinstance(profile, dict) else None
    if isinstance(person, dict):
        given = person.get("id_number")
        if given is not None and str(given).strip().upper() != id_number:
            raise RegistryError(
                "person.id_number", "画像中的身份证号与账户的身份证号不一致", "id_number_mismatch"
            )
        profile = {**profile, "person": {**person, "id_number": id_number}}
    elif isinstance(profile, dict) and person is None:
        profile = {**profile, "person": {"id_number": id_number}}
    try:
        parsed = parse_profile(profile)
    except ProfileError as exc:
        first = exc.errors[0]
        raise RegistryError(first.field, first.message, first.code) from None
    document = parsed.model_dump(mode="json", exclude_none=True)
    document["person"].pop("id_number", None)
    return json.dumps(document, ensure_ascii=False)


def checked_profile(talent: TalentProfile) -> dict[str, Any]:
    """A talent's stored profile as the calculator and a new case must read it: refused
    (RegistryError) if its birth date disagrees with the identity number, else with the number's
    birth date (profiles stored before this check may lack it or contradict it)."""
    return json.loads(_validated_profile(json.loads(talent.profile), talent.id_number))


def update_profile(
    session: Session, talent: TalentProfile, profile: dict[str, Any], expected_version: int
) -> TalentProfile:
    """Replace the profile if nobody changed it since ``expected_version`` was read."""
    if talent.version != expected_version:
        raise RegistryError("version", "资料已被修改，请刷新后重试", "stale_version")
    talent.profile = _validated_profile(profile, talent.id_number)
    talent.updated_at = _now()
    session.flush()
    return talent


def register_employer(
    session: Session,
    uscc: str,
    name: str,
    county: str,
    employer_type: str,
    leading_industry: str | None = None,
    high_tech: bool = False,
) -> Employer:
    try:
        code = validate_uscc(uscc)
    except IdentifierError as exc:
        raise RegistryError("uscc", str(exc), "bad_uscc") from None
    if not 2 <= len(name.strip()) <= 200:
        raise RegistryError("name", "单位名称应为2至200个字", "bad_name")
    if county not in vocabulary().counties:
        raise RegistryError("county", "未知的县（市、区）代码", "bad_county")
    if employer_type not in vocabulary().codes("employer_type"):
        raise RegistryError("employer_type", "未知的单位类型", "bad_employer_type")
    if leading_industry is not None and leading_industry not in LEADING_INDUSTRIES:
        raise RegistryError("leading_industry", "未知的主导产业分类", "bad_industry")
    if session.scalar(select(Employer.id).where(Employer.uscc == code)) is not None:
        raise RegistryError("uscc", "该统一社会信用代码已注册", "duplicate_uscc")
    employer = Employer(
        uscc=code,
        name=name.strip(),
        county=county,
        employer_type=employer_type,
        leading_industry=leading_industry,
        high_tech=high_tech,
    )
    session.add(employer)
    session.flush()
    audit(session, "system", "employer.register", f"employer:{employer.id}", {"uscc": code})
    return employer


@dataclass(frozen=True)
class Login:
    account: Account
    token: str  # the raw token, shown once


def authenticate(
    session: Session,
    username: str,
    password: str,
    kind: str = "session",
    now: dt.datetime | None = None,
) -> Login:
    """Check the password; five failures lock the account for 15 minutes."""
    moment = now or _now()
    account = session.scalar(select(Account).where(Account.username == username.strip()))
    refused = RegistryError("password", "用户名或密码不正确", "bad_credentials")
    if account is None or not account.active:
        raise refused
    locked_until = _aware(account.locked_until)
    if locked_until is not None and locked_until > moment:
        minutes = int((locked_until - moment).total_seconds() // 60) + 1
        raise RegistryError(
            "username", f"登录失败次数过多，账号已锁定，请{minutes}分钟后再试", "locked"
        )
    try:
        _hasher.verify(account.password_hash, password)
    except VerificationError:
        account.failed_logins += 1
        if account.failed_logins >= MAX_FAILED_LOGINS:
            account.locked_until = moment + LOCK_OUT
            account.failed_logins = 0
            audit(session, account.username, "account.locked", f"account:{account.id}", {})
        session.flush()
        raise refused from None
    account.failed_logins = 0
    account.locked_until = None
    return Login(account, issue_token(session, account, kind, moment))


def issue_token(
    session: Session, account: Account, kind: str, now: dt.datetime | None = None
) -> str:
    moment = now or _now()
    raw = secrets.token_urlsafe(32)
    session.add(
        Token(
            token_hash=hashlib.sha256(raw.encode()).hexdigest(),
            account_id=account.id,
            kind=kind,
            created_at=moment,
            expires_at=moment + TOKEN_LIFETIME[kind],
            revoked=False,
        )
    )
    session.flush()
    return raw


def token_digest(raw: str) -> str:
    """What is stored of a token: its SHA-256 (the token itself is shown once, never kept)."""
    return hashlib.sha256(raw.encode()).hexdigest()


def resolve_token(session: Session, raw: str, now: dt.datetime | None = None) -> Account | None:
    """The account a token belongs to, or None if unknown, revoked or expired."""
    moment = now or _now()
    token = session.scalar(select(Token).where(Token.token_hash == token_digest(raw)))
    expires_at = _aware(token.expires_at) if token is not None else None
    if token is None or token.revoked or expires_at is None or expires_at <= moment:
        return None
    account = session.get(Account, token.account_id)
    return account if account is not None and account.active else None


def revoke_token(session: Session, raw: str) -> None:
    token = session.scalar(select(Token).where(Token.token_hash == token_digest(raw)))
    if token is not None:
        token.revoked = True
        session.flush()
