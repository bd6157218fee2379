"""Accounts: registration, argon2 passwords, login throttles, password changes, tokens."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session

from rencai import clock
from rencai.audit.log import append as audit
from rencai.errors import Refusal
from rencai.hooks import Hook
from rencai.policy.cities import default_code
from rencai.policy.contract.profile import ProfileError, parse_profile
from rencai.policy.contract.vocabulary import vocabulary
from rencai.registry.identifiers import (
    IdentifierError,
    mask_id_number,
    mask_name,
    validate_id_number,
    validate_uscc,
)
from rencai.registry.models import (
    LEADING_INDUSTRIES,
    Account,
    Employer,
    LoginThrottle,
    Role,
    TalentProfile,
    Token,
)

TOKEN_LIFETIME = {"session": dt.timedelta(hours=8), "api": dt.timedelta(days=30)}
MIN_PASSWORD_LENGTH = 8
MAX_NAME_LENGTH = 100  # a person's name as on the identity card, minority names included
MAX_PASSWORD_LENGTH = 128  # checked before any hashing

_hasher = PasswordHasher()


class RegistryError(Refusal):
    """Refused input about accounts, employers and profiles."""


def _now() -> dt.datetime:
    return clock.now()


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands back naive datetimes; everything stored is UTC
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


def _check_password(password: str, field: str = "password") -> None:
    if len(password) > MAX_PASSWORD_LENGTH:
        raise RegistryError(field, f"密码不能超过{MAX_PASSWORD_LENGTH}个字符", "password_too_long")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise RegistryError(field, f"密码至少{MIN_PASSWORD_LENGTH}位", "weak_password")
    if password.isdigit() or password.isalpha():
        raise RegistryError(field, "密码须同时包含字母和数字", "weak_password")


_shared: dict[str, str] | None = None


@contextlib.contextmanager
def shared_hashes() -> Iterator[None]:
    """Accounts created inside this block with the same initial password share its one argon2
    hash (hashing is deliberately slow; a batch of accounts made together — the demo world —
    would otherwise spend most of its time hashing one password). Outside it, every account's
    password is hashed on its own, with its own salt."""
    global _shared
    previous, _shared = _shared, {}
    try:
        yield
    finally:
        _shared = previous


def _hash(password: str) -> str:
    if _shared is None:
        return _hasher.hash(password)
    if password not in _shared:
        _shared[password] = _hasher.hash(password)
    return _shared[password]


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
    jurisdiction: str | None = None,
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
        password_hash=_hash(password),
        role=role.value,
        county=county,
        department=department,
        employer_id=employer_id,
        jurisdiction=jurisdiction,
        active=True,
        must_change_password=False,
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
    document = _validated_profile(profile or {"jurisdiction": default_code()}, number)
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


# facts the platform supplies to a stored profile from capabilities further out (the shortage
# catalogue's 急需紧缺工种, decision 0186): handler(session, profile dict) amends the profile
profile_facts = Hook("profile_facts")


def on_profile_facts(handler: Callable[[Session, dict[str, Any]], None]) -> None:
    """Register a supplier of platform facts (at start-up, ``rencai.wiring``)."""
    profile_facts.register(handler)


def checked_profile(talent: TalentProfile) -> dict[str, Any]:
    """A talent's stored profile as the calculator and a new case must read it: refused
    (RegistryError) if its birth date disagrees with the identity number, else with the number's
    birth date (profiles stored before this check may lack it or contradict it), with the facts
    the platform supplies (``profile_facts``) as of now."""
    profile: dict[str, Any] = json.loads(
        _validated_profile(json.loads(talent.profile), talent.id_number)
    )
    session = object_session(talent)
    if session is not None:
        profile_facts.fire(session, profile)
    return profile


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


@dataclass(frozen=True)
class Scope:
    """One kind of throttle key: ``free`` failures, then a wait of ``base`` doubling with each
    further failure up to ``cap`` (decision 0084)."""

    free: int
    base: dt.timedelta
    cap: dt.timedelta


THROTTLES = {
    # one name from one address: the guessing attacker
    "pair": Scope(5, dt.timedelta(seconds=30), dt.timedelta(minutes=15)),
    # one address, whatever names it tries: password spraying
    "address": Scope(20, dt.timedelta(seconds=30), dt.timedelta(minutes=15)),
    # one name from everywhere: a short cap, so nobody can lock the holder out for long
    "name": Scope(20, dt.timedelta(seconds=1), dt.timedelta(minutes=1)),
}
THROTTLE_MEMORY = dt.timedelta(hours=24)  # failures older than a quiet day are forgotten
_DUMMY_HASH = _hasher.hash("not-a-password-0")  # unknown names cost the same time


def _keys(username: str, address: str | None) -> dict[str, str]:
    name = username.strip()[:64]
    keys = {"name": f"name:{name}"}
    if address:
        keys["address"] = f"address:{address[:64]}"
        keys["pair"] = f"pair:{address[:64]}:{name}"
    return keys


def _throttle_rows(session: Session, keys: dict[str, str]) -> dict[str, LoginThrottle]:
    rows = session.scalars(
        select(LoginThrottle).where(LoginThrottle.key.in_(keys.values())).with_for_update()
    )
    by_key = {row.key: row for row in rows}
    return {scope: by_key[key] for scope, key in keys.items() if key in by_key}


def _record_failure(
    session: Session, keys: dict[str, str], rows: dict[str, LoginThrottle], moment: dt.datetime
) -> None:
    for scope, key in keys.items():
        row = rows.get(scope)
        if row is None:
            try:
                with session.begin_nested():
                    row = LoginThrottle(key=key, failures=0, last_failure_at=moment)
                    session.add(row)
                    session.flush()
            except IntegrityError:  # another process recorded the first failure first
                row = session.scalar(
                    select(LoginThrottle).where(LoginThrottle.key == key).with_for_update()
                )
                assert row is not None
        last = _aware(row.last_failure_at)
        if last is not None and moment - last > THROTTLE_MEMORY:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = moment
        rule = THROTTLES[scope]
        beyond = row.failures - rule.free
        row.blocked_until = (
            moment + min(rule.base * 2 ** min(beyond - 1, 20), rule.cap) if beyond > 0 else None
        )
    session.flush()


def _throttled_for(rows: dict[str, LoginThrottle], moment: dt.datetime) -> dt.timedelta | None:
    waits = [
        until - moment
        for row in rows.values()
        if (until := _aware(row.blocked_until)) is not None and until > moment
    ]
    return max(waits) if waits else None


def login_throttled(wait: dt.timedelta) -> RegistryError:
    seconds = max(1, int(wait.total_seconds() + 0.999))
    when = f"{seconds}秒" if seconds < 120 else f"{(seconds + 59) // 60}分钟"
    return RegistryError("username", f"登录尝试过于频繁，请{when}后再试", "throttled")


def authenticate(
    session: Session,
    username: str,
    password: str,
    kind: str = "session",
    now: dt.datetime | None = None,
    address: str | None = None,
) -> Login:
    """Check the password under the login throttles (decision 0084).

    Unknown names, inactive accounts and wrong passwords are refused alike, and the throttles
    are kept per name string (whether or not an account has it), per client address and per
    name at an address, so a name that exists answers exactly as one that does not. The caller
    commits a refusal too: failures count even though the call raises.
    """
    moment = now or clock.now()
    if len(password) > MAX_PASSWORD_LENGTH:
        raise RegistryError(
            "password", f"密码不能超过{MAX_PASSWORD_LENGTH}个字符", "password_too_long"
        )
    keys = _keys(username, address)
    rows = _throttle_rows(session, keys)
    wait = _throttled_for(rows, moment)
    if wait is not None:
        raise login_throttled(wait)
    account = session.scalar(select(Account).where(Account.username == username.strip()))
    try:
        _hasher.verify(account.password_hash if account else _DUMMY_HASH, password + "")
        if account is None or not account.active:
            raise VerificationError("unknown or inactive")
    except (VerificationError, InvalidHashError):  # "!" marks an account that cannot log in
        _record_failure(session, keys, rows, moment)
        raise RegistryError("password", "用户名或密码不正确", "bad_credentials") from None
    for scope in ("name", "pair"):  # the holder got in: forget the guesses at this name
        if scope in rows:
            session.delete(rows[scope])
    session.flush()
    return Login(account, issue_token(session, account, kind, moment))


def clear_throttles(session: Session, username: str) -> int:
    """Forget the failures recorded against a name (the administrator's 解除限制)."""
    rows = list(
        session.scalars(
            select(LoginThrottle).where(
                (LoginThrottle.key == f"name:{username}")
                | (LoginThrottle.key.like(f"pair:%:{username}"))
            )
        )
    )
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)


