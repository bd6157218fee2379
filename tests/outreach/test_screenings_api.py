"""政策找人 over real HTTP: who may screen, the result with its filters, notices once."""

from __future__ import annotations

import datetime as dt
import io
import os
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from rencai import clock, settings
from rencai.applications.models import Application, ReviewProgram
from rencai.applications.programs import configure
from rencai.db.session import session_scope
from rencai.feeds.store import synthesize
from rencai.notifications.outbox import Notification
from rencai.outreach.models import NoApplicationProgram, Screening
from rencai.registry.accounts import authenticate, create_account, register_talent
from rencai.registry.identifiers import mask_id_number
from rencai.registry.models import Account, Role, TalentProfile
from tests.outreach.screened import finished, screened
from tests.profiles import doctor_today
from tests.support import CSRF_HOOKS, LiveServer

ON = dt.date(2026, 6, 15)


@pytest.fixture(scope="module")
def office(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    store = tmp_path_factory.mktemp("screening-store")
    synthesize(3_000, store, seed=3, as_of=ON)
    os.environ["RENCAI_SCREENING_STORE"] = str(store)
    settings.reset()
    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:6]
    planted = pq.read_table(store / "planted.parquet").to_pylist()
    tokens = {}
    with session_scope(url) as s:
        create_account(s, f"scity{tag}", "secret123", "市委人才办", Role.city_reviewer)
        create_account(s, f"sadm{tag}", "secret123", "管理员", Role.admin)
        create_account(
            s, f"scounty{tag}", "secret123", "长安区", Role.county_reviewer, county="130102"
        )
        register_talent(s, f"splanted{tag}", "secret123", "被找到的人", planted[0]["id_number"])
        for role, name in [
            ("city", "scity"),
            ("admin", "sadm"),
            ("county", "scounty"),
            ("talent", "splanted"),
        ]:
            tokens[role] = authenticate(s, f"{name}{tag}", "secret123", kind="api").token
    headers = {role: {"Authorization": f"Bearer {t}"} for role, t in tokens.items()}
    headers["anonymous"] = {}
    return {"headers": headers, "planted": planted, "tag": tag}


def test_the_office_screens_filters_and_notifies_once(
    live_server: LiveServer, office: dict[str, Any]
) -> None:
    base = f"{live_server.url}/api/v1/screenings"
    city = office["headers"]["city"]
    body = screened(live_server.url, city, {"on": ON.isoformat()})
    assert body["status"] == "done" and body["persons"] == 3_000 and body["rows"] > 0
    assert body["done"] == body["total"] == 3_000 and body["percent"] == 100
    card_b = httpx.get(f"{base}/{body['id']}", headers=city, params={"program": "card.b"})
    assert card_b.status_code == 200
    found = {row["id_number"] for row in card_b.json()["items"]}
    assert {mask_id_number(p["id_number"]) for p in office["planted"]} <= found
    assert {row["program"] for row in card_b.json()["items"]} == {"card.b"}
    assert all(row["clause"] for row in card_b.json()["items"])
    county = card_b.json()["items"][0]["county"]
    narrowed = httpx.get(
        f"{base}/{body['id']}", headers=city, params={"program": "card.b", "county": county}
    ).json()["items"]
    assert narrowed and {row["county"] for row in narrowed} == {county}
    # the planted person with an account is told once per program, and never again
    first = httpx.post(f"{base}/{body['id']}/notices", headers=city)
    assert first.status_code == 200 and first.json()["sent"] >= 1
    again = httpx.post(f"{base}/{body['id']}/notices", headers=city)
    assert again.json()["sent"] == 0
    rerun = screened(live_server.url, city, {"on": ON.isoformat()})
    assert httpx.post(f"{base}/{rerun['id']}/notices", headers=city).json()["sent"] == 0
    # in the talent's inbox: one message per program they were found for, none repeated
    planted_id = office["planted"][0]["id_number"]
    programs = {
        row["program"]
        for row in httpx.get(f"{base}/{body['id']}", headers=city).json()["items"]
        if row["id_number"] == mask_id_number(planted_id)
    }
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        account = s.scalar(
            select(TalentProfile.account_id).where(TalentProfile.id_number == planted_id)
        )
        messages = s.scalars(
            select(Notification.subject).where(
                Notification.account_id == account, Notification.channel == "app"
            )
        ).all()
    assert programs and len(messages) == len(programs)


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 401), ("talent", 403), ("county", 403), ("city", 202), ("admin", 202)],
)
def test_who_may_start_a_screening(
    live_server: LiveServer, office: dict[str, Any], role: str, expected: int
) -> None:
    response = httpx.post(
        f"{live_server.url}/api/v1/screenings",
        headers=office["headers"][role],
        json={"on": ON.isoformat()},
        timeout=60,
    )
    assert response.status_code == expected
    if expected == 202:
        done = finished(live_server.url, office["headers"][role], response.json()["id"])
        assert done["status"] == "done"


