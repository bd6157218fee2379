"""In real Chromium, on a day when 石政办发〔2022〕6号 is in force: the office registers a station
and opens its rooms, a graduate books a free stay and gets the code, the hotel checks the guest
in with it, and the month's cost shows the nights."""

from __future__ import annotations

import datetime as dt
import os
import uuid

from playwright.sync_api import Browser, expect

from rencai import clock
from rencai.db.session import session_scope
from rencai.registry.accounts import create_account, register_talent
from rencai.registry.models import Role
from tests.browser.login import desk_page
from tests.stations.world import AT, DAY, graduate_profile
from tests.support import LiveServer, random_id_number


def test_book_a_stay_and_check_in_with_the_code(browser: Browser, live_server: LiveServer) -> None:
    tag = uuid.uuid4().hex[:6]
    with clock.frozen(AT):
        with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
            create_account(s, f"so{tag}", "secret123", "市委人才办", Role.city_reviewer)
            register_talent(
                s,
                f"sg{tag}",
                "secret123",
                "孙毕业",
                random_id_number(dt.date(1999, 1, 1)),
                graduate_profile(),
            )
        office = desk_page(browser, live_server, f"so{tag}")
        office.goto(live_server.url + "/stations")
        expect(office.locator("#policies [data-city=cangzhou]")).to_contain_text("管理员尚未设定")
        office.select_option("#county", "130105")
        office.fill("#station-name", f"新华青年驿站{tag}")
        office.fill("#station-address", "中华北大街8号")
        office.fill("#station-rate", "160")
        office.click("#create-station-button")
        expect(office.locator("#done")).to_have_text("驿站已登记")
        station = office.locator("#stations tr", has_text=f"新华青年驿站{tag}")
        sid = station.get_attribute("data-station")
        admin = office.locator(f"details[data-station='{sid}']")
        admin.locator("summary").click()
        admin.locator("input[name=last]").fill((DAY + dt.timedelta(days=6)).isoformat())
        admin.locator("input[name=rooms]").fill("3")
        admin.locator(".open-rooms button").click()
        expect(office.locator("#done")).to_have_text("房间已开放")
        expect(office.locator(f"#stations tr[data-station='{sid}']")).to_contain_text("5月10日 3/3")
        admin = office.locator(f"details[data-station='{sid}']")
        admin.locator("summary").click()
        admin.locator("input[name=username]").fill(f"sh{tag}")
        admin.locator("input[name=password]").fill("secret123")
        admin.locator(".add-operator button").click()
        expect(office.locator("#done")).to_have_text("驿站运营方账号已开通")

        graduate = desk_page(browser, live_server, f"sg{tag}")
        graduate.goto(live_server.url + "/stations")
        graduate.select_option("#station", sid)
        graduate.fill("#first-night", DAY.isoformat())
        graduate.fill("#nights", "9")
        graduate.click("#book-button")
        expect(graduate.locator("#message")).to_have_text("免费短住最多7晚，请选择1至7晚")
        expect(graduate.locator("#station")).to_have_value(sid or "")  # the choice is kept
        graduate.fill("#nights", "2")
        graduate.click("#book-button")
        expect(graduate.locator("#booking-status")).to_have_text("已预订")
        expect(graduate.locator("#booking-qr")).to_be_visible()
        # read its size once it has loaded (visible comes first, from its width and height)
        loaded = "img => img.decode().then(() => img.naturalWidth)"  # rejects a broken image
        assert graduate.locator("#booking-qr").evaluate(loaded) > 0
        code = graduate.locator("#booking-code").input_value()
        assert code.startswith("RS1:")

        hotel = desk_page(browser, live_server, f"sh{tag}")
        expect(hotel).to_have_url(live_server.url + "/stations/check-in")
        hotel.fill("#code", code[:-2] + "00")
        hotel.click("#check-in-button")
        expect(hotel.locator("#message")).to_contain_text("入住码无效")
        hotel.fill("#code", code)
        hotel.press("#code", "Enter")
        expect(hotel.locator("#checked-in")).to_contain_text("已办理入住：孙**")
        expect(hotel.locator("#guests")).to_contain_text("已入住")

        graduate.reload()
        expect(graduate.locator("#booking-status")).to_have_text("已入住")
        expect(graduate.locator("#booking-qr")).to_have_count(0)

        office.goto(live_server.url + "/stations/costs?jurisdiction=shijiazhuang&month=2023-05")
        expect(office.locator(f"#costs tr[data-station='{sid}']")).to_contain_text("320.00")


def test_jinzhou_conditions_set_on_the_page_then_booked(
    browser: Browser, live_server: LiveServer
) -> None:
    """Decision 0185: the administrator states Jinzhou's limits and conditions on the page; they
    are listed flagged, and a Jinzhou graduate books a stay judged on them."""
    tag = uuid.uuid4().hex[:6]
    profile = graduate_profile(jurisdiction="jinzhou")
    profile["employment"] = {"introduced_from": "outside_city", "county": "210702"}
    with clock.frozen(AT):
        with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
            create_account(s, f"sa{tag}", "secret123", "管理员", Role.admin)
            register_talent(
                s, f"jg{tag}", "secret123", "吴锦州", random_id_number(dt.date(1999, 1, 1)), profile
            )
        admin = desk_page(browser, live_server, f"sa{tag}")
        admin.goto(live_server.url + "/stations")
        admin.select_option("#county", "210703")
        admin.fill("#station-name", f"凌河青年驿站{tag}")
        admin.fill("#station-address", "中央大街2号")
        admin.fill("#station-rate", "130")
        admin.click("#create-station-button")
        sid = admin.locator("#stations tr", has_text=f"凌河青年驿站{tag}").get_attribute(
            "data-station"
        )
        rooms = admin.locator(f"details[data-station='{sid}']")
        rooms.locator("summary").click()
        rooms.locator("input[name=rooms]").fill("2")
        rooms.locator(".open-rooms button").click()
        form = admin.locator("#set-policy")
        form.locator("#policy-city").select_option("jinzhou")
        form.locator("input[name=max_nights]").fill("4")
        form.locator("input[name=nightly_cap]").fill("120")
        admin.check("#c-graduated_within_years")
        admin.check("#c-from_outside_city")
        admin.click("#set-policy-button")
        expect(admin.locator("#message")).to_contain_text("请为")  # the years are missing
        form = admin.locator("#set-policy")
        form.locator("#policy-city").select_option("jinzhou")
        form.locator("input[name=max_nights]").fill("4")
        form.locator("input[name=nightly_cap]").fill("120")
        admin.check("#c-graduated_within_years")
        admin.check("#c-from_outside_city")
        admin.fill("#c-graduated_within_years-years", "1")
        admin.click("#set-policy-button")
        expect(admin.locator("#done")).to_have_text("驿站短住标准已设定")
        row = admin.locator("#policies [data-city=jinzhou] .criteria")
        expect(row).to_contain_text(
            "⚑ 管理员设定：高校毕业1年内（含当年）；从市外或国（境）外来本市"
        )

        graduate = desk_page(browser, live_server, f"jg{tag}")
        graduate.goto(live_server.url + "/stations")
        graduate.select_option("#station", sid)
        graduate.fill("#first-night", DAY.isoformat())
        graduate.fill("#nights", "1")  # rooms were opened for the one night
        graduate.click("#book-button")
        expect(graduate.locator("#booking-status")).to_have_text("已预订")
