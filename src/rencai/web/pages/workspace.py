"""The landing page: a signed-in visitor goes to their role's workspace (web/workspace.py);
anyone else sees the public home page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from rencai.web.deps import MaybeAccount
from rencai.web.pages.calculator import home
from rencai.web.workspace import home_of

router = APIRouter(include_in_schema=False)


@router.get("/", response_model=None)
def landing(request: Request, account: MaybeAccount) -> Response:
    if account is not None:
        return RedirectResponse(home_of(account), status_code=303)
    return home(request)
