"""Card pages: the holder's cards with the dynamic QR and downloads; the offline verifier for
service points; the office's card management (lifecycle, validity settings, statistics)."""

from __future__ import annotations

import base64
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from rencai import clock
from rencai.audit.log import append as audit
from rencai.cards.access import (
    cards_of,
    managed_card,
    may_manage_cards,
    may_see_statistics,
    own_card,
)
from rencai.cards.holder import MAX_PHOTO_BYTES, set_photo
from rencai.cards.issuance import set_validity, validity_settings
from rencai.cards.keys import KeyStore
from rencai.cards.lifecycle import ACTION_LABELS, change
from rencai.cards.points import POINT_LABELS
from rencai.cards.usage import statistics, uses_of
from rencai.cards.views import card_view
from rencai.policy.contract.vocabulary import vocabulary
from rencai.registry.accounts import talent_of
from rencai.registry.models import Account, Role
from rencai.web import card_lists
from rencai.web.deps import DbSession, MaybeAccount, PageAccount, require_page
from rencai.web.lists import EXPORT_LIMIT, xlsx, xlsx_response
from rencai.web.templating import message as _message
from rencai.web.templating import templates

router = APIRouter(include_in_schema=False)
Manager = Annotated[Account, Depends(require_page(may_manage_cards, message="无权管理人才绿卡"))]
ValidityAdmin = Annotated[
    Account, Depends(require_page(Role.admin, message="仅系统管理员可以设定有效期"))
]


@router.get("/cards", response_class=HTMLResponse)
def my_cards(request: Request, account: PageAccount, session: DbSession) -> Response:
    if may_manage_cards(account):
        return RedirectResponse("/cards/manage", status_code=303)
    if account.role == Role.service_point:
        return RedirectResponse("/verifier", status_code=303)
    talent = talent_of(session, account)
    cards = cards_of(session, talent)
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
    request: Request, number: str, account: PageAccount, session: DbSession
) -> Response:
    card = own_card(session, talent_of(session, account), number)
    if card is None:
        return _message(request, "没有找到该卡", 404)
    form = await request.form()
    upload = form.get("file")
    data = await upload.read(MAX_PHOTO_BYTES + 1) if isinstance(upload, UploadFile) else b""
    set_photo(card, data)
    audit(session, f"account:{account.id}", "card.photo", f"card:{card.number}")
    return RedirectResponse("/cards", status_code=303)


@router.get("/verifier", response_class=HTMLResponse)
def verifier(request: Request, _: MaybeAccount) -> Response:
    # open to anyone; a signed-in service point sees its workspace bar (decision 0212)
    store = KeyStore()
    store.ensure_root()
    root = base64.b64encode(store.root_public()).decode()
    return templates.TemplateResponse(
        request, "verifier.html", {"root_key": root, "kinds": POINT_LABELS}
    )


@router.get("/cards/manage", response_class=HTMLResponse)
def manage(request: Request, account: Manager, session: DbSession, message: str = "") -> Response:
    query = card_lists.parse(request.query_params)
    found = card_lists.card_page(session, account, query)
    stats = statistics(session) if may_see_statistics(account) else None
    return templates.TemplateResponse(
        request,
        "card_manage.html",
        {
            "account": account,
            "found": found,
            "query": query,
            "choices": card_lists.filters(),
            "sorts": card_lists.SORTS,
            "counties": {code: c.name for code, c in vocabulary().counties.items()},
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


@router.get("/cards/manage.xlsx")
def manage_excel(request: Request, account: Manager, session: DbSession) -> Response:
    """The filtered card list as a workbook (dates as dates, card numbers as text)."""
    query = replace(card_lists.parse(request.query_params), page=1, per_page=EXPORT_LIMIT)
    found = card_lists.card_page(session, account, query)
    data = xlsx("人才绿卡", card_lists.COLUMNS, card_lists.export_rows(list(found.rows)))
    return xlsx_response(data, f"人才绿卡-{clock.today().isoformat()}.xlsx")


@router.post("/cards/manage/{number}/{action}", response_class=HTMLResponse)
async def manage_action(
    request: Request, number: str, action: str, account: PageAccount, session: DbSession
) -> Response:
    form = await request.form()
    card = managed_card(session, account, number)
    if card is None:
        return _message(request, "没有找到该卡", 404)
    if str(card.version) != str(form.get("version", "")):
        return _message(request, "该卡已被他人处理，请刷新后查看", 409)
    change(session, account, card, action, str(form.get("reason", "")) or None)
    return RedirectResponse(f"/cards/manage?q={number}", status_code=303)


@router.post("/cards/manage/validity", response_class=HTMLResponse)
async def manage_validity(
    request: Request,
    account: ValidityAdmin,
    session: DbSession,
) -> Response:
    form = await request.form()
    try:
        months = int(str(form.get("months", "")))
    except ValueError:
        return _message(request, "有效期应为整数个月", 422)
    set_validity(
        session,
        f"account:{account.id}",
        str(form.get("tier", "")),
        months,
        str(form.get("source", "")),
    )
    return RedirectResponse("/cards/manage", status_code=303)
