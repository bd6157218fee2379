"""Applications over HTTP: apply, list what the caller may see, decide, resubmit."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from rencai.applications import automatic
from rencai.applications.errors import stale_case
from rencai.applications.materials import (
    MAX_BYTES,
    Material,
    materials_of,
    size_label,
    store,
    viewed,
)
from rencai.applications.models import STATUS_LABELS, Application, Status
from rencai.applications.publicity import label as notice_label
from rencai.applications.requirements import missing, required
from rencai.applications.service import (
    ACCEPTING_MATERIALS,
    REVIEWERS,
    apply,
    decide,
    history,
    is_overdue,
    resubmit,
    visible,
    visible_case_or_404,
)
from rencai.applications.steps import REVIEWING, current_step, steps_of
from rencai.errors import Refusal
from rencai.registry.identifiers import mask_id_number, mask_id_number_for_review
from rencai.registry.models import Account, Employer, TalentProfile
from rencai.web.deps import CurrentAccount, CurrentTalent, DbSession
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


CONFIRMATION_LABELS = {
    "pending": "待单位确认",
    "confirmed": "单位已确认在职",
    "denied": "单位不予确认",
}


def applicant(
    session: Session, application: Application, account: Account | None
) -> dict[str, Any]:
    """Who applied, for those who may see the case: the identity number masked, with the birth
    date visible to reviewers (they check age limits against it); the employer and whether it
    has confirmed employment."""
    talent = session.get(TalentProfile, application.talent_id)
    employer = session.get(Employer, application.employer_id) if application.employer_id else None
    reviewer = account is not None and account.role in REVIEWERS
    number = talent.id_number if talent is not None else ""
    return {
        "name": talent.name if talent is not None else None,
        "id_number": mask_id_number_for_review(number) if reviewer else mask_id_number(number),
        "employer": employer.name if employer is not None else None,
        "employer_uscc": employer.uscc if employer is not None else None,
        "employer_confirmation": application.employer_confirmation,
        "employer_confirmation_label": CONFIRMATION_LABELS.get(
            application.employer_confirmation or "", "无需单位确认"
        ),
    }


def material_view(material: Material) -> dict[str, Any]:
    return {
        "id": material.id,
        "filename": material.filename,
        "size": material.size,
        "size_label": size_label(material.size),
        "content_type": material.content_type,
        "kind": material.kind,
        "sha256": material.sha256,
        "uploaded_at": material.uploaded_at.isoformat(),
    }


def view(
    session: Session, application: Application, detail: bool = False, account: Account | None = None
) -> dict[str, Any]:
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
        data["applicant"] = applicant(session, application, account)
        data["materials_required"] = required(session, application.program)
        data["materials_missing"] = missing(session, application)
        data["history"] = [
            {"level": a.level, "action": a.action, "reason": a.reason, "at": a.at.isoformat()}
            for a in history(session, application)
        ]
    return data


@router.post("/applications", status_code=201, summary="提交申请（同一提交编号只生成一件申请）")
def post_application(
    body: NewApplication, talent: CurrentTalent, session: DbSession
) -> dict[str, Any]:
    application = apply(session, talent, body.program, body.idempotency_key)
    return view(session, application)


@router.get("/applications", summary="当前账号可见的申请（按提交时间）")
def list_applications(account: CurrentAccount, session: DbSession) -> dict[str, Any]:
    items = [view(session, a) for a in visible(session, account)]
    return {"count": len(items), "items": items}


@router.get("/applications/{application_id}", summary="申请详情与办理记录")
def get_application(
    application_id: int, account: CurrentAccount, session: DbSession
) -> dict[str, Any]:
    return view(session, visible_case_or_404(session, account, application_id), True, account)


@router.post("/applications/{application_id}/decision", summary="审核：通过、退回补正或不予通过")
def post_decision(
    application_id: int, body: Decision, account: CurrentAccount, session: DbSession
) -> dict[str, Any]:
    application = visible_case_or_404(session, account, application_id)
    try:
        decide(session, account, application, body.decision, body.reason, body.version)
    except StaleDataError:
        raise stale_case() from None
    return view(session, application, True, account)


@router.post(
    "/applications/{application_id}/materials",
    status_code=201,
    summary="上传申请材料（PDF、JPG、PNG，不超过10MB）",
)
async def post_material(
    application_id: int,
    file: UploadFile,
    talent: CurrentTalent,
    session: DbSession,
    kind: Annotated[str | None, Form(max_length=64, description="必交材料名称（选填）")] = None,
) -> dict[str, Any]:
    account = session.get(Account, talent.account_id)
    assert account is not None
    application = visible_case_or_404(session, account, application_id)
    if application.status not in ACCEPTING_MATERIALS:
        raise Refusal("application", "该申请当前不能补充材料", "closed")
    data = await file.read(MAX_BYTES + 1)
    material = store(session, application, account.id, file.filename or "", data, kind)
    if application.status in REVIEWING:  # 秒批 may have waited for this material
        automatic.consider(session, application)
    return material_view(material)


@router.get("/applications/{application_id}/materials", summary="申请材料清单")
def list_materials(
    application_id: int, account: CurrentAccount, session: DbSession
) -> dict[str, Any]:
    application = visible_case_or_404(session, account, application_id)
    items = [material_view(m) for m in materials_of(session, application)]
    return {
        "count": len(items),
        "items": items,
        "required": required(session, application.program),
        "missing": missing(session, application),
    }


def disposition(kind: str, filename: str) -> str:
    """Content-Disposition with the Chinese file name (RFC 6266 / 5987) and an ASCII fallback."""
    ascii_name = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def material_response(
    session: Session, account: Account, material: Material, download: bool
) -> Response:
    data = viewed(session, account.id, material, download)
    return Response(
        data,
        media_type=material.content_type,
        headers={
            "Content-Disposition": disposition(
                "attachment" if download else "inline", material.filename
            ),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@router.get(
    "/applications/{application_id}/materials/{material_id}",
    summary="下载一份申请材料（可见该申请者可下载；每次下载均记入审计日志）",
    response_class=Response,
)
def get_material(
    application_id: int, material_id: int, account: CurrentAccount, session: DbSession
) -> Response:
    application = visible_case_or_404(session, account, application_id)
    material = session.get(Material, material_id)
    if material is None or material.application_id != application.id:
        raise Refusal("material", "没有找到该材料", "not_found")
    return material_response(session, account, material, download=True)


@router.post("/applications/{application_id}/resubmit", summary="补正后重新提交")
def post_resubmit(
    application_id: int, body: Resubmission, talent: CurrentTalent, session: DbSession
) -> dict[str, Any]:
    account = session.get(Account, talent.account_id)
    assert account is not None
    application = visible_case_or_404(session, account, application_id)
    resubmit(session, talent, application, body.version)
    return view(session, application, detail=True)
