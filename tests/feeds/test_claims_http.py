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
from tests.profiles import doctor
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
    profile = doctor()
    del profile["on"]
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
        unit = ["石家庄某科技有限公司", "事业单位", "130102", "C2710", "存续", "2015-03-01"]
        deliveries = {
            "degrees": [[number, "王博士", *school, "非全日制", "2024-06-30"]],
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
