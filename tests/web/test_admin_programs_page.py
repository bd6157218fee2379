"""The administrator's review settings page names programs and steps in Chinese: a program is
picked by its name and city, the review chain step by step; no code is typed or shown."""

from __future__ import annotations

import os
import uuid

import httpx

from rencai.applications.models import ReviewProgram
from rencai.db.session import session_scope
from rencai.registry.accounts import create_account
from rencai.registry.models import Role
from tests.support import CSRF_HOOKS, LiveServer


def test_programs_and_steps_are_chosen_by_name(live_server: LiveServer) -> None:
    name = f"adm{uuid.uuid4().hex[:6]}"
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as session:
        create_account(session, name, "secret123", "系统管理员", Role.admin)
    with httpx.Client(
        base_url=live_server.url, event_hooks=CSRF_HOOKS, follow_redirects=True, timeout=60
    ) as browser:
        browser.get("/login")
        browser.post("/login", data={"username": name, "password": "secret123"})
        page = browser.get("/admin/programs").text
        assert '<option value="card.b">石家庄市人才绿卡B卡（石家庄市）</option>' in page
        assert "高校毕业生生活补贴（锦州市）" in page and "全部项目（默认设置）" in page
        assert "环节代码" not in page and 'name="chain_step"' in page
        saved = browser.post(
            "/admin/programs",
            data={
                "program": "jz.graduate.living_allowance",
                "chain_step": ["county", "", "city", ""],
            },
        )
        assert saved.status_code == 200 and str(saved.url).endswith("/admin/programs")
        listed = saved.text.split('data-program="jz.graduate.living_allowance"', 1)[1]
        listed = listed.split("</li>", 1)[0]
        assert "高校毕业生生活补贴（锦州市）" in listed
        assert "县（市、区）人才办 → 市委人才办" in listed  # empty steps are skipped
        refused = browser.post(
            "/admin/programs", data={"program": "card.b", "chain_step": ["nowhere"]}
        )
        assert refused.status_code == 422 and "未知的审核环节" in refused.text
        audit = browser.get("/admin/audit", params={"q": "设置审批流程"}).text
        assert "jz.graduate.living_allowance" not in audit  # the program by its name


def test_the_old_comma_separated_chain_is_refused(live_server: LiveServer) -> None:
    """Decision 0250: the page takes review steps by name only; a form posting the steps as one
    comma-separated ``chain`` text is refused in Chinese and changes nothing."""
    url, name = os.environ["RENCAI_DATABASE_URL"], f"adm{uuid.uuid4().hex[:6]}"
    program = "jz.graduate.living_allowance"

    def stored() -> str | None:
        with session_scope(url) as session:
            found = session.get(ReviewProgram, program)
            return None if found is None else f"{found.chain} {found.auto_approve}"

    with session_scope(url) as session:
        create_account(session, name, "secret123", "系统管理员", Role.admin)
    with httpx.Client(
        base_url=live_server.url, event_hooks=CSRF_HOOKS, follow_redirects=True, timeout=60
    ) as browser:
        browser.get("/login")
        browser.post("/login", data={"username": name, "password": "secret123"})
        before = stored()
        for chain in ("county,city", "city", "county→hrss"):
            refused = browser.post(
                "/admin/programs",
                data={"program": program, "chain": chain, "auto_approve": "on",
                      "sample_percent": "10"},
            )  # fmt: skip
            assert refused.status_code == 422, chain
            assert "审核流程至少包含一个环节" in refused.text
            assert stored() == before
