"""政策模拟 over HTTP: saved reforms, runs in the background with progress, comparison."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Query
from pydantic import BaseModel, Field

from rencai import clock
from rencai.errors import Refusal
from rencai.registry.models import Account
from rencai.simulation import service
from rencai.simulation.reform import catalogue
from rencai.simulation.views import ReformView, RunView, reform_view, run_view
from rencai.views import Listing, View
from rencai.web.deps import DbSession, SerialId, require

router = APIRouter(prefix="/api/v1", tags=["reforms 政策模拟"])

Definer = Annotated[
    Account, Depends(require(service.may_define, message="仅系统管理员可以制定改革方案"))
]
Simulator = Annotated[
    Account,
    Depends(require(service.may_simulate, message="仅系统管理员或领导可以进行政策模拟")),
]


class ReformBody(BaseModel):
    """A reform: its YAML text, or the same as fields."""

    yaml: str | None = Field(None, max_length=200_000, description="改革方案（YAML）")
    name: str | None = Field(None, max_length=200, description="方案名称")
    description: str | None = Field(None, max_length=5_000, description="方案说明")
    jurisdiction: str | None = Field(None, max_length=32, description="城市代码")
    baseline: dt.date | None = Field(None, description="基准：该日施行的政策（此后的调整不计）")
    changes: list[dict[str, Any]] | None = Field(None, max_length=200, description="修改项")

    def data(self) -> Any:
        if self.yaml is not None:
            return self.yaml
        fields = self.model_dump(exclude_none=True, exclude={"yaml"})
        if "baseline" in fields:
            fields["baseline"] = fields["baseline"].isoformat()
        return fields


RowId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class RunBody(BaseModel):
    reforms: list[RowId] = Field(max_length=10, description="叠加测算的改革方案（按顺序）")
    baseline: list[RowId] = Field(
        default_factory=list, max_length=10, description="对比基准（缺省为现行政策）"
    )
    population: str = Field("registered", max_length=32, description="registered 或 feeds")
    start: dt.date | None = Field(None, description="测算起始月（缺省为本月）")
    months: int = Field(120, ge=-(2**31), le=2**31 - 1, description="测算期（月）")


class Catalogue(View):
    parameters: list[dict[str, Any]]
    benefits: list[dict[str, str]]
    exclusivity: list[dict[str, str]]


@router.get("/reforms/catalogue", response_model=Catalogue, summary="可调整的政策参数与规则")
def reform_catalogue(account: Simulator, jurisdiction: str = "shijiazhuang") -> Catalogue:
    from rencai.policy.cities import registry

    if jurisdiction not in registry():
        raise Refusal("jurisdiction", "没有该城市的政策规则", "not_found")
    found = catalogue(jurisdiction)
    return Catalogue(
        parameters=found.parameters, benefits=found.benefits, exclusivity=found.exclusivity
    )


@router.get("/reforms", response_model=Listing[ReformView], summary="已保存的改革方案")
def list_reforms(account: Simulator, session: DbSession) -> Listing[ReformView]:
    return Listing[ReformView].of([reform_view(r) for r in service.reforms(session)])


@router.post("/reforms", response_model=ReformView, status_code=201, summary="保存改革方案")
def create_reform(body: ReformBody, account: Definer, session: DbSession) -> ReformView:
    return reform_view(service.save(session, account, body.data()))


@router.get("/reforms/{reform_id}", response_model=ReformView, summary="一个改革方案")
def get_reform(reform_id: SerialId, account: Simulator, session: DbSession) -> ReformView:
    return reform_view(service.reform_or_404(session, reform_id))


@router.put("/reforms/{reform_id}", response_model=ReformView, summary="修改改革方案")
def update_reform(
    reform_id: SerialId, body: ReformBody, account: Definer, session: DbSession
) -> ReformView:
    return reform_view(service.save(session, account, body.data(), reform_id))


@router.post(
    "/reform-runs",
    response_model=RunView,
    status_code=202,
    summary="开始测算（后台进行，可查询进度）",
)
def start_run(
    body: RunBody, account: Simulator, session: DbSession, tasks: BackgroundTasks
) -> RunView:
    run = service.start(
        session,
        account,
        service.RunRequest(
            body.reforms, body.baseline, body.population, body.start or clock.today(), body.months
        ),
    )
    tasks.add_task(service.launch, run.id)  # after the row is committed
    return run_view(run)


@router.post(
    "/reform-runs/{run_id}/rerun",
    response_model=RunView,
    status_code=202,
    summary="重新测算（失败的测算，同样的方案、人群和测算期）",
)
def rerun(
    run_id: SerialId, account: Simulator, session: DbSession, tasks: BackgroundTasks
) -> RunView:
    run = service.rerun(session, account, run_id)
    tasks.add_task(service.launch, run.id)  # after the row is committed
    return run_view(run)


@router.get("/reform-runs", response_model=Listing[RunView], summary="测算记录（不含结果）")
def list_runs(account: Simulator, session: DbSession) -> Listing[RunView]:
    return Listing[RunView].of([run_view(r, with_result=False) for r in service.runs(session)])


@router.get("/reform-runs/compare", response_model=Listing[RunView], summary="多次测算并列对比")
def compare_runs(
    account: Simulator,
    session: DbSession,
    ids: Annotated[str, Query(max_length=100, description="测算编号，逗号分隔")],
) -> Listing[RunView]:
    try:
        numbers = [int(part) for part in ids.split(",") if part.strip()]
    except ValueError:
        raise Refusal("ids", "测算编号应为逗号分隔的数字", "invalid") from None
    if not all(1 <= n <= 2**31 - 1 for n in numbers):
        raise Refusal("ids", "测算编号应为正整数", "invalid")
    columns = service.compare(session, numbers)
    return Listing[RunView].of([run_view(c["run"]) for c in columns])


@router.get("/reform-runs/{run_id}", response_model=RunView, summary="一次测算：进度与结果")
def get_run(run_id: SerialId, account: Simulator, session: DbSession) -> RunView:
    return run_view(service.run_or_404(session, run_id))
