"""The demo world that `make run` loads: once, with cases at every stage, and a population that
shows every workspace at work (decision 0218)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from rencai import clock
from rencai.applications.models import Application
from rencai.applications.service import is_overdue
from rencai.audit.log import verify
from rencai.cards.models import Card, CardUse
from rencai.db.session import session_scope, upgrade
from rencai.demo import DEMO_ACCOUNTS, PASSWORD, load_demo
from rencai.ledger.journal import receivable_balances
from rencai.ledger.models import Batch, ConfirmationImport, JournalEntry, Payment, Receivable
from rencai.policy.contract.identity import id_birth_date
from rencai.registry.accounts import authenticate, create_account, shared_hashes
from rencai.registry.identifiers import validate_id_number
from rencai.registry.models import Account, Role, TalentProfile
from tests.housing.demo_checks import check_housing_demo


def test_demo_loads_once_with_every_stage(demo_url: str) -> None:
    # demo_template asserted the first load_demo created the world
    with session_scope(demo_url) as session:
        assert load_demo(session) is False
        cases = list(session.scalars(select(Application)))
        statuses = {a.status for a in cases}
        assert verify(session).ok
        automatic = [a for a in cases if a.automatic is not None]
        on_behalf = [a for a in cases if a.submitted_by is not None]
        check_housing_demo(session)
    assert statuses == {
        "county_review",
        "city_review",
        "department_review",
        "publicity",
        "objection",
        "approved",
        "returned",
        "rejected",
    }
    # 秒批: one approved without a sample, one sampled for a post-hoc check
    assert sorted(str(a.post_check) for a in automatic) == ["None", "pending"]
    assert [a.employer_confirmation for a in on_behalf] == ["confirmed"]


def test_demo_population_shows_every_workspace_at_work(demo_url: str) -> None:
    today = clock.today()
    with session_scope(demo_url) as session:
        talents = list(session.scalars(select(TalentProfile)))
        profiles = [json.loads(t.profile) for t in talents]
        # hundreds of talents across the counties of the three cities
        cities = Counter(p["jurisdiction"] for p in profiles)
        assert set(cities) == {"shijiazhuang", "jinzhou", "cangzhou"}
        assert len(talents) >= 500 and min(cities.values()) >= 20
        counties = {p.get("employment", {}).get("county") for p in profiles}
        assert len(counties) >= 20
        # valid identity numbers whose birth date is the profile's
        for talent, profile in zip(talents, profiles, strict=True):
            assert validate_id_number(talent.id_number) == talent.id_number
            born = profile.get("person", {}).get("birth_date")
            assert born is None or born == id_birth_date(talent.id_number).isoformat()
        assert len({t.id_number for t in talents}) == len(talents)

        cases = list(session.scalars(select(Application)))
        stages = Counter(a.status for a in cases)
        assert stages["county_review"] >= 50 and stages["city_review"] >= 15
        overdue = Counter(a.status for a in cases if is_overdue(a, today))
        assert overdue["county_review"] >= 10 and overdue["city_review"] >= 3
        due_soon = [a for a in cases if a.due_date and today <= a.due_date]
        assert len(due_soon) >= 10
        assert any(a.employer_confirmation == "pending" for a in cases)
        assert {a.jurisdiction for a in cases} >= {"shijiazhuang", "jinzhou"}

        # two paid monthly cycles, each confirmed by the bank (one transfer failed)
        batches = list(session.scalars(select(Batch).order_by(Batch.month)))
        paid_months = [b.month for b in batches if b.item_count and b.status == "filed"]
        first_month = today.replace(day=1)
        assert len(paid_months) == 2 and paid_months[-1] < first_month
        assert session.scalar(select(func.count()).select_from(ConfirmationImport)) == 2
        payments = Counter(p.status for p in session.scalars(select(Payment)))
        assert payments["paid"] >= 50 and payments["failed"] == 1
        assert set(payments) == {"paid", "failed"}
        # an open receivable, partly repaid
        receivables = list(session.scalars(select(Receivable).where(Receivable.status == "open")))
        assert len(receivables) == 1
        balance = receivable_balances(session, [receivables[0].id])[receivables[0].id]
        assert 0 < balance < (receivables[0].amount_fen or 0)
        assert session.scalar(
            select(func.count()).where(
                JournalEntry.kind == "repayment", JournalEntry.receivable_id == receivables[0].id
            )
        )
        # cards issued and suspended, and used at the service points
        cards = Counter(c.status for c in session.scalars(select(Card)))
        assert cards["active"] >= 100 and cards["suspended"] >= 2
        recent = clock.now() - dt.timedelta(days=45)  # the demo's uses are dated from it
        assert session.scalar(select(func.count()).where(CardUse.at >= recent)) >= 100

        # the listed demo accounts sign in with the demo password, and so do the population's
        for username in [*(u for u, _ in DEMO_ACCOUNTS), "demo_p000"]:
            account = session.scalar(select(Account).where(Account.username == username))
            assert account is not None and account.active
        assert authenticate(session, "demo_p000", PASSWORD).account.username == "demo_p000"


def test_accounts_made_together_share_one_hash_only_inside_the_block(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hashes.sqlite3'}"
    upgrade(url)
    with session_scope(url) as session:
        with shared_hashes():
            a = create_account(session, "shared_a", "demo1234", "甲", Role.city_reviewer)
            b = create_account(session, "shared_b", "demo1234", "乙", Role.city_reviewer)
            c = create_account(session, "shared_c", "other999", "丙", Role.city_reviewer)
        d = create_account(session, "alone_d", "demo1234", "丁", Role.city_reviewer)
        assert a.password_hash == b.password_hash != c.password_hash
        assert d.password_hash != a.password_hash  # outside the block: its own salt
        for username, password in (("shared_b", "demo1234"), ("shared_c", "other999")):
            assert authenticate(session, username, password).account.username == username
