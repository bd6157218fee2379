"""The applicant's stepper follows the case's own chain and status (pure: no database)."""

from __future__ import annotations

import datetime as dt
import json

from rencai.applications.models import Application, Status
from rencai.web.pages.progress import next_step, stepper


def _case(status: Status, chain: list[str], at: int | None, **extra: object) -> Application:
    return Application(
        status=status.value,
        chain=json.dumps(chain),
        step_index=at,
        submitted_at=dt.datetime(2026, 11, 30, 2, tzinfo=dt.UTC),
        **extra,
    )


def _states(case: Application) -> list[tuple[str, str]]:
    return [(s["name"], s["state"]) for s in stepper(case)]


def test_a_department_chain_with_employer_confirmation_and_a_notice() -> None:
    case = _case(
        Status.department_review,
        ["county", "hrss"],
        1,
        employer_confirmation="confirmed",
        notice_rule=json.dumps({"days": 5}),
        due_date=dt.date(2026, 12, 9),
    )
    assert _states(case) == [
        ("提交申请", "done"),
        ("单位确认", "done"),
        ("县级审核", "done"),
        ("人社部门审核", "current"),
        ("公示", "todo"),
        ("作出决定", "todo"),
    ]
    assert next_step(case) == "等待人社部门审核，办理时限至2026年12月9日"


def test_returned_rejected_and_approved() -> None:
    returned = _case(Status.returned, ["county", "city"], 0)
    assert ("县级审核（退回补正）", "current") in _states(returned)
    assert next_step(returned) == "请按退回意见补正后重新提交"
    rejected = _case(Status.rejected, ["county", "city"], 1)
    assert _states(rejected)[-2:] == [("市级审核", "stopped"), ("不予通过", "stopped")]
    approved = _case(Status.approved, ["county", "city"], None)
    assert {state for _, state in _states(approved)} == {"done"}
    pending = _case(Status.county_review, ["county", "city"], 0, employer_confirmation="pending")
    assert ("单位确认", "current") in _states(pending)
    assert next_step(pending).startswith("等待用人单位确认在职")
