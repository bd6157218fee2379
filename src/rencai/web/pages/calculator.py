"""The calculator page (政策计算器): a form in Simplified Chinese, the result with citations.

Works without JavaScript (a plain form post renders the whole page); with HTMX the result alone
is swapped in. The form is turned into a contract profile here; the rules live in rencai.policy.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData, UploadFile

from rencai import clock
from rencai.db.session import database_url, session_scope
from rencai.policy.calculator import entitlements
from rencai.policy.cities import default_code
from rencai.policy.contract.profile import FieldError, ProfileError, parse_profile
from rencai.policy.contract.questions import field_label, question_of
from rencai.policy.contract.vocabulary import vocabulary
from rencai.policy.engine.system import system_for
from rencai.registry.accounts import profile_facts
from rencai.shortage.service import kept_occupation_fact
from rencai.web.admission import admitted
from rencai.web.deps import SESSION_COOKIE
from rencai.web.templating import templates

router = APIRouter(include_in_schema=False)

PER = {"month": "元/月", "year": "元/年", "once": "元（一次性）"}
PER_SHORT = {"month": "/月", "year": "/年", "once": ""}
PERIOD_NAMES = {"month": "按月发放", "year": "按年发放"}

# What the result asks for, as the question a person answers, with the form input that answers
# it (the page links to it). Fields the engine names in Chinese elsewhere fall back to that name;
# a path is never shown.
QUESTIONS: dict[str, tuple[str, str | None]] = {
    "person.birth_date": ("出生日期", "birth_date"),
    "person.education": ("最高学历学位", "degree"),
    "person.education.full_time": ("是否全日制学历", "degree"),
    "person.education.graduation_date": ("毕业日期", "graduation_date"),
    "person.invention_patents": ("国家授权发明专利数", "invention_patents"),
    "person.postdoc_in_station": ("是否在站博士后研究人员", "postdoc_in_station"),
    "person.national_class1_competition_place": (
        "代表河北省参加国家一类技能竞赛的名次",
        "national_class1_competition_place",
    ),
    "person.unemployment_insurance_months": (
        "累计缴纳失业保险费多少个月",
        "unemployment_insurance_months",
    ),
    "person.skill_certificate": ("取得的职业资格或职业技能等级证书", "skill_certificate"),
    "person.skill_certificate_date": ("取得证书的日期", "skill_certificate_date"),
    "person.startup_social_insurance_paid": (
        "自主创业后申报年度本人实际缴纳的社会保险费（元）",
        "startup_social_insurance_paid",
    ),
    "person.instrument_sharing_fees": (
        "利用大型仪器设备共享平台测试检测的实际支出（元）",
        "instrument_sharing_fees",
    ),
    "person.city_revenue_contribution": (
        "申报年度工资薪金收入对市及以下财政的贡献（元）",
        "city_revenue_contribution",
    ),
    "employment.annual_salary": ("年工资薪金收入（元）", "annual_salary"),
    "employment.employer_tax_last_year": ("用人单位上年度纳税额（元）", "employer_tax_last_year"),
    "employment.employer_type": ("单位类型", "employer_type"),
    "employment.county": ("工作所在县（市、区）", "county"),
    "employment.introduced_from": ("从哪里引进（市外、国（境）外或本地培育）", "introduced_from"),
    "employment.start_date": ("到本市工作或创业的日期", "start_date"),
    "employment.social_insurance_local": ("是否在本地缴纳社会保险", "social_insurance_local"),
    "employment.employer_two_leading_industries": (
        "用人单位是否属于新一代电子信息产业或生物医药产业",
        "employer_two_leading_industries",
    ),
    "family": ("家庭成员（配偶、父母）", "has_spouse"),
}


def question(path: str) -> dict[str, str | None]:
    """The Chinese question answering a field the result needs, and the input to fill."""
    if path in QUESTIONS:
        text, anchor = QUESTIONS[path]
        return {"text": text, "anchor": anchor}
    # the one mapping of every field to its Chinese name (policy/contract/questions.py)
    label = field_label(path) if question_of(path) is not None else "其他申报信息"
    return {"text": label, "anchor": None}


def _loser_citations(result: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """(document, clause) of every money item 就高 has ruled out → what it lost to."""
    try:
        program = system_for(result["jurisdiction"]).program
    except KeyError:  # a city whose rules are only catalogued
        return {}
    names = {b["id"]: b["name"] for b in result.get("benefits", [])}
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for group in result.get("exclusivity", []):
        winner = group.get("winner")
        for candidate in group.get("candidates", []):
            if candidate["id"] == winner:
                continue
            try:
                citation = program.benefit(candidate["id"]).citation
            except (KeyError, StopIteration, ValueError):
                continue
            if citation is None:
                continue
            out[(citation.document, citation.clause)] = {
                "winner": names.get(winner, "待遇较高的一项"),
                "label": group.get("label", ""),
            }
    return out


def presented(result: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the result page shows beyond the contract's answer: money totals, the service items
    once each (a city card and a county card list the same items), items 就高 ruled out apart,
    and the missing facts as questions."""
    if result is None:
        return None
    money = [b for b in result["benefits"] if b.get("kind") == "money"]
    once = sum((Decimal(m["total"]) for m in money if m.get("per") == "once"), Decimal(0))
    periodic: list[dict[str, Any]] = []
    for per in ("month", "year"):
        rows = [m for m in money if m.get("per") == per]
        if rows:
            periodic.append(
                {
                    "name": PERIOD_NAMES[per],
                    "per": PER_SHORT[per],
                    "amount": sum((Decimal(m["amount"]) for m in rows), Decimal(0)),
                    "total": sum((Decimal(m["total"]) for m in rows), Decimal(0)),
                    "periods": max(int(m.get("periods") or 0) for m in rows),
                }
            )
    grand = sum((Decimal(m["total"]) for m in money), Decimal(0))
    card_names = {c["id"]: c["name"] for c in result.get("cards", []) if not c.get("holder")}
    card_names.update(
        {n["id"]: n["name"] for n in result.get("not_eligible", []) if n["id"] not in card_names}
    )
    ruled_out = _loser_citations(result)
    services: dict[str, dict[str, Any]] = {}
    excluded: list[dict[str, Any]] = []
    for s in result["benefits"]:
        if s.get("kind") != "service":
            continue
        key = (s["citation"]["document"], s["citation"]["clause"])
        if key in ruled_out:
            excluded.append({"name": s["name"], "citation": s["citation"], **ruled_out[key]})
            continue
        entry = services.setdefault(
            s["name"], {"name": s["name"], "ids": [], "sources": [], "notes": []}
        )
        entry["ids"].append(s["id"])
        entry["sources"].append(
            {"card": card_names.get(s.get("card") or "", ""), "citation": s["citation"]}
        )
        if s.get("note"):
            entry["notes"].append({"id": s["id"], "text": s["note"]})
    needs = [
        {**n, "questions": [question(f) for f in n.get("fields", [])]}
        for n in result.get("needs_information", [])
    ]
    cards: list[dict[str, Any]] = []
    for card in result.get("cards", []):
        holder = card.get("holder") or {}
        same = next(
            (
                c
                for c in cards
                if holder
                and not holder.get("name")
                and c["card"]["id"] == card["id"]
                and (c["card"].get("holder") or {}) == holder
            ),
            None,
        )
        if same is not None:  # two parents: one 副卡 each, shown once with the number
            same["count"] += 1
        else:
            cards.append({"card": card, "count": 1})
    return {
        "cards": cards,
        "money_total": {
            "once": once,
            "has_once": any(m.get("per") == "once" for m in money),
            "periodic": periodic,
            "grand": grand,
            "capped": any(m.get("cap") for m in money),
        },
        "services": list(services.values()),
        "excluded_services": excluded,
        "needs": needs,
    }


