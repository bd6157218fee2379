"""The calculator page (政策计算器): a form in Simplified Chinese, the result with citations.

Works without JavaScript (a plain form post renders the whole page); with HTMX the result alone
is swapped in. The form is turned into a contract profile here; the rules live in rencai.policy.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData, UploadFile

from rencai import clock
from rencai.policy.calculator import entitlements
from rencai.policy.cities import default_code
from rencai.policy.contract.profile import FieldError, ProfileError, parse_profile
from rencai.policy.contract.vocabulary import vocabulary
from rencai.web.templating import templates

router = APIRouter(include_in_schema=False)

PER = {"month": "元/月", "year": "元/年", "once": "元（一次性）"}

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
    degree = _text(form, "degree")
    if degree:
        entry: dict[str, Any] = {
            "degree": degree,
            "full_time": _checked(form, "full_time"),
            "school_tags": [t for t in form.getlist("school_tags") if isinstance(t, str)],
        }
        for key in ("school", "discipline"):
            if value := _text(form, key):
                entry[key] = value
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
    return templates.TemplateResponse(request, name, {**form_options(), **context})


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
        context["form_lists"] = {"school_tags": [v for k, v in given if k == "school_tags"]}
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
        result = entitlements(parse_profile(profile_from_form(form)))
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
