"""The catalogue's occupations part feeds the skill-upgrade subsidy, over real HTTP (decision
0186). 《关于推行终身职业技能培训制度加快技能强市建设的实施意见》 三（一）3: “累计缴纳失业保险费12
个月以上的企业职工取得初、中、高级职业资格证书或职业技能等级证书的，分别给予1000元、1500元、2000元
的技能提升补贴，纳入急需紧缺工种目录的，补贴标准可提高10%。” The office keeps the 工种 list of
the year with its source and publishes it with the catalogue; the rules engine raises the
subsidy when the talent's 工种 is in the published list, and only then."""

from __future__ import annotations

import io
import os
import uuid
from typing import Any

import httpx
from openpyxl import load_workbook

from rencai import clock
from rencai.db.session import session_scope
from rencai.registry.accounts import authenticate, create_account, register_talent
from rencai.registry.models import Role
from tests.profiles import doctor_birth_date
from tests.support import LiveServer, random_id_number

SUBSIDY = "sjz.skills.skill_upgrade_subsidy"
SOURCE = "《河北省急需紧缺职业（工种）目录》"


def _worker(occupation: str, **person: Any) -> dict[str, Any]:
    """An enterprise employee insured 24 months with an intermediate certificate this year."""
    return {
        "jurisdiction": "shijiazhuang",
        "person": {
            "birth_date": doctor_birth_date().isoformat(),
            "unemployment_insurance_months": 24,
            "skill_certificate": "intermediate",
            "skill_certificate_date": f"{clock.today().year}-01-10",
            "occupation": occupation,
            **person,
        },
        "employment": {"employer_type": "enterprise", "county": "130102"},
    }


def _subsidy(api: str, headers: dict[str, str]) -> dict[str, Any]:
    answer = httpx.get(f"{api}/me/entitlements", headers=headers)
    assert answer.status_code == 200, answer.text
    return next(b for b in answer.json()["benefits"] if b["id"] == SUBSIDY)


def _error(response: httpx.Response) -> dict[str, Any]:
    first = response.json()["errors"][0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in first["message"])
    return dict(first)


def test_a_published_occupation_raises_the_skill_upgrade_subsidy_by_ten_percent(
    live_server: LiveServer,
) -> None:
    url, tag = os.environ["RENCAI_DATABASE_URL"], uuid.uuid4().hex[:6]
    welder, baker = f"焊工{tag}", f"面包师{tag}"
    with session_scope(url) as s:
        create_account(s, f"occ{tag}", "secret123", "市委人才办", Role.city_reviewer)
        register_talent(s, f"wld{tag}", "secret123", "焊工甲", random_id_number(), _worker(welder))
        # states the fact itself: the platform does not take it
        register_talent(
            s,
            f"bkr{tag}",
            "secret123",
            "面包师乙",
            random_id_number(),
            _worker(baker, catalogued_occupation=True),
        )
        tokens = {
            who: authenticate(s, f"{who}{tag}", "secret123", kind="api").token
            for who in ("occ", "wld", "bkr")
        }
    office, worker, other = (
        {"Authorization": f"Bearer {tokens[w]}"} for w in ("occ", "wld", "bkr")
    )
    api = live_server.url + "/api/v1"
    year = clock.today().year

    assert _subsidy(api, worker)["total"] == "1500.00"  # no catalogue lists the 工种 yet
    assert _subsidy(api, other)["total"] == "1500.00"  # a stated fact is not taken

    entry = {"jurisdiction": "shijiazhuang", "year": year, "name": f" {welder} ", "source": SOURCE}
    refusals = [
        (httpx.post(f"{api}/shortage/occupations", json=entry, headers=worker), 403, "forbidden"),
        (
            httpx.post(
                f"{api}/shortage/occupations", json={**entry, "source": " "}, headers=office
            ),
            422,
            "no_source",
        ),
        (
            httpx.post(
                f"{api}/shortage/occupations", json={**entry, "year": year + 5}, headers=office
            ),
            422,
            "bad_year",
        ),
    ]
    for response, status, code in refusals:
        assert response.status_code == status, response.text
        assert _error(response)["code"] == code
    added = httpx.post(f"{api}/shortage/occupations", json=entry, headers=office)
    assert added.status_code == 201, added.text
    assert added.json()["name"] == welder and not added.json()["published"]
    twice = httpx.post(f"{api}/shortage/occupations", json=entry, headers=office)
    assert twice.status_code == 409 and _error(twice)["code"] == "duplicate_name"

    # listed but not yet published: the rules do not read it
    assert _subsidy(api, worker)["total"] == "1500.00"
    published = httpx.post(
        f"{api}/shortage/catalogues",
        json={"jurisdiction": "shijiazhuang", "year": year},
        headers=office,
    )
    assert published.status_code == 201, published.text
    listed = {o["name"]: o for o in published.json()["occupations"]}
    assert listed[welder]["source"] == SOURCE and listed[welder]["published"]
    public = httpx.get(f"{api}/shortage/catalogues/shijiazhuang/{year}").json()
    assert welder in {o["name"] for o in public["occupations"]}
    sheet = httpx.get(f"{api}/shortage/catalogues/shijiazhuang/{year}/catalogue.xlsx")
    jobs = load_workbook(io.BytesIO(sheet.content))["急需紧缺工种（职业）"]
    assert [welder, SOURCE] in [list(r[1:]) for r in jobs.iter_rows(values_only=True)]
    page = httpx.get(f"{live_server.url}/shortage/catalogues/shijiazhuang/{year}")
    assert welder in page.text and "急需紧缺工种（职业）" in page.text

    raised = _subsidy(api, worker)
    assert raised["total"] == "1650.00"  # 1500 raised by 10 %
    assert "补贴标准可提高10%" in raised["citation"]["quote"]
    assert _subsidy(api, other)["total"] == "1500.00"  # 面包师 is not in the catalogue
    removed = httpx.delete(f"{api}/shortage/occupations/{added.json()['id']}", headers=office)
    assert removed.status_code == 409 and _error(removed)["code"] == "bad_state"
    # the public calculator reads the same published list for the 工种 a visitor types
    form = {
        "jurisdiction": "shijiazhuang",
        "birth_date": "1994-03-02",
        "unemployment_insurance_months": "24",
        "skill_certificate": "intermediate",
        "skill_certificate_date": f"{year}-01-10",
        "employer_type": "enterprise",
        "county": "130102",
    }
    listed_page = httpx.post(f"{live_server.url}/calculator", data={**form, "occupation": welder})
    other_page = httpx.post(f"{live_server.url}/calculator", data={**form, "occupation": baker})
    assert listed_page.status_code == other_page.status_code == 200, listed_page.text[-500:]
    assert "1,650.00" in listed_page.text and "1,650.00" not in other_page.text
    assert "1,500.00" in other_page.text


