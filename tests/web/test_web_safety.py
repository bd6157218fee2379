"""The web's safety plumbing over real HTTP: CSRF tokens on cookie-borne state changes, the
Content-Security-Policy, no-store files, the Secure cookie setting, HEAD wherever GET, Chinese
answers from the framework itself, the vendored Swagger UI."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from rencai.db.session import session_scope
from rencai.registry.accounts import create_account
from rencai.registry.models import Account, Role
from rencai.settings import reset
from tests.support import LiveServer, csrf_headers

STATIC = Path(__file__).parents[2] / "src" / "rencai" / "web" / "static"
TEMPLATES = Path(__file__).parents[2] / "src" / "rencai" / "web" / "templates"


@pytest.fixture(scope="module")
def admin(live_server: LiveServer) -> str:
    """A signed-in administrator's session token (what the browser holds in its cookie)."""
    name = f"sa{uuid.uuid4().hex[:6]}"
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        create_account(s, name, "secret123", "管理员", Role.admin)
    response = httpx.post(
        f"{live_server.url}/login",
        data={"username": name, "password": "secret123"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return response.cookies["rencai_session"]


def _exists(username: str) -> bool:
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        return s.scalar(select(Account.id).where(Account.username == username)) is not None


def _new_admin_form() -> dict[str, str]:
    return {
        "username": f"evil{uuid.uuid4().hex[:6]}",
        "password": "Evil12345678",
        "display_name": "攻击者",
        "role": "admin",
    }


def test_another_site_cannot_make_an_administrator_create_an_admin(
    live_server: LiveServer, admin: str
) -> None:
    # what a page on another origin of the same site makes the administrator's browser send:
    # the session cookie (SameSite=Lax lets it through), but no token
    form = _new_admin_form()
    forged = httpx.post(
        f"{live_server.url}/admin/accounts",
        cookies={"rencai_session": admin},
        headers={"Origin": "http://127.0.0.1:1", "Sec-Fetch-Site": "same-site"},
        data=form,
        follow_redirects=False,
    )
    assert forged.status_code == 403
    assert "请求来源无法确认" in forged.text and "text/html" in forged.headers["content-type"]
    assert not _exists(form["username"])
    # a token of another session does not do either
    wrong = httpx.post(
        f"{live_server.url}/admin/accounts",
        cookies={"rencai_session": admin},
        data={**form, "csrf_token": csrf_headers("someone-else")["X-CSRF-Token"]},
        follow_redirects=False,
    )
    assert wrong.status_code == 403 and not _exists(form["username"])
    # the administrator's own page carries the token, and the same post from it works
    page = httpx.get(f"{live_server.url}/admin", cookies={"rencai_session": admin})
    field = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert field is not None
    made = httpx.post(
        f"{live_server.url}/admin/accounts",
        cookies={"rencai_session": admin},
        data={**form, "csrf_token": field.group(1)},
        follow_redirects=False,
    )
    assert made.status_code == 303 and _exists(form["username"])


def test_cookie_borne_api_calls_need_the_token_bearer_calls_do_not(
    live_server: LiveServer, admin: str
) -> None:
    api = f"{live_server.url}/api/v1/admin/accounts"
    body = _new_admin_form() | {"password": "Evil12345678x"}
    body["display_name"] = "攻击者"
    forged = httpx.post(api, cookies={"rencai_session": admin}, json=body)
    assert forged.status_code == 403
    assert forged.json()["errors"][0]["code"] == "csrf" and not _exists(body["username"])
    # the HTMX / script way: the same token in the X-CSRF-Token header
    ok = httpx.post(api, cookies={"rencai_session": admin}, headers=csrf_headers(admin), json=body)
    assert ok.status_code == 201, ok.text
    bearer = _new_admin_form() | {"password": "Evil12345678y"}
    made = httpx.post(api, headers={"Authorization": f"Bearer {admin}"}, json=bearer)
    assert made.status_code == 201 and _exists(bearer["username"])


def test_anonymous_forms_carry_a_token_and_cross_site_log_ins_are_refused(
    live_server: LiveServer,
) -> None:
    with httpx.Client(base_url=live_server.url, follow_redirects=False) as browser:
        page = browser.get("/login")
        assert "rencai_csrf" in page.cookies
        assert 'name="csrf_token"' in page.text and "hx-headers" in page.text
        # a browser that has the cookie must send the token with it
        bare = browser.post("/login", data={"username": "nobody", "password": "x"})
        assert bare.status_code == 403
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
        assert token is not None
        tried = browser.post(
            "/login", data={"username": "nobody", "password": "x", "csrf_token": token.group(1)}
        )
        assert tried.status_code == 401
    # no cookie at all, but a browser says the post comes from another site: refused
    cross = httpx.post(
        f"{live_server.url}/login",
        data={"username": "nobody", "password": "x"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert cross.status_code == 403


def test_every_post_form_has_the_token_field_and_no_page_has_inline_script() -> None:
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        forms = re.findall(r"<form\b[^>]*method=\"post\"[^>]*>(.{0,20})", text, re.S)
        assert all(f.startswith("{{ csrf_field() }}") for f in forms), template.name
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template.name
        assert not re.search(r"\son[a-z]+=", text), template.name
        assert "javascript:" not in text, template.name


def test_content_security_policy_allows_only_own_scripts(live_server: LiveServer) -> None:
    for path in ("/", "/calculator", "/api/docs", "/api/v1/policies", "/no-such-page"):
        policy = httpx.get(live_server.url + path).headers["content-security-policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["script-src"] == "'self'", path
        assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"


def test_files_are_not_stored_pages_keep_private_no_cache(
    live_server: LiveServer, admin: str
) -> None:
    finance = f"sf{uuid.uuid4().hex[:6]}"
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        create_account(s, finance, "secret123", "财务", Role.finance, jurisdiction="shijiazhuang")
    token = httpx.post(
        f"{live_server.url}/api/v1/tokens", json={"username": finance, "password": "secret123"}
    ).json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    export = httpx.get(f"{live_server.url}/api/v1/ledger/reports/receivables.xlsx", headers=bearer)
    assert export.status_code == 200 and export.content.startswith(b"PK")
    assert export.headers["cache-control"] == "no-store"
    page_export = httpx.get(
        f"{live_server.url}/ledger/reports/receivables.xlsx", cookies={"rencai_session": token}
    )
    assert page_export.status_code == 200 and page_export.headers["cache-control"] == "no-store"
    ledger = httpx.get(f"{live_server.url}/ledger", cookies={"rencai_session": token})
    assert ledger.status_code == 200 and ledger.headers["cache-control"] == "private, no-cache"
    json_view = httpx.get(f"{live_server.url}/api/v1/ledger/batches", headers=bearer)
    assert json_view.headers["cache-control"] == "private, no-cache"


def test_session_cookie_secure_behind_the_setting(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"sc{uuid.uuid4().hex[:6]}"
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        create_account(s, name, "secret123", "管理员", Role.admin)

    def log_in() -> list[str]:
        response = httpx.post(
            f"{live_server.url}/login",
            data={"username": name, "password": "secret123"},
            follow_redirects=False,
        )
        assert response.status_code == 303
        return response.headers.get_list("set-cookie")

    plain = [c for c in log_in() if c.startswith("rencai_session=")]
    assert plain and "secure" not in plain[0].lower() and "httponly" in plain[0].lower()
    # the in-process server reads the setting from this process's settings
    monkeypatch.setenv("RENCAI_SECURE_COOKIES", "1")
    reset()
    secure = [c for c in log_in() if c.startswith("rencai_session=")]
    assert secure and "; secure" in secure[0].lower()
    first_page = httpx.get(f"{live_server.url}/login").headers["set-cookie"]
    assert first_page.startswith("rencai_csrf=") and "; secure" in first_page.lower()


def test_head_is_answered_wherever_get_is(live_server: LiveServer) -> None:
    for path in ("/", "/calculator", "/api/v1/policies", "/api/v1/cards/trust-bundle"):
        got = httpx.get(live_server.url + path)
        head = httpx.head(live_server.url + path)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b"", path
        assert head.headers["content-type"] == got.headers["content-type"], path
        assert head.headers["content-length"] == str(len(got.content)), path
    me = httpx.head(live_server.url + "/api/v1/me")
    assert me.status_code == 401 and me.content == b""
    # no GET there: not allowed, as for GET
    assert httpx.head(live_server.url + "/api/v1/tokens").status_code == 405


def test_framework_errors_answer_in_chinese(live_server: LiveServer) -> None:
    api = httpx.get(live_server.url + "/api/v1/no-such-thing")
    assert api.status_code == 404
    assert api.json() == {
        "errors": [{"field": "(request)", "message": "没有找到该页面或记录", "code": "not_found"}]
    }
    page = httpx.get(live_server.url + "/no-such-page")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert "没有找到" in page.text and "Not Found" not in page.text
    method = httpx.delete(live_server.url + "/api/v1/policies")
    assert method.status_code == 405 and method.json()["errors"][0]["message"] == "不支持该请求方式"
    # a body the framework cannot parse, and a required field missing: Chinese, never English
    broken = httpx.post(
        live_server.url + "/api/v1/tokens",
        content=b"--x\r\nbroken",
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    )
    assert broken.status_code in (400, 422)
    assert "error" not in broken.json()["errors"][0]["message"].lower()
    missing = httpx.post(live_server.url + "/api/v1/tokens", json={"username": "abc"})
    assert missing.status_code == 422
    assert missing.json()["errors"] == [
        {"field": "password", "message": "缺少必填项", "code": "missing"}
    ]
    for response in (api, page, method, broken, missing):
        assert "Field required" not in response.text
        assert "There was an error parsing the body" not in response.text


def test_api_docs_come_from_vendored_assets(live_server: LiveServer) -> None:
    docs = httpx.get(live_server.url + "/api/docs")
    assert docs.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert assets and all(a.startswith("/static/") for a in assets), assets
    for asset in assets:
        response = httpx.get(live_server.url + asset)
        assert response.status_code == 200 and len(response.content) > 100, asset
    vendored = next(STATIC.glob("vendor/swagger-ui-*"))
    assert (vendored / "LICENSE").is_file() and (vendored / "NOTICE").is_file()
    assert "<script>" not in docs.text


def test_a_server_error_is_a_chinese_page_or_json(tmp_path: Path) -> None:
    from tests.support import ServerProcess, free_port

    # a database that is not there: every request that needs it fails inside the app
    nowhere = f"postgresql://rencai@127.0.0.1:{free_port()}/nowhere?connect_timeout=2"
    with ServerProcess(nowhere, tmp_path) as server:
        cookie = {"rencai_session": "x"}
        page = httpx.get(server.url + "/me/password", cookies=cookie, timeout=30)
        assert page.status_code == 500 and "text/html" in page.headers["content-type"]
        assert "系统出错" in page.text and "系统繁忙，请稍后重试" in page.text
        assert "Internal Server Error" not in page.text and "Traceback" not in page.text
        api = httpx.get(server.url + "/api/v1/me", headers={"Authorization": "Bearer x"})
        assert api.status_code == 500
        assert api.json()["errors"] == [
            {"field": "(server)", "message": "系统繁忙，请稍后重试", "code": "internal"}
        ]
