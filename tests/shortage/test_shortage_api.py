"""The shortage catalogue over real HTTP: a unit publishes needs, the office reviews and
publishes the year's catalogue (JSON, Excel, PDF), consenting talents see their matches with
the facts that decide them, the unit sees only consenting candidates and only for its own
needs, and a full match starts the application for the program the office attached."""

from __future__ import annotations

import io
import os
import uuid
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from rencai import clock
from rencai.db.session import session_scope
from rencai.registry.accounts import authenticate, create_account, register_talent
from rencai.registry.employers import register_with_hr
from rencai.registry.identifiers import mask_name, uscc_check_character
from rencai.registry.models import Employer, Role
from rencai.shortage.models import ShortageNeed
from tests.profiles import doctor_birth_date
from tests.support import LiveServer, random_id_number


def _profile(degree: str, discipline: str, skill: str = "none") -> dict[str, Any]:
    return {
        "jurisdiction": "shijiazhuang",
        "person": {
            "birth_date": doctor_birth_date().isoformat(),
            "skill_level": skill,
            "education": [
                {
                    "degree": degree,
                    "full_time": True,
                    "discipline": discipline,
                    "graduation_date": "2020-06-30",
                }
            ],
        },
        "employment": {"employer_type": "enterprise", "county": "130102"},
    }


def _uscc() -> str:
    code17 = f"91130100MA{uuid.uuid4().int % 10**7:07d}"
    return code17 + uscc_check_character(code17)


@pytest.fixture(scope="module")
def world(live_server: LiveServer) -> dict[str, dict[str, str]]:
    url, tag = os.environ["RENCAI_DATABASE_URL"], uuid.uuid4().hex[:6]
    with session_scope(url) as s:
        for key, verified in (("hr", True), ("rival", True), ("new", False)):
            employer = register_with_hr(
                s, _uscc(), f"{key}科技有限公司{tag}", "130102", "enterprise", None, False,
                f"{key}{tag}", "secret123", "人事",
            )  # fmt: skip
            employer.verification_status = "verified" if verified else "pending"
        create_account(s, f"city{tag}", "secret123", "市委人才办", Role.city_reviewer)
        people = {
            "master": _profile("master", "计算机科学与技术"),
            "machinist": _profile("associate", "数控技术", "technician"),
            "shy": _profile("doctorate", "计算机科学与技术"),  # never consents
        }
        for key, profile in people.items():
            register_talent(
                s, f"{key}{tag}", "secret123", f"{key}人才", random_id_number(), profile
            )
        tokens = {
            key: authenticate(s, f"{key}{tag}", "secret123", kind="api").token
            for key in ("hr", "rival", "new", "city", *people)
        }
    return {key: {"Authorization": f"Bearer {t}"} for key, t in tokens.items()}


def _error(response: httpx.Response) -> dict[str, Any]:
    first = response.json()["errors"][0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in first["message"])
    return dict(first)


def _needs(url: str) -> int:
    with session_scope(url) as s:
        return s.scalar(select(func.count()).select_from(ShortageNeed)) or 0


