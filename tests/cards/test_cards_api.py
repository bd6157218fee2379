"""Cards over real HTTP: the holder's cards and downloads, the public trust bundle, online
verification recording a use, rate limiting per service point, offline batches, lifecycle by the
office and statistics."""

from __future__ import annotations

import io
import json
import uuid
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy import select

from rencai.applications.service import apply, decide
from rencai.cards.issuance import set_validity
from rencai.cards.keys import KeyStore
from rencai.cards.models import CardUse
from rencai.cards.trust import TrustBundle
from rencai.cards.usage import VERIFY_LIMITER, register_point
from rencai.db.session import database_url, session_scope
from rencai.registry.accounts import create_account, register_talent
from rencai.registry.identifiers import id_check_character
from rencai.registry.models import Role
from tests.profiles import doctor_today
from tests.support import LiveServer, random_first17

PASSWORD = "secret123"


def _id_number() -> str:
    first17 = random_first17()
    return first17 + id_check_character(first17)


def _token(server: LiveServer, username: str) -> dict[str, str]:
    response = httpx.post(
        f"{server.url}/api/v1/tokens", json={"username": username, "password": PASSWORD}
    )
    return {"Authorization": f"Bearer {response.json()['token']}"}


@pytest.fixture(scope="module")
def world(live_server: LiveServer) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:6]
    profile = doctor_today()
    profile["family"] = [{"relation": "spouse", "name": "赵女士", "employed": False}]
    with session_scope(database_url()) as s:
        talent = register_talent(s, f"holder{tag}", PASSWORD, "王博士", _id_number(), profile)
        register_talent(s, f"other{tag}", PASSWORD, "李四", _id_number(), profile)
        county = create_account(
            s, f"ca{tag}", PASSWORD, "长安区人才办", Role.county_reviewer, county="130102"
        )
        city = create_account(s, f"city{tag}", PASSWORD, "市委人才办", Role.city_reviewer)
        set_validity(s, "admin", "B", 36, "测试：管理员设定")
        case = apply(s, talent, "card.b", uuid.uuid4().hex)
        decide(s, county, case, "approve", None, case.version)
        decide(s, city, case, "approve", None, case.version)
        register_point(s, f"BUS-{tag}", "公交1路", "bus", f"bus{tag}", PASSWORD, "130102")
        register_point(s, f"BANK-{tag}", "河北银行", "bank", f"bank{tag}", PASSWORD, "130102")
    return {"tag": tag, "server": live_server}


def _cards(world: dict[str, Any]) -> dict[str, Any]:
    server = world["server"]
    response = httpx.get(
        f"{server.url}/api/v1/me/cards", headers=_token(server, f"holder{world['tag']}")
    )
    assert response.status_code == 200
    return response.json()


def _jpeg(colour: str = "navy") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (90, 120), colour).save(out, format="JPEG")
    return out.getvalue()


def test_holder_sees_cards_and_downloads_them(world: dict[str, Any]) -> None:
    server = world["server"]
    items = _cards(world)["items"]
    main, spouse = items
    assert main["kind"] == "main" and spouse["kind"] == "family"
    assert spouse["main_number"] == main["number"] and spouse["holder_name"] == "赵女士"
    assert main["valid_through"] and not main["validity_awaiting_administrator"]
    headers = _token(server, f"holder{world['tag']}")
    base = f"{server.url}/api/v1/me/cards/{main['number']}"
    # The static code is not handed out on its own (a shared picture of it would pass every
    # check): it is printed only on the card face, beside the holder's photo.
    assert httpx.get(f"{base}/qr.png", headers=headers).status_code == 404
    assert httpx.get(f"{base}/qr.svg", headers=headers).status_code == 404
    no_photo = httpx.get(f"{base}/card.pdf", headers=headers)
    assert no_photo.status_code == 409
    assert no_photo.json()["errors"][0]["message"] == "请先上传持卡人照片，再打印卡面"
    not_a_photo = httpx.put(
        f"{base}/photo", headers=headers, files={"file": ("p.pdf", b"%PDF-1.7 x", "image/jpeg")}
    )
    assert not_a_photo.status_code == 415 and not _cards(world)["items"][0]["has_photo"]
    put = httpx.put(f"{base}/photo", headers=headers, files={"file": ("me.jpg", _jpeg())})
    assert put.status_code == 204 and _cards(world)["items"][0]["has_photo"]
    pdf = httpx.get(f"{base}/card.pdf", headers=headers)
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 2000
    assert b"/Subtype /Image" in pdf.content and pdf.content.count(b"/Subtype /Image") >= 2
    codes = httpx.get(f"{base}/presentation", headers=headers).json()["codes"]
    assert len(codes) == 10 and all(c["until"] - c["from"] == 60 for c in codes)
    assert codes[0]["svg"].startswith("data:image/svg+xml;base64,")
    # someone else's card is not found, and without a login nothing is shown
    other = _token(server, f"other{world['tag']}")
    assert httpx.get(f"{base}/card.pdf", headers=other).status_code == 404
    stranger = httpx.put(f"{base}/photo", headers=other, files={"file": ("x.jpg", _jpeg("red"))})
    assert stranger.status_code == 404
    assert httpx.get(f"{base}/card.pdf").status_code == 401