def throttled_now(session: Session, username: str, now: dt.datetime | None = None) -> bool:
    """Whether log-ins under this name are being delayed from everywhere."""
    row = session.get(LoginThrottle, f"name:{username}")
    until = _aware(row.blocked_until) if row is not None else None
    return until is not None and until > (now or clock.now())


def revoke_all_tokens(session: Session, account: Account) -> int:
    """Every session and API token of the account stops working."""
    tokens = list(
        session.scalars(
            select(Token).where(Token.account_id == account.id, Token.revoked.is_(False))
        )
    )
    for token in tokens:
        token.revoked = True
    session.flush()
    return len(tokens)


def change_password(session: Session, account: Account, old: str, new: str) -> None:
    """The holder changes their own password: the old one must be right, the new one must meet
    the policy and differ from the old; every session and token of the account is revoked (the
    caller hands the holder a fresh one)."""
    if len(old) > MAX_PASSWORD_LENGTH:
        raise RegistryError("old_password", "原密码不正确", "bad_old_password")
    try:
        _hasher.verify(account.password_hash, old)
    except VerificationError:
        raise RegistryError("old_password", "原密码不正确", "bad_old_password") from None
    _check_password(new, "new_password")
    if new == old:
        raise RegistryError("new_password", "新密码不能与原密码相同", "same_password")
    account.password_hash = _hasher.hash(new)
    account.must_change_password = False
    account.password_changed_at = clock.now()
    revoke_all_tokens(session, account)
    audit(session, account.username, "account.password_change", f"account:{account.id}", {})


