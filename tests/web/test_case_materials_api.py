"""What a reviewer sees of a case over real HTTP: the applicant (birth date visible in the masked
identity number), materials downloadable by those who may see the case (audited per view),
and approval refused while a required material is missing."""

from __future__ import annotations

import copy
import os
import uuid
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import select

from rencai.audit.log import AuditEntry
from rencai.db.session import session_scope
from rencai.registry.accounts import authenticate, create_account, register_talent
from rencai.registry.identifiers import id_check_character
from rencai.registry.models import Role
from tests.profiles import doctor_today
from tests.support import LiveServer, random_first17

PDF = b"%PDF-1.7\n% degree certificate\n" + b"1" * 2048
PROGRAM = "sjz.b.purchase_subsidy"


@pytest.fixture(scope="module")
def world(live_server: LiveServer) -> dict[str, Any]:
    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:6]
    profile = doctor_today()
    first17 = random_first17()
    number = first17 + id_check_character(first17)
    with session_scope(url) as s:
        register_talent(s, f"mo{tag}", "secret123", "赵材料", number, profile)
        other_first17 = random_first17()
        register_talent(
            s, f"mx{tag}", "secret123", "钱他人",
            other_first17 + id_check_character(other_first17), copy.deepcopy(profile),
        )  # fmt: skip
        create_account(s, f"mc{tag}", "secret123", "长安区", Role.county_reviewer, county="130102")
        create_account(s, f"mw{tag}", "secret123", "桥西区", Role.county_reviewer, county="130104")
        create_account(s, f"ma{tag}", "secret123", "管理员", Role.admin)
        tokens = {
            role: authenticate(s, f"{prefix}{tag}", "secret123", kind="api").token
            for role, prefix in (
                ("owner", "mo"),
                ("other", "mx"),
                ("county", "mc"),
                ("wrong_county", "mw"),
                ("admin", "ma"),
            )
        }
    return {"tokens": tokens, "number": number}


def _h(world: dict[str, Any], role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world['tokens'][role]}"}


def _audits(material_id: int) -> list[AuditEntry]:
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        return list(
            s.scalars(select(AuditEntry).where(AuditEntry.subject == f"material:{material_id}"))
        )


def test_material_download_access_and_audit(live_server: LiveServer, world: dict[str, Any]) -> None:
    api = f"{live_server.url}/api/v1"
    case = httpx.post(
        f"{api}/applications",
        headers=_h(world, "owner"),
        json={"program": PROGRAM, "idempotency_key": uuid.uuid4().hex},
    ).json()
    uploaded = httpx.post(
        f"{api}/applications/{case['id']}/materials",
        headers=_h(world, "owner"),
        files={"file": ("学位证书.pdf", PDF, "application/pdf")},
    ).json()
    assert uploaded["size"] == len(PDF) and uploaded["size_label"] == "2.0 KB"
    url = f"{api}/applications/{case['id']}/materials/{uploaded['id']}"
    assert _audits(uploaded["id"]) == []
    for role in ("owner", "county", "admin"):
        response = httpx.get(url, headers=_h(world, role))
        assert response.status_code == 200, role
        assert response.content == PDF
        assert response.headers["content-type"] == "application/pdf"
        disposition = response.headers["content-disposition"]
        assert disposition.startswith("attachment;")
        assert f"filename*=UTF-8''{quote('学位证书.pdf')}" in disposition
    for role in ("other", "wrong_county"):
        assert httpx.get(url, headers=_h(world, role)).status_code == 404, role
    assert httpx.get(url).status_code == 401
    entries = _audits(uploaded["id"])
    assert [e.action for e in entries] == ["material.download"] * 3  # one per view, none denied
    assert len({e.actor for e in entries}) == 3
    # a material of another case is not reachable through this case
    other_case = httpx.post(
        f"{api}/applications",
        headers=_h(world, "other"),
        json={"program": PROGRAM, "idempotency_key": uuid.uuid4().hex},
    ).json()
    stray = f"{api}/applications/{other_case['id']}/materials/{uploaded['id']}"
    assert httpx.get(stray, headers=_h(world, "other")).status_code == 404
    # the reviewer sees who applied: name, and the birth date inside the masked number
    detail = httpx.get(f"{api}/applications/{case['id']}", headers=_h(world, "county")).json()
    assert detail["applicant"]["name"] == "赵材料"
    assert detail["applicant"]["id_number"] == world["number"][:14] + "****"
    assert detail["materials_required"] == [] and detail["materials_missing"] == []
    own = httpx.get(f"{api}/applications/{case['id']}", headers=_h(world, "owner")).json()
    assert own["applicant"]["id_number"][6:14] == "********"  # lists keep the birth date hidden


