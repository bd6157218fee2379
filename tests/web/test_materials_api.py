"""Materials over real HTTP: accepted types, size limit, refusal changes nothing, dedup."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import httpx

from rencai.registry.identifiers import id_check_character
from tests.profiles import doctor_today
from tests.support import LiveServer, random_first17

PDF = b"%PDF-1.7\n% test material\n" + b"0" * 1000


def _talent(server: LiveServer) -> dict[str, str]:
    first17 = random_first17()
    profile = doctor_today()
    username = f"m{uuid.uuid4().hex[:8]}"
    body = {
        "username": username,
        "password": "secret123",
        "name": "材料测试",
        "id_number": first17 + id_check_character(first17),
        "profile": profile,
    }
    assert httpx.post(f"{server.url}/api/v1/talents", json=body).status_code == 201
    token = httpx.post(
        f"{server.url}/api/v1/tokens", json={"username": username, "password": "secret123"}
    ).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def test_upload_rules(live_server: LiveServer) -> None:
    owner, stranger = _talent(live_server), _talent(live_server)
    case = httpx.post(
        f"{live_server.url}/api/v1/applications",
        headers=owner,
        json={"program": "sjz.b.purchase_subsidy", "idempotency_key": uuid.uuid4().hex},
    ).json()
    url = f"{live_server.url}/api/v1/applications/{case['id']}/materials"
    first = httpx.post(url, headers=owner, files={"file": ("购房合同.pdf", PDF, "application/pdf")})
    assert first.status_code == 201 and first.json()["content_type"] == "application/pdf"
    again = httpx.post(url, headers=owner, files={"file": ("副本.pdf", PDF, "application/pdf")})
    assert again.json()["sha256"] == first.json()["sha256"]
    stored = list(Path(os.environ["RENCAI_FILES_DIR"]).rglob(first.json()["sha256"]))
    assert len(stored) == 1  # content-addressed: kept once
    fake = httpx.post(
        url, headers=owner, files={"file": ("证明.pdf", b"MZ\x90\x00", "application/pdf")}
    )
    assert fake.status_code == 415 and "PDF" in fake.json()["errors"][0]["message"]
    big = httpx.post(
        url,
        headers=owner,
        files={"file": ("大.pdf", PDF + b"0" * (10 * 1024 * 1024), "application/pdf")},
    )
    assert big.status_code == 413 and "10MB" in big.json()["errors"][0]["message"]
    listed = httpx.get(url, headers=owner).json()
    assert listed["count"] == 2  # the refused files left nothing behind
    assert httpx.get(url, headers=stranger).status_code == 404
    assert (
        httpx.post(
            url, headers=stranger, files={"file": ("x.pdf", PDF, "application/pdf")}
        ).status_code
        == 404
    )
