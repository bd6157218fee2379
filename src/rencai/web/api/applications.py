"""Applications over HTTP: apply, list what the caller may see, decide, resubmit."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from rencai.applications.materials import MAX_BYTES, MaterialError, materials_of, store
from rencai.applications.models import STATUS_LABELS, Application, Status
from rencai.applications.publicity import label as notice_label
from rencai.applications.service import (
    ApplicationError,
    apply,
    can_see,
    decide,
    history,
    is_overdue,
    resubmit,
    visible,
)
from rencai.applications.steps import current_step, steps_of
from rencai.registry.models import Account, TalentProfile
from rencai.web.api.accounts import ApiError, current_account, current_talent, db
from rencai.web.limits import Reason, Version

router = APIRouter(prefix="/api/v1", tags=["applications 申请与审核"])


class NewApplication(BaseModel):
    program: str = Field(min_length=1, max_length=64, description="卡或资金项目的编号")
    idempotency_key: str = Field(min_length=8, max_length=64, description="客户端生成，重试时不变")


class Decision(BaseModel):
    decision: Literal["approve", "return", "reject"]
    reason: Reason | None = None
    version: Version


class Resubmission(BaseModel):
    version: Version


def _error(exc: ApplicationError) -> ApiError:
    status = {"forbidden": 403, "stale_version": 409, "duplicate_application": 409}.get(
        exc.code, 422
    )
    return ApiError(status, exc.field, exc.message, exc.code)


def view(session: Session, application: Application, detail: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": application.id,
        "program": application.program,
        "program_name": application.program_name,
        "county": application.county,
        "status": application.status,
        "status_label": STATUS_LABELS[Status(application.status)],
        "submitted_at": application.submitted_at.isoformat(),
        "version": application.version,
        "precheck": json.loads(application.precheck),
        "due_date": application.due_date.isoformat() if application.due_date else None,
        "due_provisional": bool(application.due_provisional),
        "overdue": is_overdue(application),
        "employer_confirmation": application.employer_confirmation,
        "chain": steps_of(application),
        "step": current_step(application),
        "notice": notice_label(application) if application.notice_rule else None,
        "notice_end": application.notice_end.isoformat() if application.notice_end else None,
        "automatic": json.loads(application.automatic) if application.automatic else None,
        "post_check": application.post_check,
    }
    if detail:
        data["rules_version"] = application.rules_version
        data["history"] = [
            {"level": a.level, "action": a.action, "reason": a.reason, "at": a.at.isoformat()}
            for a in history(session, application)
        ]
    return data


def _visible_case(session: Session, account: Account, application_id: int) -> Application:
    application = session.get(Application, application_id)
    owner = (
        session.scalar(
            select(TalentProfile.account_id).where(TalentProfile.id == application.talent_id)
        )
        if application is not None
        else None
    )
    if application is None or owner is None or not can_see(account, application, owner):
        # the same answer whether the case does not exist or is someone else's
        raise ApiError(404, "application", "没有找到该申请", "not_found")
    return application


@router.post("/applications", status_code=201, summary="提交申请（同一提交编号只生成一件申请）")
def post_application(
    body: NewApplication,
    talent: Annotated[TalentProfile, Depends(current_talent)],
    session: Annotated[Session, Depends(db, scope="function")],
) -> dict[str, Any]:
    try:
        application = apply(session, talent, body.program, body.idempotency_key)
    except ApplicationError as exc:
        raise _error(exc) from None
    return view(session, application)


@router.get("/applications", summary="当前账号可见的申请（按提交时间）")
def list_applications(
    account: Annotated[Account, Depends(current_account)],
    session: Annotated[Session, Depends(db, scope="function")],
) -> dict[str, Any]:
    items = [view(session, a) for a in visible(session, account)]
    return {"count": len(items), "items": items}


@router.get("/applications/{application_id}", summary="申请详情与办理记录")
def get_application(
    application_id: int,
    account: Annotated[Account, Depends(current_account)],
    session: Annotated[Session, Depends(db, scope="function")],
) -> dict[str, Any]:
    return view(session, _visible_case(session, account, application_id), detail=True)


@router.post("/applications/{application_id}/decision", summary="审核：通过、退回补正或不予通过")
def post_decision(
    application_id: int,
    body: Decision,
    account: Annotated[Account, Depends(current_account)],
    session: Annotated[Session, Depends(db, scope="function")],
) -> dict[str, Any]:
    application = _visible_case(session, account, application_id)
    try:
        decide(session, account, application, body.decision, body.reason, body.version)
    except ApplicationError as exc:
        raise _error(exc) from None
    except StaleDataError:
        raise ApiError(
            409, "version", "该申请已被他人处理，请刷新后查看", "stale_version"
        ) from None
    return view(session, application, detail=True)


@router.post(
    "/applications/{application_id}/materials",
    status_code=201,
    summary="上传申请材料（PDF、JPG、PNG，不超过10MB）",
)
async def post_material(
    application_id: int,
    file: UploadFile,
    talent: Annotated[TalentProfile, Depends(current_talent)],
    session: Annotated[Session, Depends(db, scope="function")],
) -> dict[str, Any]:
    account = session.get(Account, talent.account_id)
    assert account is not None
    application = _visible_case(session, account, application_id)
    if application.status not in (Status.county_review, Status.department_review, Status.returned):
        raise ApiError(409, "application", "该申请当前不能补充材料", "closed")
    data = await file.read(MAX_BYTES + 1)
    try:
        material = store(session, application, account.id, file.filename or "", data)
    except MaterialError as exc:
        status = {"too_large": 413, "bad_type": 415}.get(exc.code, 422)
        raise ApiError(status, exc.field, exc.message, exc.code) from None
    return {
        "id": material.id,
        "filename": material.filename,
        "size": material.size,
        "content_type": material.content_type,
        "sha256": material.sha256,
    }


@router.get("/applications/{application_id}/materials", summary="申请材料清单")
def list_materials(
    application_id: int,
    account: Annotated[Account, Depends(current_account)],
    session: Annotated[Session, Depends(db, scope="function")],
) -> dict[str, Any]:
    application = _visible_case(session, account, application_id)
    items = [
        {"id": m.id, "filename": m.filename, "size": m.size, "content_type": m.content_type}
        for m in materials_of(session, application)
    ]
    return {"count": len(items), "items": items}


@router.post("/applications/{application_id}/resubmit", summary="补正后重新提交")
def post_resubmit(
    application_id: int,
    body: Resubmission,
    talent: Annotated[TalentProfile, Depends(current_talent)],
    session: Annotated[Session, Depends(db, scope="function")],
) -> dict[str, Any]:
    account = session.get(Account, talent.account_id)
    assert account is not None
    application = _visible_case(session, account, application_id)
    try:
        resubmit(session, talent, application, body.version)
    except ApplicationError as exc:
        raise _error(exc) from None
    return view(session, application, detail=True)
