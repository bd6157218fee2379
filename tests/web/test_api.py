"""The calculator API over real HTTP (uvicorn on a free port)."""

from __future__ import annotations

import httpx

from tests.profiles import doctor, money_of
from tests.support import LiveServer


def test_contract_check_over_http(live_server: LiveServer) -> None:
    response = httpx.post(f"{live_server.url}/api/v1/entitlements", json=doctor(), timeout=30)
    assert response.status_code == 200
    result = response.json()
    assert [c["id"] for c in result["cards"] if c["id"] != "card.family"] == ["card.b"]
    money = money_of(result)
    rent = money["sjz.b.rent_subsidy"]
    assert (rent["amount"], rent["per"], rent["periods"], rent["total"]) == (
        "3000.00",
        "month",
        60,
        "180000.00",
    )
    assert rent["citation"]["document"] == "石字〔2021〕7号"
    assert money["sjz.b.purchase_subsidy"]["amount"] == "300000.00"
    assert money["sjz.b.purchase_subsidy"]["condition"]
    assert money["sjz.b.settlement_allowance"]["amount"] == "50000.00"
    assert "sjz.county.rent_subsidy" not in money
    for line in money.values():
        assert line["citation"]["document"] and line["citation"]["quote"]


def test_query_date_overrides_profile(live_server: LiveServer) -> None:
    profile = doctor()
    profile["employment"]["start_date"] = "2019-07-01"
    response = httpx.post(
        f"{live_server.url}/api/v1/entitlements", params={"on": "2020-06-01"}, json=profile
    )
    money = money_of(response.json())
    assert money["sjz.b.rent_subsidy"]["amount"] == "2000.00"
    assert money["sjz.b.purchase_subsidy"]["amount"] == "150000.00"
    assert response.json()["on"] == "2020-06-01"
    # the document in force on the day asked is cited, not the 2021 one that raised the amounts
    assert money["sjz.b.rent_subsidy"]["citation"]["document"] == "石办字〔2017〕39号"
    assert money["sjz.b.purchase_subsidy"]["citation"]["document"] == "石办字〔2017〕39号"


def test_a_card_finance_text_shows_its_conflict_and_asks_the_administrator(
    live_server: LiveServer,
) -> None:
    profile = doctor()
    profile["person"]["honors"] = ["academician_cae"]
    response = httpx.post(
        f"{live_server.url}/api/v1/entitlements", params={"on": "2023-03-01"}, json=profile
    )
    result = response.json()
    finance = next(b for b in result["benefits"] if b["id"] == "sjz.a.service.finance")
    assert "5000 万元" in finance["citation"]["quote"]
    assert "5000万元" in finance["note"] and "1000万元" in finance["note"]
    assert "5‰" in finance["note"] and "待裁定" in finance["note"]
    pending = [
        n for n in result["needs_administrator"] if n["parameter"] == "a_card.finance_figures"
    ]
    assert [n["benefit"] for n in pending] == ["sjz.a.service.finance"]
    # the other service items carry no such note
    assert all("note" not in b for b in result["benefits"] if b["id"] == "sjz.a.service.customs")
    # the calculator page shows the conflict beside the text
    page = httpx.post(
        live_server.url + "/calculator",
        data={
            "birth_date": "1970-01-01",
            "honors": "academician_cae",
            "county": "130102",
            "employer_type": "enterprise",
            "introduced_from": "outside_city",
            "start_date": "2024-07-01",
        },
    )
    assert page.status_code == 200, page.text
    assert 'data-disputed="sjz.a.service.finance"' in page.text
    assert "石字〔2021〕7号第13条" in page.text


def test_invalid_profile_is_a_structured_error(live_server: LiveServer) -> None:
    profile = doctor()
    profile["person"]["birth_date"] = "1994-02-30"
    profile["person"]["honors"] = ["not_an_honor"]
    profile["employment"]["county"] = "999999"
    response = httpx.post(f"{live_server.url}/api/v1/entitlements", json=profile)
    assert response.status_code == 422
    fields = {e["field"]: e for e in response.json()["errors"]}
    assert set(fields) == {"person.birth_date", "person.honors.0", "employment.county"}
    assert fields["employment.county"]["code"] == "unknown_code"
    assert "县" in fields["employment.county"]["message"]


