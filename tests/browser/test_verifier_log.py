"""The verifier page's log of uses: uploaded with the session's token, and kept (with the trust
bundle) when the server does not answer — docs/deploy.md: the codes are checked offline against
the kept bundle, the uses stay in the page's log until an upload succeeds (the network really
cut: the browser offline, no answer faked)."""

from __future__ import annotations

import os
import uuid

from playwright.sync_api import Browser, BrowserContext, Page, expect

from rencai.cards.usage import register_point
from rencai.db.session import session_scope
from tests.browser.login import PASSWORD, log_in
from tests.support import LiveServer


def _gate_with_one_use(browser: Browser, server: LiveServer) -> tuple[BrowserContext, Page]:
    """A service point's verifier page, signed in, with one code checked and kept in its log."""
    tag = uuid.uuid4().hex[:6]
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        register_point(s, f"GATE-{tag}", "地铁1号线", "bus", f"gate{tag}", PASSWORD, "130102")
    context = browser.new_context(locale="zh-CN")
    gate = context.new_page()
    log_in(gate, server, f"gate{tag}")
    gate.goto(server.url + "/verifier")
    expect(gate.locator("#verifier")).to_have_attribute("data-ready", "1")
    gate.fill("#code", "hello")
    gate.click("#verify")
    expect(gate.locator("#pending")).to_have_text("1")
    return context, gate


def test_the_verifier_uploads_its_log_with_the_token(
    browser: Browser, live_server: LiveServer
) -> None:
    context, gate = _gate_with_one_use(browser, live_server)
    # a fetch with the session cookie: refused without the header, so this proves it is sent
    gate.click("#upload")
    expect(gate.locator("#upload-status")).to_contain_text("已上传 1 条")
    expect(gate.locator("#pending")).to_have_text("0")
    context.close()


def test_the_verifier_keeps_its_log_and_bundle_when_the_server_does_not_answer(
    browser: Browser, live_server: LiveServer
) -> None:
    context, gate = _gate_with_one_use(browser, live_server)

    context.set_offline(True)
    # the upload fails: the use stays in the log
    gate.click("#upload")
    expect(gate.locator("#upload-status")).to_have_text("无法连接服务器，记录保留在本机")
    expect(gate.locator("#pending")).to_have_text("1")
    # the bundle cannot be refreshed: the kept one goes on serving
    gate.click("#refresh")
    expect(gate.locator("#bundle-status")).to_have_text("无法连接服务器，继续使用本机核验数据")
    gate.fill("#code", "again")
    gate.click("#verify")
    expect(gate.locator("#verdict")).not_to_be_empty()
    expect(gate.locator("#pending")).to_have_text("2")

    # the server answers again: both uses are uploaded
    context.set_offline(False)
    gate.click("#upload")
    expect(gate.locator("#upload-status")).to_contain_text("已上传 2 条")
    expect(gate.locator("#pending")).to_have_text("0")
    context.close()