def test_one_screening_of_a_city_runs_at_a_time(
    live_server: LiveServer, office: dict[str, Any]
) -> None:
    """A screening still giving signs of life blocks another of the same city; one whose process
    stopped (no heartbeat for five minutes) is marked failed when the next one starts."""
    city = office["headers"]["city"]
    base = f"{live_server.url}/api/v1/screenings"
    url = os.environ["RENCAI_DATABASE_URL"]
    with session_scope(url) as s:
        officer = s.scalar(select(Account).where(Account.username == f"scity{office['tag']}"))
        assert officer is not None
        running = Screening(
            jurisdiction="shijiazhuang",
            on_date=ON,
            store="-",
            status="running",
            started_by=officer.id,
            started_at=clock.now(),
            heartbeat_at=clock.now(),
            done=0,
        )
        s.add(running)
        s.flush()
        running_id = running.id
    refused = httpx.post(base, headers=city, json={"on": ON.isoformat()}, timeout=60)
    assert refused.status_code == 409, refused.text
    assert f"第{running_id}次筛查正在进行" in refused.json()["errors"][0]["message"]
    with session_scope(url) as s:
        row = s.get(Screening, running_id)
        assert row is not None
        row.heartbeat_at = clock.now() - dt.timedelta(minutes=6)
    started = screened(live_server.url, city, {"on": ON.isoformat()})
    assert started["status"] == "done"
    stopped = httpx.get(f"{base}/{running_id}", headers=city).json()
    assert stopped["status"] == "failed" and stopped["message"] == "筛查进程已停止运行"


def test_a_bad_request_is_refused_in_chinese(
    live_server: LiveServer, office: dict[str, Any]
) -> None:
    response = httpx.post(
        f"{live_server.url}/api/v1/screenings",
        headers=office["headers"]["city"],
        json={"on": ON.isoformat(), "jurisdiction": "cangzhou"},
    )
    assert response.status_code == 422
    assert "没有可计算的政策规则" in response.json()["errors"][0]["message"]
    missing = httpx.get(
        f"{live_server.url}/api/v1/screenings/999999", headers=office["headers"]["city"]
    )
    assert missing.status_code == 404