def test_the_calculator_page_reads_the_published_occupations_once_and_sees_a_change(
    live_server: LiveServer,
) -> None:
    """Decision 0242: submissions naming a 工种 are answered from the names the process read
    once; publishing one through the platform is seen by the next submission."""
    from sqlalchemy import event

    from rencai.db.session import engine_for

    url, tag = os.environ["RENCAI_DATABASE_URL"], uuid.uuid4().hex[:6]
    welder, year = f"电焊工{tag}", clock.today().year
    with session_scope(url) as s:
        create_account(s, f"occ2{tag}", "secret123", "市委人才办", Role.city_reviewer)
        token = authenticate(s, f"occ2{tag}", "secret123", kind="api").token
    office = {"Authorization": f"Bearer {token}"}
    form = {
        "jurisdiction": "shijiazhuang",
        "birth_date": "1994-03-02",
        "unemployment_insurance_months": "24",
        "skill_certificate": "intermediate",
        "skill_certificate_date": f"{year}-01-10",
        "employer_type": "enterprise",
        "county": "130102",
        "occupation": welder,
    }
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    engine = engine_for(url)
    event.listen(engine, "before_cursor_execute", seen)
    try:
        pages = [httpx.post(f"{live_server.url}/calculator", data=form) for _ in range(3)]
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    for page in pages:
        assert page.status_code == 200, page.text[-500:]
        assert "1,500.00" in page.text and "1,650.00" not in page.text
    reads = [s for s in statements if "shortage_occupations" in s]
    assert len(reads) <= 1, statements  # three submissions, the list read at most once
    assert len(statements) == len(reads), statements  # and nothing else read for them

    api = live_server.url + "/api/v1"
    entry = {"jurisdiction": "shijiazhuang", "year": year, "name": welder, "source": SOURCE}
    added = httpx.post(f"{api}/shortage/occupations", json=entry, headers=office)
    assert added.status_code == 201, added.text
    published = httpx.post(
        f"{api}/shortage/catalogues",
        json={"jurisdiction": "shijiazhuang", "year": year},
        headers=office,
    )
    assert published.status_code == 201, published.text
    page = httpx.post(f"{live_server.url}/calculator", data=form)
    assert page.status_code == 200 and "1,650.00" in page.text  # the change is seen at once
