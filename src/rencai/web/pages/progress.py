"""Where a case stands, as the applicant reads it: the steps of its review from submission to
the decision (a progress stepper), its dates and what happens next.

Built from the case's own columns (its chain of review steps, the step it is at, the employer's
confirmation, the notice), so the stepper follows the workflow the program actually has.
"""

from __future__ import annotations

from typing import Any

from rencai import clock
from rencai.applications.models import STATUS_LABELS, Application, Status
from rencai.applications.programs import STEP_LABELS
from rencai.applications.steps import REVIEWING, step_index, steps_of
from rencai.formats import cn_date

STEP_NAMES = {"county": "县级审核", "city": "市级审核"}
DONE, CURRENT, TODO, STOPPED = "done", "current", "todo", "stopped"
STATE_LABELS = {DONE: "已完成", CURRENT: "进行中", TODO: "未开始", STOPPED: "未通过"}


def _step_name(step: str) -> str:
    return STEP_NAMES.get(step) or f"{STEP_LABELS.get(step, '主管部门')}审核"


def stepper(application: Application) -> list[dict[str, str]]:
    """The steps in order, each done, current, to do or stopped (where a refusal ended it)."""
    status = Status(application.status)
    chain = steps_of(application)
    finished = status in (Status.publicity, Status.objection, Status.approved)
    at = step_index(application) if status in (*REVIEWING, Status.returned) else None
    if status == Status.rejected:
        at = application.step_index if application.step_index is not None else len(chain) - 1
    steps: list[dict[str, str]] = [{"name": "提交申请", "state": DONE}]
    confirmation = application.employer_confirmation
    if confirmation is not None:
        state = {"confirmed": DONE, "denied": STOPPED}.get(confirmation, CURRENT)
        steps.append({"name": "单位确认", "state": state})
    for index, step in enumerate(chain):
        if finished or (at is not None and index < at):
            state = DONE
        elif at is not None and index == at:
            state = STOPPED if status == Status.rejected else CURRENT
        else:
            state = TODO
        name = _step_name(step)
        if state == CURRENT and status == Status.returned:
            name += "（退回补正）"
        steps.append({"name": name, "state": state})
    if application.notice_rule or status in (Status.publicity, Status.objection):
        during = {Status.publicity: CURRENT, Status.objection: CURRENT, Status.approved: DONE}
        steps.append({"name": "公示", "state": during.get(status, TODO)})
    decision = {Status.approved: ("审核通过", DONE), Status.rejected: ("不予通过", STOPPED)}
    name, state = decision.get(status, ("作出决定", TODO))
    steps.append({"name": name, "state": state})
    for entry in steps:
        entry["label"] = STATE_LABELS[entry["state"]]
    return steps


def next_step(application: Application) -> str:
    """What happens next, in one sentence for the applicant."""
    status = Status(application.status)
    due = f"，办理时限至{cn_date(application.due_date)}" if application.due_date else ""
    if status == Status.returned:
        return "请按退回意见补正后重新提交"
    if status in REVIEWING:
        waiting = _step_name(steps_of(application)[step_index(application)]) + due
        if application.employer_confirmation == "pending":
            return f"等待用人单位确认在职，同时等待{waiting}"
        return f"等待{waiting}"
    if status == Status.publicity:
        end = f"，公示期至{cn_date(application.notice_end)}" if application.notice_end else ""
        return f"公示中{end}；期满无异议即审核通过"
    if status == Status.objection:
        return "公示期间收到异议，正在核实处理"
    if status == Status.approved:
        return "已审核通过，按决定享受待遇"
    return "未通过，理由见办理记录"


def case_dates(application: Application) -> dict[str, str]:
    """The dates an applicant looks for: submitted, decided, and the current step's time limit."""
    dates = {"submitted": cn_date(clock.office_date(application.submitted_at))}
    if application.decided_at is not None and application.status in (
        Status.approved,
        Status.rejected,
    ):
        dates["decided"] = cn_date(clock.office_date(application.decided_at))
    if application.due_date is not None and application.status in REVIEWING:
        dates["due"] = cn_date(application.due_date)
    return dates


def case_summary(application: Application) -> dict[str, Any]:
    """One row of 我的申请."""
    return {
        "id": application.id,
        "program": application.program,
        "name": application.program_name,
        "status": application.status,
        "label": STATUS_LABELS[Status(application.status)],
        "dates": case_dates(application),
        "next": next_step(application),
        "steps": stepper(application),
    }
