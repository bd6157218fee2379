"""One office clock: civil dates and displayed times are Asia/Shanghai; stored instants UTC.

Between 00:00 and 08:00 Beijing time the UTC date is still yesterday, and from 16:00 UTC the
Beijing date is already tomorrow: the tests run the platform at 00:30 and 23:30 Beijing time.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from zoneinfo import ZoneInfo

import httpx
import pytest

from rencai import clock, settings
from rencai.applications.models import Application
from rencai.db.session import session_scope
from rencai.registry.identifiers import id_check_character
from tests.profiles import doctor_today
from tests.support import LiveServer

BEIJING = ZoneInfo("Asia/Shanghai")
# 00:30 on Tuesday 2026-12-01 in Beijing is 16:30 UTC on Monday 2026-11-30.
AFTER_MIDNIGHT = dt.datetime(2026, 12, 1, 0, 30, tzinfo=BEIJING)
# 23:30 on Tuesday 2026-12-01 in Beijing is 15:30 UTC the same day.
BEFORE_MIDNIGHT = dt.datetime(2026, 12, 1, 23, 30, tzinfo=BEIJING)


def test_civil_date_is_the_office_date_not_the_utc_date() -> None:
    with clock.frozen(AFTER_MIDNIGHT):
        assert clock.now().date() == dt.date(2026, 11, 30)  # the stored instant is UTC
        assert clock.now().tzinfo == dt.UTC
        assert clock.today() == dt.date(2026, 12, 1)
        assert clock.display(clock.now()) == "2026-12-01 00:30"
    with clock.frozen(BEFORE_MIDNIGHT):
        assert clock.today() == dt.date(2026, 12, 1)
        assert clock.display(clock.now()) == "2026-12-01 23:30"
    # A naive instant (how SQLite hands a stored UTC time back) is read as UTC.
    assert clock.display(dt.datetime(2026, 11, 30, 16, 30)) == "2026-12-01 00:30"


def test_the_clock_of_a_process_can_be_fixed_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RENCAI_CLOCK_AT", "2026-11-30T16:30:00+00:00")
    settings.reset()  # the process reads its settings once; this test changes them in process
    assert clock.today() == dt.date(2026, 12, 1)


def _id_number(born: str) -> str:
    first17 = f"130102{born.replace('-', '')}{uuid.uuid4().int % 1000:03d}"
    return first17 + id_check_character(first17)


def _talent(server: LiveServer) -> tuple[dict[str, str], str]:
    username = f"clk{uuid.uuid4().hex[:8]}"
    profile = doctor_today()
    body = {
        "username": username,
        "password": "secret123",
        "name": "钟晓",
        "id_number": _id_number(profile["person"]["birth_date"]),
        "profile": profile,
    }
    response = httpx.post(f"{server.url}/api/v1/talents", json=body)
    assert response.status_code == 201, response.text
    token = httpx.post(
        f"{server.url}/api/v1/tokens", json={"username": username, "password": "secret123"}
    ).json()["token"]
    return {"Authorization": f"Bearer {token}"}, username


@pytest.mark.parametrize(
    ("moment", "shown"),
    [(AFTER_MIDNIGHT, "2026-12-01 00:30"), (BEFORE_MIDNIGHT, "2026-12-01 23:30")],
)
def test_a_submission_is_dated_and_shown_in_office_time(
    live_server: LiveServer, moment: dt.datetime, shown: str
) -> None:
    with clock.frozen(moment):
        talent, username = _talent(live_server)
        response = httpx.post(
            f"{live_server.url}/api/v1/applications",
            headers=talent,
            json={"program": "sjz.b.rent_subsidy", "idempotency_key": uuid.uuid4().hex},
        )
        assert response.status_code == 201, response.text
        case_id = response.json()["id"]
        with session_scope(os.environ["RENCAI_DATABASE_URL"]) as session:
            application = session.get(Application, case_id)
            assert application is not None
            # The review clock starts on the office's date, not the UTC date.
            assert application.step_started == dt.date(2026, 12, 1)
        page = httpx.get(
            f"{live_server.url}/applications/{case_id}",
            cookies=_cookies(live_server, username),
        )
        assert page.status_code == 200
        assert f"提交于 {shown}" in page.text


def _cookies(server: LiveServer, username: str) -> httpx.Cookies:
    response = httpx.post(
        f"{server.url}/login",
        data={"username": username, "password": "secret123"},
        follow_redirects=False,
    )
    return response.cookies


def test_the_calculator_reckons_age_on_the_office_date(live_server: LiveServer) -> None:
    # Born 1990-06-01: at 00:30 on Beijing's 2026-06-01 the talent is 36 (over the B card's 35
    # for a 硕士); on the UTC date, 2026-05-31, they would still be 35.
    with clock.frozen(dt.datetime(2026, 6, 1, 0, 30, tzinfo=BEIJING)):
        profile = doctor_today()
        profile["person"]["birth_date"] = "1990-06-01"
        profile["person"]["education"][0]["degree"] = "master"
        response = httpx.post(f"{live_server.url}/api/v1/entitlements", json=profile)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["on"] == "2026-06-01"
    assert "36 周岁" in response.text
