"""Saved reforms and their runs: save, start in the background with progress, keep, compare."""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from rencai import clock
from rencai.db.session import database_url, session_scope
from rencai.errors import Refusal
from rencai.registry.models import Account, Role
from rencai.settings import settings
from rencai.simulation import population as populations
from rencai.simulation.models import ReformRun, SavedReform
from rencai.simulation.reform import ReformError, ReformSpec, parse_reform, stack
from rencai.simulation.run import simulate

MAX_MONTHS = 240  # a budget window of at most 20 years
HEARTBEAT_SECONDS = 5.0  # a computing run records a sign of life this often
STALE_AFTER = dt.timedelta(seconds=90)  # without one for this long, the run was interrupted
INTERRUPTED = "测算因服务重启或进程异常退出而中断，未得出结果，请重新测算"
POPULATIONS = {"registered": "已登记人才", "feeds": "部门共享数据（政策找人所用数据）"}


def may_define(account: Account) -> bool:
    """The policy administrator defines reforms."""
    return account.role == Role.admin and account.active


def may_simulate(account: Account) -> bool:
    """The administrator and leadership run saved reforms and read their results."""
    return account.role in (Role.admin, Role.leadership) and account.active


def save(
    session: Session, account: Account, data: Any, reform_id: int | None = None
) -> SavedReform:
    spec = parse_reform(data)
    clash = session.scalar(select(SavedReform).where(SavedReform.name == spec.name))
    if clash is not None and clash.id != reform_id:
        raise Refusal("name", f"已有名为“{spec.name}”的改革方案", "duplicate_name")
    now = clock.now()
    if reform_id is None:
        saved = SavedReform(created_by=account.id, created_at=now)
        session.add(saved)
    else:
        saved = reform_or_404(session, reform_id)
    saved.name = spec.name
    saved.description = spec.description
    saved.jurisdiction = spec.jurisdiction
    saved.spec = spec.to_yaml()
    saved.updated_at = now
    session.flush()
    return saved


def reform_or_404(session: Session, reform_id: int) -> SavedReform:
    saved = session.get(SavedReform, reform_id)
    if saved is None:
        raise Refusal("reform", "没有这个改革方案", "not_found")
    return saved


def spec_of(saved: SavedReform) -> ReformSpec:
    return parse_reform(saved.spec)


def reforms(session: Session) -> list[SavedReform]:
    return list(session.scalars(select(SavedReform).order_by(SavedReform.id)))


def _stack(session: Session, ids: list[int], field: str) -> ReformSpec | None:
    if not ids:
        return None
    if len(set(ids)) != len(ids):
        raise Refusal(field, "同一改革方案不能重复叠加", "invalid")
    specs = [spec_of(reform_or_404(session, i)) for i in ids]
    return specs[0] if len(specs) == 1 else stack(specs)


@dataclass
class RunRequest:
    reforms: list[int]
    baseline: list[int]
    population: str
    start: dt.date
    months: int


def start(session: Session, account: Account, request: RunRequest) -> ReformRun:
    """A run, queued: checked now (reforms, conflicts, window, population); computed by
    ``launch`` once the row is committed."""
    if not request.reforms:
        raise Refusal("reforms", "请选择要测算的改革方案", "required")
    reap_stale(session)
    reform = _stack(session, request.reforms, "reforms")
    baseline = _stack(session, request.baseline, "baseline")
    assert reform is not None
    if baseline is not None:
        if reform.jurisdiction != baseline.jurisdiction:
            raise Refusal("baseline", "对比基准须与改革方案属于同一城市", "invalid")
        if not set(baseline.changes) <= set(reform.changes):
            # a step of a stack: the baseline's changes must be within the reform's
            problems = [
                Refusal(
                    "baseline",
                    "对比基准中的修改须全部包含在所测算的方案中（以叠加方案对比其中一部分）",
                    "invalid",
                )
            ]
            raise ReformError(problems)
    if not 1 <= request.months <= MAX_MONTHS:
        raise Refusal("months", f"测算期应为1至{MAX_MONTHS}个月", "invalid")
    if request.population not in POPULATIONS:
        raise Refusal("population", f"测算人群应为：{'、'.join(POPULATIONS.values())}", "invalid")
    if request.population == "feeds" and not settings().screening_store_dir.exists():
        raise Refusal("population", "尚未生成部门共享数据，请先在“政策找人”页面生成", "invalid")
    run = ReformRun(
        reforms=",".join(map(str, request.reforms)),
        baseline_reforms=",".join(map(str, request.baseline)),
        spec=reform.to_yaml(),
        population=request.population,
        start_date=request.start.replace(day=1),
        months=request.months,
        status="queued",
        done_months=0,
        started_by=account.id,
        started_at=clock.now(),
    )
    session.add(run)
    session.flush()
    return run


