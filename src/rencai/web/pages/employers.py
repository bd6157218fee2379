"""The city office's page for verifying employers (decision 0080): the units registered but
not yet checked, and one action per unit (通过 / 不通过) with the evidence recorded."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from rencai.policy.contract.vocabulary import vocabulary
from rencai.registry.accounts import RegistryError
from rencai.registry.employers import decide, may_verify, verification_view, waiting
from rencai.registry.models import Account, Employer
from rencai.web.deps import DbSession, require_page
from rencai.web.errors import status_of
from rencai.web.templating import message, page

router = APIRouter(include_in_schema=False)
Officer = Annotated[
    Account,
    Depends(require_page(may_verify, message="用人单位核验仅供市委人才办审核人员和系统管理员使用")),
]


def _render(
    request: Request, session: Session, error: str | None = None, status: int = 200
) -> HTMLResponse:
    counties = vocabulary().counties
    items = []
    for employer in waiting(session):
        view = verification_view(employer)
        county = counties.get(employer.county)
        view["county_name"] = county.name if county else employer.county
        items.append(view)
    return page(request, "employers_verification.html", {"items": items, "error": error}, status)


@router.get("/review/employers", response_class=HTMLResponse)
def employers(request: Request, officer: Officer, session: DbSession) -> Response:
    return _render(request, session)


@router.post("/review/employers/{employer_id}", response_class=HTMLResponse)
async def verify(
    request: Request, employer_id: int, officer: Officer, session: DbSession
) -> Response:
    employer = session.get(Employer, employer_id) if 0 < employer_id < 2**31 else None
    if employer is None:
        return message(request, "没有找到该单位", 404)
    form = await request.form()
    decision, evidence = str(form.get("decision", "")), str(form.get("evidence", ""))
    try:
        with session.begin_nested():  # a refused decision changes nothing
            decide(session, officer, employer, decision, evidence)
    except RegistryError as exc:
        return _render(request, session, exc.message, status_of(exc))
    return RedirectResponse("/review/employers", status_code=303)
