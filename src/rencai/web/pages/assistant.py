"""The 云骥 chat page (/assistant): ask in Chinese, read the cited answer, open the calculator.

Phone-first, in the app's layout. Works without JavaScript (a form post renders the page with the
exchange); with HTMX the answer alone is appended to the conversation. The facts gathered so far
travel in a hidden field, so a fact asked back is answered in the next message. A signed-in
talent's case questions are answered from their own cases and schedules only.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from rencai.applications.requirements import required
from rencai.assistant.cases import answer_case
from rencai.assistant.core import MAX_QUESTION, QuestionError, ask
from rencai.assistant.slots import Slots
from rencai.web.deps import DbSession, MaybeAccount
from rencai.web.templating import templates

router = APIRouter(include_in_schema=False)

SUGGESTIONS = (
    "博士来石家庄租房补贴多少",
    "县卡和B卡能同时拿吗",
    "锦州硕士生活补贴发几年",
    "我34岁，双一流硕士，在正定县企业工作，能拿什么",
    "我的申请到哪一步了",
)


def _earlier(raw: str | None) -> dict[str, Any] | None:
    if not raw:
        return None
    try:
        data = json.loads(raw)
        Slots.from_dict(data)
    except (ValueError, TypeError):
        return None
    return data if isinstance(data, dict) else None


@router.get("/assistant", response_class=HTMLResponse)
def assistant_page(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "assistant.html",
        {"exchange": None, "suggestions": SUGGESTIONS, "max_question": MAX_QUESTION, "slots": ""},
    )


@router.post("/assistant", response_class=HTMLResponse)
async def assistant_ask(
    request: Request, session: DbSession, account: MaybeAccount
) -> HTMLResponse:
    form = await request.form()
    question = str(form.get("question") or "").strip()
    earlier = _earlier(str(form.get("slots") or ""))
    partial = request.headers.get("HX-Request") == "true"
    error, answer = None, None
    try:
        answer = ask(
            question,
            earlier=earlier,
            cases=lambda text: answer_case(text, session, account),
            materials=lambda program: required(session, program),
        ).as_dict()
    except QuestionError as exc:
        error = str(exc)
    exchange = {"question": question, "answer": answer, "error": error}
    slots = json.dumps(answer["slots"], ensure_ascii=False) if answer and answer["ask"] else ""
    context = {
        "exchange": exchange,
        "suggestions": SUGGESTIONS,
        "max_question": MAX_QUESTION,
        "slots": slots,
    }
    name = "assistant_exchange.html" if partial else "assistant.html"
    response = templates.TemplateResponse(request, name, context)
    response.status_code = 422 if error else 200
    return response