# Demo talents (示例): form values a visitor can load with /calculator?example=<key>.
_ARRIVED = {"introduced_from": "outside_city", "social_insurance_local": "on", "full_time": "on"}
EXAMPLES: dict[str, tuple[str, dict[str, str]]] = {
    "doctor": (
        "博士，长安区企业，2024年到本市",
        {
            **_ARRIVED,
            "birth_date": "1994-03-02",
            "degree": "doctorate",
            "school_tags": "double_first_class",
            "employer_type": "enterprise",
            "county": "130102",
            "start_date": "2024-07-01",
            "has_spouse": "on",
            "parents": "2",
        },
    ),
    "master_county": (
        "普通高校全日制硕士，平山县事业单位",
        {
            **_ARRIVED,
            "birth_date": "1997-09-15",
            "degree": "master",
            "employer_type": "public_institution",
            "county": "130131",
            "start_date": "2025-03-01",
        },
    ),
    "academician": (
        "中国工程院院士，柔性引进到高新区",
        {
            **_ARRIVED,
            "birth_date": "1962-01-20",
            "degree": "doctorate",
            "honors": "academician_cae",
            "employer_type": "enterprise",
            "county": "sjz-hitech",
            "mode": "flexible",
            "start_date": "2023-05-01",
            "has_spouse": "on",
        },
    ),
    "engineer_37": (
        "37岁双一流硕士（超过B卡年龄）、中级职称，鹿泉区企业",
        {
            **_ARRIVED,
            "birth_date": "1989-02-01",
            "degree": "master",
            "school_tags": "double_first_class",
            "professional_title": "intermediate",
            "employer_type": "enterprise",
            "county": "130110",
            "start_date": "2024-01-01",
        },
    ),
}


