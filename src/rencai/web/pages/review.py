"""Pages for the review workflow: the public notice (公示) with objections, bulk approval,
objection handling and post-hoc checks, administration, and the employer's HR page."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import uuid
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from starlette.datastructures import FormData

from rencai import clock
from rencai.applications.automatic import check
from rencai.applications.bulk import bulk_approve
from rencai.applications.errors import stale_case
from rencai.applications.models import Application, Objection
from rencai.applications.programs import (
    NOTICE_UNITS,
    STEP_LABELS,
    SettingsError,
    all_settings,
    configure,
    limit_views,
    load_seeded,
    program_names,
    view,
)
from rencai.applications.publicity import (
    UNDER_NOTICE,
    NoticeError,
    handle_objection,
    lodge_objection,
    public_view,
    under_notice,
)
from rencai.applications.requirements import all_required, set_required
from rencai.applications.requirements import view as required_view
from rencai.applications.service import (
    ApplicationError,
    apply,
    case_or_404,
    confirm_employment,
    visible,
    visible_case,
)
from rencai.applications.views import case_view
from rencai.calendar.models import CalendarDay
from rencai.calendar.service import add_local_closure
from rencai.cards.points import POINT_LABELS
from rencai.errors import Refusal
from rencai.policy.calculator import entitlements
from rencai.policy.contract.profile import ProfileError, parse_profile
from rencai.policy.contract.vocabulary import vocabulary
from rencai.policy.procedures import DEPARTMENTS
from rencai.registry.administration import (
    DATA_SOURCES,
    STAFF_ROLES,
    accounts,
    finance_cities,
    reset_password,
    unlock,
    update_staff,
)
from rencai.registry.employers import is_hr, staff_member, staff_of
from rencai.registry.identifiers import mask_id_number
from rencai.registry.models import ROLE_LABELS, Account, Employer, Role, TalentProfile
from rencai.web.api.administration import NewStaff, account_view, create_any
from rencai.web.deps import DbSession, MaybeAccount, PageAccount, require_page
from rencai.web.errors import status_of
from rencai.web.limits import form_int, form_version
from rencai.web.templating import message as _message
from rencai.web.templating import page as _page

router = APIRouter(include_in_schema=False)
Db = DbSession
Admin = Annotated[Account, Depends(require_page(Role.admin, message="系统管理仅供管理员使用"))]
HR = Annotated[Account, Depends(require_page(is_hr, message="本页面仅供用人单位经办人使用"))]


@contextlib.contextmanager
def stale_as_refusal() -> Iterator[None]:
    """Someone else changed the case meanwhile: the refusal ``stale_version`` (409)."""
    try:
        yield
    except StaleDataError:
        raise stale_case() from None


# --- 公示 (public, no login) -------------------------------------------------------------------


def _notices_page(
    request: Request,
    session: Session,
    account: Account | None,
    error: str | None = None,
    done: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    items = [public_view(a, t) for a, t in under_notice(session)]
    context = {"items": items, "error": error, "done": done, "signed_in": account is not None}
    return _page(request, "notices.html", context, status)


@router.get("/notices", response_class=HTMLResponse)
def notices(request: Request, account: MaybeAccount, session: Db) -> Response:
    return _notices_page(request, session, account)


@router.post("/notices/{application_id}/objections", response_class=HTMLResponse)
async def object_to(
    request: Request, application_id: int, account: PageAccount, session: Db
) -> Response:
    form = await request.form()
    application = session.get(Application, application_id)
    if application is None or application.status not in UNDER_NOTICE:
        return _message(request, "没有找到该公示", 404)
    try:
        with session.begin_nested():  # a refused objection changes nothing
            lodge_objection(
                session,
                application,
                account,
                str(form.get("contact", "")),
                str(form.get("text", "")),
            )
    except NoticeError as exc:
        return _notices_page(request, session, account, error=exc.message, status=status_of(exc))
    done = f"已收到您对公示第 {application_id} 号的异议，经办部门将核查处理。"
    return _notices_page(request, session, account, done=done)


# --- reviewers -----------------------------------------------------------------------------------


@router.post("/review/bulk-approve", response_class=HTMLResponse)
async def bulk(request: Request, account: PageAccount, session: Db) -> Response:
    form = await request.form()
    items = []
    for value in form.getlist("case"):
        case_id, _, version = str(value).partition(":")
        if case_id.isdigit() and version.isdigit():
            items.append((int(case_id), int(version)))
    outcomes = bulk_approve(session, account, items)
    return _page(request, "bulk_result.html", {"outcomes": outcomes})


@router.post("/objections/{objection_id}/decision", response_class=HTMLResponse)
async def objection_decision(
    request: Request, objection_id: int, account: PageAccount, session: Db
) -> Response:
    objection = session.get(Objection, objection_id)
    if objection is None:
        return _message(request, "没有找到该异议", 404)
    form = await request.form()
    decision, reason = str(form.get("decision", "")), str(form.get("reason", "")) or None
    bad_faith = form.get("bad_faith") == "on"
    with stale_as_refusal():
        handle_objection(
            session, account, objection, decision, reason, form_version(form), bad_faith
        )
    return RedirectResponse(f"/applications/{objection.application_id}", status_code=303)


@router.post("/applications/{application_id}/post-check", response_class=HTMLResponse)
async def post_check(
    request: Request, application_id: int, account: PageAccount, session: Db
) -> Response:
    application = case_or_404(session, application_id)
    form = await request.form()
    confirmed, reason = form.get("result") == "confirmed", str(form.get("reason", "")) or None
    with stale_as_refusal():
        check(session, account, application, confirmed, reason, form_version(form))
    return RedirectResponse(f"/applications/{application_id}", status_code=303)


# --- administration ------------------------------------------------------------------------------


def local_closures(session: Session) -> list[CalendarDay]:
    today = clock.today()
    return list(
        session.scalars(
            select(CalendarDay)
            .where(CalendarDay.kind == "local", CalendarDay.day >= today)
            .order_by(CalendarDay.day, CalendarDay.county)
        )
    )


def _admin_context(
    session: Session, error: str | None = None, search: str = "", done: str | None = None
) -> dict[str, Any]:
    listed = [a for a in accounts(session) if Role(a.role) not in (Role.talent, Role.employer)]
    staff = [account_view(session, a) for a in listed]
    found = (
        [account_view(session, a) for a in accounts(session, search=search, limit=50)]
        if search
        else []
    )
    reviewers: dict[str, int] = {}
    for account in staff:
        if account["role"] == Role.county_reviewer and account["active"]:
            reviewers[account["county"]] = reviewers.get(account["county"], 0) + 1
    return {
        "reviewers": reviewers,
        "closures": local_closures(session),
        "accounts": staff,
        "found": found,
        "search": search,
        "roles": {r.value: ROLE_LABELS[r] for r in STAFF_ROLES},
        "new_roles": {
            **{r.value: ROLE_LABELS[r] for r in STAFF_ROLES},
            Role.service_point.value: ROLE_LABELS[Role.service_point],
        },
        "cities": finance_cities(),
        "point_kinds": POINT_LABELS,
        "counties": vocabulary().counties,
        # a department officer's department, or the source a department system delivers
        "departments": DEPARTMENTS | DATA_SOURCES,
        "error": error,
        "done": done,
    }


@router.get("/admin", response_class=HTMLResponse)
def admin_home(request: Request, admin: Admin, session: Db, q: str = "") -> Response:
    return _page(request, "admin.html", _admin_context(session, search=q.strip()[:64]))


@router.post("/admin/accounts", response_class=HTMLResponse)
async def admin_create(request: Request, admin: Admin, session: Db) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        with session.begin_nested():
            body = NewStaff(
                username=form.get("username", "").strip()[:64] or "-",
                password=form.get("password", "")[:129] or "-",
                display_name=form.get("display_name", "").strip()[:100] or "-",
                role=form.get("role", "")[:32],
                county=form.get("county", "")[:32] or None,
                department=form.get("department", "")[:32] or None,
                jurisdiction=form.get("jurisdiction", "")[:32] or None,
                point_code=form.get("point_code", "")[:32] or None,
                point_kind=form.get("point_kind", "")[:16] or None,
                must_change_password=form.get("must_change_password") == "on",
            )
            create_any(session, admin, body)
    except ValidationError:
        error = "请填写用户名（3至64个字符）、初始密码和姓名或单位"
        return _page(request, "admin.html", _admin_context(session, error), 422)
    except Refusal as exc:
        return _page(request, "admin.html", _admin_context(session, exc.message), status_of(exc))
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/closures", response_class=HTMLResponse)
async def admin_closure(request: Request, admin: Admin, session: Db) -> Response:
    form = {k: str(v).strip() for k, v in (await request.form()).items()}
    county, name, source = form.get("county", ""), form.get("name", ""), form.get("source", "")
    error = None
    try:
        day = dt.date.fromisoformat(form.get("day", ""))
    except ValueError:
        error = "请填写停工日期（YYYY-MM-DD）"
    if error is None and county not in vocabulary().counties:
        error = "请选择县（市、区）"
    if error is None and not (name and source):
        error = "请填写停工事由和依据"
    if error is None:
        try:
            with session.begin_nested():
                add_local_closure(session, county, day, name[:64], source[:128])
        except ValueError as exc:
            error = str(exc)
    if error is not None:
        return _page(request, "admin.html", _admin_context(session, error), 422)
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/accounts/{account_id}", response_class=HTMLResponse)
async def admin_update(request: Request, account_id: int, admin: Admin, session: Db) -> Response:
    target = session.get(Account, account_id)
    if target is None:
        return _message(request, "没有找到该账号", 404)
    form = {k: str(v) for k, v in (await request.form()).items()}
    done = None
    try:
        with session.begin_nested():
            if form.get("action") == "unlock":
                unlock(session, admin, target)
            elif form.get("action") == "reset":
                reset_password(session, admin, target, form.get("temporary_password", ""))
                done = (
                    f"已重置 {target.username} 的密码：请将临时密码告知本人，其登录后须先修改密码"
                )
            else:
                update_staff(
                    session,
                    admin,
                    target,
                    form.get("role") or None,
                    form.get("county") or None,
                    form.get("department") or None,
                    {"on": True, "off": False}.get(form.get("active", "")),
                    form.get("jurisdiction") or None,
                )
    except Refusal as exc:
        return _page(request, "admin.html", _admin_context(session, exc.message), status_of(exc))
    if done is not None:
        return _page(request, "admin.html", _admin_context(session, done=done))
    return RedirectResponse("/admin", status_code=303)


MAX_STEPS = 4  # review steps offered on the page (the chains the policies state have at most 3)


def _programs_context(session: Session, error: str | None = None) -> dict[str, Any]:
    return {
        "programs": program_names(),
        "max_steps": MAX_STEPS,
        "items": [view(s) for s in all_settings(session)],
        "required": [required_view(r) for r in all_required(session)],
        "limits": limit_views(session),
        "steps": STEP_LABELS,
        "units": NOTICE_UNITS,
        "error": error,
    }


@router.get("/admin/programs", response_class=HTMLResponse)
def admin_programs(request: Request, admin: Admin, session: Db) -> Response:
    return _page(request, "admin_programs.html", _programs_context(session))


@router.post("/admin/programs", response_class=HTMLResponse)
async def admin_configure(request: Request, admin: Admin, session: Db) -> Response:
    form = await request.form()
    if form.get("action") == "load-seeded":
        load_seeded(session)
        return RedirectResponse("/admin/programs", status_code=303)
    days, percent = str(form.get("notice_days", "")), str(form.get("sample_percent", ""))
    try:
        with session.begin_nested():
            configure(
                session,
                admin,
                str(form.get("program", "")),
                chain=_chain(form),
                auto_approve=form.get("auto_approve") == "on",
                sample_percent=form_int(percent),
                notice_required=form.get("notice_required") == "on",
                notice_days=form_int(days),
                notice_unit=str(form.get("notice_unit", "")) or None,
            )
    except SettingsError as exc:
        return _page(
            request, "admin_programs.html", _programs_context(session, exc.message), status_of(exc)
        )
    return RedirectResponse("/admin/programs", status_code=303)


def _chain(form: FormData) -> list[str]:
    """The review steps chosen in order, one select per step (empty ones skipped): the page
    takes steps by name only (decisions 0228, 0250); none chosen is refused as an empty chain."""
    return [str(step) for step in form.getlist("chain_step") if str(step).strip()]


@router.post("/admin/required-materials", response_class=HTMLResponse)
async def admin_required(request: Request, admin: Admin, session: Db) -> Response:
    form = await request.form()
    items = str(form.get("items", "")).replace("、", "\n").splitlines()
    try:
        with session.begin_nested():
            set_required(
                session, admin, str(form.get("program", "")), items, str(form.get("source", ""))
            )
    except ApplicationError as exc:
        return _page(
            request, "admin_programs.html", _programs_context(session, exc.message), status_of(exc)
        )
    return RedirectResponse("/admin/programs", status_code=303)


# --- employers -----------------------------------------------------------------------------------


@router.get("/employer", response_class=HTMLResponse)
def employer_home(request: Request, hr: HR, session: Db) -> Response:
    employer = session.get(Employer, hr.employer_id)
    staff = staff_of(session, hr)
    # the unit's cases: the same visibility rule as everywhere, newest first
    cases = sorted(visible(session, hr), key=lambda a: (a.submitted_at, a.id), reverse=True)
    context = {
        "employer": employer,
        "staff": [
            {
                "id": t.id,
                "name": t.name,
                "id_number": mask_id_number(t.id_number),
                "programs": eligible_programs(t),
            }
            for t in staff
        ],
        "cases": [
            {
                "id": c.id,
                "name": c.program_name,
                "status": c.status,
                "label": c.status_label,
                "by_employer": a.submitted_by is not None,
                "confirmation": c.employer_confirmation,
            }
            for a, c in ((a, case_view(a)) for a in cases)
        ],
        "key": uuid.uuid4().hex,
    }
    return _page(request, "employer.html", context)


@router.post("/employer/applications", response_class=HTMLResponse)
async def employer_apply(request: Request, hr: HR, session: Db) -> Response:
    form = await request.form()
    talent_id = str(form.get("talent_id", ""))
    talent = staff_member(session, hr, form_int(talent_id))
    if talent is None:
        return _message(request, "本单位没有该人才", 404)
    program = str(form.get("program", "")).strip()
    key = str(form.get("key", "")) or uuid.uuid4().hex
    application = apply(session, talent, program, key, hr)
    return RedirectResponse(f"/applications/{application.id}", status_code=303)


@router.post("/applications/{application_id}/employment", response_class=HTMLResponse)
async def employment(request: Request, application_id: int, hr: HR, session: Db) -> Response:
    application = visible_case(session, hr, application_id)  # the unit's own cases only
    if application is None:
        return _message(request, "没有找到该申请", 404)
    form = await request.form()
    confirmed, note = form.get("confirmed") == "yes", str(form.get("note", ""))
    with stale_as_refusal():
        confirm_employment(session, hr, application, confirmed, note)
    return RedirectResponse(f"/applications/{application_id}", status_code=303)


def eligible_programs(talent: TalentProfile) -> list[dict[str, str]]:
    """The programs a talent's profile grants (for the employer's apply-on-behalf choice)."""
    try:
        result = entitlements(parse_profile(json.loads(talent.profile)))
    except ProfileError:
        return []
    granted = [*result["cards"], *result["benefits"], *result["recognitions"], *result["may_apply"]]
    return [{"id": i["id"], "name": i["name"]} for i in granted]
