"""Where a case stands in its review chain, and who may act at a step."""

from __future__ import annotations

import json

from rencai.applications.models import Application, Status
from rencai.registry.models import Account, Role

REVIEWING = (Status.county_review, Status.city_review, Status.department_review)


def steps_of(application: Application) -> list[str]:
    # cases from before per-program chains followed county → city
    return json.loads(application.chain) if application.chain else ["county", "city"]


def status_for(step: str) -> Status:
    return {"county": Status.county_review, "city": Status.city_review}.get(
        step, Status.department_review
    )


def current_step(application: Application) -> str | None:
    """The step whose reviewer decides now (None when the case is not under review)."""
    if application.status not in REVIEWING:
        return None
    steps = steps_of(application)
    if application.step_index is not None:
        return steps[application.step_index]
    return "county" if application.status == Status.county_review else "city"


def step_index(application: Application) -> int:
    if application.step_index is not None:
        return application.step_index
    return 0 if application.status == Status.county_review else 1


def may_act_at(account: Account, application: Application, step: str) -> bool:
    """Whether an account is the reviewer of ``step`` for this case."""
    if step == "county":
        return account.role == Role.county_reviewer and account.county == application.county
    if step == "city":
        return account.role == Role.city_reviewer
    return account.role == Role.department_officer and account.department == step


def final_step(application: Application) -> str:
    return steps_of(application)[-1]
