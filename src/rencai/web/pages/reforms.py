"""政策模拟 pages: define a reform, run it in the background, read and compare the results."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from rencai import clock
from rencai.errors import Refusal
from rencai.registry.models import Account
from rencai.simulation import service
from rencai.simulation.breakdown import DIMENSIONS
from rencai.simulation.reform import DEFAULT_JURISDICTION, ReformError, catalogue
from rencai.simulation.views import reform_view, run_view, yuan
from rencai.web.api import reforms as reforms_api
from rencai.web.deps import DbSession, SerialId, require_page
from rencai.web.errors import status_of
from rencai.web.templating import page

router = APIRouter(include_in_schema=False)
router.include_router(reforms_api.router)  # the API travels with its pages (one line in the app)

Simulator = Annotated[
    Account,
    Depends(require_page(service.may_simulate, message="仅系统管理员或领导可以进行政策模拟")),
]
PARAMETER_ROWS, BENEFIT_ROWS, EXCLUSIVITY_ROWS = 4, 2, 1
PER_LABELS = {"month": "按月", "year": "按年", "once": "一次性"}


def _list(
    request: Request,
    session: Session,
    account: Account,
    error: str | list[str] | None = None,
    status: int = 200,
    form: dict[str, Any] | None = None,
) -> Response:
    found = catalogue(DEFAULT_JURISDICTION)
    return page(
        request,
        "reforms.html",
        {
            "reforms": [reform_view(r) for r in service.reforms(session)],
            "runs": [run_view(r, with_result=False) for r in service.runs(session)],
            "catalogue": found,
            "may_define": service.may_define(account),
            "errors": [error] if isinstance(error, str) else (error or []),
            "form": form or {},
            "rows": {
                "parameter": range(PARAMETER_ROWS),
                "benefit": range(BENEFIT_ROWS),
                "exclusivity": range(EXCLUSIVITY_ROWS),
            },
            "populations": service.POPULATIONS,
            "this_month": clock.today().replace(day=1).isoformat()[:7],
        },
        status,
    )


@router.get("/reforms", response_class=HTMLResponse)
def reforms(request: Request, account: Simulator, session: DbSession) -> Response:
    return _list(request, session, account)


def _value(text: str) -> Any:
    """A value typed in the form: a number, 是/否, or a list (comma-separated)."""
    text = text.strip()
    if text in ("是", "true"):
        return True
    if text in ("否", "false"):
        return False
    if text in ("停止执行", "无"):
        return None
    if "," in text or "，" in text:
        return [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return loaded if isinstance(loaded, int | float) and not isinstance(loaded, bool) else text


def _reform_data(form: Any) -> dict[str, Any]:
    changes: list[dict[str, Any]] = []
    for i in range(PARAMETER_ROWS):
        path = str(form.get(f"parameter_{i}", "")).strip()
        if not path:
            continue
        change: dict[str, Any] = {
            "parameter": path,
            "from": str(form.get(f"parameter_from_{i}", "")).strip() or None,
            "value": _value(str(form.get(f"parameter_value_{i}", ""))),
        }
        until = str(form.get(f"parameter_until_{i}", "")).strip()
        if until:
            change["until"] = until
        changes.append(change)
    for i in range(BENEFIT_ROWS):
        benefit = str(form.get(f"benefit_{i}", "")).strip()
        if benefit:
            change = {"benefit": benefit, "enabled": form.get(f"benefit_enabled_{i}") == "on"}
            since = str(form.get(f"benefit_from_{i}", "")).strip()
            if since:
                change["from"] = since
            changes.append(change)
    for i in range(EXCLUSIVITY_ROWS):
        group = str(form.get(f"exclusivity_{i}", "")).strip()
        if group:
            change = {"exclusivity": group, "rule": str(form.get(f"exclusivity_rule_{i}", ""))}
            since = str(form.get(f"exclusivity_from_{i}", "")).strip()
            if since:
                change["from"] = since
            changes.append(change)
    data: dict[str, Any] = {
        "name": str(form.get("name", "")),
        "description": str(form.get("description", "")),
        "changes": changes,
    }
    baseline = str(form.get("baseline", "")).strip()
    if baseline:
        data["baseline"] = baseline
    return data


@router.post("/reforms", response_class=HTMLResponse)
async def create(request: Request, account: Simulator, session: DbSession) -> Response:
    form = await request.form()
    if not service.may_define(account):
        raise Refusal("role", "仅系统管理员可以制定改革方案", "forbidden")
    try:
        with session.begin_nested():
            saved = service.save(session, account, _reform_data(form))
    except ReformError as exc:
        messages = [p.message for p in exc.problems]
        return _list(request, session, account, messages, status_of(exc), dict(form))
    except Refusal as exc:
        return _list(request, session, account, exc.message, status_of(exc), dict(form))
    return RedirectResponse(f"/reforms?saved={saved.id}#reform-{saved.id}", status_code=303)


@router.post("/reforms/runs", response_class=HTMLResponse)
async def start(
    request: Request, account: Simulator, session: DbSession, tasks: BackgroundTasks
) -> Response:
    form = await request.form()
    try:
        ids = [int(str(v)) for v in form.getlist("reforms")]
        baseline = [int(str(v)) for v in form.getlist("baseline") if str(v)]
    except ValueError:
        return _list(request, session, account, "请选择改革方案", 422)
    try:
        month = dt.date.fromisoformat(f"{form.get('start', '')}-01")
    except ValueError:
        return _list(request, session, account, "请填写测算起始月份（年-月）", 422)
    try:
        years = int(str(form.get("years", "")))
    except ValueError:
        return _list(request, session, account, "请填写测算年数", 422)
    try:
        with session.begin_nested():
            run = service.start(
                session,
                account,
                service.RunRequest(
                    ids,
                    [b for b in baseline if b not in ids] if baseline else [],
                    str(form.get("population", "")),
                    month,
                    years * 12,
                ),
            )
    except ReformError as exc:
        return _list(request, session, account, [p.message for p in exc.problems], 422)
    except Refusal as exc:
        return _list(request, session, account, exc.message, status_of(exc))
    tasks.add_task(service.launch, run.id)
    return RedirectResponse(f"/reforms/runs/{run.id}", status_code=303)


@router.post("/reforms/runs/{run_id}/rerun", response_class=HTMLResponse)
def rerun(
    request: Request,
    run_id: SerialId,
    account: Simulator,
    session: DbSession,
    tasks: BackgroundTasks,
) -> Response:
    try:
        with session.begin_nested():
            run = service.rerun(session, account, run_id)
    except ReformError as exc:
        return _list(request, session, account, [p.message for p in exc.problems], 422)
    except Refusal as exc:
        return _list(request, session, account, exc.message, status_of(exc))
    tasks.add_task(service.launch, run.id)
    return RedirectResponse(f"/reforms/runs/{run.id}", status_code=303)


def _shown(result: dict[str, Any], reforms_by_id: dict[int, str]) -> dict[str, Any]:
    return {
        "yuan": yuan,
        "per_labels": PER_LABELS,
        "dimensions": DIMENSIONS,
        "reform_names": reforms_by_id,
    }


@router.get("/reforms/runs/{run_id}", response_class=HTMLResponse)
def run_page(
    request: Request, run_id: SerialId, account: Simulator, session: DbSession
) -> Response:
    run = service.run_or_404(session, run_id)
    view = run_view(run)
    names = {r.id: r.name for r in service.reforms(session)}
    return page(
        request,
        "reform_run.html",
        {"run": view, "result": view.result, **_shown(view.result or {}, names)},
    )


@router.get("/reforms/compare", response_class=HTMLResponse)
def compare(request: Request, account: Simulator, session: DbSession, ids: str = "") -> Response:
    try:
        numbers = [int(part) for part in ids.split(",") if part.strip()][:10]
    except ValueError:
        numbers = []
    numbers = [n for n in numbers if 1 <= n < 2**31]
    columns = [run_view(c["run"]) for c in service.compare(session, numbers)]
    years = sorted({y["year"] for c in columns for y in (c.result or {}).get("by_year", [])})
    programs: dict[str, str] = {}
    for c in columns:
        for p in (c.result or {}).get("programs", []):
            programs.setdefault(p["program"], p["name"])
    table = []
    for program, name in programs.items():
        cells = []
        for c in columns:
            found = next(
                (p for p in (c.result or {}).get("programs", []) if p["program"] == program), None
            )
            cells.append(found)
        table.append({"name": name, "cells": cells})
    by_year = []
    for year in years:
        cells = []
        for c in columns:
            found = next(
                (y for y in (c.result or {}).get("by_year", []) if y["year"] == year), None
            )
            cells.append(found)
        by_year.append({"year": year, "cells": cells})
    return page(
        request,
        "reform_compare.html",
        {"columns": columns, "programs": table, "by_year": by_year, "yuan": yuan},
    )
