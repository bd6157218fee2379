"""Each demo role's journey in real Chromium at a desk (1366×900) and a phone (390×844): sign in,
follow wherever the login lands, see the role named, open the role's main page, do one cheap
action, and fit the phone's width. One browser and one server (on a copy of the demo world) for
the whole file; each journey leaves a screenshot at build/screenshots/<role>-<desk|phone>.png
(docs/demo.md)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from rencai.registry.models import ROLE_LABELS, Role
from tests.support import ServerProcess

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
WIDTHS = {"desk": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def _open_first_case(page: Page) -> None:
    page.locator("main a[href^='/applications/']").first.click()
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("main")).to_contain_text("申请编号")


def _pdf(page: Page, label: str) -> None:
    """The case page offers the document; it downloads as a PDF."""
    link = page.locator("a[href$='.pdf']", has_text=label)
    expect(link).to_have_count(1)
    href = link.get_attribute("href")
    assert href is not None
    response = page.request.get(page.url.split("/applications/")[0] + href)
    assert response.status == 200 and response.body().startswith(b"%PDF")
    assert response.headers["content-type"] == "application/pdf"


def _talent(page: Page) -> None:  # the decided case's notice
    page.locator("main a[href^='/applications/']", has_text="一次性安家补贴").first.click()
    _pdf(page, "决定通知书")


def _reviewer(page: Page) -> None:  # a case from the queue, and its printable summary
    _open_first_case(page)
    _pdf(page, "审核摘要")


def _finance(page: Page) -> None:  # a paid month's batch
    page.locator("main a[href^='/ledger/batches/']").first.click()
    expect(page.locator("h1")).to_contain_text("发放批次")


@dataclass(frozen=True)
class Journey:
    role: str  # the screenshot's name
    username: str
    label: str  # the role's Chinese label, or the person's name for a talent
    main: str  # the role's main page
    heading: str  # (part of) its main heading
    content: list[str] = field(default_factory=list)  # what the demo data puts there
    action: Callable[[Page], None] | None = None


JOURNEYS = [
    Journey("talent", "demo_doctor", "王博士", "/me", "我的", ["我的申请"], _talent),
    Journey(
        "employer-hr",
        "demo_hr",
        ROLE_LABELS[Role.employer],
        "/employer",
        "石家庄示例生物医药有限公司",
        ["待单位确认"],
        _open_first_case,
    ),
    Journey(
        "county-reviewer",
        "demo_county",
        ROLE_LABELS[Role.county_reviewer],
        "/review",
        "审核",
        ["已超期"],
        _reviewer,
    ),
    Journey(
        "city-reviewer",
        "demo_city",
        ROLE_LABELS[Role.city_reviewer],
        "/review",
        "审核",
        ["已超期"],
        _reviewer,
    ),
    Journey(
        "department-officer",
        "demo_police",
        ROLE_LABELS[Role.department_officer],
        "/review",
        "审核",
        ["户籍办理"],
        _open_first_case,
    ),
    Journey(
        "finance",
        "demo_finance",
        ROLE_LABELS[Role.finance],
        "/ledger",
        "资金发放",
        ["应收款"],
        _finance,
    ),
    Journey(
        "card-office",
        "demo_city",
        ROLE_LABELS[Role.city_reviewer],
        "/cards/manage",
        "人才绿卡管理",
        ["暂停"],
    ),
    Journey(
        "service-point",
        "demo_bus",
        ROLE_LABELS[Role.service_point],
        "/verifier",
        "核验",
    ),
    Journey(
        "housing-office",
        "demo_housing",
        ROLE_LABELS[Role.housing_office],
        "/housing/office",
        "住房保障",
        ["市级人才公寓"],
    ),
    Journey(
        "station-operator",
        "demo_station",
        ROLE_LABELS[Role.station_operator],
        "/stations/check-in",
        "驿站入住登记",
    ),
    Journey("data-office", "demo_data", ROLE_LABELS[Role.data_office], "/feeds", "数据"),
    Journey("administrator", "demo_admin", ROLE_LABELS[Role.admin], "/admin", "系统管理"),
    Journey("leadership", "demo_leader", ROLE_LABELS[Role.leadership], "/stats", "人才统计"),
]


@pytest.fixture(scope="module")
def demo_site(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app in its own process on a copy of the demo world (its files and card keys too)."""
    folder = tmp_path_factory.mktemp("journeys") / "demo"
    shutil.copytree(demo_template.parent, folder)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with ServerProcess(f"sqlite:///{folder / demo_template.name}", folder / "files") as server:
        yield server.url


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("journey", JOURNEYS, ids=[j.role for j in JOURNEYS])
def test_role_journey(browser: Browser, demo_site: str, journey: Journey, width: str) -> None:
    context = browser.new_context(viewport=WIDTHS[width], locale="zh-CN")  # type: ignore[arg-type]
    page = context.new_page()
    try:
        page.goto(demo_site + "/login")
        page.fill("#username", journey.username)
        page.fill("#password", "demo1234")
        page.click("#login")
        page.wait_for_load_state()
        assert "/login" not in page.url, page.url  # signed in, wherever it lands
        expect(page.locator("main")).to_be_visible()
        # the role (or the person) is named where it lands, or on 我的
        if journey.label not in page.locator("body").inner_text():
            page.goto(demo_site + "/me")
            expect(page.locator("body")).to_contain_text(journey.label)
        page.goto(demo_site + journey.main)
        expect(page.locator("h1").first).to_contain_text(journey.heading)
        for text in journey.content:
            expect(page.locator("main")).to_contain_text(text)
        if width == "phone":
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{journey.main} overflows the phone by {overflow}px"
        page.screenshot(path=str(SHOTS / f"{journey.role}-{width}.png"))
        if journey.action is not None:
            journey.action(page)
    finally:
        context.close()