def test_points_that_compare_faces_see_the_masked_name_and_photo(world: dict[str, Any]) -> None:
    server, tag = world["server"], world["tag"]
    main = _cards(world)["items"][0]
    holder = _token(server, f"holder{tag}")
    photo = _jpeg("teal")
    assert (
        httpx.put(
            f"{server.url}/api/v1/me/cards/{main['number']}/photo",
            headers=holder,
            files={"file": ("me.jpg", photo)},
        ).status_code
        == 204
    )
    code = httpx.get(
        f"{server.url}/api/v1/me/cards/{main['number']}/presentation", headers=holder
    ).json()["codes"][0]["code"]
    url = f"{server.url}/api/v1/cards/verify"
    photo_url = f"{server.url}/api/v1/cards/{main['number']}/holder-photo"
    with session_scope(database_url()) as s:
        register_point(s, f"HOSP-{tag}", "市人民医院", "hospital", f"hosp{tag}", PASSWORD, "130102")
        register_point(s, f"SUB-{tag}", "地铁1号线", "subway", f"sub{tag}", PASSWORD, "130102")
    hospital, subway = _token(server, f"hosp{tag}"), _token(server, f"sub{tag}")
    # before the hospital has checked the card it may not open the photo
    assert httpx.get(photo_url, headers=hospital).status_code == 404
    seen = httpx.post(url, headers=hospital, json={"code": code}).json()
    assert seen["verdict"] == "valid"
    assert seen["holder"]["name"] == "王**"  # 王博士, masked
    assert seen["holder"]["photo"] == f"/api/v1/cards/{main['number']}/holder-photo"
    opened = httpx.get(photo_url, headers=hospital)
    assert opened.status_code == 200 and opened.content == photo
    assert opened.headers["content-type"] == "image/jpeg"
    # a subway gate compares nothing: the dynamic code shows it no name and no photo
    gate = httpx.post(url, headers=subway, json={"code": code}).json()
    assert gate["verdict"] == "valid" and "holder" not in gate
    assert httpx.get(photo_url, headers=subway).status_code == 404
    # a refused code shows nobody's name
    refused = httpx.post(url, headers=hospital, json={"code": "RC1:nothing"}).json()
    assert not refused["accepted"] and "holder" not in refused
    # another talent cannot open the photo; the holder can
    assert httpx.get(photo_url, headers=_token(server, f"other{tag}")).status_code == 404
    assert httpx.get(photo_url, headers=holder).content == photo


def test_bundle_is_public_and_verifies_against_the_root(world: dict[str, Any]) -> None:
    server = world["server"]
    raw = httpx.get(f"{server.url}/api/v1/cards/trust-bundle")
    assert raw.headers["content-type"] == "application/cose"
    bundle = TrustBundle.load(raw.content, KeyStore().root_public())
    assert int(raw.headers["X-Bundle-Version"]) == bundle.version
    assert httpx.get(f"{server.url}/api/v1/cards/root-key").json()["alg"] == "ES256"