def test_malformed_json_is_a_structured_error(live_server: LiveServer) -> None:
    response = httpx.post(
        f"{live_server.url}/api/v1/entitlements",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "(body)"


def test_catalogue_only_jurisdiction_and_early_date(live_server: LiveServer) -> None:
    response = httpx.post(
        f"{live_server.url}/api/v1/entitlements", json=doctor(jurisdiction="cangzhou")
    )
    assert response.status_code == 200
    body = response.json()
    assert body["cards"] == [] and body["benefits"] == []
    assert "cz.lion_city_card" in {c["id"] for c in body["catalogued"]}
    assert "主管部门" in body["note"]
    early = httpx.post(
        f"{live_server.url}/api/v1/entitlements",
        json=doctor(jurisdiction="jinzhou", on="2022-12-31"),
    )
    assert early.status_code == 422 and early.json()["errors"][0]["code"] == "before_policy"
    response = httpx.post(f"{live_server.url}/api/v1/entitlements", json=doctor(on="2016-05-01"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "on"


def test_openapi_documents_the_endpoint(live_server: LiveServer) -> None:
    spec = httpx.get(f"{live_server.url}/api/openapi.json").json()
    operation = spec["paths"]["/api/v1/entitlements"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert "person" in schema["properties"] and "jurisdiction" in schema["required"]
    assert "422" in operation["responses"]
    docs = httpx.get(f"{live_server.url}/api/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_profile_schema_endpoint(live_server: LiveServer) -> None:
    schema = httpx.get(f"{live_server.url}/api/v1/schemas/profile").json()
    county = schema["$defs"]["Employment"]["properties"]["county"]
    assert "130102" in str(county)


def test_home_links_to_calculator(live_server: LiveServer) -> None:
    home = httpx.get(live_server.url + "/")
    assert home.status_code == 200
    assert 'href="/calculator"' in home.text
    page = httpx.get(live_server.url + "/calculator")
    assert "政策计算器" in page.text


def test_calculator_form_rejects_bad_date_in_chinese(live_server: LiveServer) -> None:
    response = httpx.post(
        live_server.url + "/calculator",
        data={"birth_date": "1994-13-40", "degree": "doctorate", "full_time": "on"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "出生日期" in response.text and "日期格式应为" in response.text


def test_a_period_across_the_2021_raise_is_explained_in_the_api_and_on_the_page(
    live_server: LiveServer,
) -> None:
    """石字〔2021〕7号 第4条 "每月享受的房租补助由2000元提高到3000元": a doctor who came in
    July 2020 is told how the months before February 2021 are paid (decision 0317)."""
    profile = doctor(on="2022-06-01")
    profile["employment"]["start_date"] = "2020-07-01"
    response = httpx.post(f"{live_server.url}/api/v1/entitlements", json=profile, timeout=30)
    assert response.status_code == 200, response.text
    rent = money_of(response.json())["sjz.b.rent_subsidy"]
    assert rent["total"] == "180000.00" and rent["paid_by_period"]["total"] == "173000.00"
    page = httpx.post(
        live_server.url + "/calculator",
        data={
            "birth_date": "1994-03-02",
            "degree": "doctorate",
            "full_time": "on",
            "graduation_date": "2020-06-30",
            "start_date": "2020-07-01",
            "school_tags": "double_first_class",
            "county": "130102",
            "employer_type": "enterprise",
            "introduced_from": "outside_city",
            "mode": "full_time",
            "social_insurance_local": "on",
            "on": "2022-06-01",
        },
        headers={"HX-Request": "true"},
        timeout=30,
    )
    assert page.status_code == 200, page.text
    assert "data-paid-by-period" in page.text and "按期合计173000.00元" in page.text


def test_unit_facts_of_the_leading_industry_rules_over_http(live_server: LiveServer) -> None:
    """石政办函〔2021〕42号: a unit's facts give exact shares, capped, and refuse bad figures."""
    profile = {
        "jurisdiction": "shijiazhuang",
        "employment": {"employer_type": "enterprise", "county": "130102"},
        "unit": {
            "sector": "biomedicine",
            "rd_headquarters": True,
            "rd_spending_last_year": 16666666,
            "recognised_as": "biomedicine",
            "boiler_gas_bill": 123457,
        },
    }
    url = f"{live_server.url}/api/v1/entitlements"
    response = httpx.post(url, params={"on": "2023-05-01"}, json=profile, timeout=30)
    assert response.status_code == 200
    money = money_of(response.json())
    assert money["sjz.industry42.rd_headquarters"]["amount"] == "4999999.80"
    assert money["sjz.industry42.rd_headquarters"]["target"] == "employer"
    assert money["sjz.industry42.steam"]["amount"] == "29629.68"  # 123457 × 1.2 × 20 %
    assert money["sjz.industry42.steam"]["citation"]["document"] == "石政办函〔2021〕42号"
    assert response.json()["cards"] == []

    profile["unit"]["rd_spending_last_year"] = "1666.5"
    profile["unit"]["steam_bill"] = -1
    profile["unit"]["main_revenue"] = 10**14
    refused = httpx.post(url, json=profile, timeout=30)
    assert refused.status_code == 422
    fields = {e["field"]: e["message"] for e in refused.json()["errors"]}
    assert set(fields) == {"unit.rd_spending_last_year", "unit.steam_bill", "unit.main_revenue"}
    assert all(message for message in fields.values())


def test_a_unit_is_answered_with_what_it_claims_not_every_award_to_units(
    live_server: LiveServer,
) -> None:
    """Decision 0378: an employer's query lists what it may receive, what it claims and is
    refused (why), and what one more fact would decide; not the awards it never claimed."""
    url = f"{live_server.url}/api/v1/entitlements"
    unit = {
        "jurisdiction": "shijiazhuang",
        "employment": {"employer_type": "enterprise", "county": "130102"},
        "unit": {},
    }
    # 2022-06-01: before 石工总字〔2022〕11号 (2022-12-21) and 石政办发〔2022〕6号's undated issue;
    # the unit states nothing, so nothing is "不符合" or "尚未施行" for it
    response = httpx.post(url, params={"on": "2022-06-01"}, json=unit, timeout=30)
    assert response.status_code == 200
    assert response.json()["not_eligible"] == []
    assert response.json()["benefits"] == []
    # 石字〔2021〕7号 第5条 "对新评定的市级技能大师工作室给予10万元支持"; 石工总字〔2022〕11号
    # 第十六条 "市总工会对评定命名的市级创新工作室一次性给予 5000 元资金补助", not yet in force
    unit["unit"] = {"new_city_master_studio": True, "new_city_innovation_studio": True}
    unit["employment"].pop("county")  # one fact short: where the unit is
    response = httpx.post(url, params={"on": "2022-06-01"}, json=unit, timeout=30)
    result = response.json()
    assert [e["id"] for e in result["needs_information"]] == ["sjz.unit.master_studio"]
    assert result["needs_information"][0]["fields"] == ["employment.county"]
    assert [e["id"] for e in result["not_eligible"]] == ["sjz.unit.innovation_studio_grant"]
    assert "尚未施行" in result["not_eligible"][0]["why_not"][0]
    unit["employment"]["county"] = "130102"
    response = httpx.post(url, params={"on": "2022-06-01"}, json=unit, timeout=30)
    assert money_of(response.json())["sjz.unit.master_studio"]["amount"] == "100000.00"


def test_amounts_from_what_was_paid_over_http(live_server: LiveServer) -> None:
    """Paid figures (decisions 0116-0118): exact shares over HTTP; bad figures refused by field."""
    profile = doctor()
    profile["employment"]["employer_type"] = "self_employed"
    profile["person"]["startup_social_insurance_paid"] = 12345
    profile["person"]["instrument_sharing_fees"] = 8001
    url = f"{live_server.url}/api/v1/entitlements"
    response = httpx.post(url, params={"on": "2026-11-23"}, json=profile, timeout=30)
    assert response.status_code == 200
    money = money_of(response.json())
    assert money["sjz.b.social_insurance_subsidy"]["amount"] == "12345.00"
    assert money["sjz.b.social_insurance_subsidy"]["total"] == "37035.00"  # 3 years
    assert money["sjz.b.instrument_sharing"]["amount"] == "4000.50"  # 50 % of 8001

    unit = {
        "jurisdiction": "shijiazhuang",
        "employment": {"employer_type": "enterprise", "county": "130102"},
        "unit": {"apprentices_intermediate": 7, "apprentices_technician": 2},
    }
    response = httpx.post(url, params={"on": "2024-03-01"}, json=unit, timeout=30)
    assert response.status_code == 200
    money = money_of(response.json())
    assert money["sjz.skills.apprenticeship_intermediate"]["amount"] == "35000.00"  # 7 × 5000
    assert money["sjz.apprentice2022.technician_subsidy"]["amount"] == "12000.00"

    profile["person"]["startup_social_insurance_paid"] = "12345.5"
    profile["person"]["city_revenue_contribution"] = -1
    profile["employment"]["employer_two_leading_industries"] = "maybe"
    unit["unit"]["apprentices_advanced"] = 100001
    refused = httpx.post(url, json=profile, timeout=30)
    assert refused.status_code == 422
    fields = {e["field"]: e["message"] for e in refused.json()["errors"]}
    assert set(fields) == {
        "person.startup_social_insurance_paid",
        "person.city_revenue_contribution",
        "employment.employer_two_leading_industries",
    }
    assert all(message for message in fields.values())
    refused = httpx.post(url, json=unit, timeout=30)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["unit.apprentices_advanced"]
    assert "不超过 100000" in refused.json()["errors"][0]["message"]


def test_an_amount_the_texts_leave_open_reads_the_same_in_the_api_and_the_page(
    live_server: LiveServer,
) -> None:
    # 石办字〔2017〕45号 三（八）: "市级财政参照国家和省确定的标准给予一定奖励" (decision 0331)
    profile = {
        "jurisdiction": "shijiazhuang",
        "on": "2019-06-01",
        "person": {"birth_date": "1990-05-01", "honors": ["worldskills_bronze"]},
        "employment": {"employer_type": "enterprise", "county": "130102"},
    }
    response = httpx.post(f"{live_server.url}/api/v1/entitlements", json=profile)
    assert response.status_code == 200, response.text
    (pending,) = response.json()["needs_administrator"]
    assert pending["note"] == "金额待主管部门明确"
    assert pending["citation"]["document"] == "石办字〔2017〕45号"
    page = httpx.post(
        live_server.url + "/calculator",
        data={
            "birth_date": "1990-05-01",
            "honors": "worldskills_bronze",
            "county": "130102",
            "employer_type": "enterprise",
            "on": "2019-06-01",
        },
    )
    assert page.status_code == 200, page.text
    assert 'data-pending="skills.worldskills.bronze"' in page.text
    assert "金额待主管部门明确" in page.text and "石办字〔2017〕45号" in page.text
    assert "管理员" not in page.text.split('id="pending"')[1].split("</ul>")[0]