def test_approval_refused_while_a_required_material_is_missing(
    live_server: LiveServer, world: dict[str, Any]
) -> None:
    api = f"{live_server.url}/api/v1"
    program = "sjz.b.rent_subsidy"
    put = f"{api}/admin/required-materials/{program}"
    setting = {"items": ["学位证书", "劳动合同"], "source": "市委人才办经办要求（测试）"}
    assert httpx.put(put, headers=_h(world, "county"), json=setting).status_code == 403
    bad = httpx.put(put, headers=_h(world, "admin"), json={"items": ["学位证书"], "source": " "})
    assert bad.status_code == 422 and "依据" in bad.json()["errors"][0]["message"]
    saved = httpx.put(put, headers=_h(world, "admin"), json=setting)
    assert saved.status_code == 200 and saved.json()["items"] == ["学位证书", "劳动合同"]
    headers = _h(world, "owner")
    case_id = httpx.post(
        f"{api}/applications",
        headers=headers,
        json={"program": program, "idempotency_key": uuid.uuid4().hex},
    ).json()["id"]
    materials = f"{api}/applications/{case_id}/materials"
    wrong_kind = httpx.post(
        materials, headers=headers, files={"file": ("x.pdf", PDF, "application/pdf")},
        data={"kind": "户口本"},
    )  # fmt: skip
    assert wrong_kind.status_code == 422
    httpx.post(
        materials, headers=headers, files={"file": ("学位.pdf", PDF, "application/pdf")},
        data={"kind": "学位证书"},
    )  # fmt: skip
    detail = httpx.get(f"{api}/applications/{case_id}", headers=_h(world, "county")).json()
    assert detail["materials_required"] == ["学位证书", "劳动合同"]
    assert detail["materials_missing"] == ["劳动合同"]
    refused = httpx.post(
        f"{api}/applications/{case_id}/decision",
        headers=_h(world, "county"),
        json={"decision": "approve", "version": detail["version"]},
    )
    assert refused.status_code == 422
    error = refused.json()["errors"][0]
    assert error["code"] == "materials_missing" and "劳动合同" in error["message"]
    bulk = httpx.post(
        f"{api}/review/bulk-approve",
        headers=_h(world, "county"),
        json={"items": [{"id": case_id, "version": detail["version"]}]},
    ).json()
    assert bulk["approved"] == 0 and "劳动合同" in bulk["items"][0]["message"]
    unchanged = httpx.get(f"{api}/applications/{case_id}", headers=_h(world, "county")).json()
    assert unchanged["status"] == "county_review" and unchanged["version"] == detail["version"]
    httpx.post(
        materials, headers=headers, files={"file": ("合同.pdf", PDF + b"2", "application/pdf")},
        data={"kind": "劳动合同"},
    )  # fmt: skip
    approved = httpx.post(
        f"{api}/applications/{case_id}/decision",
        headers=_h(world, "county"),
        json={"decision": "approve", "version": detail["version"]},
    )
    assert approved.status_code == 200 and approved.json()["status"] == "city_review"
    # a program without a list of its own (nor "*") requires nothing
    other = httpx.get(f"{api}/admin/required-materials", headers=_h(world, "admin")).json()
    assert [i["program"] for i in other["items"]] == [program]
    # the database is shared with other tests: an empty list requires nothing again
    cleared = httpx.put(put, headers=_h(world, "admin"), json={"items": [], "source": "测试结束"})
    assert cleared.status_code == 200 and cleared.json()["items"] == []
