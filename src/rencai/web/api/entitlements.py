"""POST /api/v1/entitlements — the calculator over HTTP."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse, Response

from rencai import clock
from rencai.policy.cities import example
from rencai.policy.contract.profile import ProfileError, parse_profile, profile_json_schema
from rencai.policy.contract.result import EntitlementResult
from rencai.settings import settings
from rencai.web.admission import Busy
from rencai.web.batching import cache_key, calculator, encode

router = APIRouter(prefix="/api/v1", tags=["entitlements 政策计算器"])

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "examples": ["person.birth_date"]},
                    "message": {"type": "string", "examples": ["日期格式应为 YYYY-MM-DD"]},
                    "code": {"type": "string", "examples": ["date_from_datetime_parsing"]},
                },
            },
        }
    },
}

# an answer of the default jurisdiction, from its folder (examples/entitlements.json)
EXAMPLE_RESULT = example("entitlements")


@router.post(
    "/entitlements",
    response_model=EntitlementResult,
    summary="计算人才可享受的人才绿卡、服务项目和资金（附政策出处）",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": profile_json_schema()}},
        }
    },
    responses={
        200: {
            "description": "计算结果",
            "content": {"application/json": {"example": EXAMPLE_RESULT}},
        },
        422: {
            "description": "画像无效：逐字段列出问题",
            "content": {"application/json": {"schema": ERROR_SCHEMA}},
        },
    },
)
async def post_entitlements(
    profile: Annotated[dict[str, Any], Body(description="人才画像（calculator contract v1）")],
    on: Annotated[
        dt.date | None, Query(description="适用哪一天的政策（默认画像中的 on 或今天）")
    ] = None,
) -> Any:
    try:
        body = await answer(profile, on)
    except ProfileError as exc:
        return JSONResponse({"errors": [e.as_dict() for e in exc.errors]}, status_code=422)
    return Response(body, media_type="application/json")


async def answer(profile: dict[str, Any], on: dt.date | None = None) -> bytes:
    """A profile's answer as JSON bytes (raises its ProfileError): from the process's cache,
    else from the next micro-batch, one simulation for the requests arriving together; refused
    503 busy at once when the queue is too long (decision 0190). The calculator route and a
    talent's own entitlements (GET /api/v1/me/entitlements) both answer this way."""
    calc = calculator()
    # the canonical key costs a serialisation of the profile: only when answers are kept
    key = cache_key(profile, on, clock.today()) if settings().calculator_cache > 0 else None
    body = None if key is None else calc.cached(key)
    if body is None:
        parsed = parse_profile(profile)
        if calc.hopeless(settings().calculator_wait):
            raise Busy
        body = encode(await calc.answer(parsed, on))
        if key is not None:
            calc.keep(key, body)
    return body


@router.get("/schemas/profile", response_model=dict[str, Any], summary="人才画像的 JSON Schema")
def get_profile_schema() -> dict[str, Any]:
    return profile_json_schema()
