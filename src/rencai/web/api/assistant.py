"""POST /api/v1/ask — the 云骥 policy assistant over HTTP.

Open to everyone for policy questions; a case question (“我的申请到哪一步了”) is answered from
the signed-in talent's own cases and schedules only (bearer token or session cookie).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel, ConfigDict, Field

from rencai.applications.requirements import required
from rencai.assistant.cases import answer_case
from rencai.assistant.core import MAX_QUESTION, QuestionError, ask
from rencai.assistant.slots import Slots
from rencai.errors import Refusal
from rencai.registry.accounts import resolve_token
from rencai.registry.models import Account
from rencai.web.deps import DbSession, bearer_or_cookie

router = APIRouter(prefix="/api/v1", tags=["assistant 云骥政策助手"])


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=MAX_QUESTION, description="问题（中文）")
    on: dt.date | None = Field(default=None, description="按哪一天的政策回答（默认今天）")
    jurisdiction: Literal["shijiazhuang", "jinzhou", "cangzhou"] | None = Field(
        default=None, description="所问城市（问题中写明城市的以问题为准）"
    )
    slots: dict[str, Any] | None = Field(
        default=None, description="上一轮回答中的 slots（继续补充个人情况时原样带回）"
    )


class Citation(BaseModel):
    document: str
    clause: str
    quote: str
    model_config = ConfigDict(extra="allow")


class AnswerView(BaseModel):
    answer: str
    citations: list[Citation]
    refused: bool
    intent: str
    intent_label: str
    amounts: list[dict[str, Any]]
    eligibility: list[dict[str, Any]]
    ask: dict[str, str] | None
    slots: dict[str, Any]
    calculator_url: str | None
    jurisdiction: str | None
    on: str
    confidence: float
    office: str | None
    question: str
    records: dict[str, list[int]] | None


def _asker(request: Request, session: DbSession, authorization: str | None) -> Account | None:
    raw = bearer_or_cookie(request, authorization)
    return resolve_token(session, raw) if raw else None


@router.post(
    "/ask",
    response_model=AnswerView,
    summary="云骥：用中文回答人才政策问题，并引用条款原文",
    responses={422: {"description": "问题无效（为空、过长或补充信息有误）"}},
)
def post_ask(
    body: Question,
    request: Request,
    session: DbSession,
    authorization: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    try:
        if body.slots is not None:
            Slots.from_dict(body.slots)
    except (ValueError, TypeError):
        raise Refusal("slots", "补充的个人情况无法识别，请重新提问", "invalid_slots") from None
    account = _asker(request, session, authorization)
    try:
        answer = ask(
            body.question,
            on=body.on,
            jurisdiction=body.jurisdiction,
            earlier=body.slots,
            cases=lambda text: answer_case(text, session, account),
            materials=lambda program: required(session, program),
        )
    except QuestionError as exc:
        raise Refusal("question", str(exc), "invalid_question") from None
    return answer.as_dict()