def form_options() -> dict[str, Any]:
    v = vocabulary()
    counties = list(v.counties.values())
    return {
        "jurisdictions": v.codes("jurisdiction"),
        "default_jurisdiction": default_code(),
        "degrees": v.codes("degree"),
        "school_tags": v.codes("school_tag"),
        "titles": v.codes("professional_title"),
        "skills": v.codes("skill_level"),
        "honors": v.codes("honor"),
        "recognitions": v.codes("recognition"),
        "employer_types": v.codes("employer_type"),
        "counties": counties,
        "groups": v.codes("county_group"),
    }


def _text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _checked(form: FormData, name: str) -> bool:
    return form.get(name) in {"on", "true", "1", "yes"}


def profile_from_form(form: FormData) -> dict[str, Any]:
    """The contract profile a form describes; empty fields are left out (→ needs information)."""
    person: dict[str, Any] = {
        "professional_title": _text(form, "professional_title") or "none",
        "skill_level": _text(form, "skill_level") or "none",
        "shortage_occupation": _checked(form, "shortage_occupation"),
        "occupation": _text(form, "occupation"),
        "honors": [h for h in form.getlist("honors") if isinstance(h, str)],
        "recognitions": [r for r in form.getlist("recognitions") if isinstance(r, str)],
        "patents_commercialised_locally": _checked(form, "patents_commercialised_locally"),
        "management": {
            "provincial_honor": _checked(form, "provincial_honor"),
            "china500_middle_manager": _checked(form, "china500_middle_manager"),
            "leads_above_scale_enterprise": _checked(form, "leads_above_scale_enterprise"),
        },
    }
    if birth := _text(form, "birth_date"):
        person["birth_date"] = birth
    if number := _text(form, "id_number"):
        person["id_number"] = number
    if patents := _text(form, "invention_patents"):
        person["invention_patents"] = patents
    if _checked(form, "postdoc_in_station"):
        person["postdoc_in_station"] = True
    for key in (
        "national_class1_competition_place",
        "unemployment_insurance_months",
        "skill_certificate",
        "skill_certificate_date",
        "startup_social_insurance_paid",
        "instrument_sharing_fees",
        "city_revenue_contribution",
    ):
        if value := _text(form, key):
            person[key] = value
    degree = _text(form, "degree")
    if degree:
        entry: dict[str, Any] = {
            "degree": degree,
            "full_time": _checked(form, "full_time"),
            "school_tags": [t for t in form.getlist("school_tags") if isinstance(t, str)],
        }
        for key in ("school", "discipline", "graduation_date"):
            if value := _text(form, key):
                entry[key] = value
        if _checked(form, "overseas"):
            entry["overseas"] = True
        person["education"] = [entry]
    if award_level := _text(form, "award_level"):
        grade = _text(form, "award_grade") or "1"
        person["science_awards"] = [
            {
                "level": award_level,
                "kind": _text(form, "award_kind") or "progress",
                "grade": grade if grade == "special" else int(grade),
                "rank": _text(form, "award_rank") or "1",
            }
        ]
    employment: dict[str, Any] = {
        "employer_leading_industry": _checked(form, "employer_leading_industry"),
        "employer_high_tech": _checked(form, "employer_high_tech"),
        "employer_two_leading_industries": _checked(form, "employer_two_leading_industries"),
        "mode": _text(form, "mode") or "full_time",
        "social_insurance_local": _checked(form, "social_insurance_local"),
    }
    for key in (
        "employer_type",
        "county",
        "introduced_from",
        "start_date",
        "annual_salary",
        "employer_tax_last_year",
    ):
        if value := _text(form, key):
            employment[key] = value
    family: list[dict[str, Any]] = []
    if _checked(form, "has_spouse"):
        family.append({"relation": "spouse", "employed": not _checked(form, "spouse_unemployed")})
    parents = _text(form, "parents") or "0"
    if parents not in ("0", "1", "2"):  # a select of 0-2; never build a list from a raw number
        raise ProfileError([FieldError("family", "父母人数应为0、1或2", "literal_error")])
    family += [{"relation": "parent"} for _ in range(int(parents))]
    profile: dict[str, Any] = {
        "jurisdiction": _text(form, "jurisdiction") or default_code(),
        "person": person,
        "employment": employment,
        "family": family,
    }
    if _checked(form, "housing"):
        size = _text(form, "household_size") or "1"
        profile["housing"] = {
            "resides_in_main_city": _checked(form, "resides_in_main_city"),
            "owns_property_in_main_city": _checked(form, "owns_property_in_main_city"),
            "household_size": int(size) if size.isdigit() else size,
            "lease_filed": _checked(form, "lease_filed"),
            "in_kind_allocation": _checked(form, "in_kind_allocation"),
        }
    if on := _text(form, "on"):
        profile["on"] = on
    return profile