def test_the_page_exports_the_filtered_result(
    live_server: LiveServer, office: dict[str, Any]
) -> None:
    with httpx.Client(base_url=live_server.url, event_hooks=CSRF_HOOKS) as browser:
        login = browser.post(
            "/login",
            data={"username": f"scity{office['tag']}", "password": "secret123"},
        )
        assert login.status_code in (200, 303)
        started = browser.post(
            "/screenings", data={"on": ON.isoformat(), "jurisdiction": "shijiazhuang"}
        )
        assert started.status_code == 303, started.text
        screening_id = int(started.headers["location"].rsplit("/", 1)[1])
        finished(live_server.url, office["headers"]["city"], screening_id)
        page = browser.get(started.headers["location"], params={"program": "card.b"})
        assert page.status_code == 200 and "政策找人结果" in page.text
        exported = browser.get(
            started.headers["location"] + "/export", params={"program": "card.b"}
        )
        assert exported.status_code == 200
        sheet = load_workbook(io.BytesIO(exported.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][0] == "身份证号"
        assert {r[2] for r in rows[1:]} == {"石家庄市人才绿卡B卡"}
        assert {mask_id_number(p["id_number"]) for p in office["planted"]} <= {
            r[0] for r in rows[1:]
        }
    # a talent's browser is refused the page
    with httpx.Client(base_url=live_server.url, event_hooks=CSRF_HOOKS) as other:
        other.post("/login", data={"username": f"splanted{office['tag']}", "password": "secret123"})
        assert other.get("/screenings").status_code == 403


@pytest.fixture
def card_b_auto_approved(office: dict[str, Any]) -> Iterator[None]:
    """秒批 for the B card while the test runs; the database shared by the session's other tests
    gets its settings back afterwards."""
    url = os.environ["RENCAI_DATABASE_URL"]
    with session_scope(url) as s:
        assert s.get(ReviewProgram, "card.b") is None
        admin = s.scalar(select(Account).where(Account.username == f"sadm{office['tag']}"))
        configure(s, admin, "card.b", chain=["county", "city"], auto_approve=True, sample_percent=0)
    yield
    with session_scope(url) as s:
        s.delete(s.get(ReviewProgram, "card.b"))
        for row in s.scalars(select(NoApplicationProgram)):
            s.delete(row)


def test_no_application_needs_auto_approval(
    live_server: LiveServer, office: dict[str, Any]
) -> None:
    setting = f"{live_server.url}/api/v1/no-application-programs/card.b"
    refused = httpx.put(setting, headers=office["headers"]["admin"], json={"enabled": True})
    assert refused.status_code == 422
    assert "秒批" in refused.json()["errors"][0]["message"]


def test_no_application_programs_are_applied_for_once(
    live_server: LiveServer, office: dict[str, Any], card_b_auto_approved: None
) -> None:
    headers = office["headers"]
    base = live_server.url
    # a talent found by the screening, whose profile on the platform shows the B card
    person = office["planted"][1]
    born = dt.date(
        int(person["id_number"][6:10]),
        int(person["id_number"][10:12]),
        int(person["id_number"][12:14]),
    )
    profile = doctor_today()
    profile["person"]["birth_date"] = born.isoformat()
    profile["person"]["education"][0]["graduation_date"] = "2025-06-30"
    profile["employment"]["start_date"] = "2025-07-01"
    url = os.environ["RENCAI_DATABASE_URL"]
    with session_scope(url) as s:
        register_talent(
            s, f"found{office['tag']}", "secret123", "免申人", person["id_number"], profile
        )
    setting = f"{base}/api/v1/no-application-programs/card.b"
    # the administrator only, and only once 秒批 is set for the program
    assert httpx.put(setting, headers=headers["city"], json={"enabled": True}).status_code == 403
    unknown = httpx.put(
        f"{base}/api/v1/no-application-programs/nope",
        headers=headers["admin"],
        json={"enabled": True},
    )
    assert unknown.status_code == 422
    set_ = httpx.put(setting, headers=headers["admin"], json={"enabled": True})
    assert set_.status_code == 200
    assert [p["program"] for p in set_.json()["items"]] == ["card.b"]
    screening = screened(base, headers["city"], {"on": ON.isoformat()})
    first = httpx.post(
        f"{base}/api/v1/screenings/{screening['id']}/applications", headers=headers["city"]
    )
    assert first.status_code == 200, first.text
    assert first.json()["created"] == 1 and first.json()["approved"] == 1
    assert first.json()["no_account"] >= 1  # the other planted persons have no account
    with session_scope(url) as s:
        cases = s.scalars(
            select(Application)
            .join(TalentProfile, TalentProfile.id == Application.talent_id)
            .where(TalentProfile.id_number == person["id_number"])
        ).all()
        assert [(c.program, c.status) for c in cases] == [("card.b", "approved")]
    # again, and in a later screening (where the person no longer appears): nothing more
    again = httpx.post(
        f"{base}/api/v1/screenings/{screening['id']}/applications", headers=headers["city"]
    )
    assert again.json()["created"] == 0
    later = screened(base, headers["city"], {"on": ON.isoformat()})
    rows = httpx.get(
        f"{base}/api/v1/screenings/{later['id']}",
        headers=headers["city"],
        params={"program": "card.b"},
    ).json()["items"]
    assert mask_id_number(person["id_number"]) not in {r["id_number"] for r in rows}
    assert (
        httpx.post(
            f"{base}/api/v1/screenings/{later['id']}/applications", headers=headers["city"]
        ).json()["created"]
        == 0
    )
    # switched off by the administrator
    off = httpx.put(setting, headers=headers["admin"], json={"enabled": False})
    assert off.json()["items"] == []
