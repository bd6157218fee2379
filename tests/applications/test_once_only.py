"""A once-only benefit (a one-off payment, a card) reaches a person at most once, whatever path
created or approved the case: the talent, the employer, 秒批, bulk approval; the database refuses a
second grant even when the service's own check is bypassed (PostgreSQL, concurrent approvals)."""

from __future__ import annotations

import copy
import shutil
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from rencai import settings
from rencai.applications import events
from rencai.applications.automatic import consider
from rencai.applications.bulk import bulk_approve
from rencai.applications.materials import store
from rencai.applications.models import Application, OnceOnlyGrant, ReviewProgram, Status
from rencai.applications.once_only import once_only
from rencai.applications.programs import configure
from rencai.applications.service import ApplicationError, apply, decide
from rencai.db.session import session_scope, upgrade
from rencai.registry.accounts import create_account, register_employer, register_talent
from rencai.registry.employers import decide as verify_employer
from rencai.registry.identifiers import id_check_character, uscc_check_character
from rencai.registry.models import Account, Role, TalentProfile
from tests.profiles import doctor, doctor_today
from tests.support import ServerProcess, random_first17

SETTLEMENT = "sjz.b.settlement_allowance"
PDF = b"%PDF-1.7\n% once-only test\n"


@pytest.fixture(autouse=True)
def no_handlers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    # the card and payment handlers are not what is tested here (the ledger refuses on its own)
    monkeypatch.setenv("RENCAI_FILES_DIR", str(tmp_path))
    settings.reset()
    with events.APPROVED.replaced():  # no card, no schedule: only the grant is tested here
        yield


def _id_number() -> str:
    first17 = random_first17()
    return first17 + id_check_character(first17)


def test_the_catalogue_says_what_is_once_only() -> None:
    settlement = once_only("shijiazhuang", SETTLEMENT)
    assert settlement is not None and settlement.name == "一次性安家补贴" and not settlement.card
    card = once_only("shijiazhuang", "card.b")
    assert card is not None and card.card
    assert once_only("shijiazhuang", "sjz.b.rent_subsidy") is None  # monthly: per period
    assert once_only("shijiazhuang", "card.family") is None  # 副卡 follow the main card
    assert once_only("nowhere", SETTLEMENT) is None


# --- the reproduction, over real HTTP on the demo world ----------------------------------


