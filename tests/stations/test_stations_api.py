"""The stations over real HTTP on PostgreSQL, the office clock on a day when 石政办发〔2022〕6号
is in force: the office opens a station, an eligible graduate books and gets a signed code, the
hotel checks the guest in with it, the month's cost comes out; every refusal is clear and
changes nothing."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from rencai import clock
from rencai.cards.keys import KeyStore
from rencai.db.session import engine_for, session_scope
from rencai.registry.accounts import authenticate, create_account, register_talent
from rencai.registry.models import Role
from rencai.stations import service
from rencai.stations.models import StationBooking, StationBookingNight
from tests.stations.world import AT, DAY, fresh_database, graduate_profile
from tests.support import ServerProcess, random_id_number

CONCURRENT = 24  # graduates pressing 预订 at the same moment in the concurrency test


@pytest.fixture(scope="module")
def server(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    url = fresh_database(pg_url)
    engine_for(url).dispose()
    keys = KeyStore(tmp_path_factory.mktemp("stations-keys"))
    keys.signer(AT)  # the signing key of booking codes, installed before the office opens
    process = ServerProcess(url, tmp_path_factory.mktemp("stations-files"))
    process.env["RENCAI_CLOCK_AT"] = AT.isoformat()
    process.env["RENCAI_CARD_KEYS"] = str(keys.directory)
    # every concurrent booking is admitted at once, however busy the machine: the concurrency
    # test is about the race for the last rooms, not about shedding load (503 busy)
    process.env["RENCAI_DB_POOL_SIZE"] = str(CONCURRENT)
    process.env["RENCAI_ADMISSION_SLOTS"] = str(CONCURRENT)
    with process:
        yield process


def _headers(url: str, username: str) -> dict[str, str]:
    with session_scope(url) as session:
        token = authenticate(session, username, "secret123", kind="api").token
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def callers(server: ServerProcess) -> dict[str, dict[str, str]]:
    url, tag = server.database_url, uuid.uuid4().hex[:6]
    with session_scope(url) as session:
        create_account(session, f"city{tag}", "secret123", "市委人才办", Role.city_reviewer)
        create_account(session, f"admin{tag}", "secret123", "管理员", Role.admin)
        create_account(session, f"fin{tag}", "secret123", "财务", Role.finance)
        register_talent(
            session,
            f"grad{tag}",
            "secret123",
            "张小明",
            random_id_number(dt.date(1999, 1, 1)),
            graduate_profile(),
        )
        register_talent(
            session,
            f"local{tag}",
            "secret123",
            "李本地",
            random_id_number(dt.date(1999, 1, 1)),
            graduate_profile(employment={"introduced_from": "local"}),
        )
    return {key: _headers(url, f"{key}{tag}") for key in ("city", "admin", "fin", "grad", "local")}


def _error(response: httpx.Response) -> dict[str, Any]:
    errors = response.json()["errors"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in errors[0]["message"])
    return dict(errors[0])


def _counts(url: str) -> tuple[int, int]:
    with session_scope(url) as session:
        return (
            session.scalar(select(func.count()).select_from(StationBooking)) or 0,
            session.scalar(select(func.count()).select_from(StationBookingNight)) or 0,
        )


def test_book_check_in_and_the_months_cost(
    server: ServerProcess, callers: dict[str, dict[str, str]]
) -> None:
    api, url = server.url + "/api/v1/stations", server.database_url
    city = callers["city"]
    for body, code in [
        ({"county": "999999", "name": "x", "address": "y", "nightly_rate": "180"}, "bad_county"),
        ({"county": "130102", "name": "x", "address": "y", "nightly_rate": "-1"}, "bad_amount"),
        ({"county": "130102", "name": "x", "address": "y", "nightly_rate": "1.001"}, "bad_amount"),
    ]:
        refused = httpx.post(api, json=body, headers=city)
        assert refused.status_code == 422 and _error(refused)["code"] == code
    assert httpx.get(api, headers=city).json()["count"] == 0
    body = {
        "county": "130102",
        "name": "长安青年驿站",
        "address": "中山路1号",
        "nightly_rate": "180",
    }
    assert httpx.post(api, json=body, headers=callers["grad"]).status_code == 403
    station = httpx.post(api, json=body, headers=city)
    assert station.status_code == 201, station.text
    sid = station.json()["id"]
    assert station.json()["county_name"] == "长安区"
    other = httpx.post(api, json={**body, "name": "桥西青年驿站", "county": "130104"}, headers=city)
    rooms = {"first": DAY.isoformat(), "last": (DAY + dt.timedelta(days=9)).isoformat(), "rooms": 2}
    opened = httpx.post(f"{api}/{sid}/rooms", json=rooms, headers=city)
    assert opened.status_code == 200 and opened.json()["added"] == 20
    free = httpx.get(f"{api}/{sid}/availability", headers=callers["grad"]).json()
    assert free["items"][0] == {"night": DAY.isoformat(), "rooms": 2, "free": 2}

    booking = {"station_id": sid, "first_night": DAY.isoformat(), "nights": 3}
    refusals = [
        (
            httpx.post(f"{api}/bookings", json={**booking, "nights": 8}, headers=callers["grad"]),
            422,
            "bad_nights",
        ),
        (
            httpx.post(
                f"{api}/bookings",
                json={**booking, "first_night": "2023-05-09"},
                headers=callers["grad"],
            ),
            422,
            "bad_dates",
        ),
        (
            httpx.post(
                f"{api}/bookings",
                json={**booking, "first_night": "2023-05-18"},
                headers=callers["grad"],
            ),
            409,
            "full",
        ),
        (
            httpx.post(f"{api}/bookings", json=booking, headers=callers["local"]),
            422,
            "not_eligible",
        ),
        (httpx.post(f"{api}/bookings", json=booking, headers=city), 403, "forbidden"),
    ]
    for response, status, code in refusals:
        assert response.status_code == status, response.text
        assert _error(response)["code"] == code
    assert _counts(url) == (0, 0)  # nothing was left behind
    ineligible = refusals[3][0]
    assert "从市外、国（境）外引进" in _error(ineligible)["message"]

    made = httpx.post(f"{api}/bookings", json=booking, headers=callers["grad"])
    assert made.status_code == 201, made.text
    stay = made.json()
    assert stay["status"] == "booked" and stay["nights"] == 3
    assert stay["last_night"] == (DAY + dt.timedelta(days=2)).isoformat()
    assert stay["basis"] == "石政办发〔2022〕6号 第17条"
    assert stay["guest"] == "张**" and stay["nightly"] == "180.00"
    assert stay["code"].startswith("RS1:")
    again = httpx.post(f"{api}/bookings", json=booking, headers=callers["grad"])
    assert again.status_code == 409 and _error(again)["code"] == "already_booked"
    assert _counts(url) == (1, 3)
    qr = httpx.get(f"{api}/bookings/{stay['id']}/qr.png", headers=callers["grad"])
    assert qr.status_code == 200 and qr.content.startswith(b"\x89PNG")
    assert httpx.get(f"{api}/bookings/{stay['id']}", headers=callers["local"]).status_code == 404
    assert httpx.get(f"{api}/bookings", headers=callers["local"]).json()["count"] == 0

    # the hotel: one operator per station; only its own station's guests
    ops = {}
    for key, station_id in (("here", sid), ("there", other.json()["id"])):
        name = f"op{key}{uuid.uuid4().hex[:6]}"
        created = httpx.post(
            f"{api}/{station_id}/operators",
            json={"username": name, "password": "secret123", "display_name": "前台"},
            headers=city,
        )
        assert created.status_code == 201, created.text
        ops[key] = _headers(url, name)
    code = stay["code"]
    tampered = code[:-3] + ("AAA" if not code.endswith("AAA") else "BBB")
    for response, status, error in [
        (
            httpx.post(f"{api}/check-in", json={"code": "RC1:XYZ"}, headers=ops["here"]),
            422,
            "bad_code",
        ),
        (
            httpx.post(f"{api}/check-in", json={"code": tampered}, headers=ops["here"]),
            422,
            "bad_code",
        ),
        (
            httpx.post(f"{api}/check-in", json={"code": code}, headers=ops["there"]),
            403,
            "other_station",
        ),
        (
            httpx.post(f"{api}/check-in", json={"code": code}, headers=callers["grad"]),
            403,
            "forbidden",
        ),
    ]:
        assert response.status_code == status, response.text
        assert _error(response)["code"] == error
    checked = httpx.post(f"{api}/check-in", json={"code": code}, headers=ops["here"])
    assert checked.status_code == 200, checked.text
    assert checked.json()["status"] == "checked_in" and checked.json()["status_label"] == "已入住"
    twice = httpx.post(f"{api}/check-in", json={"code": code}, headers=ops["here"])
    assert twice.status_code == 409 and _error(twice)["code"] == "already_checked_in"
    assert httpx.get(f"{api}/bookings", headers=ops["there"]).json()["count"] == 0
    assert httpx.get(f"{api}/bookings", headers=ops["here"]).json()["count"] == 1

    # the city's cost: three nights at the hotel's price (under the 200 yuan cap)
    query = {"jurisdiction": "shijiazhuang", "month": "2023-05"}
    assert httpx.get(f"{api}/costs", params=query, headers=callers["fin"]).status_code == 403
    cost = httpx.get(f"{api}/costs", params=query, headers=city).json()
    lines = {line["station"]: line for line in cost["items"]}
    assert lines["长安青年驿站"]["nights"] == 3 and lines["长安青年驿站"]["amount"] == "540.00"
    assert lines["桥西青年驿站"]["amount"] == "0.00"
    sheet = httpx.get(f"{api}/costs.xlsx", params=query, headers=city)
    assert sheet.status_code == 200
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[-1][0] == "合计" and str(rows[-1][5]) == "540"
    bad = httpx.get(f"{api}/costs", params={**query, "jurisdiction": "nowhere"}, headers=city)
    assert bad.status_code == 422 and _error(bad)["code"] == "bad_jurisdiction"


def test_a_city_without_stated_limits_waits_for_the_administrator(
    server: ServerProcess, callers: dict[str, dict[str, str]]
) -> None:
    api = server.url + "/api/v1/stations"
    body = {"county": "130902", "name": "沧州驿站", "address": "解放路", "nightly_rate": "150"}
    station = httpx.post(api, json=body, headers=callers["city"])
    assert station.status_code == 201, station.text
    assert station.json()["jurisdiction"] == "cangzhou"
    listed = {
        p["jurisdiction"]: p
        for p in httpx.get(f"{api}/policies", headers=callers["grad"]).json()["items"]
    }
    assert listed["cangzhou"]["max_nights"] is None and listed["cangzhou"]["set_by_administrator"]
    assert (
        listed["shijiazhuang"]["max_nights"] == 7
        and not listed["shijiazhuang"]["set_by_administrator"]
    )
    assert listed["shijiazhuang"]["nightly_cap"] == "200.00"
    booking = {"station_id": station.json()["id"], "first_night": DAY.isoformat(), "nights": 2}
    waiting = httpx.post(f"{api}/bookings", json=booking, headers=callers["local"])
    assert waiting.status_code == 409 and _error(waiting)["code"] == "no_policy"
    limits = {"max_nights": 5, "nightly_cap": "150"}
    assert (
        httpx.put(f"{api}/policies/cangzhou", json=limits, headers=callers["city"]).status_code
        == 403
    )
    stated = httpx.put(f"{api}/policies/shijiazhuang", json=limits, headers=callers["admin"])
    assert stated.status_code == 409 and _error(stated)["code"] == "limit_stated"
    bad = httpx.put(
        f"{api}/policies/cangzhou", json={**limits, "nightly_cap": "0"}, headers=callers["admin"]
    )
    assert bad.status_code == 422 and _error(bad)["code"] == "bad_amount"
    set_ = httpx.put(f"{api}/policies/cangzhou", json=limits, headers=callers["admin"])
    assert set_.status_code == 200 and set_.json()["set_by_administrator"]
    no_rule = httpx.post(f"{api}/bookings", json=booking, headers=callers["local"])
    assert no_rule.status_code == 409 and _error(no_rule)["code"] == "no_rule"


def _graduate_of(url: str, city: str, county: str, name: str, **changes: Any) -> dict[str, str]:
    """A talent of ``city`` with a “双一流” master's of 2023, from outside the city and no
    employer here yet (looking for a job), unless ``changes`` say otherwise."""
    profile = graduate_profile(jurisdiction=city)
    profile["employment"] = {"introduced_from": "outside_city", "county": county}
    profile["employment"].update(changes.pop("employment", {}))
    username = f"g{uuid.uuid4().hex[:8]}"
    with session_scope(url) as session:
        register_talent(
            session, username, "secret123", name, random_id_number(dt.date(1999, 1, 1)), profile
        )
    return _headers(url, username)


def test_cangzhou_and_jinzhou_book_by_the_administrators_stated_conditions(
    server: ServerProcess, callers: dict[str, dict[str, str]]
) -> None:
    """Decision 0184: where a city's texts are silent (Cangzhou only plans a 驿站; Jinzhou says
    nothing), the administrator states its conditions from the fixed criteria; they are shown
    flagged, and a booking is judged on them, naming the fact that decides."""
    url, api = server.database_url, server.url + "/api/v1/stations"
    admin, city = callers["admin"], callers["city"]
    station = httpx.post(
        api,
        json={"county": "210702", "name": "锦州驿站", "address": "解放路", "nightly_rate": "120"},
        headers=city,
    ).json()
    assert station["jurisdiction"] == "jinzhou"
    with clock.frozen(AT), session_scope(url) as session:
        service.open_rooms(session, service.station_or_404(session, station["id"]), DAY, DAY, 2)
    guest = _graduate_of(url, "jinzhou", "210702", "王外来")
    local = _graduate_of(
        url, "jinzhou", "210702", "刘本地", employment={"introduced_from": "local"}
    )
    booking = {"station_id": station["id"], "first_night": DAY.isoformat(), "nights": 1}
    conditions = [
        {"code": "graduated_within_years", "years": 1},
        {"code": "double_first_class"},
        {"code": "from_outside_city"},
        {"code": "job_seeking"},
    ]
    limits = {"max_nights": 5, "nightly_cap": "100", "criteria": conditions}
    # limits without conditions: not bookable, no rule invents who may stay
    plain = httpx.put(
        f"{api}/policies/jinzhou", json={"max_nights": 5, "nightly_cap": "100"}, headers=admin
    )
    assert plain.status_code == 200, plain.text
    no_rule = httpx.post(f"{api}/bookings", json=booking, headers=guest)
    assert no_rule.status_code == 409 and _error(no_rule)["code"] == "no_rule"
    # a condition outside the fixed set, or a bad parameter, is refused and changes nothing
    for bad in (
        [{"code": "likes_tea"}],
        [{"code": "graduated_within_years", "years": 11}],
        [{"code": "min_degree", "degree": "kindergarten"}],
    ):
        refused = httpx.put(
            f"{api}/policies/jinzhou", json={**limits, "criteria": bad}, headers=admin
        )
        assert refused.status_code == 422 and _error(refused)["code"] == "bad_criteria"
    listed = {
        p["jurisdiction"]: p for p in httpx.get(f"{api}/policies", headers=guest).json()["items"]
    }
    assert listed["jinzhou"]["criteria"] == []
    assert httpx.put(f"{api}/policies/jinzhou", json=limits, headers=city).status_code == 403
    set_ = httpx.put(f"{api}/policies/jinzhou", json=limits, headers=admin)
    assert set_.status_code == 200, set_.text
    shown = set_.json()
    assert shown["set_by_administrator"] and shown["criteria"] == [
        "高校毕业1年内（含当年）",
        "“双一流”建设高校毕业生",
        "从市外或国（境）外来本市",
        "正在求职（尚未在本市就业）",
    ]
    refused = httpx.post(f"{api}/bookings", json=booking, headers=local)
    assert refused.status_code == 422 and _error(refused)["code"] == "not_eligible"
    assert "管理员设定" in _error(refused)["message"]
    assert "从市外或国（境）外来本市" in _error(refused)["message"]
    assert "本市本地" in _error(refused)["message"]  # the fact that decided
    made = httpx.post(f"{api}/bookings", json={**booking, "nights": 6}, headers=guest)
    assert made.status_code == 422 and _error(made)["code"] == "bad_nights"  # the set limit
    made = httpx.post(f"{api}/bookings", json=booking, headers=guest)
    assert made.status_code == 201, made.text
    with session_scope(url) as session:
        kept = session.get(StationBooking, made.json()["id"])
        assert kept is not None and kept.nightly_fen == 10000  # 120 yuan, capped at 100
        judged = json.loads(kept.eligibility)
    assert judged["state"] == "eligible" and judged["stated_by"] == "office"
    assert [r["held"] for r in judged["criteria"]] == [True, True, True, True]
    with clock.frozen(AT), session_scope(url) as session:  # the other tests count no-shows
        service.cancel(session, session.get(StationBooking, made.json()["id"]))
    # an employed graduate is not job seeking; the Shijiazhuang clause still cannot be changed
    hired = _graduate_of(
        url, "jinzhou", "210702", "周已聘", employment={"employer_type": "enterprise"}
    )
    employed = httpx.post(f"{api}/bookings", json=booking, headers=hired)
    assert employed.status_code == 422 and "已有本市用人单位" in _error(employed)["message"]
    stated = httpx.put(f"{api}/policies/shijiazhuang", json=limits, headers=admin)
    assert stated.status_code == 409 and _error(stated)["code"] == "limit_stated"


def test_no_shows_are_released_after_their_first_night(
    server: ServerProcess, callers: dict[str, dict[str, str]]
) -> None:
    url = server.database_url
    with clock.frozen(AT), session_scope(url) as session:
        station = service.create_station(session, "130108", "裕华驿站", "槐安路", 30000)
        service.open_rooms(session, station, DAY, DAY + dt.timedelta(days=6), 1)
        talent = register_talent(
            session,
            f"ns{uuid.uuid4().hex[:6]}",
            "secret123",
            "赵未到",
            random_id_number(dt.date(1999, 1, 1)),
            graduate_profile(),
        )
        booking = service.book(session, talent, station, DAY, 4)
        assert booking.nightly_fen == 20000  # the hotel's 300 yuan, paid up to the 200 yuan cap
        assert service.over_cap(session, station)
        station_id, booking_id = station.id, booking.id
    with clock.frozen(AT), session_scope(url) as session:
        assert service.release_no_shows(session) == 0  # the first night is not over
    with clock.frozen(AT + dt.timedelta(days=1)), session_scope(url) as session:
        assert service.release_no_shows(session) == 1
        released = session.get(StationBooking, booking_id)
        assert released is not None and released.status == "no_show"
        station = service.station_or_404(session, station_id)
        nights = service.availability(session, station, DAY, DAY + dt.timedelta(days=6))
        assert all(free == 1 for _, _, free in nights)
        costs = service.monthly_costs(session, "shijiazhuang", "2023-05")
        assert {c.station: c.amount_fen for c in costs}["裕华驿站"] == 0


def test_concurrent_bookings_over_http(
    server: ServerProcess, callers: dict[str, dict[str, str]]
) -> None:
    """Many graduates press 预订 at once, over real HTTP: as many are booked as there are rooms,
    every other one gets the same clear 409."""
    from concurrent.futures import ThreadPoolExecutor

    from rencai.registry.accounts import issue_token
    from rencai.registry.models import Account, TalentProfile
    from tests.stations.world import talents

    api, url = server.url + "/api/v1/stations", server.database_url
    # the office's calls wait as long as the bookings may: a busy machine is not the subject
    office = httpx.Client(headers=callers["city"], timeout=60)
    made = office.post(
        api,
        json={"county": "130104", "name": "桥西并发驿站", "address": "x", "nightly_rate": "100"},
    ).json()
    rooms = {"first": DAY.isoformat(), "last": DAY.isoformat(), "rooms": 10}
    assert office.post(f"{api}/{made['id']}/rooms", json=rooms).json()["added"] == 10
    people = talents(url, 120)
    with session_scope(url) as session:
        tokens = []
        for talent_id in people:
            talent = session.get(TalentProfile, talent_id)
            assert talent is not None
            account = session.get(Account, talent.account_id)
            assert account is not None
            tokens.append(issue_token(session, account, "api"))
    body = {"station_id": made["id"], "first_night": DAY.isoformat(), "nights": 1}

    def book(token: str) -> httpx.Response:
        return httpx.post(
            f"{api}/bookings", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )

    with ThreadPoolExecutor(max_workers=CONCURRENT) as pool:
        answers = list(pool.map(book, tokens))
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(201) == 10 and statuses.count(409) == 110, [
        a.text for a in answers if a.status_code not in (201, 409)
    ][:3]
    for answer in answers:
        if answer.status_code == 409:
            assert _error(answer) == {
                "field": "first_night",
                "message": f"桥西并发驿站在{DAY.isoformat()}已无空房，请选择其他日期或驿站",
                "code": "full",
            }
    free = office.get(
        f"{api}/{made['id']}/availability",
        params={"first": DAY.isoformat(), "last": DAY.isoformat()},
    ).json()["items"]
    office.close()
    assert free == [{"night": DAY.isoformat(), "rooms": 10, "free": 0}]
