"""A case as the API, the pages and the CLI show it (one builder, one model)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from rencai.applications.automatic import SAMPLE_RULE
from rencai.applications.materials import Material, size_label
from rencai.applications.models import STATUS_LABELS, Application, Status
from rencai.applications.publicity import label as notice_label
from rencai.applications.requirements import missing, required
from rencai.applications.service import REVIEWERS, history, is_overdue
from rencai.applications.steps import current_step, steps_of
from rencai.registry.identifiers import mask_id_number, mask_id_number_for_review
from rencai.registry.models import Account, Employer, TalentProfile
from rencai.views import View

CONFIRMATION_LABELS = {
    "pending": "待单位确认",
    "confirmed": "单位已确认在职",
    "denied": "单位不予确认",
}


class ApplicantView(View):
    name: str | None
    id_number: str
    employer: str | None
    employer_uscc: str | None
    employer_confirmation: str | None
    employer_confirmation_label: str


class HistoryEntry(View):
    level: str
    action: str
    reason: str | None
    at: str


class CaseView(View):
    """A case in a list: where it stands, its deadline, its chain of steps."""

    id: int
    program: str
    program_name: str
    county: str | None
    status: str
    status_label: str
    submitted_at: str
    version: int
    precheck: dict[str, Any]
    due_date: str | None
    due_provisional: bool
    overdue: bool
    employer_confirmation: str | None
    chain: list[str]
    step: str | None
    notice: str | None
    notice_end: str | None
    automatic: dict[str, Any] | None
    post_check: str | None


class CaseDetail(CaseView):
    """A case with who applied, its materials and its history."""

    rules_version: str
    applicant: ApplicantView
    materials_required: list[str]
    materials_missing: list[str]
    history: list[HistoryEntry]


class MaterialView(View):
    id: int
    filename: str
    size: int
    size_label: str
    content_type: str
    kind: str | None
    sha256: str
    uploaded_at: str


def applicant(session: Session, application: Application, account: Account | None) -> ApplicantView:
    """Who applied, for those who may see the case: the identity number masked, with the birth
    date visible to reviewers (they check age limits against it); the employer and whether it
    has confirmed employment."""
    talent = session.get(TalentProfile, application.talent_id)
    employer = session.get(Employer, application.employer_id) if application.employer_id else None
    reviewer = account is not None and account.role in REVIEWERS
    number = talent.id_number if talent is not None else ""
    return ApplicantView(
        name=talent.name if talent is not None else None,
        id_number=mask_id_number_for_review(number) if reviewer else mask_id_number(number),
        employer=employer.name if employer is not None else None,
        employer_uscc=employer.uscc if employer is not None else None,
        employer_confirmation=application.employer_confirmation,
        employer_confirmation_label=CONFIRMATION_LABELS.get(
            application.employer_confirmation or "", "无需单位确认"
        ),
    )


def _automatic(stored: str | None) -> dict[str, Any] | None:
    """The 秒批 explanation, its sampling rule in today's wording (older rows kept a formula)."""
    if not stored:
        return None
    explanation: dict[str, Any] = json.loads(stored)
    if isinstance(explanation.get("sample"), dict):
        explanation["sample"]["rule"] = SAMPLE_RULE
    return explanation


def case_fields(application: Application) -> dict[str, Any]:
    return {
        "id": application.id,
        "program": application.program,
        "program_name": application.program_name,
        "county": application.county,
        "status": application.status,
        "status_label": STATUS_LABELS[Status(application.status)],
        "submitted_at": application.submitted_at.isoformat(),
        "version": application.version,
        "precheck": json.loads(application.precheck),
        "due_date": application.due_date.isoformat() if application.due_date else None,
        "due_provisional": bool(application.due_provisional),
        "overdue": is_overdue(application),
        "employer_confirmation": application.employer_confirmation,
        "chain": steps_of(application),
        "step": current_step(application),
        "notice": notice_label(application) if application.notice_rule else None,
        "notice_end": application.notice_end.isoformat() if application.notice_end else None,
        "automatic": _automatic(application.automatic),
        "post_check": application.post_check,
    }


def case_view(application: Application) -> CaseView:
    return CaseView(**case_fields(application))


def case_detail(
    session: Session, application: Application, account: Account | None = None
) -> CaseDetail:
    return CaseDetail(
        **case_fields(application),
        rules_version=application.rules_version,
        applicant=applicant(session, application, account),
        materials_required=required(session, application.program),
        materials_missing=missing(session, application),
        history=[
            HistoryEntry(level=a.level, action=a.action, reason=a.reason, at=a.at.isoformat())
            for a in history(session, application)
        ],
    )


def material_view(material: Material) -> MaterialView:
    return MaterialView(
        id=material.id,
        filename=material.filename,
        size=material.size,
        size_label=size_label(material.size),
        content_type=material.content_type,
        kind=material.kind,
        sha256=material.sha256,
        uploaded_at=material.uploaded_at.isoformat(),
    )
