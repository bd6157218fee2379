"""The 云骥 chat page in real headless Chromium on a phone: ask, read the cited answer, answer a
fact asked back, and open the calculator pre-filled."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.support import LiveServer


def test_ask_see_the_cited_answer_and_open_the_prefilled_calculator(
    phone: Page, live_server: LiveServer
) -> None:
    phone.goto(live_server.url + "/")
    phone.click("#go-assistant")
    phone.fill("#question", "博士来石家庄租房补贴多少")
    phone.click("#send")
    answer = phone.locator(".chat-a").last
    expect(answer).to_contain_text("房租补助每月3000元")
    expect(answer.locator(".citation").first).to_contain_text("石办字〔2017〕39号")
    expect(answer.locator("blockquote").first).to_contain_text("博士3000元")
    assert phone.url.endswith("/assistant")  # HTMX appended the answer in place
    expect(phone.locator("#question")).to_have_value("")
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0

    # a personal question: the missing fact is asked back, then answered in the next message
    phone.fill("#question", "我是双一流硕士，34岁，在正定县工作，能拿什么")
    phone.click("#send")
    expect(phone.locator(".chat-a").last).to_contain_text("什么类型的单位")
    phone.fill("#question", "企业")
    phone.click("#send")
    last = phone.locator(".chat-a").last
    expect(last).to_contain_text("石家庄市人才绿卡B卡")
    expect(last).to_contain_text("房租补助每月1500元")
    last.locator("#open-calculator").click()
    phone.wait_for_url("**/calculator?**")
    expect(phone.locator("#degree")).to_have_value("master")
    expect(phone.locator("#county")).to_have_value("130123")
    expect(phone.locator("#employer_type")).to_have_value("enterprise")
    expect(phone.locator("tr[data-benefit='sjz.b.rent_subsidy']")).to_contain_text("¥1,500.00")


def test_a_question_outside_the_policies_is_refused_on_the_page(
    phone: Page, live_server: LiveServer
) -> None:
    phone.goto(live_server.url + "/assistant")
    phone.fill("#question", "北京落户积分怎么算")
    phone.click("#send")
    refused = phone.locator(".chat-a.refused")
    expect(refused).to_contain_text("没有北京的政策依据")
    expect(refused.locator(".citation")).to_have_count(0)
