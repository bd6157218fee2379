"""What the API and the pages show of reforms and runs (money in fen, and as yuan text)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rencai.policy.cities import names
from rencai.simulation.models import ReformRun, SavedReform
from rencai.simulation.reform import (
    BenefitSwitch,
    ExclusivitySwitch,
    ParameterChange,
    catalogue,
    parse_reform,
)
from rencai.simulation.service import POPULATIONS, result_of
from rencai.views import View

STATUS_LABELS = {"queued": "排队中", "running": "测算中", "done": "已完成", "failed": "失败"}


class ReformView(View):
    id: int
    name: str
    description: str
    jurisdiction: str
    jurisdiction_name: str
    changes: list[dict[str, Any]]
    spec: str  # the reform as YAML (what `rencai reform run` reads)
    updated_at: dt.datetime
    baseline: str | None = None  # the day whose law is the baseline, if not today's


class RunView(View):
    id: int
    status: str
    status_label: str
    reforms: list[int]
    baseline: list[int]
    name: str
    population: str
    population_label: str
    start: dt.date
    months: int
    done_months: int
    error: str | None
    started_at: dt.datetime
    finished_at: dt.datetime | None
    result: dict[str, Any] | None = None


def yuan(fen: int) -> str:
    """Fen as yuan with thousands separators, exact (no float)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def _labels(jurisdiction: str) -> dict[str, str]:
    found = catalogue(jurisdiction)
    result = {f"parameter:{p['path']}": p["label"] for p in found.parameters}
    result |= {f"benefit:{b['id']}": b["name"] for b in found.benefits}
    result |= {f"exclusivity:{g['id']}": g["label"] for g in found.exclusivity}
    return result


def change_text(change: Any, labels: dict[str, str]) -> str:
    """A change in the words of the office."""
    what = labels.get(change.key, change.key.split(":", 1)[1])
    since = f"自{change.start.isoformat()}起" if change.start else "自始"
    if isinstance(change, ParameterChange):
        until = f"至{change.stop.isoformat()}" if change.stop else ""
        value = "停止执行" if change.value is None else f"调整为 {change.value}"
        return f"{what}：{since}{until}{value}"
    if isinstance(change, BenefitSwitch):
        return f"{what}：{since}{'恢复' if change.enabled else '停止'}发放"
    assert isinstance(change, ExclusivitySwitch)
    rule = "可同时享受" if change.rule == "both" else "按就高原则享受其一"
    return f"{what}：{since}{rule}"


def reform_view(saved: SavedReform) -> ReformView:
    spec = parse_reform(saved.spec)
    labels = _labels(spec.jurisdiction)
    return ReformView(
        id=saved.id,
        name=saved.name,
        description=saved.description,
        jurisdiction=saved.jurisdiction,
        jurisdiction_name=names().get(saved.jurisdiction, saved.jurisdiction),
        changes=[{**c.as_dict(), "text": change_text(c, labels)} for c in spec.changes],
        spec=saved.spec,
        updated_at=saved.updated_at,
        baseline=spec.baseline.isoformat() if spec.baseline else None,
    )


def run_view(run: ReformRun, with_result: bool = True) -> RunView:
    spec = parse_reform(run.spec)
    result = result_of(run) if with_result else None
    return RunView(
        id=run.id,
        status=run.status,
        status_label=STATUS_LABELS.get(run.status, run.status),
        reforms=[int(i) for i in run.reforms.split(",") if i],
        baseline=[int(i) for i in run.baseline_reforms.split(",") if i],
        name=spec.name,
        population=run.population,
        population_label=(result or {}).get("population_label")
        or POPULATIONS.get(run.population, run.population),
        start=run.start_date,
        months=run.months,
        done_months=run.done_months,
        error=run.error,
        started_at=run.started_at,
        finished_at=run.finished_at,
        result=result,
    )
