"""File pickers and date/month inputs read Chinese in a browser whose language is English."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from rencai.db.session import session_scope
from rencai.registry.accounts import create_account
from rencai.registry.models import Role
from tests.browser.conftest import CHROMIUM_ARGS
from tests.browser.login import log_in
from tests.support import LiveServer, chromium_path


@pytest.fixture(scope="module")
def english_browser(browser: Browser) -> Iterator[Browser]:
    """A second Chromium, started in English (the session's Playwright launches it)."""
    english = browser.browser_type.launch(
        executable_path=chromium_path(), args=[*CHROMIUM_ARGS, "--lang=en-US"], headless=True
    )
    yield english
    english.close()


@pytest.fixture
def page(english_browser: Browser) -> Iterator[Page]:
    context = english_browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    yield context.new_page()
    context.close()


def test_the_browser_really_speaks_english(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/calculator")
    assert page.evaluate("navigator.language") == "en-US"


def test_dates_are_asked_in_chinese(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/calculator")
    birth = page.locator("#birth_date")
    expect(birth).to_have_attribute("type", "text")
    expect(birth).to_have_attribute("placeholder", "年-月-日，例如 2026-12-01")
    assert page.locator("input[type=date], input[type=month]").count() == 0
    birth.fill("1994-03-02")  # the server reads the same ISO text as before
    assert birth.evaluate("e => e.checkValidity()")
    birth.fill("March 2")
    assert not birth.evaluate("e => e.checkValidity()")


def test_file_and_month_controls_on_the_finance_page(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:6]
    with session_scope(url) as session:
        create_account(session, f"fc{tag}", "secret123", "财务丙", Role.finance)
    log_in(page, live_server, f"fc{tag}")
    expect(page.locator("h1")).to_have_text("资金发放")
    month = page.locator("#run-month")
    expect(month).to_have_attribute("type", "text")
    expect(month).to_have_attribute("placeholder", "年-月，例如 2026-12")
    page.goto(live_server.url + "/ledger?tab=imports")  # the month's imports have their own tab
    picker = page.locator("input[type=file]").first
    button = picker.locator("xpath=following-sibling::span[contains(@class,'cn-file-button')]")
    expect(button).to_have_text("选择文件")
    expect(button).to_be_visible()
    name = picker.locator("xpath=following-sibling::span[contains(@class,'cn-file-name')]")
    expect(name).to_have_text("未选择文件")
    chosen = tmp_path / "社保缴费.csv"
    chosen.write_text("a,b\n", encoding="utf-8")
    picker.set_input_files(str(chosen))
    expect(name).to_have_text("已选择：社保缴费.csv")
    text = page.locator("main").inner_text()
    for english in ("Choose File", "No file chosen", "mm/dd/yyyy", "December"):
        assert english not in text
