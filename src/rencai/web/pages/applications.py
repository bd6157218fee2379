"""Case pages: apply from 我的, follow the timeline, and the reviewers' queue and decisions."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from starlette.datastructures import UploadFile as StarletteUploadFile

from rencai import clock
from rencai.applications import automatic
from rencai.applications.bulk import clean_reasons
from rencai.applications.documents import documents
from rencai.applications.journal import ACTION_LABELS, LEVEL_LABELS
from rencai.applications.lists import QUEUES, SORTS, counts
from rencai.applications.materials import MAX_BYTES, Material, materials_of, size_label, store
from rencai.applications.models import Application, Status
from rencai.applications.programs import STEP_LABELS
from rencai.applications.publicity import may_handle, objections_of
from rencai.applications.requirements import missing, required
from rencai.applications.service import (
    OPEN,
    REVIEWERS,
    ApplicationError,
    apply,
    case_or_404,
    decide,
    history,
    is_applicant,
    may_audit,
    may_confirm,
    may_decide,
    may_see_feed_checks,
    may_upload,
    resubmit,
    visible_case,
)
from rencai.applications.steps import REVIEWING
from rencai.applications.views import applicant, case_view
from rencai.policy.contract.display import describe
from rencai.registry.accounts import talent_of
from rencai.registry.employers import may_verify
from rencai.registry.identifiers import mask_name
from rencai.registry.models import ROLE_LABELS, Account, Employer, Role, TalentProfile
from rencai.web import case_list
from rencai.web.api.applications import material_response
from rencai.web.api.feeds import feed_checks
from rencai.web.deps import DbSession, MaybeAccount, PageAccount, require_page
from rencai.web.limits import form_version
from rencai.web.lists import EXPORT_LIMIT, ListQuery, xlsx, xlsx_response
from rencai.web.pages.progress import stepper
from rencai.web.templating import message as _message
from rencai.web.templating import templates

router = APIRouter(include_in_schema=False)


def _case_view(session: Session, application: Application) -> dict[str, object]:
    """The shared case view, worded for the page (office time, step names, masked applicant)."""
    case = case_view(application)
    talent = session.get(TalentProfile, application.talent_id)
    employer = session.get(Employer, application.employer_id) if application.employer_id else None
    shown = {"id", "program_name", "status", "status_label", "county", "version", "precheck"}
    shown |= {"overdue", "notice", "automatic", "post_check"}
    return {
        **case.model_dump(include=shown),
        "applicant": mask_name(talent.name) if talent is not None else "",
        "employer": employer.name if employer is not None else None,
        "submitted_at": clock.display(application.submitted_at),
        "rules_version": application.rules_version,
        "open": application.status in OPEN,
        "due": case.due_date + ("（暂定）" if case.due_provisional else "")
        if case.due_date
        else None,
        "chain": [STEP_LABELS.get(step, step) for step in case.chain],
        "step": STEP_LABELS.get(case.step or "", None),
    }


@router.post("/applications", response_class=HTMLResponse)
async def new_application(request: Request, account: PageAccount, session: DbSession) -> Response:
    talent = talent_of(session, account)
    form = await request.form()
    if talent is None:
        return _message(request, "只有人才本人可以提交申请", 403)
    key = str(form.get("key", "")) or uuid.uuid4().hex
    application = apply(session, talent, str(form.get("program", "")), key)
    return RedirectResponse(f"/applications/{application.id}", status_code=303)


@router.get("/applications/{application_id}", response_class=HTMLResponse)
def case_page(
    request: Request, application_id: int, account: PageAccount, session: DbSession
) -> Response:
    application = visible_case(session, account, application_id)
    if application is None:
        return _message(request, "没有找到该申请", 404)
    steps = [
        {
            "who": LEVEL_LABELS.get(a.level, a.level),
            "what": ACTION_LABELS.get(a.action, a.action),
            "reason": a.reason,
            "at": clock.display(a.at),
        }
        for a in history(session, application)
    ]
    handler = may_handle(account, application)
    context = {
        "case": _case_view(session, application),
        "progress": stepper(application),
        "steps": steps,
        "may_decide": may_decide(account, application),
        # the rules version and the sampling draw are for reviewers and auditors, not applicants
        "audit_view": may_audit(account),
        "objections": objections_of(session, application) if handler else [],
        "may_check": handler and application.post_check == "pending",
        "may_confirm": may_confirm(account, application),
        "may_resubmit": application.status == Status.returned
        and is_applicant(session, account, application),
        "profile": describe(json.loads(application.profile_snapshot)),
        "applicant": applicant(session, application, account),
        "materials": [
            {
                "id": m.id,
                "filename": m.filename,
                "size": size_label(m.size),
                "kind": m.kind,
                "image": m.content_type in ("image/png", "image/jpeg"),
                "uploaded_at": clock.display(m.uploaded_at),
            }
            for m in materials_of(session, application)
        ],
        "required": required(session, application.program),
        "missing": missing(session, application),
        "may_upload": may_upload(session, account, application),
        "feed_checks": feed_checks(session, application)
        if may_see_feed_checks(account, application)
        else None,
        "documents": documents(session, account, application),
    }
    return templates.TemplateResponse(request, "case.html", context)


@router.post("/applications/{application_id}/decision", response_class=HTMLResponse)
async def case_decision(
    request: Request, application_id: int, account: PageAccount, session: DbSession
) -> Response:
    application = case_or_404(session, application_id)
    form = await request.form()
    decision, reason = str(form.get("decision", "")), str(form.get("reason", "")) or None
    try:
        decide(session, account, application, decision, reason, form_version(form))
    except (ApplicationError, StaleDataError) as exc:
        # the decision form answers any refusal as a conflict with the case as now shown
        session.rollback()
        text = (
            exc.message if isinstance(exc, ApplicationError) else "该申请已被他人处理，请刷新后查看"
        )
        return _message(request, text, 409)
    return RedirectResponse(f"/applications/{application_id}", status_code=303)


@router.post("/applications/{application_id}/materials", response_class=HTMLResponse)
async def case_material(
    request: Request, application_id: int, account: MaybeAccount, session: DbSession
) -> Response:
    application = visible_case(session, account, application_id) if account else None
    if account is None or application is None or not is_applicant(session, account, application):
        return _message(request, "没有找到该申请", 404)
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, StarletteUploadFile):
        return _message(request, "请选择要上传的文件", 422)
    store(
        session,
        application,
        account.id,
        upload.filename or "",
        await upload.read(MAX_BYTES + 1),
        str(form.get("kind", "")) or None,
    )
    if application.status in REVIEWING:  # 秒批 may have waited for this material
        automatic.consider(session, application)
    return RedirectResponse(f"/applications/{application_id}", status_code=303)


@router.get("/applications/{application_id}/materials/{material_id}")
def case_material_file(
    request: Request,
    application_id: int,
    material_id: int,
    account: PageAccount,
    session: DbSession,
    download: str = "",
) -> Response:
    """A material opened in the browser (or downloaded with ?download=1) by someone who may see
    the case; every view is audited."""
    application = visible_case(session, account, application_id)
    material = session.get(Material, material_id)
    if application is None or material is None or material.application_id != application.id:
        return _message(request, "没有找到该材料", 404)
    return material_response(session, account, material, download=download == "1")


@router.post("/applications/{application_id}/resubmit", response_class=HTMLResponse)
async def case_resubmit(
    request: Request, application_id: int, account: MaybeAccount, session: DbSession
) -> Response:
    application = session.get(Application, application_id)
    talent = talent_of(session, account) if account is not None else None
    if account is None or application is None or talent is None:
        return _message(request, "没有找到该申请", 404)
    form = await request.form()
    try:
        resubmit(session, talent, application, form_version(form))
    except ApplicationError as exc:
        session.rollback()
        return _message(request, exc.message, 409)
    return RedirectResponse(f"/applications/{application_id}", status_code=303)


Reviewer = Annotated[
    Account, Depends(require_page(*REVIEWERS, message="审核工作台仅供审核人员使用"))
]


def _review_query(request: Request) -> ListQuery:
    params = dict(request.query_params)
    params.setdefault("queue", "todo")  # the workspace opens on the cases at the reviewer's step
    return case_list.parse(params)


@router.get("/review", response_class=HTMLResponse)
def review_queue(request: Request, account: Reviewer, session: DbSession) -> Response:
    """审核工作台: today's counts, the chosen group of cases (filtered, searched, sorted, a
    page at a time), and the small queues of the final step (objections, sampled checks)."""
    query = _review_query(request)
    found = case_list.case_page(session, account, query)
    queue = query.filters.get("queue", "todo")
    if queue == "todo":
        for row in found.rows:
            application = session.get(Application, row["id"])
            row["clean"] = application is not None and not clean_reasons(session, application)
    today = clock.today()
    tallies = counts(session, account, today, case_list.soon_day(session, today))
    side: dict[str, Sequence[Any]] = {"objection": [], "check": []}
    if queue == "todo":
        for name in (n for n in side if tallies[n]):  # small queues, read only when not empty
            small = ListQuery(per_page=10, filters={"queue": name})
            side[name] = case_list.case_page(session, account, small).rows
    department = STEP_LABELS.get(account.department or "", "")
    context = {
        "account": {
            "name": account.display_name,
            "role": ROLE_LABELS[Role(account.role)] + (f"（{department}）" if department else ""),
            "may_verify": may_verify(account),
        },
        "found": found,
        "query": query,
        "queue": queue,
        "queues": QUEUES,
        "tallies": tallies,
        "side": side,
        "choices": case_list.filters(),
        "sorts": SORTS,
    }
    return templates.TemplateResponse(request, "review.html", context)


@router.get("/review/export.xlsx")
def review_export(request: Request, account: Reviewer, session: DbSession) -> Response:
    """The filtered list as a workbook (every matching case, not one page)."""
    query = replace(_review_query(request), page=1, per_page=EXPORT_LIMIT)
    found = case_list.case_page(session, account, query)
    data = xlsx("申请列表", case_list.EXPORT_COLUMNS, case_list.export_rows(found.rows))
    return xlsx_response(data, f"申请列表-{clock.today().isoformat()}.xlsx")
