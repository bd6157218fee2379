"""A case's printable documents from the pages: the reviewer prints the case summary from the
case page, the applicant downloads the decision notice (same rules as the API)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from rencai.web.api.documents import pdf_response
from rencai.web.deps import DbSession, PageAccount

router = APIRouter(include_in_schema=False)


@router.get("/applications/{application_id}/summary.pdf")
def summary_pdf(application_id: int, account: PageAccount, session: DbSession) -> Response:
    return pdf_response(session, account, application_id, "summary")


@router.get("/applications/{application_id}/notice.pdf")
def notice_pdf(application_id: int, account: PageAccount, session: DbSession) -> Response:
    return pdf_response(session, account, application_id, "notice")
