"""The reviewer's case page in real Chromium: who applied (birth date visible in the masked
identity number), the employer and its confirmation, the profile as labelled Chinese fields
(no raw JSON, no English keys), materials that open and download, and the queue row."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from playwright.sync_api import Browser, expect

from rencai.applications.materials import store
from rencai.applications.service import apply
from rencai.db.session import session_scope
from rencai.registry.accounts import create_account, register_employer, register_talent
from rencai.registry.identifiers import id_check_character, uscc_check_character
from rencai.registry.models import Role
from tests.browser.login import log_in
from tests.profiles import doctor_today
from tests.support import LiveServer

PDF = b"%PDF-1.7\n% labour contract\n" + b"7" * 3000


def test_reviewer_case_page(browser: Browser, live_server: LiveServer) -> None:
    tag = uuid.uuid4().hex[:6]
    first17 = f"13010219910817{uuid.uuid4().int % 1000:03d}"
    number = first17 + id_check_character(first17)
    profile = doctor_today()
    profile["person"]["birth_date"] = "1991-08-17"  # as the identity number says
    profile["employment"]["annual_salary"] = "360000.00"
    profile["person"]["education"][0]["school"] = "O'Brien 学院"  # a quote must not be escaped
    code = "91130100MD" + tag.upper()[:6].replace("E", "F") + "K"
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        create_account(
            s, f"cp{tag}", "secret123", "长安区人才办", Role.county_reviewer, county="130102"
        )
        employer = register_employer(
            s, code + uscc_check_character(code), "示例材料科技有限公司", "130102", "enterprise"
        )
        talent = register_talent(s, f"tp{tag}", "secret123", "孙审核", number, profile)
        talent.employer_id = employer.id
        s.flush()
        case = apply(s, talent, "sjz.b.rent_subsidy", uuid.uuid4().hex)
        store(s, case, talent.account_id, "劳动合同.pdf", PDF)
        case_id = case.id

    page = browser.new_context(accept_downloads=True).new_page()
    log_in(page, live_server, f"cp{tag}")
    row = page.locator(f"#todo li[data-case='{case_id}']")
    expect(row).to_contain_text("孙**")
    expect(row).to_contain_text("示例材料科技有限公司")
    expect(row).to_contain_text("房租补助")
    row.locator("a").first.click()

    expect(page.locator("#applicant-name")).to_have_text("孙审核")
    expect(page.locator("#applicant-id")).to_have_text(number[:14] + "****")
    expect(page.locator("#applicant-id")).to_contain_text("19910817")
    expect(page.locator("#applicant-employer")).to_contain_text("示例材料科技有限公司")
    expect(page.locator("#applicant-confirmation")).to_have_text("待单位确认")
    profile_section = page.locator("#profile")
    expect(profile_section).to_contain_text("学历学位")
    expect(profile_section).to_contain_text("博士研究生")
    expect(profile_section).to_contain_text("“双一流”建设高校")
    expect(profile_section).to_contain_text("长安区")
    expect(profile_section).to_contain_text("360,000.00 元")
    expect(profile_section).to_contain_text("从市外引进")
    expect(profile_section).to_contain_text("O'Brien 学院")
    text = profile_section.inner_text()
    for internal in ("employment", "introduced_from", "doctorate", "\\u0027", "{", "130102"):
        assert internal not in text, internal
    expect(page.locator("#materials")).to_contain_text("劳动合同.pdf")
    expect(page.locator("#materials")).to_contain_text("3.0 KB")
    expect(page.locator("#required")).to_contain_text("尚未由管理员设定")

    with page.context.expect_page() as opened:
        page.locator("#materials a.material-open").click()
    viewer = opened.value
    response = viewer.request.get(viewer.url)
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline;")
    assert response.body() == PDF
    with page.expect_download() as download_info:
        page.locator("#materials a.material-download").click()
    download = download_info.value
    assert download.suggested_filename == "劳动合同.pdf"
    assert Path(download.path()).read_bytes() == PDF