def test_online_verify_records_a_use_and_is_rate_limited(world: dict[str, Any]) -> None:
    server, tag = world["server"], world["tag"]
    main = _cards(world)["items"][0]
    holder = _token(server, f"holder{tag}")
    code = httpx.get(
        f"{server.url}/api/v1/me/cards/{main['number']}/presentation", headers=holder
    ).json()["codes"][0]["code"]
    bus = _token(server, f"bus{tag}")
    response = httpx.post(f"{server.url}/api/v1/cards/verify", headers=bus, json={"code": code})
    body = response.json()
    assert response.status_code == 200 and body["verdict"] == "valid" and body["recorded"]
    assert body["card"]["dynamic"] and body["point"]["kind"] == "bus"
    bank = _token(server, f"bank{tag}")
    refused = httpx.post(f"{server.url}/api/v1/cards/verify", headers=bank, json={"code": "x"})
    assert refused.json()["verdict"] == "malformed"
    # a talent is not a service point
    assert (
        httpx.post(
            f"{server.url}/api/v1/cards/verify", headers=holder, json={"code": code}
        ).status_code
        == 403
    )
    assert any(u["point_name"] == "公交1路" for u in _cards(world)["uses"])
    # a flood from one point account is cut off with 429, not served (the server runs in this
    # process: tighten its limiter for the test so it does not depend on the machine's speed)
    saved = VERIFY_LIMITER.rate, VERIFY_LIMITER.burst
    VERIFY_LIMITER.rate, VERIFY_LIMITER.burst = 0.5, 3
    try:
        url = f"{server.url}/api/v1/cards/verify"
        replies = [httpx.post(url, headers=bus, json={"code": code}) for _ in range(6)]
        other_point = httpx.post(url, headers=bank, json={"code": code})
    finally:
        VERIFY_LIMITER.rate, VERIFY_LIMITER.burst = saved
    statuses = [r.status_code for r in replies]
    assert statuses.count(200) <= 4 and statuses[-1] == 429
    assert replies[-1].json()["errors"][0]["code"] == "rate_limited"
    assert other_point.status_code == 200  # the limit is per point account