@pytest.fixture(scope="module")
def demo_server(
    demo_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    shutil.copyfile(demo_template, path)
    with ServerProcess(f"sqlite:///{path}", tmp_path_factory.mktemp("demo-files")) as server:
        yield server


def _login(url: str, username: str) -> dict[str, str]:
    response = httpx.post(
        f"{url}/api/v1/tokens", json={"username": username, "password": "demo1234"}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_second_settlement_allowance_is_refused_and_creates_nothing(
    demo_server: ServerProcess,
) -> None:
    doctor_headers = _login(demo_server.url, "demo_doctor")
    before = httpx.get(f"{demo_server.url}/api/v1/applications", headers=doctor_headers).json()
    first = [c for c in before["items"] if c["program"] == SETTLEMENT]
    assert [c["status"] for c in first] == ["approved"]
    response = httpx.post(
        f"{demo_server.url}/api/v1/applications",
        headers=doctor_headers,
        json={"program": SETTLEMENT, "idempotency_key": uuid.uuid4().hex},
    )
    assert response.status_code == 409, response.text
    error = response.json()["errors"][0]
    assert error["code"] == "already_granted"
    assert error["message"].startswith(f"您已享受过一次性安家补贴（申请编号 {first[0]['id']}）")
    after = httpx.get(f"{demo_server.url}/api/v1/applications", headers=doctor_headers).json()
    assert after["count"] == before["count"]  # nothing was created


# --- every path, on PostgreSQL ------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(pg_url: str) -> dict[str, Any]:
    upgrade(pg_url)
    tag = uuid.uuid4().hex[:6]
    ids: dict[str, Any] = {"url": pg_url}
    with session_scope(pg_url) as s:
        ids["admin"] = create_account(s, f"oa{tag}", "secret123", "管理员", Role.admin).id
        ids["county"] = create_account(
            s, f"oc{tag}", "secret123", "长安区", Role.county_reviewer, county="130102"
        ).id
        ids["city"] = create_account(s, f"oy{tag}", "secret123", "市委", Role.city_reviewer).id
        first17 = "91130100MC" + tag.upper()[:6].replace("E", "F") + "Q"
        employer = register_employer(
            s, first17 + uscc_check_character(first17), "一次性测试公司", "130102", "enterprise"
        )
        ids["hr"] = create_account(
            s, f"oh{tag}", "secret123", "人事", Role.employer, employer_id=employer.id
        ).id
        ids["employer"] = employer.id
        # only a unit the city office has verified may apply for its hires (decision 0080)
        admin = s.get(Account, ids["admin"])
        assert admin is not None
        verify_employer(s, admin, employer, "verify", "营业执照原件已核对")
    return ids


def _talent(world: dict[str, Any], linked: bool = False) -> int:
    profile = doctor_today()
    with session_scope(world["url"]) as s:
        talent = register_talent(
            s, f"t{uuid.uuid4().hex[:10]}", "secret123", "王小明", _id_number(), profile
        )
        if linked:
            talent.employer_id = world["employer"]
        return talent.id


def _get(session: Session, model: Any, key: Any) -> Any:
    found = session.get(model, key)
    assert found is not None
    return found


def _approve_all(session: Session, world: dict[str, Any], case: Application) -> None:
    for reviewer in ("county", "city"):
        decide(
            session, _get(session, Account, world[reviewer]), case, "approve", None, case.version
        )


def _approved_case(
    world: dict[str, Any], talent_id: int, program: str = SETTLEMENT, hr: bool = False
) -> int:
    with session_scope(world["url"]) as s:
        by = _get(s, Account, world["hr"]) if hr else None
        case = apply(s, _get(s, TalentProfile, talent_id), program, uuid.uuid4().hex, by)
        _approve_all(s, world, case)
        assert case.status == Status.approved
        return case.id


def _cases(url: str, talent_id: int, program: str = SETTLEMENT) -> int:
    with session_scope(url) as s:
        return (
            s.scalar(
                select(func.count()).where(
                    Application.talent_id == talent_id, Application.program == program
                )
            )
            or 0
        )


def test_talent_and_employer_submissions_are_refused(world: dict[str, Any]) -> None:
    talent_id = _talent(world, linked=True)
    first = _approved_case(world, talent_id, hr=True)  # the employer applied for its hire
    with session_scope(world["url"]) as s:
        talent = _get(s, TalentProfile, talent_id)
        with pytest.raises(ApplicationError) as refused:
            apply(s, talent, SETTLEMENT, uuid.uuid4().hex)
        assert refused.value.code == "already_granted"
        assert f"您已享受过一次性安家补贴（申请编号 {first}）" in refused.value.message
        with pytest.raises(ApplicationError) as by_employer:
            apply(s, talent, SETTLEMENT, uuid.uuid4().hex, _get(s, Account, world["hr"]))
        assert by_employer.value.code == "already_granted"
    assert _cases(world["url"], talent_id) == 1


def test_a_live_case_blocks_a_second_and_rejection_allows_reapplying(
    world: dict[str, Any],
) -> None:
    talent_id = _talent(world)
    with session_scope(world["url"]) as s:
        talent = _get(s, TalentProfile, talent_id)
        live = apply(s, talent, SETTLEMENT, uuid.uuid4().hex)
        decide(s, _get(s, Account, world["county"]), live, "approve", None, live.version)
        with pytest.raises(ApplicationError) as refused:  # at the city: still under way
            apply(s, talent, SETTLEMENT, uuid.uuid4().hex)
        assert refused.value.code == "duplicate_application"  # the existing in-review guard
        decide(s, _get(s, Account, world["city"]), live, "reject", "材料不实", live.version)
        again = apply(s, talent, SETTLEMENT, uuid.uuid4().hex)  # re-applying is allowed
        _approve_all(s, world, again)
        assert again.status == Status.approved
        grant = s.scalar(select(OnceOnlyGrant).where(OnceOnlyGrant.talent_id == talent_id))
        assert grant is not None and grant.application_id == again.id


def _duplicate(session: Session, case_id: int, status: Status, step: int) -> Application:
    """A second case for the same person and benefit, written past the service (as a bug or an
    old import would): only the database stands between it and a second payment."""
    original = _get(session, Application, case_id)
    copy_ = Application(
        **{
            column.key: getattr(original, column.key)
            for column in Application.__table__.columns
            if column.key not in ("id", "idempotency_key", "version", "status", "step_index")
        },
        idempotency_key=uuid.uuid4().hex,
        status=status.value,
        step_index=step,
    )
    session.add(copy_)
    session.flush()
    return copy_


def test_decide_bulk_and_automatic_refuse_a_duplicate(world: dict[str, Any]) -> None:
    talent_id = _talent(world)
    first = _approved_case(world, talent_id)
    with session_scope(world["url"]) as s:
        at_city = _duplicate(s, first, Status.city_review, 1)
        at_county = _duplicate(s, first, Status.county_review, 0)
        ids = (at_city.id, at_county.id)
    with session_scope(world["url"]) as s:
        case = _get(s, Application, ids[0])
        with pytest.raises(ApplicationError) as refused:
            decide(s, _get(s, Account, world["city"]), case, "approve", None, case.version)
        assert refused.value.code == "already_granted" and str(first) in refused.value.message
    with session_scope(world["url"]) as s:
        case = _get(s, Application, ids[1])
        store(s, case, _get(s, TalentProfile, talent_id).account_id, "证明.pdf", PDF)
        county = _get(s, Account, world["county"])
        outcomes = bulk_approve(s, county, [(case.id, case.version)])
        # the county step is not the last: bulk passes it on; the city then refuses it
        assert outcomes[0].ok
        city = _get(s, Account, world["city"])
        outcomes = bulk_approve(s, city, [(case.id, case.version)])
        assert not outcomes[0].ok and outcomes[0].code == "already_granted"
        assert case.status == Status.city_review
    with session_scope(world["url"]) as s:
        admin = _get(s, Account, world["admin"])
        configure(
            s, admin, SETTLEMENT, chain=["county", "city"], auto_approve=True, sample_percent=0
        )
    try:
        with session_scope(world["url"]) as s:
            case = _get(s, Application, ids[1])
            assert consider(s, case) is False  # 秒批 leaves it to a person
            assert case.status == Status.city_review
            talent = _get(s, TalentProfile, talent_id)
            with pytest.raises(ApplicationError):  # and a 秒批 submission is refused outright
                apply(s, talent, SETTLEMENT, uuid.uuid4().hex)
    finally:
        with session_scope(world["url"]) as s:
            s.execute(delete(ReviewProgram).where(ReviewProgram.program == SETTLEMENT))
    with session_scope(world["url"]) as s:
        grants = s.scalars(select(OnceOnlyGrant).where(OnceOnlyGrant.talent_id == talent_id))
        assert [g.application_id for g in grants] == [first]


def test_concurrent_approvals_of_two_cases_only_one_wins(world: dict[str, Any]) -> None:
    talent_id = _talent(world)
    with session_scope(world["url"]) as s:
        case = apply(s, _get(s, TalentProfile, talent_id), SETTLEMENT, uuid.uuid4().hex)
        decide(s, _get(s, Account, world["county"]), case, "approve", None, case.version)
        twin = _duplicate(s, case.id, Status.city_review, 1)
        ids = [case.id, twin.id]
    barrier = threading.Barrier(2)
    results: dict[int, str] = {}

    def approve(case_id: int) -> None:
        try:
            with session_scope(world["url"]) as s:
                application = _get(s, Application, case_id)
                city = _get(s, Account, world["city"])
                barrier.wait()
                decide(s, city, application, "approve", None, application.version)
            results[case_id] = "approved"
        except ApplicationError as exc:
            results[case_id] = exc.code

    threads = [threading.Thread(target=approve, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results.values()) == ["already_granted", "approved"]
    winner = next(i for i, r in results.items() if r == "approved")
    with session_scope(world["url"]) as s:
        statuses = {i: _get(s, Application, i).status for i in ids}
        grants = list(s.scalars(select(OnceOnlyGrant).where(OnceOnlyGrant.talent_id == talent_id)))
    assert [g.application_id for g in grants] == [winner]
    assert sorted(statuses.values()) == ["approved", "city_review"]


def test_a_card_is_held_once(world: dict[str, Any]) -> None:
    talent_id = _talent(world)
    first = _approved_case(world, talent_id, "card.b")
    with session_scope(world["url"]) as s:
        with pytest.raises(ApplicationError) as refused:
            apply(s, _get(s, TalentProfile, talent_id), "card.b", uuid.uuid4().hex)
        assert f"您已申领过石家庄市人才绿卡B卡（申请编号 {first}）" in refused.value.message
    profile = copy.deepcopy(doctor())
    assert profile["jurisdiction"] == "shijiazhuang"


def test_the_login_page_lists_every_demo_account_and_each_lands_on_its_workspace(
    demo_server: ServerProcess,
) -> None:
    """`make run`: the log-in page names every demo account with its role in Chinese, and each
    one's log-in lands on its role's workspace (decision 0212)."""
    import re

    from rencai.registry.models import ROLE_LABELS
    from rencai.web.workspace import HOME
    from tests.support import CSRF_HOOKS

    with session_scope(demo_server.database_url) as session:
        named = {
            a.username: Role(a.role)
            for a in session.scalars(select(Account).where(Account.username.like("demo%")))
            if not re.match(r"^demo_(stat_|housing_t|guest)\d+$", a.username)
            and a.password_hash.startswith("$argon2")  # accounts that sign in
        }
    assert len(named) >= 20
    page = httpx.get(f"{demo_server.url}/login").text
    for username, role in named.items():
        row = re.search(rf'<tr data-demo="{username}">(.*?)</tr>', page)
        assert row is not None, username
        cells = re.findall(r"<td>(.*?)</td>", row.group(1))
        assert cells[0] == username
        assert ROLE_LABELS[role] in cells[1] and role.value not in cells[1], cells
    with httpx.Client(base_url=demo_server.url, event_hooks=CSRF_HOOKS) as browser:
        for username, role in named.items():
            browser.cookies.clear()
            browser.get("/login")
            answer = browser.post("/login", data={"username": username, "password": "demo1234"})
            assert answer.status_code == 303, (username, answer.text[:200])
            assert answer.headers["location"] == HOME[role], username
