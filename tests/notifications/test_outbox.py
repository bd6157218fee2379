"""Decisions notify the applicant through the outbox; delivery is retryable."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from rencai.applications.service import apply, decide
from rencai.db.session import session_scope, upgrade
from rencai.notifications.outbox import FileChannel, Notification, deliver, inbox
from rencai.registry.accounts import create_account, register_talent
from rencai.registry.identifiers import id_check_character
from rencai.registry.models import Role
from tests.profiles import doctor_today
from tests.support import random_first17


class BrokenGateway:
    name = "sms"

    def send(self, message: Notification) -> None:
        raise ConnectionError("gateway timeout")


def test_decision_reaches_inbox_and_file_outbox(pg_url: str, tmp_path: Path) -> None:
    upgrade(pg_url)
    tag = uuid.uuid4().hex[:6]
    first17 = random_first17()
    profile = doctor_today()
    with session_scope(pg_url) as s:
        talent = register_talent(
            s, f"n{tag}", "secret123", "周博士", first17 + id_check_character(first17), profile
        )
        reviewer = create_account(
            s, f"r{tag}", "secret123", "长安区", Role.county_reviewer, county="130102"
        )
        case = apply(s, talent, "card.b", uuid.uuid4().hex)
        decide(s, reviewer, case, "return", "请补充学位证书", case.version)
        account_id = talent.account_id
    with session_scope(pg_url) as s:
        messages = inbox(s, account_id)
        assert messages[0].body.endswith("理由：请补充学位证书") and "退回补正" in messages[0].body
        sent, _ = deliver(s, BrokenGateway())  # other tests may have left rows pending
        assert sent == 0
        failed = s.query(Notification).filter_by(account_id=account_id, channel="sms").one()
        assert failed.status == "failed" and "timeout" in (failed.last_error or "")
    outbox = tmp_path / "sms.jsonl"
    with session_scope(pg_url) as s:
        sent, failed_count = deliver(s, FileChannel(outbox))
        assert sent >= 1 and failed_count == 0
        row = s.query(Notification).filter_by(account_id=account_id, channel="sms").one()
        assert row.status == "sent" and row.attempts == 2
    lines = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    assert any(
        line["account_id"] == account_id and "请补充学位证书" in line["body"] for line in lines
    )
