"""In real Chromium: a page on another origin of the same site cannot make a signed-in
administrator create an administrator account; the pages and the vendored API docs run under the
Content-Security-Policy without a single violation."""

from __future__ import annotations

import contextlib
import http.server
import os
import threading
import uuid
from collections.abc import Iterator

from playwright.sync_api import Browser, expect
from sqlalchemy import select

from rencai.db.session import session_scope
from rencai.registry.accounts import create_account
from rencai.registry.models import Account, Role
from tests.browser.login import log_in
from tests.support import LiveServer, free_port


@contextlib.contextmanager
def _other_origin(html: str) -> Iterator[str]:
    """A page served from another port of the same host: another origin, the same site."""
    body = html.encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


def _exists(username: str) -> bool:
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        return s.scalar(select(Account.id).where(Account.username == username)) is not None


def test_a_forged_form_on_another_origin_creates_no_admin(
    browser: Browser, live_server: LiveServer
) -> None:
    tag = uuid.uuid4().hex[:6]
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        create_account(s, f"ad{tag}", "secret123", "管理员", Role.admin)
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else 0)
    log_in(page, live_server, f"ad{tag}")
    expect(page.locator("#new-staff")).to_be_visible()

    evil = f"evil{tag}"
    forged = f"""<!doctype html><meta charset="utf-8"><title>抽奖</title>
<form method="post" action="{live_server.url}/admin/accounts">
<input type="hidden" name="username" value="{evil}">
<input type="hidden" name="password" value="Evil12345678">
<input type="hidden" name="display_name" value="攻击者">
<input type="hidden" name="role" value="admin">
<button type="submit" id="win">领取奖品</button></form>"""
    with _other_origin(forged) as address:
        page.goto(address)
        page.click("#win")
        expect(page.locator("#message")).to_contain_text("请求来源无法确认")
    assert not _exists(evil)

    # the administrator's own form still works (it carries the token)
    page.goto(live_server.url + "/admin")
    page.fill("#staff-username", f"ok{tag}")
    page.fill("#staff-password", "Fine12345678")
    page.fill("#staff-name", "新管理员")
    page.select_option("#staff-role", "admin")
    page.click("#create-staff")
    expect(page).to_have_url(live_server.url + "/admin")
    assert _exists(f"ok{tag}")
    assert violations == []
    context.close()


def test_api_docs_render_from_vendored_assets_under_the_policy(
    browser: Browser, live_server: LiveServer
) -> None:
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    violations: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else 0)
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else 0,
    )
    page.goto(live_server.url + "/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("rencai")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    expect(page.locator(".auth-wrapper .authorize")).to_be_visible()
    assert violations == [] and outside == []
    context.close()


def test_scripted_pages_run_under_the_policy(browser: Browser, live_server: LiveServer) -> None:
    from tests.browser.test_calculator_page import fill_doctor

    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else 0)
    # the calculator posts through HTMX (token in the header), the policy search gets through it
    fill_doctor(page, live_server)
    page.click("#submit")
    expect(page.locator("tr[data-benefit='sjz.b.rent_subsidy']")).to_contain_text("¥3,000.00")
    page.goto(live_server.url + "/policies")
    page.fill("#q", "租房")
    expect(page.locator("#rows")).to_contain_text("租")
    # the verifier's script starts (it marks itself ready)
    page.goto(live_server.url + "/verifier")
    expect(page.locator("#verifier[data-ready='1']")).to_have_count(1)
    # "返回" on a message page goes back without inline script
    page.goto(live_server.url + "/policies")
    page.goto(live_server.url + "/no-such-page")
    expect(page.locator("#message")).to_contain_text("没有找到")
    page.click("a[data-back]")
    expect(page).to_have_url(live_server.url + "/policies")
    assert violations == []
    context.close()
