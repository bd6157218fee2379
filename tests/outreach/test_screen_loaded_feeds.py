"""政策找人 over the loaded department data, over real HTTP (PostgreSQL): the office builds the
screening store from the loads (or a screening does, when a load happened since), sees when and
from which loads, and the screening finds who qualifies and has not applied."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from rencai import clock, settings
from rencai.db.session import session_scope
from rencai.registry.accounts import authenticate, create_account, register_talent
from rencai.registry.models import Role
from tests.feeds.world import Delivery, a_uscc, id_number_born
from tests.outreach.screened import screened
from tests.profiles import doctor_today
from tests.support import CSRF_HOOKS, LiveServer

CARD_B_CLAUSE = "石办字〔2017〕39号 申领范围（2）"


@pytest.fixture(scope="module")
def office(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("loaded-feeds")
    os.environ["RENCAI_SCREENING_STORE"] = str(folder / "store")  # none yet
    settings.reset()
    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:6]
    rng = random.Random(tag)
    today = clock.today()
    born = dt.date(today.year - 30, 4, 5)
    people = {
        "doctor": id_number_born(born, rng=rng),
        "applicant": id_number_born(born + dt.timedelta(days=2), rng=rng),
        "later": id_number_born(born + dt.timedelta(days=4), rng=rng),
    }
    names = {key: f"{key}{tag}" for key in people}
    employer = a_uscc(rng)
    delivery = Delivery()
    delivery.doctor(people["doctor"], names["doctor"], employer, today)
    delivery.doctor(people["applicant"], names["applicant"], employer, today)
    delivery.employer(employer, "石家庄智造科技有限公司")
    profile = doctor_today()
    profile["person"]["birth_date"] = (born + dt.timedelta(days=2)).isoformat()
    tokens = {}
    with session_scope(url) as s:
        loads = delivery.load(s, folder, "data1", tag)
        create_account(s, f"lcity{tag}", "secret123", "市委人才办", Role.city_reviewer)
        create_account(s, f"ladm{tag}", "secret123", "管理员", Role.admin)
        create_account(
            s, f"lcounty{tag}", "secret123", "长安区", Role.county_reviewer, county="130102"
        )
        create_account(s, f"ldata{tag}", "secret123", "数据管理", Role.data_office)
        register_talent(
            s, f"lapp{tag}", "secret123", names["applicant"], people["applicant"], profile
        )
        for role, name in [
            ("city", "lcity"),
            ("admin", "ladm"),
            ("county", "lcounty"),
            ("data_office", "ldata"),
            ("talent", "lapp"),
        ]:
            tokens[role] = authenticate(s, f"{name}{tag}", "secret123", kind="api").token
    headers = {role: {"Authorization": f"Bearer {t}"} for role, t in tokens.items()}
    headers["anonymous"] = {}
    applied = httpx.post(
        f"{live_server.url}/api/v1/applications",
        headers=headers["talent"],
        json={"program": "card.b", "idempotency_key": uuid.uuid4().hex},
    )
    assert applied.status_code == 201, applied.text
    return {
        "headers": headers,
        "people": people,
        "names": names,
        "loads": loads,
        "employer": employer,
        "folder": folder,
        "tag": tag,
        "url": url,
    }


def _card_b(server: LiveServer, office: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A screening on today through the API: its B-card rows by name."""
    base = f"{server.url}/api/v1/screenings"
    city = office["headers"]["city"]
    started = screened(server.url, city, {"on": clock.today().isoformat()})
    assert started["status"] == "done", started
    rows = httpx.get(f"{base}/{started['id']}", headers=city, params={"program": "card.b"})
    return {row["name"]: row for row in rows.json()["items"]}


def test_the_office_builds_the_store_and_screens_the_loads(
    live_server: LiveServer, office: dict[str, Any]
) -> None:
    base = f"{live_server.url}/api/v1/screenings/store"
    city = office["headers"]["city"]
    before = httpx.get(base, headers=city).json()
    assert before["exists"] is False and before["stale"] is True  # loads, no store yet
    built = httpx.post(base, headers=city, timeout=120)
    assert built.status_code == 201, built.text
    store = built.json()
    assert (
        store["from_loads"] and not store["stale"] and store["built_by"] == f"lcity{office['tag']}"
    )
    assert set(office["loads"]) <= {load["load_id"] for load in store["loads"]}
    labels = {load["source_label"] for load in store["loads"]}
    assert {"社保（社会保险缴费）", "学信（学历学位）", "市场监管（市场主体登记）"} <= labels
    found = _card_b(live_server, office)
    names = office["names"]
    # found with the deciding clause; the one who applied is not listed
    assert found[names["doctor"]]["clause"] == CARD_B_CLAUSE
    assert found[names["doctor"]]["county"] == "130102"
    assert names["applicant"] not in found


def test_a_load_after_the_build_is_screened_too(
    live_server: LiveServer, office: dict[str, Any]
) -> None:
    base = f"{live_server.url}/api/v1/screenings/store"
    city = office["headers"]["city"]
    assert httpx.post(base, headers=city, timeout=120).status_code == 201
    later = Delivery()
    later.doctor(
        office["people"]["later"], office["names"]["later"], office["employer"], clock.today()
    )
    with session_scope(office["url"]) as s:
        loads = later.load(s, office["folder"], "data1", f"later{office['tag']}")
    assert httpx.get(base, headers=city).json()["stale"] is True
    found = _card_b(live_server, office)  # the screening builds the store again first
    assert found[office["names"]["later"]]["clause"] == CARD_B_CLAUSE
    store = httpx.get(base, headers=city).json()
    assert not store["stale"] and set(loads) <= {load["load_id"] for load in store["loads"]}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("talent", 403),
        ("county", 403),
        ("data_office", 403),
        ("city", 201),
        ("admin", 201),
    ],
)
def test_who_may_build_the_store(
    live_server: LiveServer, office: dict[str, Any], role: str, expected: int
) -> None:
    response = httpx.post(
        f"{live_server.url}/api/v1/screenings/store", headers=office["headers"][role], timeout=120
    )
    assert response.status_code == expected


@contextlib.contextmanager
def _browser(server: LiveServer, username: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, event_hooks=CSRF_HOOKS, timeout=120) as client:
        login = client.post("/login", data={"username": username, "password": "secret123"})
        assert login.status_code in (200, 303)
        yield client


def test_the_page_builds_the_store_and_shows_its_loads(
    live_server: LiveServer, office: dict[str, Any]
) -> None:
    with _browser(live_server, f"lcity{office['tag']}") as browser:
        built = browser.post("/screenings/store")
        assert built.status_code == 303 and built.headers["location"] == "/screenings?built=1"
        page = browser.get(built.headers["location"])
        assert page.status_code == 200
        assert "已从已导入的部门数据生成筛查数据" in page.text and 'id="store-built"' in page.text
        for load in office["loads"]:
            assert f'data-load="{load}"' in page.text and f"第{load}批" in page.text
        assert "从已导入的部门数据生成筛查数据</button>" in page.text
    with _browser(live_server, f"lapp{office['tag']}") as talent:
        assert talent.post("/screenings/store").status_code == 403
