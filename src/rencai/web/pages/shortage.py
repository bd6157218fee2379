"""急需紧缺人才需求目录 pages: the published catalogues (open to everyone), a unit's needs and
its consenting candidates, the office's review and publication, a talent's consent, matches and
the application a full match may start."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from rencai.policy.contract.vocabulary import vocabulary
from rencai.registry.accounts import talent_of
from rencai.registry.models import Account, Role
from rencai.shortage import service
from rencai.shortage.errors import ShortageError
from rencai.shortage.matching import DEGREE_LABELS, SKILL_LABELS
from rencai.shortage.service import INDUSTRIES, NeedInput
from rencai.shortage.views import (
    candidate_view,
    catalogue_view,
    match_view,
    need_view,
    occupation_view,
)
from rencai.web.deps import DbSession, MaybeAccount, PageAccount, SerialId
from rencai.web.forms import answered_on_page
from rencai.web.templating import page

router = APIRouter(include_in_schema=False)


def _text(form: Any, name: str, limit: int = 100) -> str:
    return str(form.get(name) or "").strip()[:limit]


def _int(form: Any, name: str, label: str) -> int:
    try:
        return int(_text(form, name, 12))
    except ValueError:
        raise ShortageError(name, f"请填写{label}（整数）", "bad_number") from None


def _overview(
    request: Request,
    session: Session,
    account: Account | None,
    error: str | None = None,
    status: int = 200,
    done: str | None = None,
    form: Any = None,
) -> Response:
    context: dict[str, Any] = {
        "form": {k: str(v) for k, v in (form or {}).items() if k != "csrf_token"},
        "catalogues": service.years(session),
        "cities": vocabulary().codes("jurisdiction"),
        "error": error,
        "done": done,
        "role": account.role if account else None,
        "year": service.year_now(),
    }
    if account is not None and service.may_submit(account):
        context["own"] = [need_view(session, n) for n in service.own_needs(session, account)]
        context["counties"] = vocabulary().counties_with_city()
        context["industries"] = INDUSTRIES
        context["degrees"] = {k: v for k, v in DEGREE_LABELS.items() if k != "none"}
        context["skills"] = {k: v for k, v in SKILL_LABELS.items() if k != "none"}
    if account is not None and service.may_review(account):
        context["waiting"] = [need_view(session, n) for n in service.waiting(session)]
        context["programs"] = {
            code: service.programs_of(code) for code in vocabulary().codes("jurisdiction")
        }
        context["pending_occupations"] = [
            occupation_view(o) for o in service.pending_occupations(session)
        ]
    talent = talent_of(session, account) if account and account.role == Role.talent else None
    if talent is not None:
        context["consented"] = service.consented(session, talent)
        if context["consented"]:
            context["matches"] = [
                match_view(session, m) for m in service.matches_for(session, talent)
            ]
    return page(request, "shortage.html", context, status)


@router.get("/shortage", response_class=HTMLResponse)
def overview(request: Request, account: MaybeAccount, session: DbSession) -> Response:
    return _overview(request, session, account)


async def _act(
    request: Request, session: Session, account: Account, action: Any, done: str
) -> Response:
    overview = partial(_overview, request, session, account)
    return await answered_on_page(request, session, action, overview, done)


@router.get("/shortage/catalogues/{jurisdiction}/{year}", response_class=HTMLResponse)
def catalogue(request: Request, jurisdiction: str, year: int, session: DbSession) -> Response:
    if not 2000 <= year <= 2100:
        raise ShortageError("year", "该年度目录尚未发布", "not_found")
    found = service.catalogue_or_404(session, jurisdiction[:32], year)
    view = catalogue_view(session, found, service.catalogue_needs(session, found))
    return page(request, "shortage_catalogue.html", {"catalogue": view})


@router.post("/shortage/needs", response_class=HTMLResponse)
async def submit(request: Request, account: PageAccount, session: DbSession) -> Response:
    def action(form: Any) -> None:
        if not service.may_submit(account):
            raise ShortageError("role", "仅用人单位经办人可以提交需求", "forbidden")
        service.submit(
            session,
            account,
            NeedInput(
                year=_int(form, "year", "目录年度"),
                county=_text(form, "county", 32),
                position=_text(form, "position"),
                industry=_text(form, "industry", 2),
                discipline=_text(form, "discipline") or None,
                degree=_text(form, "degree", 16) or None,
                skill_level=_text(form, "skill_level", 32) or None,
                count=_int(form, "count", "需求人数"),
                pay_min_yuan=_int(form, "pay_min", "年薪下限"),
                pay_max_yuan=_int(form, "pay_max", "年薪上限"),
            ),
        )

    return await _act(request, session, account, action, "需求已提交，等待人才办审核")


@router.post("/shortage/needs/{need_id}/review", response_class=HTMLResponse)
async def review(
    request: Request, need_id: SerialId, account: PageAccount, session: DbSession
) -> Response:
    if not service.may_review(account):
        raise ShortageError("role", "仅市委人才办可以审核需求", "forbidden")

    def action(form: Any) -> None:
        need = service.need_for_employer(session, account, need_id)
        service.review(
            session,
            account,
            need,
            _text(form, "decision", 10),
            _text(form, "note", 2000) or None,
            _text(form, "program", 64) or None,
        )

    return await _act(request, session, account, action, "审核结论已保存")


@router.post("/shortage/catalogues", response_class=HTMLResponse)
async def publish(request: Request, account: PageAccount, session: DbSession) -> Response:
    if not service.may_review(account):
        raise ShortageError("role", "仅市委人才办可以发布目录", "forbidden")

    def action(form: Any) -> Response:
        year = _int(form, "year", "年度")
        jurisdiction = _text(form, "jurisdiction", 32)
        service.publish(session, account, jurisdiction, year)
        return RedirectResponse(f"/shortage/catalogues/{jurisdiction}/{year}", status_code=303)

    return await _act(request, session, account, action, "")


@router.post("/shortage/occupations", response_class=HTMLResponse)
async def add_occupation(request: Request, account: PageAccount, session: DbSession) -> Response:
    def action(form: Any) -> None:
        service.add_occupation(
            session,
            account,
            _text(form, "jurisdiction", 32),
            _int(form, "year", "年度"),
            _text(form, "name", 200),
            _text(form, "source", 400),
        )

    return await _act(request, session, account, action, "工种已加入，随年度目录发布后生效")


@router.post("/shortage/occupations/{occupation_id}/delete", response_class=HTMLResponse)
async def remove_occupation(
    request: Request, occupation_id: SerialId, account: PageAccount, session: DbSession
) -> Response:
    def action(form: Any) -> None:
        service.remove_occupation(session, account, occupation_id)

    return await _act(request, session, account, action, "工种已删除")


@router.post("/shortage/consent", response_class=HTMLResponse)
async def consent(request: Request, account: PageAccount, session: DbSession) -> Response:
    def action(form: Any) -> None:
        talent = talent_of(session, account) if account.role == Role.talent else None
        if talent is None:
            raise ShortageError("role", "仅人才本人可以设定", "forbidden")
        service.set_consent(session, talent, form.get("consent") == "yes")

    return await _act(request, session, account, action, "已保存")


@router.post("/shortage/matches/{need_id}/application", response_class=HTMLResponse)
async def apply(
    request: Request, need_id: SerialId, account: PageAccount, session: DbSession
) -> Response:
    def action(form: Any) -> Response:
        talent = talent_of(session, account) if account.role == Role.talent else None
        if talent is None:
            raise ShortageError("role", "仅人才本人可以申请", "forbidden")
        case = service.apply_from_match(session, talent, service.published_need(session, need_id))
        return RedirectResponse(f"/applications/{case.id}", status_code=303)

    return await _act(request, session, account, action, "")


@router.get("/shortage/needs/{need_id}/candidates", response_class=HTMLResponse)
def candidates(
    request: Request, need_id: SerialId, account: PageAccount, session: DbSession
) -> Response:
    if not (service.may_review(account) or service.may_submit(account)):
        raise ShortageError("role", "仅需求单位或人才办可以查看匹配人才", "forbidden")
    need = service.need_for_employer(session, account, need_id)
    found = [candidate_view(m) for m in service.candidates(session, account, need)]
    return page(
        request,
        "shortage_candidates.html",
        {"need": need_view(session, need), "candidates": found},
    )
