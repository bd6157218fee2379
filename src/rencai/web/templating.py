"""The one Jinja environment of the pages, with its filters, and the plain message page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from rencai import clock, formats
from rencai.policy.citations import clause_heading, heading, simplified
from rencai.registry.models import ROLE_LABELS, Role
from rencai.web import workspace

templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))


def _instant(value: dt.datetime | str) -> dt.datetime:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


# Every time shown on a page is office time (stored instants are UTC; the API gives ISO text).
templates.env.filters["office_time"] = lambda value, seconds=False: clock.display(
    _instant(value), seconds=seconds
)
# an account's role as the office names it (never its internal code)
templates.env.filters["role_label"] = lambda code: ROLE_LABELS.get(Role(code), code)
templates.env.filters["office_date"] = lambda value: clock.office_date(_instant(value)).isoformat()
# money, dates and identities as people read them (rencai.formats): one layer for every page
for _name in ("money", "yuan", "wan", "money_from_fen", "cn_date", "cn_month", "masked_id"):
    templates.env.filters[_name] = getattr(formats, _name)
templates.env.filters["masked_name"] = formats.masked_name
# citations as people read them (rencai.policy.citations): '石字〔2021〕7号 第4条', the quote in
# Simplified characters (the verbatim original one click away: _citation.html)
templates.env.filters["citation_heading"] = lambda c: (
    heading(c.get("document"), c.get("clause"))
    if isinstance(c, dict)
    else heading(getattr(c, "document", ""), getattr(c, "clause", ""))
)
templates.env.filters["clause_heading"] = clause_heading
templates.env.filters["simplified"] = simplified
templates.env.filters["working_days"] = formats.working_days
# the signed-in bar and the workspace's counts of the shared layout (base.html)
templates.env.globals["workspace_who"] = workspace.signed_in
templates.env.globals["workspace_tiles"] = workspace.today_tiles


def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """A rendered template with its status."""
    response = templates.TemplateResponse(request, name, context)
    response.status_code = status
    return response


def message(request: Request, text: str, status: int, back: str | None = None) -> HTMLResponse:
    """A short Chinese message (a refusal, a missing record); the finance pages' own layout
    under /ledger, with a way back to where the officer was."""
    if request.url.path.startswith("/ledger"):
        return page(
            request, "ledger_message.html", {"text": text, "back": back or "/ledger"}, status
        )
    return page(request, "message.html", {"text": text}, status)
