"""The holder's card page and the service-point verifier in real Chromium; the verifier keeps
working after the server has stopped."""

from __future__ import annotations

import io
import os
import re
import uuid

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, expect

from rencai import clock
from rencai.applications.service import apply, decide
from rencai.cards.issuance import set_validity
from rencai.db.session import session_scope
from rencai.registry.accounts import create_account, register_talent
from rencai.registry.identifiers import id_check_character
from rencai.registry.models import Role
from rencai.web.app import create_app
from tests.browser.login import log_in
from tests.profiles import doctor_today
from tests.support import LiveServer, random_first17


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (90, 120), "navy").save(out, format="PNG")
    return out.getvalue()


def _holder_with_card(tag: str) -> None:
    profile = doctor_today()
    profile["family"] = [{"relation": "spouse", "name": "赵女士", "employed": False}]
    first17 = random_first17()
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        talent = register_talent(
            s, f"h{tag}", "secret123", "王博士", first17 + id_check_character(first17), profile
        )
        county = create_account(
            s, f"ca{tag}", "secret123", "长安区人才办", Role.county_reviewer, county="130102"
        )
        city = create_account(s, f"city{tag}", "secret123", "市委人才办", Role.city_reviewer)
        set_validity(s, "admin", "B", 36, "测试：管理员设定")
        case = apply(s, talent, "card.b", uuid.uuid4().hex)
        decide(s, county, case, "approve", None, case.version)
        decide(s, city, case, "approve", None, case.version)


def test_verifier_page_verifies_with_the_server_stopped(
    browser: Browser,
    live_server: LiveServer,  # sets up the database and files for this session
) -> None:
    tag = uuid.uuid4().hex[:6]
    _holder_with_card(tag)
    server = LiveServer(create_app())  # our own server, so that we can stop it
    server.__enter__()
    try:
        holder = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        log_in(holder, server, f"h{tag}")
        holder.goto(server.url + "/cards")
        expect(holder.locator(".e-card")).to_have_count(2)
        expect(holder.locator(".e-card").nth(1)).to_contain_text("赵女士（配偶） · 副卡")
        qr = holder.locator("img.dynamic-qr").first
        expect(qr).to_have_attribute("data-code", re.compile("^RC1:"))
        code = qr.get_attribute("data-code")
        assert code
        # the static code is printed only with the holder's photo: upload it, then print
        first = holder.locator(".e-card").first
        expect(first.locator(".downloads a", has_text="PDF")).to_have_count(0)
        expect(first.locator(".downloads")).to_contain_text("上传照片后可打印卡面")
        first.locator(".photo-form input[type=file]").set_input_files(
            files=[{"name": "me.png", "mimeType": "image/png", "buffer": _png()}]
        )
        first.locator(".photo-form button").click()
        first = holder.locator(".e-card").first
        static_pdf = first.locator(".downloads a", has_text="PDF").get_attribute("href")
        assert static_pdf and static_pdf.endswith("/card.pdf")
        expect(first.locator(".photo-form button")).to_have_text("更换照片")

        gate_context = browser.new_context(viewport={"width": 390, "height": 844})
        # The gate judges a code's time with its own clock: Chromium's, set to the office's
        # (which RENCAI_CLOCK_AT may have moved), and running on from there.
        gate_context.clock.install(time=clock.now())
        gate = gate_context.new_page()
        gate.goto(server.url + "/verifier")
        expect(gate.locator("#verifier")).to_have_attribute("data-ready", "1")
        expect(gate.locator("#bundle-status")).to_contain_text("核验数据已加载")
    finally:
        server.__exit__(None, None, None)
    with pytest.raises(httpx.HTTPError):
        httpx.get(server.url + "/healthz", timeout=2)

    gate.select_option("#point-kind", "subway")
    gate.fill("#code", code)
    gate.click("#verify")
    expect(gate.locator("#verdict-title")).to_have_text("有效")
    expect(gate.locator("#verdict")).to_contain_text("免费乘坐市区内公交车、地铁")
    expect(gate.locator("#verdict")).to_contain_text("动态码")
    gate.select_option("#point-kind", "bank")
    gate.click("#verify")
    expect(gate.locator("#verdict")).to_contain_text("县卡 金融服务")  # B holders hold these too
    tampered = code[:-12] + ("0" if code[-12] != "0" else "1") + code[-11:]
    gate.fill("#code", tampered)
    gate.click("#verify")
    expect(gate.locator("#verdict-title")).to_have_text(re.compile("签名无效|无法识别"))
    gate.fill("#code", "hello")
    gate.click("#verify")
    expect(gate.locator("#verdict-title")).to_have_text("无法识别的二维码（不完整或不是人才绿卡）")
    expect(gate.locator("#pending")).to_have_text("4")  # every check is logged for upload
