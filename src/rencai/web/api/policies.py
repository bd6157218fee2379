"""GET /api/v1/policies — the policy catalogue (政策库)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, Query
from fastapi.responses import Response

from rencai.errors import Refusal
from rencai.policy.catalogue import KIND_LABELS, Catalogue, Entry, catalogue
from rencai.policy.cities import names
from rencai.views import Listing

router = APIRouter(prefix="/api/v1", tags=["policies 政策库"])

PER_PAGE = 20  # the page's default; the API pages only when asked (page=…)
MAX_PER_PAGE = 100
Kind = Literal["card", "money", "service", "housing", "recognition", "selection", "loan", "other"]
assert set(get_args(Kind)) == set(KIND_LABELS)


def find(
    q: str | None = None,
    jurisdiction: str | None = None,
    target: str | None = None,
    status: str | None = None,
    document: str | None = None,
    kind: str | None = None,
) -> list[Entry]:
    """The programs matching every filter: one search for the API and the 政策库 page."""
    found = catalogue().search(q or None, jurisdiction or None, target or None, document, status)
    return [e for e in found if not kind or e.kind == kind]


def page_of(items: list[Entry], page: int, per_page: int) -> tuple[list[Entry], int, int]:
    """The page asked for (the last one when past the end), its number and the page count."""
    pages = max(1, -(-len(items) // per_page))
    page = min(max(page, 1), pages)
    return items[(page - 1) * per_page : page * per_page], page, pages


@router.get(
    "/policies",
    response_model=Listing[dict[str, Any]],
    summary="按名称、文号、发文机关、对象或关键词查找政策项目",
)
async def list_policies(
    q: Annotated[str | None, Query(description="关键词（空格分隔，须全部匹配）")] = None,
    jurisdiction: Annotated[
        str | None, Query(description="地区代码：" + " / ".join(names()))
    ] = None,
    target: Annotated[Literal["person", "employer", "team"] | None, Query()] = None,
    status: Annotated[Literal["computed", "catalogued", "not_encodable"] | None, Query()] = None,
    document: Annotated[str | None, Query(description="文号或文件标题")] = None,
    kind: Annotated[Kind | None, Query(description="项目类别：" + " / ".join(KIND_LABELS))] = None,
    page: Annotated[
        int | None, Query(ge=1, le=100000, description="页码；不填则返回全部匹配项")
    ] = None,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE, description="每页项数")] = PER_PAGE,
) -> Response:
    # the catalogue, its search index and each program's JSON are built at start-up
    # (rencai.web.warm): a new query is answered from the index and joins encoded programs
    # (decision 0247); its answer is kept while the catalogue is the same, so a repeated search
    # is a lookup, answered in the event loop (decision 0192)
    cat = catalogue()
    key = (q, jurisdiction, target, status, document, kind, page, per_page)
    kept = ANSWERS.get(key)
    if kept is None or kept[0] is not cat:
        found = find(q, jurisdiction, target, status, document, kind)
        shown = found if page is None else page_of(found, page, per_page)[0]
        # each program's JSON is encoded once per catalogue: an answer only joins them
        body = cat.listing_json(len(found), shown)
        if len(ANSWERS) >= MAX_ANSWERS:
            ANSWERS.clear()
        kept = ANSWERS[key] = (cat, body)
    return Response(kept[1], media_type="application/json")


# a query's answer while the catalogue object is the same (it is built once per process)
ANSWERS: dict[tuple[object, ...], tuple[Catalogue, bytes]] = {}
MAX_ANSWERS = 4096


@router.get(
    "/policies/{program_id}",
    response_model=dict[str, Any],
    summary="政策项目详情（条件、标准、程序、不重复享受、收回、原文）",
)
def get_policy(program_id: str) -> Any:
    cat = catalogue()
    entry = cat.entries.get(program_id)
    if entry is None:
        raise Refusal("program_id", "政策库中没有此项目", "not_found")
    return entry.as_dict(cat.documents)
