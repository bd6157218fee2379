"""Signing in from the login page, as every page test starts (the accounts are made with
``PASSWORD`` by the tests' own setup)."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.support import LiveServer

PASSWORD = "secret123"
DESK = {"width": 1280, "height": 900}


def log_in(page: Page, server: LiveServer, username: str, password: str = PASSWORD) -> Page:
    """Fill the login form and submit it; the page follows to the account's workspace."""
    page.goto(server.url + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login")
    return page


def desk_page(browser: Browser, server: LiveServer, username: str) -> Page:
    """A new desk-sized Chinese browser context, signed in (and past the login page)."""
    page = browser.new_context(viewport=DESK, locale="zh-CN").new_page()
    log_in(page, server, username)
    expect(page).not_to_have_url(server.url + "/login")
    return page
