"""Read models of the department feeds: a load record (API, page and command line), the claim
checks of an application, the data about a talent and their disputes."""

from __future__ import annotations

import datetime as dt

from rencai import clock
from rencai.feeds.claims import ClaimCheck, Evidence, all_exact_matches
from rencai.feeds.departments import SOURCES, DeliveryResult
from rencai.feeds.disputes import DataItem
from rencai.feeds.models import FeedDispute, FeedLoad
from rencai.views import View

CHANNELS = {"file": "文件（命令行）", "upload": "页面上传", "push": "接口推送"}


class RejectView(View):
    line: int
    reason: str


class LoadView(View):
    load_id: int
    source: str
    source_label: str
    file_name: str
    sha256: str
    channel: str | None
    loaded_by: str
    loaded_at: dt.datetime
    loaded_at_display: str
    rows: int
    loaded: int
    rejected: int
    duplicate: int
    period_from: dt.date | None
    period_to: dt.date | None


class DeliveryView(LoadView):
    already_loaded: bool
    rejects: list[RejectView]


def load_view(record: FeedLoad) -> LoadView:
    return LoadView(
        load_id=record.id,
        source=record.kind,
        source_label=SOURCES[record.kind].label if record.kind in SOURCES else record.kind,
        file_name=record.source_name,
        sha256=record.sha256,
        channel=record.channel,
        loaded_by=record.loaded_by,
        loaded_at=record.loaded_at,
        loaded_at_display=clock.display(record.loaded_at),
        rows=record.rows_total,
        loaded=record.rows_loaded,
        rejected=record.rows_rejected,
        duplicate=record.rows_duplicate or 0,
        period_from=record.period_from,
        period_to=record.period_to,
    )


def delivery_view(result: DeliveryResult, limit: int = 500) -> DeliveryView:
    """The load record of a delivery with its first ``limit`` rejected rows."""
    return DeliveryView(
        **load_view(result.load).model_dump(),
        already_loaded=result.already_loaded,
        rejects=[RejectView(line=line, reason=reason) for line, reason in result.rejects[:limit]],
    )


class EvidenceView(View):
    source: str
    source_label: str
    load_id: int
    row_number: int
    where: str
    text: str
    disputed: bool = False  # the applicant disputes this row


class ClaimCheckView(View):
    claim: str
    label: str
    claimed: str
    found: str
    outcome: str
    outcome_label: str
    exact: bool
    flagged: bool
    evidence: list[EvidenceView]


class DisputeView(View):
    dispute_id: int
    source: str
    source_label: str
    load_id: int
    row_number: int
    where: str
    row_text: str
    reason: str
    created_at: dt.datetime
    created_at_display: str


class DataItemView(View):
    row_id: int
    evidence: EvidenceView
    disputed: bool


class ClaimChecksView(View):
    """The checks of one application, with what they add up to (never a decision), and the
    applicant's disputes of department rows."""

    application_id: int
    flagged: int
    all_exact: bool
    checks: list[ClaimCheckView]
    disputes: list[DisputeView]


def evidence_view(e: Evidence, disputed: bool = False) -> EvidenceView:
    return EvidenceView(
        source=e.source,
        source_label=e.source_label,
        load_id=e.load_id,
        row_number=e.row_number,
        where=e.where,
        text=e.text,
        disputed=disputed,
    )


def dispute_view(d: FeedDispute) -> DisputeView:
    return DisputeView(
        dispute_id=d.id,
        source=d.source,
        source_label=SOURCES[d.source].label,
        load_id=d.load_id,
        row_number=d.row_number,
        where=f"第{d.load_id}批第{d.row_number}行",
        row_text=d.row_text,
        reason=d.reason,
        created_at=d.created_at,
        created_at_display=clock.display(d.created_at),
    )


def data_item_view(item: DataItem) -> DataItemView:
    return DataItemView(
        row_id=item.row_id, evidence=evidence_view(item.evidence), disputed=item.disputed
    )


def claim_checks_view(
    application_id: int, checks: list[ClaimCheck], disputes: list[FeedDispute] | None = None
) -> ClaimChecksView:
    listed = disputes or []
    disputed = {(d.source, d.load_id, d.row_number) for d in listed}
    return ClaimChecksView(
        application_id=application_id,
        flagged=sum(1 for c in checks if c.flagged),
        all_exact=all_exact_matches(checks),
        disputes=[dispute_view(d) for d in listed],
        checks=[
            ClaimCheckView(
                claim=c.claim,
                label=c.label,
                claimed=c.claimed,
                found=c.found,
                outcome=c.outcome,
                outcome_label=c.outcome_label,
                exact=c.exact,
                flagged=c.flagged,
                evidence=[
                    evidence_view(e, (e.source, e.load_id, e.row_number) in disputed)
                    for e in c.evidence
                ],
            )
            for c in checks
        ],
    )
