"""The catalogue pages (政策库): search and one program with its quoted clause."""

from __future__ import annotations

import json
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from rencai.policy.catalogue import KIND_LABELS, TARGET_LABELS, catalogue
from rencai.policy.cities import city, default_code, names
from rencai.registry.accounts import talent_of
from rencai.registry.administration import STAFF_ROLES
from rencai.registry.models import Account, Role
from rencai.web.api.policies import PER_PAGE, find, page_of
from rencai.web.deps import DbSession, MaybeAccount
from rencai.web.templating import templates

router = APIRouter(include_in_schema=False)


def _home_city(session: DbSession, account: Account | None) -> str:
    """The city the library opens on: the talent's own (the profile's), an official's, else the
    platform's default city — never simply the first in the list."""
    if account is not None and account.role == Role.talent:
        talent = talent_of(session, account)
        if talent is not None:
            code = json.loads(talent.profile).get("jurisdiction")
            if code in names():
                return str(code)
    if account is not None and account.jurisdiction in names():
        return str(account.jurisdiction)
    return default_code()


@router.get("/policies", response_class=HTMLResponse)
def policy_search(
    request: Request,
    session: DbSession,
    account: MaybeAccount,
    q: str | None = None,
    jurisdiction: str | None = None,
    target: str | None = None,
    kind: str | None = None,
    page: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    # no jurisdiction in the address: the visitor's city; an empty one (全部地区): every city
    if jurisdiction is None:
        jurisdiction = _home_city(session, account)
    if jurisdiction and jurisdiction not in names():
        jurisdiction = ""
    target = target if target in TARGET_LABELS else ""
    kind = kind if kind in KIND_LABELS else ""
    number = int(page) if page and page.isdigit() and len(page) < 7 else 1
    found = find(q, jurisdiction, target, None, None, kind)
    shown, number, pages = page_of(found, number, PER_PAGE)
    cat = catalogue()
    filters = {"q": q or "", "jurisdiction": jurisdiction, "target": target, "kind": kind}
    query = {k: v for k, v in filters.items() if v or k == "jurisdiction"}
    context = {
        "items": [cat.views[e.id] for e in shown],  # built once per catalogue
        "count": len(found),
        **filters,
        "page": number,
        "pages": pages,
        "page_links": [
            (n, "/policies?" + urlencode({**query, "page": n})) for n in _window(number, pages)
        ],
        "first": (number - 1) * PER_PAGE + 1,
        "jurisdictions": names(),
        "search_hint": getattr(city(default_code()), "search_hint", None) or "如：房租 / 博士",
        "targets": TARGET_LABELS,
        "kinds": KIND_LABELS,
        "total": len(cat.entries),
    }
    # htmx asks for the rows alone, except when it restores a page from history
    partial = request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )
    name = "policies_rows.html" if partial else "policies.html"
    return templates.TemplateResponse(request, name, context)


def _window(page: int, pages: int) -> list[int]:
    """The page numbers a pager shows: the first, the last and two either side of the current."""
    return sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})


@router.get("/policies/{program_id}", response_class=HTMLResponse)
def policy_detail(request: Request, program_id: str, account: MaybeAccount) -> HTMLResponse:
    cat = catalogue()
    entry = cat.entries.get(program_id)
    if entry is None:
        response = templates.TemplateResponse(
            request, "policy.html", {"item": None, "program_id": program_id}
        )
        response.status_code = 404
        return response
    # the offices' note (what the calculator does, what is left to set) is for their staff only
    staff = account is not None and account.role in STAFF_ROLES
    return templates.TemplateResponse(
        request,
        "policy.html",
        {"item": entry.as_dict(cat.documents), "office_note": entry.office_note if staff else None},
    )
