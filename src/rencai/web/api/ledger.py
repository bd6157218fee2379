"""Payments over HTTP (finance officers): runs, batches and their approval, receivables,
recovery settings and finance reports (JSON or Excel)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai.db.session import database_url
from rencai.ledger.bank import decide_batch, files_dir
from rencai.ledger.errors import LedgerError
from rencai.ledger.models import Batch
from rencai.ledger.money import yuan
from rencai.ledger.recovery import BASIS_SETTINGS, set_basis
from rencai.ledger.reports import REPORTS, report, to_xlsx
from rencai.ledger.runs import run_month
from rencai.registry.models import Account, Role
from rencai.web.api.accounts import ApiError, current_account, db

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger 资金发放"])
CONFLICTS = {"month_already_run", "run_in_progress", "already_decided", "four_eyes"}


def finance(account: Annotated[Account, Depends(current_account)]) -> Account:
    if account.role not in (Role.finance, Role.admin):
        raise ApiError(403, "role", "仅财务人员可以访问资金发放", "forbidden")
    return account


def _error(exc: LedgerError) -> ApiError:
    status = 409 if exc.code in CONFLICTS else 403 if exc.code == "forbidden" else 422
    return ApiError(status, exc.field, exc.message, exc.code)


class RunRequest(BaseModel):
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="发放月份 YYYY-MM")
    jurisdiction: str = "shijiazhuang"
    run_id: str | None = Field(None, max_length=40, description="续跑时提供原运行编号")


class BatchDecision(BaseModel):
    decision: Literal["approve", "reject"]
    note: str | None = None


class SettingValue(BaseModel):
    value: Literal["all", "unserved"]


def batch_view(batch: Batch) -> dict[str, Any]:
    return {
        "id": batch.id,
        "run_id": batch.run_id,
        "jurisdiction": batch.jurisdiction,
        "month": f"{batch.month:%Y-%m}",
        "status": batch.status,
        "items": batch.item_count,
        "total": yuan(batch.total_fen),
        "created_by": batch.created_by,
        "decided_by": batch.decided_by,
        "budget_alerts": json.loads(batch.budget_alerts),
        "file_name": batch.file_name,
    }


@router.post("/runs", summary="执行（或续跑）某月发放运行")
def start_run(body: RunRequest, account: Annotated[Account, Depends(finance)]) -> dict[str, Any]:
    try:
        summary = run_month(
            database_url(),
            body.jurisdiction,
            dt.date.fromisoformat(body.month + "-01"),
            account.username,
            body.run_id,
        )
    except LedgerError as exc:
        raise _error(exc) from None
    return {
        "run_id": summary.run_id,
        "resumed": summary.resumed,
        "decisions": summary.decisions,
        "batch_id": summary.batch_id,
        "batch_total": yuan(summary.batch_total_fen),
        "budget_alerts": summary.budget_alerts,
    }


@router.get("/batches", summary="发放批次")
def batches(
    _: Annotated[Account, Depends(finance)],
    session: Annotated[Session, Depends(db, scope="function")],
) -> list[dict[str, Any]]:
    return [batch_view(b) for b in session.scalars(select(Batch).order_by(Batch.id.desc()))]


@router.post("/batches/{batch_id}/decision", summary="审核发放批次（须由另一名财务人员）")
def decide(
    batch_id: int,
    body: BatchDecision,
    account: Annotated[Account, Depends(finance)],
    session: Annotated[Session, Depends(db, scope="function")],
) -> dict[str, Any]:
    try:
        return batch_view(decide_batch(session, batch_id, account, body.decision, body.note))
    except LedgerError as exc:
        session.rollback()
        raise _error(exc) from None


@router.put("/settings/{key}", summary="设定收回口径（种子文件未规定，由管理员设定）")
def put_setting(
    key: str,
    body: SettingValue,
    account: Annotated[Account, Depends(current_account)],
    session: Annotated[Session, Depends(db, scope="function")],
) -> dict[str, Any]:
    if account.role != Role.admin:
        raise ApiError(403, "role", "仅系统管理员可以设定收回口径", "forbidden")
    if key not in BASIS_SETTINGS:
        raise ApiError(404, "key", f"未知的设定项：{key}", "not_found")
    try:
        computed = set_basis(session, key, body.value, account.username)
    except LedgerError as exc:
        session.rollback()
        raise _error(exc) from None
    return {"key": key, "value": body.value, "computed": computed}


@router.get("/reports/{name}", summary="财务报表（JSON）；名称后加 .xlsx 下载 Excel")
def get_report(
    name: str,
    _: Annotated[Account, Depends(finance)],
    session: Annotated[Session, Depends(db, scope="function")],
) -> Any:
    excel = name.endswith(".xlsx")
    name = name.removesuffix(".xlsx")
    if name not in REPORTS:
        raise ApiError(
            404, "name", f"未知的报表：{name}（可用：{'、'.join(REPORTS)}）", "not_found"
        )
    title, rows = report(session, name, files_dir())
    if excel:
        return Response(
            to_xlsx(title, rows),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="ledger-{name}.xlsx"'},
        )
    return {"title": title, "rows": rows}