def launch(run_id: int, url: str | None = None) -> threading.Thread:
    """Compute a committed run in a thread of this process; its progress and result are
    committed as they come."""
    thread = threading.Thread(
        target=execute, args=(run_id, url or database_url()), name=f"reform-run-{run_id}"
    )
    thread.daemon = True
    thread.start()
    return thread


def _beat(run_id: int, url: str, stop: threading.Event) -> None:
    """Record the run's sign of life every few seconds until ``stop`` (the months can be long)."""
    while not stop.wait(HEARTBEAT_SECONDS):
        with session_scope(url) as s:
            s.execute(
                update(ReformRun)
                .where(ReformRun.id == run_id, ReformRun.status == "running")
                .values(heartbeat_at=clock.now())
            )


def reap_stale(session: Session) -> int:
    """Runs left queued or computing by a process that stopped (a restart, a crash): no sign of
    life for ``STALE_AFTER``. They are marked failed, saying so, and may be run again."""
    now = clock.now()
    stale = session.scalars(
        select(ReformRun)
        .where(
            ReformRun.status.in_(("queued", "running")),
            func.coalesce(ReformRun.heartbeat_at, ReformRun.started_at) < now - STALE_AFTER,
        )
        .with_for_update(skip_locked=True)
    ).all()
    for run in stale:
        run.status = "failed"
        run.error = INTERRUPTED
        run.finished_at = now
    session.flush()
    return len(stale)


def rerun(session: Session, account: Account, run_id: int) -> ReformRun:
    """A failed run started again with the same reforms, baseline, population and window."""
    previous = run_or_404(session, run_id)
    if previous.status != "failed":
        raise Refusal("run", "只有失败的测算可以重新测算", "invalid")
    return start(
        session,
        account,
        RunRequest(
            _ids(previous.reforms),
            _ids(previous.baseline_reforms),
            previous.population,
            previous.start_date,
            previous.months,
        ),
    )


def execute(run_id: int, url: str) -> None:
    stop = threading.Event()
    try:
        with session_scope(url) as session:
            run = session.get(ReformRun, run_id)
            assert run is not None
            run.status = "running"
            run.heartbeat_at = clock.now()
            reform = _stack(session, _ids(run.reforms), "reforms")
            baseline = _stack(session, _ids(run.baseline_reforms), "baseline")
            kind, start, months = run.population, run.start_date, run.months
            assert reform is not None
            if kind == "registered":
                loaded = populations.registered(session)
            else:
                loaded = populations.from_store(
                    settings().screening_store_dir, start, reform.jurisdiction
                )

        threading.Thread(
            target=_beat, args=(run_id, url, stop), name=f"reform-beat-{run_id}", daemon=True
        ).start()

        def progress(done: int, total: int) -> None:
            with session_scope(url) as s:
                row = s.get(ReformRun, run_id)
                assert row is not None
                row.done_months = done
                row.heartbeat_at = clock.now()

        result = simulate(
            loaded.population,
            start,
            months,
            reform,
            baseline=baseline,
            progress=progress,
            person_names=loaded.names,
            profiles=loaded.profiles,
        )
        result["population_label"] = loaded.source
        with session_scope(url) as session:
            run = session.get(ReformRun, run_id)
            assert run is not None
            run.result = json.dumps(result, ensure_ascii=False)
            run.status = "done"
            run.done_months = months
            run.finished_at = clock.now()
    except Exception as exc:  # the run fails visibly, never silently
        message = exc.message if isinstance(exc, Refusal) else "测算过程中出现错误，请联系管理员"
        with session_scope(url) as session:
            run = session.get(ReformRun, run_id)
            if run is not None:
                run.status = "failed"
                run.error = message
                run.finished_at = clock.now()
        if not isinstance(exc, Refusal):
            raise
    finally:
        stop.set()


def _ids(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]


def run_or_404(session: Session, run_id: int) -> ReformRun:
    reap_stale(session)
    run = session.get(ReformRun, run_id)
    if run is None:
        raise Refusal("run", "没有这次测算", "not_found")
    return run


def runs(session: Session, limit: int = 30) -> list[ReformRun]:
    reap_stale(session)
    return list(session.scalars(select(ReformRun).order_by(ReformRun.id.desc()).limit(limit)))


def result_of(run: ReformRun) -> dict[str, Any] | None:
    return json.loads(run.result) if run.result else None


def compare(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    """Finished runs side by side: totals by year and the difference per program."""
    if not 2 <= len(ids) <= 6:
        raise Refusal("runs", "请选择2至6次已完成的测算进行对比", "invalid")
    columns = []
    for run_id in ids:
        run = run_or_404(session, run_id)
        result = result_of(run)
        if result is None:
            raise Refusal("runs", f"第{run_id}号测算尚未完成", "invalid")
        columns.append({"run": run, "result": result})
    return columns
