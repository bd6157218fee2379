"""The reviewer sees, beside the case (API and page), what the feeds say about its claims; the
applicant does not, and the checks decide nothing."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from rencai.db.session import session_scope
from rencai.feeds.departments import SOURCES, load_delivery
from rencai.feeds.source import UploadedSource
from rencai.registry.accounts import authenticate, create_account, register_talent
from rencai.registry.employers import register_with_hr
from rencai.registry.identifiers import id_check_character, uscc_check_character
from rencai.registry.models import Role, TalentProfile
from tests.profiles import doctor_today
from tests.support import LiveServer, random_first17


def _csv(source: str, rows: list[list[str]]) -> UploadedSource:
    lines = [SOURCES[source].columns, *rows]
    content = "\n".join(",".join(row) for row in lines).encode()
    return UploadedSource(f"{source}-{uuid.uuid4().hex[:6]}.csv", content)


@pytest.fixture(scope="module")
def case(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:6]
    first17 = random_first17()
    number = first17 + id_check_character(first17)
    code17 = f"91130100MA{uuid.uuid4().int % 10**7:07d}"
    uscc = code17 + uscc_check_character(code17)
    profile = doctor_today()
    profile["employment"]["annual_salary"] = "300000"
    rejects = tmp_path_factory.mktemp("rejects")
    with session_scope(url) as s:
        employer = register_with_hr(
            s, uscc, "石家庄某科技有限公司", "130102", "enterprise", None, False,
            f"hr{tag}", "secret123", "人事",
        )  # fmt: skip
        register_talent(s, f"me{tag}", "secret123", "王博士", number, profile)
        talent = s.query(TalentProfile).filter_by(id_number=number).one()
        talent.employer_id = employer.id
        create_account(s, f"city{tag}", "secret123", "市委人才办", Role.city_reviewer)
        tokens = {
            "me": authenticate(s, f"me{tag}", "secret123", kind="api").token,
            "city": authenticate(s, f"city{tag}", "secret123", kind="api").token,
            "city_page": authenticate(s, f"city{tag}", "secret123").token,
            "me_page": authenticate(s, f"me{tag}", "secret123").token,
        }
        # planted: 学信 says part-time; 市场监管 says 事业单位; 税务 says less than declared
        school = ["河北工业大学", "double_first_class", "doctorate", "化学工程与技术"]
        graduated = profile["person"]["education"][0]["graduation_date"]
        unit = ["石家庄某科技有限公司", "事业单位", "130102", "C2710", "存续", "2015-03-01"]
        deliveries = {
            "degrees": [[number, "王博士", *school, "非全日制", graduated]],
            "social_insurance": [
                [number, uscc, f"2025-{m:02d}", "8000", "130102"] for m in range(1, 13)
            ],
            "employers": [[uscc, *unit]],
            "tax": [[number, uscc, "2025", "200000"]],
        }
        for source, rows in deliveries.items():
            load_delivery(s, source, _csv(source, rows), "data", rejects)
    headers = {key: {"Authorization": f"Bearer {t}"} for key, t in tokens.items()}
    created = httpx.post(
        f"{live_server.url}/api/v1/applications",
        headers=headers["me"],
        json={"program": "card.b", "idempotency_key": uuid.uuid4().hex},
    )
    assert created.status_code == 201, created.text
    return {"id": created.json()["id"], "headers": headers, "tokens": tokens}


def test_the_reviewer_sees_each_planted_mismatch_with_its_source_row(
    live_server: LiveServer, case: dict[str, Any]
) -> None:
    base = f"{live_server.url}/api/v1/applications/{case['id']}"
    before = httpx.get(base, headers=case["headers"]["city"]).json()
    answer = httpx.get(f"{base}/feed-checks", headers=case["headers"]["city"])
    assert answer.status_code == 200, answer.text
    checks = {c["claim"]: c for c in answer.json()["checks"]}
    assert checks["degree"]["outcome"] == "mismatch" and "学习形式" in checks["degree"]["found"]
    assert checks["employer"]["outcome"] == "mismatch" and "事业单位" in checks["employer"]["found"]
    assert checks["salary"]["outcome"] == "mismatch"
    assert checks["social_insurance"]["outcome"] == "match" and checks["social_insurance"]["exact"]
    evidence = checks["degree"]["evidence"][0]
    assert evidence["source"] == "degrees" and evidence["row_number"] == 2 and evidence["load_id"]
    assert answer.json()["flagged"] == 3 and not answer.json()["all_exact"]
    after = httpx.get(base, headers=case["headers"]["city"]).json()
    assert (after["status"], after["version"]) == (before["status"], before["version"])
    refused = httpx.get(f"{base}/feed-checks", headers=case["headers"]["me"])
    assert refused.status_code == 403 and refused.json()["errors"][0]["code"] == "forbidden"


def test_the_case_page_shows_the_checks_to_the_reviewer_only(
    live_server: LiveServer, case: dict[str, Any], tmp_path: Path
) -> None:
    path = f"{live_server.url}/applications/{case['id']}"
    reviewer = httpx.get(path, cookies={"rencai_session": case["tokens"]["city_page"]})
    assert reviewer.status_code == 200
    assert 'id="feed-checks"' in reviewer.text and "须人工核对3项" in reviewer.text
    assert 'data-claim="degree" data-outcome="mismatch"' in reviewer.text
    assert "按身份证号精确匹配" in reviewer.text  # the social-insurance match
    owner = httpx.get(path, cookies={"rencai_session": case["tokens"]["me_page"]})
    assert owner.status_code == 200 and 'id="feed-checks"' not in owner.text


def test_the_talent_sees_the_data_about_them_and_a_dispute_reaches_the_reviewer(
    live_server: LiveServer, case: dict[str, Any]
) -> None:
    mine = httpx.get(f"{live_server.url}/api/v1/me/feed-data", headers=case["headers"]["me"])
    assert mine.status_code == 200
    items = mine.json()["items"]
    sources = {item["evidence"]["source"] for item in items}
    assert sources == {"degrees", "social_insurance", "tax"}
    assert sum(item["evidence"]["source"] == "social_insurance" for item in items) == 12
    degree = next(item for item in items if item["evidence"]["source"] == "degrees")
    url = f"{live_server.url}/api/v1/me/feed-data/disputes"
    body = {"source": "degrees", "row_id": degree["row_id"], "reason": "本人为全日制博士研究生"}
    made = httpx.post(url, headers=case["headers"]["me"], json=body)
    assert made.status_code == 201, made.text
    assert made.json()["row_text"] == degree["evidence"]["text"]
    again = httpx.post(url, headers=case["headers"]["me"], json=body)
    assert again.status_code == 409 and again.json()["errors"][0]["code"] == "already_disputed"
    empty = httpx.post(url, headers=case["headers"]["me"], json=body | {"reason": " "})
    assert empty.status_code == 422
    wrong = httpx.post(url, headers=case["headers"]["me"], json=body | {"row_id": 2**31 - 1})
    assert wrong.status_code == 404
    checks = httpx.get(
        f"{live_server.url}/api/v1/applications/{case['id']}/feed-checks",
        headers=case["headers"]["city"],
    ).json()
    assert [d["reason"] for d in checks["disputes"]] == ["本人为全日制博士研究生"]
    assert checks["disputes"][0]["row_text"] == degree["evidence"]["text"]
    degree_check = next(c for c in checks["checks"] if c["claim"] == "degree")
    assert degree_check["evidence"][0]["disputed"] is True
    assert degree_check["outcome"] == "mismatch"  # a dispute decides nothing either
    page = httpx.get(
        f"{live_server.url}/applications/{case['id']}",
        cookies={"rencai_session": case["tokens"]["city_page"]},
    )
    assert 'id="feed-disputes"' in page.text and "申请人对该记录有异议" in page.text


def test_the_me_page_lists_the_data_and_takes_a_dispute(
    live_server: LiveServer, case: dict[str, Any]
) -> None:
    from tests.support import CSRF_HOOKS

    with httpx.Client(
        base_url=live_server.url,
        cookies={"rencai_session": case["tokens"]["me_page"]},
        event_hooks=CSRF_HOOKS,
    ) as client:
        page = client.get("/me")
        assert page.status_code == 200 and 'id="feed-data"' in page.text
        assert "部门共享数据中关于我的记录" in page.text
        items = httpx.get(
            f"{live_server.url}/api/v1/me/feed-data", headers=case["headers"]["me"]
        ).json()["items"]
        tax = next(item for item in items if item["evidence"]["source"] == "tax")
        form = {"source": "tax", "row_id": str(tax["row_id"]), "reason": "另有一家单位的收入未计入"}
        done = client.post("/me/feed-data/disputes", data=form, follow_redirects=False)
        assert done.status_code == 303
        after = client.get("/me").text
        assert f'data-source="tax" data-row="{tax["row_id"]}"' in after
        # row numbers are per source: find the tax row by both
        row = after.split(f'data-source="tax" data-row="{tax["row_id"]}"')[1].split("</li>")[0]
        assert "已提出异议" in row


def test_the_reviewer_sees_a_planted_residence_mismatch_with_its_row(
    live_server: LiveServer, tmp_path: Path
) -> None:
    """户籍 against a declared 城区户口 or 主城区居住证 (decision 0130): the household was
    last moved to 鹿泉区, outside 主城区, so the check is flagged with the 户籍 row, on the API
    and on the case page."""
    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:6]
    first17 = random_first17()
    number = first17 + id_check_character(first17)
    profile = doctor_today()
    profile["housing"] = {"resides_in_main_city": True, "household_size": 2}
    with session_scope(url) as s:
        register_talent(s, f"hk{tag}", "secret123", "李博士", number, profile)
        create_account(s, f"hkc{tag}", "secret123", "市委人才办", Role.city_reviewer)
        me = authenticate(s, f"hk{tag}", "secret123", kind="api").token
        city = authenticate(s, f"hkc{tag}", "secret123", kind="api").token
        city_page = authenticate(s, f"hkc{tag}", "secret123").token
        rows = [[number, "130102", "落户", "2015-01-05"], [number, "130110", "迁入", "2023-06-01"]]
        load_delivery(s, "residence", _csv("residence", rows), "data", tmp_path)
    created = httpx.post(
        f"{live_server.url}/api/v1/applications",
        headers={"Authorization": f"Bearer {me}"},
        json={"program": "card.b", "idempotency_key": uuid.uuid4().hex},
    )
    assert created.status_code == 201, created.text
    case_id = created.json()["id"]
    answer = httpx.get(
        f"{live_server.url}/api/v1/applications/{case_id}/feed-checks",
        headers={"Authorization": f"Bearer {city}"},
    )
    assert answer.status_code == 200, answer.text
    residence = {c["claim"]: c for c in answer.json()["checks"]}["residence"]
    assert residence["outcome"] == "mismatch" and residence["flagged"] and residence["exact"]
    assert "鹿泉区" in residence["found"] and "居住证" in residence["found"]
    evidence = residence["evidence"][-1]
    assert evidence["source"] == "residence" and evidence["row_number"] == 3
    page = httpx.get(
        f"{live_server.url}/applications/{case_id}", cookies={"rencai_session": city_page}
    )
    assert 'data-claim="residence" data-outcome="mismatch"' in page.text
    assert "城区户口或主城区居住证（户籍）" in page.text
