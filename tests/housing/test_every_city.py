"""Talent-apartment batches in a city whose documents state no admission tier (Cangzhou's plan
only promises 人才公寓支持 to graduates), over real HTTP: the housing office states the batch's
conditions from the fixed criteria, they are shown as its own, applications are judged on them
with the deciding facts, and the batch is drawn like any other (decision 0184)."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from typing import Any

import httpx

from rencai import clock
from rencai.db.session import session_scope
from rencai.registry.accounts import authenticate, create_account, register_talent
from rencai.registry.models import Role
from tests.support import LiveServer, random_id_number


def _born() -> dt.date:
    """A graduate of 28 (the identity number and the profile carry it)."""
    return dt.date(clock.today().year - 28, 3, 1)


def _graduate(**employment: Any) -> dict[str, Any]:
    """A master who graduated last June: within 沧州's “高校毕业3年内（含当年）” in any year."""
    return {
        "jurisdiction": "cangzhou",
        "person": {
            "birth_date": _born().isoformat(),
            "education": [
                {
                    "degree": "master",
                    "full_time": True,
                    "school": "天津大学",
                    "school_tags": ["double_first_class"],
                    "graduation_date": f"{clock.today().year - 1}-06-30",
                }
            ],
        },
        "employment": {"introduced_from": "outside_city", "county": "130902", **employment},
    }


def _error(response: httpx.Response) -> dict[str, Any]:
    errors = response.json()["errors"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in errors[0]["message"])
    return dict(errors[0])


def test_a_cangzhou_batch_runs_on_the_offices_stated_conditions(live_server: LiveServer) -> None:
    url, tag = os.environ["RENCAI_DATABASE_URL"], uuid.uuid4().hex[:6]
    with session_scope(url) as s:
        create_account(s, f"czo{tag}", "secret123", "沧州住房保障科", Role.housing_office)
        register_talent(
            s,
            f"czg{tag}",
            "secret123",
            "孙引进",
            random_id_number(_born()),
            _graduate(),
        )
        register_talent(
            s,
            f"czl{tag}",
            "secret123",
            "钱本地",
            random_id_number(_born()),
            _graduate(introduced_from="local"),
        )
        tokens = {
            who: authenticate(s, f"{who}{tag}", "secret123", kind="api").token
            for who in ("czo", "czg", "czl")
        }
    office, guest, local = ({"Authorization": f"Bearer {tokens[w]}"} for w in ("czo", "czg", "czl"))
    api = live_server.url + "/api/v1/housing"
    building = httpx.post(
        f"{api}/buildings",
        json={"name": f"沧州人才公寓{tag}", "county": "130902", "kind": "youth"},
        headers=office,
    )
    assert building.status_code == 201, building.text
    building_id = building.json()["id"]
    unit = httpx.post(
        f"{api}/buildings/{building_id}/units",
        json={"number": "301", "size_m2": "45.00", "rent": "800"},
        headers=office,
    )
    assert unit.status_code == 201, unit.text
    number = int(tag, 16) % 9000 + 1000
    body: dict[str, Any] = {
        "kind": "apartment",
        "number": number,
        "title": f"第{number}批沧州市人才公寓",
        "unit_ids": [unit.json()["id"]],
        "mode": "order",
        "objection_days": 5,
    }
    conditions = [
        {"code": "graduated_within_years", "years": 3},
        {"code": "min_degree", "degree": "bachelor"},
        {"code": "from_outside_city"},
    ]
    # the city's texts name no tier: a card tier cannot be chosen, 保租房 is not in them, and a
    # batch without the office's conditions is refused; none of it leaves a batch behind
    for bad, field in (
        ({}, "eligible_programs"),
        ({"eligible_programs": ["card.b"]}, "eligible_programs"),
        ({"kind": "rental", "stated_criteria": conditions}, "kind"),
        ({"stated_criteria": [{"code": "graduated_within_years"}]}, "stated_criteria"),
    ):
        refused = httpx.post(f"{api}/batches", json={**body, **bad}, headers=office)
        assert refused.status_code == 422, refused.text
        assert _error(refused)["field"] == field
    listed = httpx.get(f"{api}/batches", headers=office).json()["items"]
    assert not any(b["number"] == number for b in listed)
    made = httpx.post(
        f"{api}/batches", json={**body, "stated_criteria": conditions}, headers=office
    )
    assert made.status_code == 201, made.text
    batch = made.json()
    assert batch["jurisdiction"] == "cangzhou" and batch["city"] == "沧州市"
    assert batch["eligible_programs"] == []
    assert batch["stated_criteria"] == [
        "高校毕业3年内（含当年）",
        "学历为大学本科及以上",
        "从市外或国（境）外来本市",
    ]
    assert "人才公寓支持" in batch["city_text"]
    assert httpx.post(f"{api}/batches/{batch['id']}/open", headers=office).status_code == 200

    refused = httpx.post(
        f"{api}/batches/{batch['id']}/applications",
        json={"preferences": [building_id]},
        headers=local,
    )
    assert refused.status_code == 422 and _error(refused)["code"] == "not_eligible"
    assert "从市外或国（境）外来本市" in _error(refused)["message"]
    assert "本市本地" in _error(refused)["message"]
    applied = httpx.post(
        f"{api}/batches/{batch['id']}/applications",
        json={"preferences": [building_id]},
        headers=guest,
    )
    assert applied.status_code == 201, applied.text
    check = applied.json()["precheck"]
    assert check["state"] == "eligible"
    judged = check["answers"][0]
    assert judged["stated_by"] == "office" and "住房保障部门设定" in judged["name"]
    assert [r["held"] for r in judged["criteria"]] == [True, True, True]
    assert "最高学历为硕士研究生" in [r["fact"] for r in judged["criteria"]]

    # the batch goes on like any other: review, seed, draw
    assert httpx.post(f"{api}/batches/{batch['id']}/close", headers=office).status_code == 200
    review = httpx.post(
        f"{api}/applications/{applied.json()['id']}/review", json={"approve": True}, headers=office
    )
    assert review.status_code == 200, review.text
    seeded = httpx.post(
        f"{api}/batches/{batch['id']}/seed", json={"seed": f"沧州-{tag}"}, headers=office
    )
    assert seeded.status_code == 200, seeded.text
    drawn = httpx.post(f"{api}/batches/{batch['id']}/draw", headers=office)
    assert drawn.status_code == 200, drawn.text
    page = httpx.get(
        f"{live_server.url}/housing/batches/{batch['id']}", cookies={}, follow_redirects=True
    )
    assert page.status_code == 200
    assert "住房保障部门设定" in page.text and "高校毕业3年内（含当年）" in page.text