def test_publish_match_and_apply(live_server: LiveServer, world: dict[str, dict[str, str]]) -> None:
    api, url = live_server.url + "/api/v1/shortage", os.environ["RENCAI_DATABASE_URL"]
    year = clock.today().year + 1  # a year no other test publishes
    software = {
        "year": year, "county": "130102", "position": "软件工程师", "industry": "I",
        "discipline": "计算机科学与技术", "degree": "master", "count": 5,
        "pay_min": 150000, "pay_max": 300000,
    }  # fmt: skip
    machinist = {
        **software, "position": "数控技师", "industry": "C", "discipline": None,
        "degree": "associate", "skill_level": "technician", "count": 20,
        "pay_min": 80000, "pay_max": 120000,
    }  # fmt: skip
    before = _needs(url)
    for body, headers, status, code in [
        ({**software, "county": "999999"}, world["hr"], 422, "bad_county"),
        ({**software, "industry": "Z"}, world["hr"], 422, "bad_industry"),
        ({**software, "pay_min": 400000}, world["hr"], 422, "bad_pay"),
        ({**software, "degree": "phd"}, world["hr"], 422, "bad_degree"),
        ({**software, "year": year + 1}, world["hr"], 422, "bad_year"),
        (software, world["new"], 409, "not_verified"),
        (software, world["master"], 403, "forbidden"),
    ]:
        refused = httpx.post(f"{api}/needs", json=body, headers=headers)
        assert refused.status_code == status, refused.text
        assert _error(refused)["code"] == code
    assert _needs(url) == before

    first = httpx.post(f"{api}/needs", json=software, headers=world["hr"])
    assert first.status_code == 201, first.text
    assert (
        first.json()["status_label"] == "待审核"
        and first.json()["degree_label"] == "硕士研究生及以上"
    )
    second = httpx.post(f"{api}/needs", json=machinist, headers=world["hr"]).json()
    n1, n2 = first.json()["id"], second["id"]
    assert httpx.get(f"{api}/needs/{n1}", headers=world["rival"]).status_code == 404

    review = f"{api}/needs/{n1}/review"
    for body, headers, status, code in [
        ({"decision": "approve"}, world["hr"], 403, "forbidden"),
        ({"decision": "return", "note": " "}, world["city"], 422, "no_reason"),
        ({"decision": "approve", "program": "card.zz"}, world["city"], 422, "bad_program"),
    ]:
        refused = httpx.post(review, json=body, headers=headers)
        assert refused.status_code == status, refused.text
        assert _error(refused)["code"] == code
    ok = httpx.post(
        review, json={"decision": "approve", "program": "card.b"}, headers=world["city"]
    )
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    assert httpx.post(f"{api}/needs/{n2}/review", json={"decision": "approve"},
                      headers=world["city"]).status_code == 200  # fmt: skip
    again = httpx.post(review, json={"decision": "approve"}, headers=world["city"])
    assert again.status_code == 409 and _error(again)["code"] == "bad_state"

    # before publication the catalogue does not exist and nobody sees candidates
    assert httpx.get(f"{api}/catalogues/shijiazhuang/{year}").status_code == 404
    early = httpx.get(f"{api}/needs/{n1}/candidates", headers=world["hr"])
    assert early.status_code == 409 and _error(early)["code"] == "bad_state"
    published = httpx.post(
        f"{api}/catalogues",
        json={"jurisdiction": "shijiazhuang", "year": year},
        headers=world["city"],
    )
    assert published.status_code == 201, published.text
    assert published.json()["title"] == f"石家庄市{year}年度急需紧缺人才需求目录"
    empty = httpx.post(
        f"{api}/catalogues",
        json={"jurisdiction": "shijiazhuang", "year": year},
        headers=world["city"],
    )
    assert empty.status_code == 409 and _error(empty)["code"] == "nothing_to_publish"

    public = httpx.get(f"{api}/catalogues/shijiazhuang/{year}")  # open to everyone
    assert public.status_code == 200
    assert [n["position"] for n in public.json()["needs"]] == ["数控技师", "软件工程师"]
    sheet = httpx.get(f"{api}/catalogues/shijiazhuang/{year}/catalogue.xlsx")
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == f"石家庄市{year}年度急需紧缺人才需求目录"
    assert rows[3][3] == "数控技师" and rows[4][5] == "计算机科学与技术"
    # rendering the PDF (CJK font embedded) takes seconds on a busy machine: not httpx's 5
    pdf = httpx.get(f"{api}/catalogues/shijiazhuang/{year}/catalogue.pdf", timeout=60)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert b"/FontFile2" in pdf.content  # the CJK font is embedded

    # talents: matching needs consent; the explanation names the facts
    no = httpx.get(f"{api}/matches", headers=world["master"])
    assert no.status_code == 409 and _error(no)["code"] == "no_consent"
    for key in ("master", "machinist"):
        given = httpx.put(f"{api}/consent", json={"consent": True}, headers=world[key])
        assert given.status_code == 200 and given.json()["consent"] is True
    listed = httpx.get(f"{api}/matches", headers=world["master"]).json()["items"]
    mine = [m for m in listed if m["need"]["id"] in (n1, n2)]  # other tests publish needs too
    assert [m["need"]["position"] for m in mine] == ["软件工程师", "数控技师"]
    assert mine[0]["full"] and mine[0]["may_apply"]
    assert [(x["requirement"], x["met"], x["fact"]) for x in mine[0]["lines"]] == [
        ("学历：硕士研究生及以上", True, "最高学历：硕士研究生"),
        ("专业：计算机科学与技术", True, "所学专业：计算机科学与技术"),
    ]
    assert not mine[1]["full"]
    assert ("职业技能等级：技师及以上", False, "档案中无职业技能等级") in [
        (x["requirement"], x["met"], x["fact"]) for x in mine[1]["lines"]
    ]

    # the unit: consenting candidates only, its own needs only
    seen = httpx.get(f"{api}/needs/{n1}/candidates", headers=world["hr"])
    assert seen.status_code == 200
    names = [c["name"] for c in seen.json()["items"]]
    assert mask_name("master人才") in names  # masked
    assert mask_name("shy人才") not in names  # the doctor who did not consent never appears
    assert mask_name("machinist人才") not in names  # meets none of the requirements
    assert seen.json()["items"][names.index(mask_name("master人才"))]["full"]
    rival = httpx.get(f"{api}/needs/{n1}/candidates", headers=world["rival"])
    assert rival.status_code == 404
    assert httpx.get(f"{api}/needs/{n1}/candidates", headers=world["master"]).status_code == 403

    # a full match starts the application; a partial one or one without a program does not
    started = httpx.post(f"{api}/matches/{n1}/application", headers=world["master"])
    assert started.status_code == 201, started.text
    assert started.json()["program"] == "card.b"
    twice = httpx.post(f"{api}/matches/{n1}/application", headers=world["master"])
    assert (
        twice.status_code == 201
        and twice.json()["application_id"] == started.json()["application_id"]
    )
    partial = httpx.post(f"{api}/matches/{n1}/application", headers=world["machinist"])
    assert partial.status_code == 409 and _error(partial)["code"] == "not_matched"
    assert "学历：硕士研究生及以上" in _error(partial)["message"]
    no_program = httpx.post(f"{api}/matches/{n2}/application", headers=world["machinist"])
    assert no_program.status_code == 409 and _error(no_program)["code"] == "no_program"

    # consent withdrawn: the unit no longer sees the talent
    httpx.put(f"{api}/consent", json={"consent": False}, headers=world["master"])
    after = httpx.get(f"{api}/needs/{n1}/candidates", headers=world["hr"]).json()["items"]
    assert mask_name("master人才") not in [c["name"] for c in after]
    with session_scope(url) as s:
        assert s.scalar(select(func.count()).select_from(Employer)) >= 3
