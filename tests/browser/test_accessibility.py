"""axe-core (vendored) on the main pages in real Chromium, at a desk and on a phone: no serious
or critical violation of WCAG 2.1 A/AA (labels bound to inputs, contrast, names, language)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from rencai.applications.service import apply
from rencai.db.session import session_scope
from rencai.registry.accounts import register_talent
from rencai.registry.identifiers import id_check_character
from tests.browser.login import log_in
from tests.profiles import doctor_today
from tests.support import LiveServer, random_first17

VENDOR = Path(__file__).parents[2] / "src/rencai/web/static/vendor"
AXE = "/static/vendor/" + next(VENDOR.glob("axe-core-*")).name + "/axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
VIEWPORTS = {"desk": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def _talent_with_a_case(tag: str) -> int:
    profile = doctor_today()
    first17 = random_first17()
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        talent = register_talent(
            s, f"a{tag}", "secret123", "王博士", first17 + id_check_character(first17), profile
        )
        return apply(s, talent, "sjz.b.rent_subsidy", uuid.uuid4().hex).id


def _violations(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(url=AXE)
    found: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations
              .filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => ({id: v.id, impact: v.impact, help: v.help,
                          targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }""",
        TAGS,
    )
    return found


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_main_pages_have_no_serious_accessibility_violation(
    browser: Browser, live_server: LiveServer, viewport: str
) -> None:
    tag = uuid.uuid4().hex[:6]
    case_id = _talent_with_a_case(tag)
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="zh-CN")
    page = context.new_page()
    pages = {
        "home": "/",
        "login": "/login",
        "policy library": "/policies",
        "calculator": "/calculator",
        "calculator result": "/calculator?example=doctor",
        "verifier": "/verifier",
        "assistant": "/assistant",
    }
    signed_in = {"我的": "/me", "case timeline": f"/applications/{case_id}"}
    failures: dict[str, list[dict[str, Any]]] = {}
    try:
        for name, path in pages.items():
            page.goto(live_server.url + path)
            assert page.locator("html").get_attribute("lang") == "zh-CN", name
            if found := _violations(page):
                failures[name] = found
        log_in(page, live_server, f"a{tag}")
        page.wait_for_url("**/me")
        for name, path in signed_in.items():
            page.goto(live_server.url + path)
            if found := _violations(page):
                failures[name] = found
    finally:
        context.close()
    assert failures == {}


def test_the_check_finds_a_planted_violation(browser: Browser, live_server: LiveServer) -> None:
    """The harness can fail: an input without a label and grey-on-grey text are reported."""
    page = browser.new_page()
    page.goto(live_server.url + "/login")
    page.evaluate(
        """() => {
            const input = document.createElement('input');
            input.type = 'text';
            document.querySelector('main').append(input);
            const p = document.createElement('p');
            p.textContent = '对比度不足的文字';
            p.style.color = '#bbb';
            p.style.background = '#ccc';
            document.querySelector('main').append(p);
        }"""
    )
    ids = {v["id"] for v in _violations(page)}
    page.close()
    assert {"label", "color-contrast"} <= ids
