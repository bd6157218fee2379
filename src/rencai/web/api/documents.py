"""A case's printable documents over HTTP (PDF): the reviewer's case summary and the decision
notice of a decided case. The API and the pages answer through ``pdf_response`` with the same
rules (``applications.documents``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy.orm import Session

from rencai.applications.documents import (
    case_summary_pdf,
    decision_notice_pdf,
    may_get_notice,
    may_print_summary,
)
from rencai.applications.errors import ApplicationError
from rencai.applications.service import visible_case_or_404
from rencai.registry.models import Account
from rencai.web.api.applications import disposition
from rencai.web.deps import CurrentAccount, DbSession

router = APIRouter(prefix="/api/v1", tags=["applications 申请与审核"])
PDF: dict[int | str, dict[str, Any]] = {
    200: {"description": "PDF 文件", "content": {"application/pdf": {}}}
}


def pdf_response(session: Session, account: Account, application_id: int, kind: str) -> Response:
    """The case's summary (``summary``) or decision notice (``notice``) for this account."""
    application = visible_case_or_404(session, account, application_id)
    if kind == "summary":
        if not may_print_summary(account):
            raise ApplicationError("role", "审核摘要仅供审核人员打印", "forbidden")
        content, name = case_summary_pdf(session, application), f"审核摘要-{application.id}.pdf"
    else:
        if not may_get_notice(session, account, application):
            raise ApplicationError("role", "决定通知书仅供申请人本人和审核人员下载", "forbidden")
        content = decision_notice_pdf(session, application)
        name = f"决定通知书-{application.id}.pdf"
    return Response(
        content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": disposition("attachment", name),
            "Cache-Control": "private, no-store",
        },
    )


@router.get(
    "/applications/{application_id}/summary.pdf",
    summary="打印审核摘要（审核人员）",
    response_class=Response,
    response_model=None,
    responses=PDF,
)
def get_summary(application_id: int, account: CurrentAccount, session: DbSession) -> Response:
    return pdf_response(session, account, application_id, "summary")


@router.get(
    "/applications/{application_id}/notice.pdf",
    summary="下载决定通知书（已作出决定的申请：申请人本人与审核人员）",
    response_class=Response,
    response_model=None,
    responses=PDF,
)
def get_notice(application_id: int, account: CurrentAccount, session: DbSession) -> Response:
    return pdf_response(session, account, application_id, "notice")