def _render(request: Request, context: dict[str, Any], partial: bool) -> HTMLResponse:
    name = "calculator_result.html" if partial else "calculator.html"
    context = {
        **form_options(),
        **context,
        "view": presented(context.get("result")),
        "per_short": PER_SHORT,
        "signed_in": SESSION_COOKIE in request.cookies,
    }
    return templates.TemplateResponse(request, name, context)


def _supply_facts(url: str, profile: dict[str, Any]) -> None:
    with session_scope(url) as session:
        profile_facts.fire(session, profile)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    examples = {key: label for key, (label, _) in EXAMPLES.items()}
    return templates.TemplateResponse(request, "home.html", {"examples": examples})


# form fields a link may pre-fill (/calculator?degree=master&county=130123…, e.g. from 云骥)
PREFILL = frozenset(
    {
        "jurisdiction",
        "on",
        "birth_date",
        "degree",
        "full_time",
        "school_tags",
        "employer_type",
        "county",
        "introduced_from",
        "social_insurance_local",
        "mode",
        "start_date",
        "professional_title",
        "skill_level",
        "honors",
    }
)


@router.get("/calculator", response_class=HTMLResponse)
def calculator_form(request: Request, example: str | None = None) -> HTMLResponse:
    form = {"on": clock.today().isoformat()}
    context: dict[str, Any] = {"form": form, "result": None, "errors": [], "per": PER}
    given: list[tuple[str, str | UploadFile]] = [
        (k, v) for k, v in request.query_params.multi_items() if k in PREFILL
    ]
    if example not in EXAMPLES and given:
        form.update({k: str(v) for k, v in given})
        context["form_lists"] = {
            name: [v for k, v in given if k == name] for name in ("school_tags", "honors")
        }
        try:
            context["result"] = entitlements(parse_profile(profile_from_form(FormData(given))))
        except ProfileError as exc:
            context["errors"] = [{"field": e.label, "message": e.message} for e in exc.errors]
        except ValueError:
            context["errors"] = [{"field": "表单内容", "message": "链接中的信息有误，请在下方修改"}]
    if example in EXAMPLES:
        values = EXAMPLES[example][1]
        form.update(values)
        multi = FormData([*form.items()])
        context["form_lists"] = {
            k: [values[k]] for k in ("honors", "recognitions", "school_tags") if k in values
        }
        context["result"] = entitlements(parse_profile(profile_from_form(multi)))
    return _render(request, context, partial=False)


@router.post("/calculator", response_class=HTMLResponse)
async def calculator_submit(request: Request) -> HTMLResponse:
    form = await request.form()
    partial = request.headers.get("HX-Request") == "true"
    result, errors = None, []
    try:
        profile = profile_from_form(form)
        # facts the platform supplies (the published 急需紧缺工种, decision 0186), as for a
        # stored profile: from the names this process keeps, else read (decision 0242)
        url = database_url()
        if not kept_occupation_fact(url, profile):
            async with admitted(url):
                await run_in_threadpool(_supply_facts, url, profile)
        result = entitlements(parse_profile(profile))
    except ProfileError as exc:
        errors = exc.errors
    except ValueError:
        errors = [FieldError("(form)", "表单内容有误，请检查后重新提交", "form")]
    context = {
        "form": {k: v for k, v in form.multi_items()},
        "form_lists": {k: form.getlist(k) for k in ("honors", "recognitions", "school_tags")},
        "result": result,
        "errors": [{"field": e.label, "message": e.message} for e in errors],
        "per": PER,
    }
    status = 422 if errors else 200
    response = _render(request, context, partial)
    response.status_code = status
    return response
