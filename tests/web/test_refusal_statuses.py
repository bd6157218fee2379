"""One refusal, one status: the API and the pages answer the same code alike (decision 0095),
and an employer is registered with its HR account as one service step (both or neither)."""

from __future__ import annotations

import os
import uuid

import httpx
from sqlalchemy import select

from rencai.db.session import session_scope
from rencai.registry.identifiers import uscc_check_character
from rencai.registry.models import Employer
from rencai.web.errors import STATUS, status_of
from tests.support import LiveServer, random_id_number


def _uscc() -> str:
    first17 = "91130100MA" + "".join("0123456789ABCDEFGH"[b % 18] for b in uuid.uuid4().bytes[:7])
    return first17 + uscc_check_character(first17)


def test_a_taken_username_is_a_conflict_on_the_api_and_the_page(live_server: LiveServer) -> None:
    username = f"d{uuid.uuid4().hex[:10]}"
    body = {"username": username, "password": "secret123", "name": "张三"}
    first = httpx.post(
        f"{live_server.url}/api/v1/talents", json={**body, "id_number": random_id_number()}
    )
    assert first.status_code == 201
    again = httpx.post(
        f"{live_server.url}/api/v1/talents", json={**body, "id_number": random_id_number()}
    )
    assert again.status_code == 409
    assert again.json()["errors"] == [
        {
            "field": "username",
            "message": again.json()["errors"][0]["message"],
            "code": "duplicate_username",
        }
    ]
    page = httpx.post(f"{live_server.url}/register", data={**body, "id_number": random_id_number()})
    assert page.status_code == 409 and again.json()["errors"][0]["message"] in page.text


def test_an_employer_whose_hr_account_is_refused_is_not_registered(
    live_server: LiveServer,
) -> None:
    taken = f"h{uuid.uuid4().hex[:10]}"
    httpx.post(
        f"{live_server.url}/api/v1/talents",
        json={
            "username": taken,
            "password": "secret123",
            "name": "李四",
            "id_number": random_id_number(),
        },
    ).raise_for_status()
    uscc = _uscc()
    body = {
        "uscc": uscc,
        "name": "某科技有限公司",
        "county": "130102",
        "employer_type": "enterprise",
        "username": taken,
        "password": "secret123",
        "contact_name": "王经办",
    }
    refused = httpx.post(f"{live_server.url}/api/v1/employers", json=body)
    assert (
        refused.status_code == 409 and refused.json()["errors"][0]["code"] == "duplicate_username"
    )
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as session:
        assert session.scalar(select(Employer).where(Employer.uscc == uscc)) is None
    done = httpx.post(f"{live_server.url}/api/v1/employers", json={**body, "username": f"x{taken}"})
    assert done.status_code == 201
    twice = httpx.post(
        f"{live_server.url}/api/v1/employers", json={**body, "username": f"y{taken}"}
    )
    assert twice.status_code == 409 and twice.json()["errors"][0]["code"] == "duplicate_uscc"


def test_conflicts_are_409_and_unknown_codes_422() -> None:
    from rencai.ledger.errors import LedgerError

    assert status_of(LedgerError("key", "收回口径已设定", "already_set")) == 409
    assert status_of(LedgerError("amount", "金额无效", "bad_amount")) == 422
    assert all(400 <= status < 600 for status in STATUS.values())