def set_temporary_password(session: Session, account: Account, password: str) -> None:
    """An administrator's reset: a temporary password the holder must replace at the next
    log-in; every session and token of the account is revoked."""
    _check_password(password)
    account.password_hash = _hasher.hash(password)
    account.must_change_password = True
    account.password_changed_at = clock.now()
    revoke_all_tokens(session, account)


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


def talent_of(session: Session, account: Account) -> TalentProfile | None:
    """The talent profile an account holds, if any."""
    return session.scalar(select(TalentProfile).where(TalentProfile.account_id == account.id))


def masked_talent_name(session: Session, talent_id: int) -> str:
    """A talent's name as anyone but the talent sees it in a list (王**); empty for none."""
    talent = session.get(TalentProfile, talent_id)
    return mask_name(talent.name) if talent is not None else ""


def resolve_token(
    session: Session,
    raw: str,
    now: dt.datetime | None = None,
    *,
    pending_change: bool = False,
) -> Account | None:
    """The account a token belongs to, or None if unknown, revoked or expired, the account
    inactive, or (unless ``pending_change``) its holder still has to replace a temporary
    password: until then only the password change itself is reachable."""
    moment = now or _now()
    # the token and its account in one statement (every authenticated request reads both)
    found = session.execute(
        select(Token, Account)
        .join(Account, Account.id == Token.account_id)
        .where(Token.token_hash == token_digest(raw))
    ).first()
    if found is None:
        return None
    token, account = found
    expires_at = _aware(token.expires_at)
    if token.revoked or expires_at is None or expires_at <= moment:
        return None
    if not account.active:
        return None
    if account.must_change_password and not pending_change:
        return None
    return account


def revoke_token(session: Session, raw: str) -> None:
    token = session.scalar(select(Token).where(Token.token_hash == token_digest(raw)))
    if token is not None:
        token.revoked = True
        session.flush()
