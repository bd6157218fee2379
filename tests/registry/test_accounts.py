"""Accounts on PostgreSQL: registration, argon2 passwords, lock-out, tokens, profiles."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from rencai.audit.log import AuditEntry
from rencai.db.session import session_scope, upgrade
from rencai.registry.accounts import (
    RegistryError,
    authenticate,
    register_employer,
    register_talent,
    resolve_token,
    revoke_token,
    update_profile,
)
from rencai.registry.identifiers import id_check_character, uscc_check_character
from rencai.registry.models import Account, TalentProfile
from tests.profiles import doctor_birth_date
from tests.support import random_first17


def _id_number() -> str:
    first17 = random_first17()
    return first17 + id_check_character(first17)


def _uscc() -> str:
    first17 = "91130100MA" + "".join("0123456789ABCDEFGH"[b % 18] for b in uuid.uuid4().bytes[:7])
    return first17 + uscc_check_character(first17)


@pytest.fixture
def db(pg_url: str) -> str:
    upgrade(pg_url)
    return pg_url


def test_register_talent_and_log_in(db: str) -> None:
    name = f"talent-{uuid.uuid4().hex[:8]}"
    number = _id_number()
    with session_scope(db) as session:
        talent = register_talent(session, name, "secret123", "张三", number)
        account = session.get(Account, talent.account_id)
        assert account is not None and account.password_hash.startswith("$argon2")
    with session_scope(db) as session:
        login = authenticate(session, name, "secret123", kind="api")
        assert resolve_token(session, login.token) is not None
        revoke_token(session, login.token)
        assert resolve_token(session, login.token) is None
        entries = session.scalars(select(AuditEntry).where(AuditEntry.actor == name)).all()
        assert any(e.action == "talent.register" and number not in e.details for e in entries)


def test_duplicates_and_bad_input_are_refused(db: str) -> None:
    name = f"dup-{uuid.uuid4().hex[:8]}"
    number = _id_number()
    with session_scope(db) as session:
        register_talent(session, name, "secret123", "李四", number)
    for args, code in [
        ((name, "secret123", "王五", _id_number()), "duplicate_username"),
        ((f"x{name}", "secret123", "王五", number), "duplicate_id_number"),
        ((f"y{name}", "short1", "王五", _id_number()), "weak_password"),
        ((f"z{name}", "secret123", "王五", "110105194912310021"), "bad_id_number"),
    ]:
        with pytest.raises(RegistryError) as caught, session_scope(db) as session:
            register_talent(session, *args)
        assert caught.value.code == code
    with session_scope(db) as session:  # nothing of the refused registrations was kept
        names = set(session.scalars(select(Account.username)))
    assert not {f"x{name}", f"y{name}", f"z{name}"} & names


def test_failures_slow_the_name_at_that_address_with_growing_delays(db: str) -> None:
    """Decision 0084, on PostgreSQL: the throttle lives in the database, so it holds for every
    process; the delays grow; the holder at another address is not held up."""
    name = f"lock-{uuid.uuid4().hex[:8]}"
    with session_scope(db) as session:
        register_talent(session, name, "secret123", "赵六", _id_number())
    start = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)

    def attempt(password: str, at: dt.datetime, address: str = "192.0.2.7") -> str:
        with session_scope(db) as session:
            try:
                authenticate(session, name, password, now=at, address=address)
            except RegistryError as exc:
                session.commit()  # failures are counted even though the call raises
                return exc.code
        return "ok"

    assert [attempt("wrong-pass1", start) for _ in range(6)] == ["bad_credentials"] * 6
    assert attempt("secret123", start + dt.timedelta(seconds=29)) == "throttled"
    assert attempt("secret123", start, address="198.51.100.3") == "ok"  # elsewhere: at once
    # the wait doubles with each further failure: 30 s, then 60 s
    assert attempt("wrong-pass1", start + dt.timedelta(seconds=31)) == "bad_credentials"
    assert attempt("secret123", start + dt.timedelta(seconds=31 + 59)) == "throttled"
    with session_scope(db) as session:
        with pytest.raises(RegistryError) as caught:
            authenticate(session, name, "secret123", now=start, address="192.0.2.7")
        assert "登录尝试过于频繁" in caught.value.message and "锁定" not in caught.value.message
    assert attempt("secret123", start + dt.timedelta(seconds=31 + 61)) == "ok"


def test_tokens_expire(db: str) -> None:
    name = f"tok-{uuid.uuid4().hex[:8]}"
    with session_scope(db) as session:
        register_talent(session, name, "secret123", "钱七", _id_number())
        now = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
        login = authenticate(session, name, "secret123", kind="session", now=now)
        assert resolve_token(session, login.token, now + dt.timedelta(hours=7)) is not None
        assert resolve_token(session, login.token, now + dt.timedelta(hours=9)) is None
        assert resolve_token(session, "not-a-token", now) is None


def test_employer_registration_validates_the_credit_code(db: str) -> None:
    with session_scope(db) as session:
        employer = register_employer(
            session, _uscc(), "石家庄某生物医药有限公司", "130102", "enterprise", "biomedicine"
        )
        assert employer.id
    with pytest.raises(RegistryError) as caught, session_scope(db) as session:
        register_employer(session, "91130100MA0CUQ5A10", "某公司", "130102", "enterprise")
    assert caught.value.code == "bad_uscc"
    with pytest.raises(RegistryError) as caught, session_scope(db) as session:
        register_employer(session, _uscc(), "某公司", "130102", "enterprise", "mining")
    assert caught.value.code == "bad_industry"


def test_profile_updates_use_optimistic_locking(db: str) -> None:
    name = f"prof-{uuid.uuid4().hex[:8]}"
    with session_scope(db) as session:
        talent = register_talent(session, name, "secret123", "孙八", _id_number())
        talent_id, version = talent.id, talent.version
    # a change of content (not only of the time stamp, which a fixed office clock keeps)
    new_profile = {
        "jurisdiction": "shijiazhuang",
        "person": {
            "birth_date": doctor_birth_date().isoformat(),
            "education": [{"degree": "doctorate", "full_time": True}],
        },
    }
    with session_scope(db) as session:
        talent = session.get(TalentProfile, talent_id)
        assert talent is not None
        update_profile(session, talent, new_profile, version)
    with pytest.raises(RegistryError) as caught, session_scope(db) as session:
        talent = session.get(TalentProfile, talent_id)
        assert talent is not None
        update_profile(session, talent, new_profile, version)  # stale: read before the update
    assert caught.value.code == "stale_version"
    with pytest.raises(RegistryError) as caught, session_scope(db) as session:
        talent = session.get(TalentProfile, talent_id)
        assert talent is not None
        update_profile(session, talent, {"jurisdiction": "mars"}, talent.version)
    assert caught.value.field == "jurisdiction"


def test_an_account_that_cannot_log_in_is_refused_like_a_wrong_password(db: str) -> None:
    # "!" marks an account with no password (a service point's data only); signing in to it is
    # a refusal, never a server error
    name = f"nopw-{uuid.uuid4().hex[:8]}"
    with session_scope(db) as session:
        talent = register_talent(session, name, "secret123", "李四", _id_number())
        account = session.get(Account, talent.account_id)
        assert account is not None
        account.password_hash = "!"
    with session_scope(db) as session, pytest.raises(RegistryError) as refused:
        authenticate(session, name, "secret123", kind="api")
    assert refused.value.code == "bad_credentials"
