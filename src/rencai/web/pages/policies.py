"""The catalogue pages (政策库): search and one program with its quoted clause."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from rencai.policy.catalogue import TARGET_LABELS, catalogue
from rencai.policy.cities import city, default_code, names
from rencai.web.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/policies", response_class=HTMLResponse)
def policy_search(
    request: Request,
    q: str | None = None,
    jurisdiction: str | None = None,
    target: str | None = None,
) -> HTMLResponse:
    cat = catalogue()
    found = cat.search(q or None, jurisdiction or None, target or None)
    context = {
        "items": [e.as_dict(cat.documents) for e in found],
        "q": q or "",
        "jurisdiction": jurisdiction or "",
        "target": target or "",
        "jurisdictions": names(),
        "search_hint": getattr(city(default_code()), "search_hint", None) or "如：房租 / 博士",
        "targets": TARGET_LABELS,
        "total": len(cat.entries),
    }
    partial = request.headers.get("HX-Request") == "true"
    name = "policies_rows.html" if partial else "policies.html"
    return templates.TemplateResponse(request, name, context)


@router.get("/policies/{program_id}", response_class=HTMLResponse)
def policy_detail(request: Request, program_id: str) -> HTMLResponse:
    cat = catalogue()
    entry = cat.entries.get(program_id)
    if entry is None:
        response = templates.TemplateResponse(
            request, "policy.html", {"item": None, "program_id": program_id}
        )
        response.status_code = 404
        return response
    return templates.TemplateResponse(
        request, "policy.html", {"item": entry.as_dict(cat.documents)}
    )
