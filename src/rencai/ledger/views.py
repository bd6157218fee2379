"""Payment records as the API, the finance pages and the CLI show them (one model each)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field

from rencai.ledger.models import Batch
from rencai.ledger.money import yuan
from rencai.ledger.runs import RunSummary
from rencai.views import View


class BatchView(View):
    id: int
    run_id: str | None
    jurisdiction: str
    month: str
    status: str
    items: int
    total: str
    created_by: str
    decided_by: str | None
    budget_alerts: list[dict[str, Any]]
    file_name: str | None


class BatchDetail(BatchView):
    """A batch with one page of its payments (the payee masked)."""

    page: int
    pages: int
    lines: list[dict[str, Any]]


class RunSummaryView(View):
    """What a monthly run did: its decisions, the batch it made and the budget alerts."""

    run_id: str
    resumed: bool
    decisions: dict[str, int]
    batch_id: int | None
    batch_total: str
    budget_alerts: list[dict[str, Any]]


class ReceivableView(View):
    """A receivable with its journal and repayments; the balance is the journal's sum."""

    id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    amount: str | None
    outstanding: str
    citation: Any
    schedule_id: int
    journal: list[dict[str, Any]]
    repayments: list[dict[str, Any]]


class PaymentHistoryView(View):
    id_number_masked: str
    payee: dict[str, Any] | None
    schedules: list[dict[str, Any]] = Field(
        description="各发放计划及其各期：amount 为金额（元）；金额尚待管理员设定的一期 amount 为"
        " null，amount_label 为“待主管部门明确”"
    )


def batch_view(batch: Batch) -> BatchView:
    return BatchView(
        id=batch.id,
        run_id=batch.run_id,
        jurisdiction=batch.jurisdiction,
        month=f"{batch.month:%Y-%m}",
        status=batch.status,
        items=batch.item_count,
        total=yuan(batch.total_fen),
        created_by=batch.created_by,
        decided_by=batch.decided_by,
        budget_alerts=json.loads(batch.budget_alerts),
        file_name=batch.file_name,
    )


def run_summary_view(summary: RunSummary) -> RunSummaryView:
    return RunSummaryView(
        run_id=summary.run_id,
        resumed=summary.resumed,
        decisions=summary.decisions,
        batch_id=summary.batch_id,
        batch_total=yuan(summary.batch_total_fen),
        budget_alerts=summary.budget_alerts,
    )
