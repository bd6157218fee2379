"""The office's 政策找人 page: start a screening, filter its result, export it, tell people."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from rencai import clock
from rencai.errors import Refusal
from rencai.outreach import jobs, no_application, service
from rencai.outreach.views import row_views, screening_view
from rencai.policy.cities import default_code, names
from rencai.registry.models import Account, Role
from rencai.web.deps import DbSession, SerialId, require_page
from rencai.web.errors import status_of
from rencai.web.templating import page

router = APIRouter(include_in_schema=False)

Screener = Annotated[
    Account,
    Depends(require_page(service.may_screen, message="仅市委人才办或系统管理员可以进行政策找人")),
]


def _list(
    request: Request,
    session: Session,
    officer: Account,
    error: str | None = None,
    status: int = 200,
    built: bool = False,
) -> Response:
    return page(
        request,
        "screenings.html",
        {
            "screenings": [screening_view(s) for s in service.recent(session)],
            "jurisdictions": names(),
            "default": default_code(),
            "today": clock.today().isoformat(),
            "error": error,
            "no_application": no_application.programs(session),
            "programs": no_application.known_programs(),
            "is_admin": officer.role == Role.admin,
            "store": service.store_state(session),
            "built": built,
        },
        status,
    )


@router.get("/screenings", response_class=HTMLResponse)
def screenings(
    request: Request, officer: Screener, session: DbSession, built: int | None = None
) -> Response:
    return _list(request, session, officer, built=bool(built))


@router.post("/screenings/store", response_class=HTMLResponse)
def build_store(request: Request, officer: Screener, session: DbSession) -> Response:
    try:
        with session.begin_nested():
            service.build_store(session, officer)
    except Refusal as exc:
        return _list(request, session, officer, exc.message, status_of(exc))
    return RedirectResponse("/screenings?built=1", status_code=303)


@router.post("/screenings/no-application", response_class=HTMLResponse)
async def set_no_application(request: Request, officer: Screener, session: DbSession) -> Response:
    form = await request.form()
    try:
        with session.begin_nested():
            no_application.set_program(
                session, officer, str(form.get("program", "")), form.get("enabled") == "on"
            )
    except Refusal as exc:
        return _list(request, session, officer, exc.message, status_of(exc))
    return RedirectResponse("/screenings", status_code=303)


@router.post("/screenings", response_class=HTMLResponse)
async def start(
    request: Request, officer: Screener, session: DbSession, background: BackgroundTasks
) -> Response:
    form = await request.form()
    try:
        on = dt.date.fromisoformat(str(form.get("on", "")))
    except ValueError:
        return _list(request, session, officer, "请填写筛查日期（年-月-日）", 422)
    try:
        with session.begin_nested():
            screening = service.start(
                session, officer, on, str(form.get("jurisdiction", "")) or default_code()
            )
    except Refusal as exc:
        return _list(request, session, officer, exc.message, status_of(exc))
    background.add_task(jobs.run_screening, session.get_bind(), screening.id)
    return RedirectResponse(f"/screenings/{screening.id}", status_code=303)


def _filters(program: str | None, county: str | None, degree: str | None) -> service.Filters:
    return service.Filters(program or None, county or None, degree or None)


@router.get("/screenings/{screening_id}/progress", response_class=HTMLResponse)
def progress(
    request: Request, screening_id: SerialId, officer: Screener, session: DbSession
) -> Response:
    """The progress of a background screening, polled by its page; once it has finished, the
    page is loaded again to show the result (or why it failed)."""
    screening = service.screening_or_404(session, screening_id)
    response = page(request, "_screening_progress.html", {"screening": screening_view(screening)})
    if screening.status != "running":
        response.headers["HX-Refresh"] = "true"
    return response


@router.get("/screenings/{screening_id}", response_class=HTMLResponse)
def detail(
    request: Request,
    screening_id: SerialId,
    officer: Screener,
    session: DbSession,
    program: str | None = None,
    county: str | None = None,
    degree: str | None = None,
    sent: int | None = None,
    created: int | None = None,
    approved: int | None = None,
    no_account: int | None = None,
) -> Response:
    screening = service.screening_or_404(session, screening_id)
    filters = _filters(program, county, degree)
    table = service.result(screening, filters)
    return page(
        request,
        "screening.html",
        {
            "screening": screening_view(screening),
            "rows": row_views(table, service.SHOWN),
            "matching": table.num_rows,
            "choices": service.choices(screening),
            "filters": filters,
            "query": request.url.query,
            "sent": sent,
            "granted": None
            if created is None
            else {"created": created, "approved": approved or 0, "no_account": no_account or 0},
            "no_application": {p.program for p in no_application.programs(session)},
        },
    )


@router.get("/screenings/{screening_id}/export")
def export(
    screening_id: SerialId,
    officer: Screener,
    session: DbSession,
    program: str | None = None,
    county: str | None = None,
    degree: str | None = None,
) -> Response:
    screening = service.screening_or_404(session, screening_id)
    content = service.export(screening, _filters(program, county, degree))
    return Response(
        content,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="screening-{screening.id}.xlsx"'},
    )


@router.post("/screenings/{screening_id}/notices", response_class=HTMLResponse)
def notices(screening_id: SerialId, officer: Screener, session: DbSession) -> Response:
    screening = service.screening_or_404(session, screening_id)
    sent = service.send_notices(session, screening)
    return RedirectResponse(f"/screenings/{screening.id}?sent={sent}", status_code=303)


@router.post("/screenings/{screening_id}/applications", response_class=HTMLResponse)
def grant(screening_id: SerialId, officer: Screener, session: DbSession) -> Response:
    screening = service.screening_or_404(session, screening_id)
    outcome = no_application.grant(session, screening)
    return RedirectResponse(
        f"/screenings/{screening.id}?created={outcome.created}&approved={outcome.approved}"
        f"&no_account={outcome.no_account}",
        status_code=303,
    )