def test_offline_batch_upload_is_idempotent(world: dict[str, Any]) -> None:
    server, tag = world["server"], world["tag"]
    number = _cards(world)["items"][0]["number"]
    bank = _token(server, f"bank{tag}")
    events = [
        {
            "event_id": f"off-{tag}-{i}",
            "card_number": number,
            "verdict": "valid",
            "at": f"2026-11-0{i + 1}T08:00:00+08:00",
        }
        for i in range(3)
    ]
    first = httpx.post(f"{server.url}/api/v1/cards/uses", headers=bank, json={"events": events})
    assert first.json() == {"received": 3, "stored": 3, "duplicates": 0}
    again = httpx.post(f"{server.url}/api/v1/cards/uses", headers=bank, json={"events": events})
    assert again.json()["stored"] == 0
    bad = httpx.post(
        f"{server.url}/api/v1/cards/uses",
        headers=bank,
        json={"events": [{"event_id": f"bad-{tag}", "verdict": "valid", "at": "yesterday"}]},
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "events[0]"


def test_online_retry_is_recorded_once_and_two_points_are_flagged(world: dict[str, Any]) -> None:
    server, tag = world["server"], world["tag"]
    main = _cards(world)["items"][0]
    holder = _token(server, f"holder{tag}")
    code = httpx.get(
        f"{server.url}/api/v1/me/cards/{main['number']}/presentation", headers=holder
    ).json()["codes"][0]["code"]
    with session_scope(database_url()) as s:
        register_point(s, f"BUS2-{tag}", "公交2路", "bus", f"bustwo{tag}", PASSWORD, "130102")
    url = f"{server.url}/api/v1/cards/verify"
    second_bus = _token(server, f"bustwo{tag}")
    event = {"code": code, "event_id": f"gate-{tag}-1"}
    first = httpx.post(url, headers=second_bus, json=event).json()
    retry = httpx.post(url, headers=second_bus, json=event).json()
    assert first["verdict"] == retry["verdict"] == "valid"
    assert first["recorded"] and not retry["recorded"]
    with session_scope(database_url()) as s:
        uses = s.scalars(select(CardUse).where(CardUse.event_id == f"gate-{tag}-1")).all()
    # one row; accepted minutes ago at 公交1路, now at 公交2路: flagged for review
    assert len(uses) == 1 and uses[0].flag == "two_points"
    # an unknown token is refused before anything is read or recorded
    bad = httpx.post(url, headers={"Authorization": "Bearer nope"}, json={"code": code})
    assert bad.status_code == 401 and bad.json()["errors"][0]["code"] == "unauthenticated"


def test_the_lean_check_answers_as_the_declared_route(world: dict[str, Any]) -> None:
    """The gates' check in its common case skips FastAPI's per-request work (decision 0266);
    every other request is handed to the declared route. Both give the same answers: a body
    sent as ``application/json; charset=utf-8`` goes the declared way, the same body as
    ``application/json`` the lean way."""
    from rencai.web.api.cards import LeanCheckRoute, online

    assert all(isinstance(route, LeanCheckRoute) for route in online.routes)
    server, tag = world["server"], world["tag"]
    url = f"{server.url}/api/v1/cards/verify"
    main = _cards(world)["items"][0]
    holder = _token(server, f"holder{tag}")
    code = httpx.get(
        f"{server.url}/api/v1/me/cards/{main['number']}/presentation", headers=holder
    ).json()["codes"][0]["code"]
    bus = _token(server, f"bus{tag}")

    def both(headers: dict[str, str], body: bytes) -> tuple[httpx.Response, httpx.Response]:
        declared, lean = (
            httpx.post(url, headers={**headers, "Content-Type": kind}, content=body)
            for kind in ("application/json; charset=utf-8", "application/json")
        )
        return declared, lean

    declared, lean = both(bus, json.dumps({"code": code, "extra": 1}).encode())
    assert declared.status_code == lean.status_code == 200
    assert declared.json() == lean.json() and lean.json()["recorded"]
    assert list(declared.json()) == list(lean.json())
    for name in ("content-type", "content-length", "x-content-type-options", "cache-control"):
        assert declared.headers.get(name) == lean.headers.get(name), name
    event = {"code": code, "event_id": f"lean-{uuid.uuid4().hex[:8]}"}
    declared, lean = both(bus, json.dumps(event).encode())
    assert declared.json()["recorded"] and not lean.json()["recorded"]  # one event, once
    # what the model refuses: the same structured 422 either way
    for body in (
        b"not json",
        b"[]",
        json.dumps({"code": 5}).encode(),
        json.dumps({"code": "x" * 4097}).encode(),
        json.dumps({"code": code, "event_id": "short"}).encode(),
        json.dumps({"code": code, "event_id": 12345678}).encode(),
        b"",
    ):
        declared, lean = both(bus, body)
        assert declared.status_code == lean.status_code == 422, body
        assert declared.json() == lean.json(), body
    # no token, an unknown one, a talent's: the same refusals
    for headers in ({}, {"Authorization": "bearer no-such-token"}, holder):
        declared, lean = both(headers, json.dumps({"code": code}).encode())
        assert declared.status_code == lean.status_code != 200
        assert declared.json() == lean.json()
        assert lean.json()["errors"][0]["code"] in ("unauthenticated", "forbidden")
    # the OpenAPI document still declares the check with its model
    document = httpx.get(f"{server.url}/api/openapi.json").json()
    answer = document["paths"]["/api/v1/cards/verify"]["post"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"]["$ref"].endswith("/Verification")


def test_office_revokes_and_the_bundle_says_so(world: dict[str, Any]) -> None:
    server, tag = world["server"], world["tag"]
    main, _spouse = _cards(world)["items"]
    holder = _token(server, f"holder{tag}")
    code = httpx.get(
        f"{server.url}/api/v1/me/cards/{main['number']}/presentation", headers=holder
    ).json()["codes"][0]["code"]
    city = _token(server, f"city{tag}")
    detail = httpx.get(f"{server.url}/api/v1/cards/{main['number']}", headers=city).json()
    assert detail["history"][0]["action"] == "issue"
    stale = httpx.post(
        f"{server.url}/api/v1/cards/{main['number']}/revoke",
        headers=city,
        json={"reason": "离开本市", "version": detail["version"] + 7},
    )
    assert stale.status_code == 409
    no_reason = httpx.post(
        f"{server.url}/api/v1/cards/{main['number']}/revoke",
        headers=city,
        json={"version": detail["version"]},
    )
    assert no_reason.status_code == 422
    done = httpx.post(
        f"{server.url}/api/v1/cards/{main['number']}/revoke",
        headers=city,
        json={"reason": "离开本市", "version": detail["version"]},
    )
    assert done.status_code == 200
    assert {c["status"] for c in done.json()["changed"]} == {"revoked"}
    assert len(done.json()["changed"]) == 2
    # the holder can no longer present it, and a verifier with the new bundle refuses it
    assert (
        httpx.get(
            f"{server.url}/api/v1/me/cards/{main['number']}/presentation", headers=holder
        ).status_code
        == 409
    )
    # the online check learns of it at once (the list version is read with the caller)
    bank = _token(server, f"bank{tag}")
    online = httpx.post(f"{server.url}/api/v1/cards/verify", headers=bank, json={"code": code})
    assert online.json()["verdict"] == "revoked" and online.json()["recorded"]
    stats = httpx.get(f"{server.url}/api/v1/cards/statistics", headers=city).json()
    assert any(r["kind"] == "bus" for r in stats["rows"])
    assert httpx.get(f"{server.url}/api/v1/cards/statistics", headers=holder).status_code == 403
