"""A talent's two most frequent reads cost a fixed number of statements and the same answers
as the straightforward path (decision 0259): GET /api/v1/me/entitlements and
GET /api/v1/applications."""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event, select

from rencai.calendar.service import add_working_days
from rencai.db.session import engine_for, session_scope, upgrade
from rencai.policy.calculator import entitlements
from rencai.policy.contract.profile import parse_profile
from rencai.policy.contract.result import EntitlementResult
from rencai.registry.accounts import checked_profile
from rencai.registry.models import Account, TalentProfile
from rencai.web.case_list import soon_day
from tests.profiles import doctor_today
from tests.support import LiveServer, random_id_number


@contextmanager
def counted() -> Iterator[Callable[[], list[str]]]:
    """The statements the server sends meanwhile (the live server shares this process)."""
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(" ".join(statement.split()))

    engine = engine_for(os.environ["RENCAI_DATABASE_URL"])
    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield lambda: list(statements)
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def _talent(server: LiveServer) -> tuple[str, dict[str, str]]:
    username = f"cost{uuid.uuid4().hex[:8]}"
    profile = doctor_today()
    body = {
        "username": username,
        "password": "secret123",
        "name": "张三",
        "id_number": random_id_number(),
        "profile": profile,
    }
    assert httpx.post(f"{server.url}/api/v1/talents", json=body).status_code == 201
    token = httpx.post(
        f"{server.url}/api/v1/tokens", json={"username": username, "password": "secret123"}
    ).json()["token"]
    return username, {"Authorization": f"Bearer {token}"}


def test_my_entitlements_are_the_calculators_answer_in_two_statements(
    live_server: LiveServer,
) -> None:
    username, headers = _talent(live_server)
    url = f"{live_server.url}/api/v1/me/entitlements"
    with counted() as statements:
        first = httpx.get(url, headers=headers)
    assert first.status_code == 200, first.text
    # the token with its account, then the talent's profile; no other read, no write
    assert len(statements()) <= 2, statements()

    # the same answer as computed straightforwardly (validated by the response model) and as
    # the calculator route gives for the stored profile; a second request (cached) too
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        talent = s.scalars(
            select(TalentProfile)
            .join(Account, Account.id == TalentProfile.account_id)
            .where(Account.username == username)
        ).one()
        profile = checked_profile(talent)
    straight = EntitlementResult.model_validate(
        entitlements(parse_profile(json.loads(json.dumps(profile))))
    ).model_dump(mode="json", by_alias=True)
    assert first.json() == straight
    assert "card.b" in {c["id"] for c in first.json()["cards"]}
    calculator = httpx.post(f"{live_server.url}/api/v1/entitlements", json=profile)
    assert calculator.status_code == 200 and calculator.json() == first.json()
    again = httpx.get(url, headers=headers)
    assert again.status_code == 200 and again.content == first.content


def test_the_case_list_costs_the_same_statements_with_more_cases(live_server: LiveServer) -> None:
    _, headers = _talent(live_server)
    base = f"{live_server.url}/api/v1/applications"

    def cost(query: str) -> tuple[int, list[str]]:
        with counted() as statements:
            response = httpx.get(base + query, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()["count"], statements()

    httpx.get(base + "?due=soon", headers=headers)  # the year's calendar filled on first use
    empty = {q: cost(q) for q in ("", "?due=soon")}
    assert empty[""][0] == 0
    # the token with its account, the count and the page: no calendar read for the list
    assert len(empty[""][1]) <= 3, empty[""][1]
    assert not [s for s in empty[""][1] if "calendar_days" in s]
    # "due soon" reads its day in one statement (and the year's presence), not two per day
    assert len(empty["?due=soon"][1]) <= 5, "\n".join(s[:90] for s in empty["?due=soon"][1])

    programs = [
        c["id"]
        for c in httpx.get(f"{live_server.url}/api/v1/me/entitlements", headers=headers).json()[
            "cards"
        ]
    ]
    made = 0
    for i, program in enumerate(programs[:3]):
        key = f"cost-{uuid.uuid4().hex[:8]}-{i}"
        body = {"program": program, "idempotency_key": key}
        made += httpx.post(base, headers=headers, json=body).status_code == 201
    assert made >= 1
    for query, (_, before) in empty.items():
        total, after = cost(query)
        if query == "":
            assert total == made
        # reading the working days left of open cases is one range read, whatever their number
        assert len(after) <= len(before) + 2, (before, after)
        assert len([s for s in after if "calendar_days" in s]) <= 3, after


def test_soon_day_is_the_third_working_day_as_counted_day_by_day(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'soon.sqlite3'}"
    upgrade(url)
    with session_scope(url) as s:
        # across the National Day holidays and the turn of a year (2027 read on first use)
        day = dt.date(2026, 9, 20)
        while day <= dt.date(2027, 1, 8):
            assert soon_day(s, day) == add_working_days(s, day, 3).day, day
            day += dt.timedelta(days=1)
