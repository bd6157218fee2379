"""A talent registers, fills the profile on 我的, and sees what it grants — in real Chromium."""

from __future__ import annotations

import uuid

from playwright.sync_api import Page, expect

from rencai.registry.identifiers import id_check_character
from tests.profiles import doctor_today
from tests.support import LiveServer, random_first17


def test_register_fill_profile_and_see_entitlements(phone: Page, live_server: LiveServer) -> None:
    asked = doctor_today()  # the number and the dates the form gets, counted from today
    first17 = random_first17()
    number = first17 + id_check_character(first17)
    username = f"p{uuid.uuid4().hex[:8]}"
    phone.goto(live_server.url + "/register")
    phone.fill("#username", username)
    phone.fill("#password", "short")
    phone.fill("#name", "王博士")
    phone.fill("#id_number", number)
    phone.click("#register")
    expect(phone.locator(".errors")).to_contain_text("密码至少8位")
    phone.fill("#password", "secret123")
    phone.click("#register")
    expect(phone.locator("#who")).to_contain_text("王博士")
    expect(phone.locator("#who")).not_to_contain_text(number)  # masked
    phone.fill("#birth_date", asked["person"]["birth_date"])
    phone.select_option("#degree", "doctorate")
    phone.select_option("#employer_type", "enterprise")
    phone.select_option("#county", "130102")
    phone.select_option("#introduced_from", "outside_city")
    phone.fill("#start_date", asked["employment"]["start_date"])
    phone.click("#save")
    expect(phone.locator("[data-card='card.b']")).to_contain_text("博士学位研究生")
    expect(phone.locator("tr[data-benefit='sjz.b.rent_subsidy']")).to_contain_text("¥3,000.00")
    # a fresh login with the wrong password is refused in Chinese
    phone.click("text=退出登录")
    phone.goto(live_server.url + "/login")
    phone.fill("#username", username)
    phone.fill("#password", "wrong-pass1")
    phone.click("#login")
    expect(phone.locator(".errors")).to_contain_text("用户名或密码不正确")
    phone.fill("#password", "secret123")
    phone.click("#login")
    expect(phone.locator("#who")).to_contain_text("王博士")


def test_me_requires_login(phone: Page, live_server: LiveServer) -> None:
    phone.goto(live_server.url + "/me")
    expect(phone).to_have_url(live_server.url + "/login")
