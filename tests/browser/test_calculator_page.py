"""The calculator page in real headless Chromium (Debian's chromium driven by Playwright)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.support import LiveServer


def fill_doctor(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/")
    page.click("#go-calculator")
    page.fill("input[name=on]", "2026-11-23")
    page.fill("#birth_date", "1994-03-02")
    page.select_option("#degree", "doctorate")
    page.select_option("#employer_type", "enterprise")
    page.select_option("#county", "130102")
    page.select_option("#introduced_from", "outside_city")
    page.fill("#start_date", "2024-07-01")
    page.check("input[name=has_spouse]")


def test_doctor_sees_cited_money_on_a_phone(
    phone: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    fill_doctor(phone, live_server)
    phone.click("#submit")
    rent = phone.locator("tr[data-benefit='sjz.b.rent_subsidy']")
    expect(rent).to_contain_text("¥3,000.00")
    expect(rent).to_contain_text("¥180,000.00")
    expect(rent).to_contain_text("石字〔2021〕7号")
    expect(phone.locator("tr[data-benefit='sjz.b.purchase_subsidy']")).to_contain_text(
        "¥300,000.00"
    )
    expect(phone.locator("tr[data-benefit='sjz.b.settlement_allowance']")).to_contain_text(
        "¥50,000.00"
    )
    expect(phone.locator("[data-card='card.b']")).to_contain_text("博士学位研究生")
    expect(phone.locator("[data-card='card.family']")).to_contain_text("配偶")
    expect(phone.locator("#why-not")).to_contain_text("就高原则")
    # HTMX swapped the result in: the form is still on the page, the URL did not change
    assert phone.url.endswith("/calculator")
    expect(phone.locator("#calculator")).to_be_visible()
    # the quoted clause opens on tap
    rent.locator("summary").click()
    expect(rent.locator("blockquote")).to_contain_text("3000元")
    # nothing wider than the phone screen
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    phone.screenshot(path=str(tmp_path / "calculator-phone.png"), full_page=True)


def test_missing_birth_date_asks_for_it(phone: Page, live_server: LiveServer) -> None:
    fill_doctor(phone, live_server)
    phone.fill("#birth_date", "")
    phone.click("#submit")
    expect(phone.locator("#result")).to_contain_text("需补充：出生日期")


def test_rental_housing_on_request(phone: Page, live_server: LiveServer) -> None:
    """保障性租赁住房 is answered only when the housing section is ticked."""
    fill_doctor(phone, live_server)
    phone.click("#submit")
    expect(phone.locator("tr[data-benefit='sjz.b.rent_subsidy']")).to_be_visible()
    expect(phone.locator("tr[data-benefit='sjz.rental_housing.subsidy']")).to_have_count(0)
    phone.check("#housing")
    phone.check("input[name=resides_in_main_city]")
    phone.fill("input[name=household_size]", "3")
    phone.check("input[name=lease_filed]")
    phone.click("#submit")
    subsidy = phone.locator("tr[data-benefit='sjz.rental_housing.subsidy']")
    expect(subsidy).to_contain_text("¥150.00")
    expect(subsidy).to_contain_text("石政办发〔2021〕6号")


def test_out_of_range_input_shows_a_chinese_error(phone: Page, live_server: LiveServer) -> None:
    """A number past the engine's range was a 500 and an empty result area; now the form says
    what is wrong, in Chinese, in the result area (HTMX swaps the 422 answer in)."""
    fill_doctor(phone, live_server)
    phone.fill("input[name=invention_patents]", str(2**31))
    phone.click("#submit")
    expect(phone.locator("#result")).to_contain_text("发明专利数")
    expect(phone.locator("#result")).to_contain_text("数值过大")
    assert phone.url.endswith("/calculator")


def test_identity_number_decides_the_age(phone: Page, live_server: LiveServer) -> None:
    from tests.support import random_id_number

    fill_doctor(phone, live_server)
    phone.fill("#id_number", random_id_number("1980-05-01"))
    phone.click("#submit")
    expect(phone.locator("#result")).to_contain_text("与身份证号中的出生日期（1980-05-01）不一致")
    phone.fill("#birth_date", "")
    phone.click("#submit")
    expect(phone.locator("#why-not")).to_contain_text("超过 35 周岁")


def test_doctor_sees_totals_each_service_once_and_a_way_on(
    phone: Page, live_server: LiveServer
) -> None:
    """The result adds the money up (one-off and per period), lists a service item the city
    card and the county card both grant once, shows the county 房租补贴 that 就高 ruled out as
    such rather than as a service, asks for missing facts as questions, and tells a visitor
    how to go on."""
    fill_doctor(phone, live_server)
    phone.click("#submit")
    total = phone.locator("#money-total")
    expect(total).to_contain_text("一次性发放¥350,000.00")
    expect(total).to_contain_text("每期 ¥3,000.00/月，补助期内合计 ¥180,000.00")
    expect(total).to_contain_text("全部补助期合计¥530,000.00")
    services = phone.locator("#services")
    expect(services.locator("li[data-service='户籍办理']")).to_have_count(1)
    expect(services.locator("li[data-service='子女入学']")).to_have_count(1)
    expect(services.locator("li[data-service='房租补贴']")).to_have_count(0)
    expect(phone.locator("[data-excluded='房租补贴']")).to_contain_text(
        "不与房租补助同时享受，已按就高取房租补助"
    )
    needs = phone.locator("#needs")
    expect(needs).to_contain_text("年工资薪金收入（元）")
    expect(needs).not_to_contain_text("employment.")
    way_on = phone.locator("#way-on")
    expect(way_on.locator("a[href='/login']")).to_be_visible()
    expect(way_on.locator("a[href='/register']")).to_be_visible()
    # on a phone the table's header row is hidden: each value keeps its column's name
    label = phone.evaluate(
        """getComputedStyle(document.querySelector(
            "tr[data-benefit='sjz.b.rent_subsidy'] td[data-label='期数']"), '::before').content"""
    )
    assert "期数" in label


def test_the_form_asks_every_fact_the_rules_read(phone: Page, live_server: LiveServer) -> None:
    """A person fact the rules read has an input: here 在站博士后 and a skill certificate."""
    fill_doctor(phone, live_server)
    for name in (
        "postdoc_in_station",
        "national_class1_competition_place",
        "unemployment_insurance_months",
        "skill_certificate",
        "skill_certificate_date",
        "graduation_date",
        "startup_social_insurance_paid",
        "instrument_sharing_fees",
        "city_revenue_contribution",
        "employer_two_leading_industries",
    ):
        expect(phone.locator(f"[name={name}]")).to_have_count(1)


def test_one_family_card_entry_per_relation(phone: Page, live_server: LiveServer) -> None:
    """Two parents get a 副卡 each; the result says so once instead of two identical entries."""
    phone.goto(live_server.url + "/calculator?example=doctor")
    family = phone.locator("[data-card='card.family']")
    expect(family).to_have_count(2)
    expect(family.nth(1)).to_contain_text("人才绿卡副卡（父母，2人各一张）")
