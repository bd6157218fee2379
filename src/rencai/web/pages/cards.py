"""Card pages: the holder's cards with the dynamic QR and downloads; the offline verifier for
service points; the office's card management (lifecycle, validity settings, statistics)."""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from rencai.audit.log import append as audit
from rencai.cards.holder import MAX_PHOTO_BYTES, set_photo
from rencai.cards.issuance import CardError, set_validity, validity_settings
from rencai.cards.keys import KeyStore
from rencai.cards.lifecycle import ACTION_LABELS, can_manage, change
from rencai.cards.models import Card
from rencai.cards.points import POINT_LABELS
from rencai.cards.usage import statistics, uses_of
from rencai.registry.accounts import resolve_token
from rencai.registry.models import Account, Role, TalentProfile
from rencai.web.api.accounts import SESSION_COOKIE, db
from rencai.web.api.cards import card_view
from rencai.web.pages.calculator import templates

router = APIRouter(include_in_schema=False)
MANAGERS = (Role.admin, Role.city_reviewer, Role.county_reviewer)


def _account(request: Request, session: Session) -> Account | None:
    raw = request.cookies.get(SESSION_COOKIE)
    return resolve_token(session, raw) if raw else None


@router.get("/cards", response_class=HTMLResponse)
def my_cards(
    request: Request, session: Annotated[Session, Depends(db, scope="function")]
) -> Response:
    account = _account(request, session)
    if account is None:
        return RedirectResponse("/login", status_code=303)
    if account.role in MANAGERS:
        return RedirectResponse("/cards/manage", status_code=303)
    if account.role == Role.service_point:
        return RedirectResponse("/verifier", status_code=303)
    talent = session.scalar(select(TalentProfile).where(TalentProfile.account_id == account.id))
    cards = (
        list(session.scalars(select(Card).where(Card.talent_id == talent.id).order_by(Card.id)))
        if talent
        else []
    )
    return templates.TemplateResponse(
        request,
        "cards.html",
        {
            "talent": talent,
            "cards": [card_view(session, c) for c in cards],
            "uses": uses_of(session, [c.number for c in cards]),
        },
    )


@router.post("/cards/{number}/photo", response_class=HTMLResponse)
async def upload_photo(
    request: Request,
    number: str,
    session: Annotated[Session, Depends(db, scope="function")],
) -> Response:
    account = _account(request, session)
    if account is None:
        return RedirectResponse("/login", status_code=303)
    talent = session.scalar(select(TalentProfile).where(TalentProfile.account_id == account.id))
    card = (
        session.scalar(select(Card).where(Card.number == number, Card.talent_id == talent.id))
        if talent
        else None
    )
    if card is None:
        return _message(request, "没有找到该卡", 404)
    form = await request.form()
    upload = form.get("file")
    data = await upload.read(MAX_PHOTO_BYTES + 1) if isinstance(upload, UploadFile) else b""
    try:
        set_photo(card, data)
    except CardError as exc:
        session.rollback()
        return _message(request, exc.message, 413 if exc.code == "too_large" else 422)
    audit(session, f"account:{account.id}", "card.photo", f"card:{card.number}")
    return RedirectResponse("/cards", status_code=303)


@router.get("/verifier", response_class=HTMLResponse)
def verifier(request: Request) -> Response:
    store = KeyStore()
    store.ensure_root()
    root = base64.b64encode(store.root_public()).decode()
    return templates.TemplateResponse(
        request, "verifier.html", {"root_key": root, "kinds": POINT_LABELS}
    )


@router.get("/cards/manage", response_class=HTMLResponse)
def manage(
    request: Request,
    session: Annotated[Session, Depends(db, scope="function")],
    q: str = "",
    message: str = "",
) -> Response:
    account = _account(request, session)
    if account is None:
        return RedirectResponse("/login", status_code=303)
    if account.role not in MANAGERS:
        return _message(request, "无权管理人才绿卡", 403)
    query = select(Card).order_by(Card.id.desc()).limit(50)
    if account.role == Role.county_reviewer:
        query = query.where(Card.county == account.county)
    if q.strip():
        query = query.where(Card.number == q.strip().upper())
    cards = [card_view(session, c) for c in session.scalars(query)]
    stats = statistics(session) if account.role in (Role.admin, Role.city_reviewer) else None
    return templates.TemplateResponse(
        request,
        "card_manage.html",
        {
            "account": account,
            "cards": cards,
            "q": q,
            "message": message,
            "validity": validity_settings(session),
            "stats": stats,
            "actions": {
                k: v
                for k, v in ACTION_LABELS.items()
                if k in ("suspend", "resume", "revoke", "renew")
            },
            "is_admin": account.role == Role.admin,
        },
    )


def _message(request: Request, text: str, status: int) -> HTMLResponse:
    response = templates.TemplateResponse(request, "message.html", {"text": text})
    response.status_code = status
    return response


@router.post("/cards/manage/{number}/{action}", response_class=HTMLResponse)
async def manage_action(
    request: Request,
    number: str,
    action: str,
    session: Annotated[Session, Depends(db, scope="function")],
) -> Response:
    account = _account(request, session)
    if account is None:
        return RedirectResponse("/login", status_code=303)
    form = await request.form()
    card = session.scalar(select(Card).where(Card.number == number))
    if card is None or not can_manage(account, card):
        return _message(request, "没有找到该卡", 404)
    if str(card.version) != str(form.get("version", "")):
        return _message(request, "该卡已被他人处理，请刷新后查看", 409)
    try:
        change(session, account, card, action, str(form.get("reason", "")) or None)
    except CardError as exc:
        session.rollback()
        return _message(request, exc.message, 409 if exc.code == "bad_state" else 422)
    return RedirectResponse(f"/cards/manage?q={number}", status_code=303)


@router.post("/cards/manage/validity", response_class=HTMLResponse)
async def manage_validity(
    request: Request, session: Annotated[Session, Depends(db, scope="function")]
) -> Response:
    account = _account(request, session)
    if account is None:
        return RedirectResponse("/login", status_code=303)
    if account.role != Role.admin:
        return _message(request, "仅系统管理员可以设定有效期", 403)
    form = await request.form()
    try:
        months = int(str(form.get("months", "")))
    except ValueError:
        return _message(request, "有效期应为整数个月", 422)
    try:
        set_validity(
            session,
            f"account:{account.id}",
            str(form.get("tier", "")),
            months,
            str(form.get("source", "")),
        )
    except CardError as exc:
        session.rollback()
        return _message(request, exc.message, 422)
    return RedirectResponse("/cards/manage", status_code=303)
