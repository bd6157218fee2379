"""A third computed jurisdiction added from a folder alone (tests/jurisdictions/fixture/
testville: its descriptor, rules and cited parameters; no generic file names it). The app and
the set-up run in processes that find it through RENCAI_JURISDICTIONS_DIR; over real HTTP the
calculator answers for it, its card is issued on approval and verified at one of its service
points, and a payment run pays its allowance's schedule at its cited amount."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from rencai.db.session import engine_for, upgrade
from tests.support import ServerProcess

FIXTURE = Path(__file__).with_name("fixture")
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "secret123"


@pytest.fixture(scope="module")
def city(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    name = f"testville_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    url = pg_url.rsplit("/", 1)[0] + "/" + name
    upgrade(url)
    engine_for(url).dispose()
    server = ServerProcess(url, tmp_path_factory.mktemp("testville-files"))
    server.env["RENCAI_JURISDICTIONS_DIR"] = str(FIXTURE)
    set_up = subprocess.run(
        [sys.executable, "-m", "tests.jurisdictions.world"],
        env={**server.env, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert set_up.returncode == 0, set_up.stderr[-3000:]
    with server:
        yield {**json.loads(set_up.stdout), "server": server}


def _token(server: ServerProcess, username: str) -> dict[str, str]:
    response = httpx.post(
        f"{server.url}/api/v1/tokens", json={"username": username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_the_calculator_answers_for_the_new_city(city: dict[str, Any]) -> None:
    profile = {
        "jurisdiction": "testville",
        "on": "2025-03-01",
        "person": {
            "birth_date": "1990-01-01",
            "education": [{"degree": "doctorate", "graduation_date": "2020-06-30"}],
        },
        "employment": {
            "employer_type": "enterprise",
            "county": "990101",
            "start_date": "2024-09-01",
            "social_insurance_local": True,
        },
        "family": [],
    }
    answer = httpx.post(f"{city['server'].url}/api/v1/entitlements", json=profile, timeout=60)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert [c["id"] for c in result["cards"]] == ["card.t"]
    money = next(b for b in result["benefits"] if b["id"] == "tv.doctor.living_allowance")
    assert (money["amount"], money["per"], money["periods"]) == ("1500.00", "month", 24)
    assert money["citation"]["document"] == "试人发〔2024〕1号"
    assert money["citation"]["clause"] == "5"
    # the city is named once, in its folder: the calculator page offers it by its name
    page = httpx.get(f"{city['server'].url}/calculator")
    assert '<option value="testville"' in page.text and "试验市" in page.text


def test_its_card_is_issued_and_verified_at_its_service_point(city: dict[str, Any]) -> None:
    server, tag = city["server"], city["tag"]
    holder = _token(server, f"tv{tag}")
    cards = httpx.get(f"{server.url}/api/v1/me/cards", headers=holder).json()["items"]
    assert len(cards) == 1
    card = cards[0]
    assert (card["tier"], card["tier_label"], card["title"]) == ("T", "试验卡", "试验市人才卡")
    assert card["number"].startswith("T") and card["county"] == "990101"
    assert [s["id"] for s in card["services"]] == ["tv.t.service.transit"]
    codes = httpx.get(
        f"{server.url}/api/v1/me/cards/{card['number']}/presentation", headers=holder
    ).json()["codes"]
    bus = _token(server, f"tvbus{tag}")
    verdict = httpx.post(
        f"{server.url}/api/v1/cards/verify", headers=bus, json={"code": codes[0]["code"]}
    ).json()
    assert verdict["verdict"] == "valid", verdict
    assert verdict["grants"] == ["免费乘坐公交车、地铁（试验卡 出行服务）"]
    assert verdict["card"]["number"] == card["number"]


def test_a_payment_run_pays_its_schedule(city: dict[str, Any]) -> None:
    server, tag = city["server"], city["tag"]
    runner = _token(server, f"tvfa{tag}")
    # no city named: the officer's own city is run
    run = httpx.post(
        f"{server.url}/api/v1/ledger/runs", headers=runner, json={"month": city["month"]}
    )
    assert run.status_code == 200, run.text
    summary = run.json()
    assert summary["decisions"] == {"pay": 3}
    assert summary["batch_total"] == "4500.00"  # three months at the cited 1500 元
    batch = httpx.get(
        f"{server.url}/api/v1/ledger/batches/{summary['batch_id']}", headers=runner
    ).json()
    assert batch["jurisdiction"] == "testville"
    approver = _token(server, f"tvfb{tag}")
    approved = httpx.post(
        f"{server.url}/api/v1/ledger/batches/{summary['batch_id']}/decision",
        headers=approver,
        json={"decision": "approve"},
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    # an officer of this city may not run another city's month
    other = httpx.post(
        f"{server.url}/api/v1/ledger/runs",
        headers=runner,
        json={"month": city["month"], "jurisdiction": "jinzhou"},
    )
    assert other.status_code == 403
