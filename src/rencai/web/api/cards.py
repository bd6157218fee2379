"""Cards over HTTP: the holder's cards and codes, the trust bundle, online verification with
use recording (rate-limited per service-point account), offline batches, lifecycle, statistics."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from starlette.types import Message, Receive, Scope, Send

from rencai import clock
from rencai.audit.log import append as audit
from rencai.cards.access import (
    cards_of,
    managed_card,
    may_manage_cards,
    may_see_photo,
    may_see_statistics,
    own_card,
)
from rencai.cards.holder import MAX_PHOTO_BYTES, holder_for_point, photo_of, set_photo
from rencai.cards.issuance import RELATION_LABELS, set_validity, validity_settings
from rencai.cards.keys import KeyError_, KeyStore, kid_of
from rencai.cards.lifecycle import change
from rencai.cards.lists import BUNDLES
from rencai.cards.models import Card, ServicePoint
from rencai.cards.online import fast_check, fast_check_async, remember_kind
from rencai.cards.presentation import dynamic_codes, pdf, static_code, svg
from rencai.cards.usage import (
    VERIFY_LIMITER,
    gate_of,
    point_of,
    statistics,
    upload,
    uses_of,
    verify_online,
)
from rencai.cards.views import CardDetail, CardView, card_detail, card_view
from rencai.db.session import database_url, session_scope
from rencai.errors import Refusal
from rencai.registry.models import Account, Role, TalentProfile
from rencai.settings import settings
from rencai.views import PagedListing, View
from rencai.web import card_lists
from rencai.web.admission import admitted
from rencai.web.deps import CurrentAccount, CurrentTalent, DbSession, bearer_or_cookie, require
from rencai.web.jsonbytes import dumps
from rencai.web.limits import Version
from rencai.web.lists import ListParams


class LeanCheckRoute(APIRoute):
    """The gates' check, served without FastAPI's per-request machinery in the common case
    (decision 0266): a bearer token and a JSON body that ``VerifyRequest`` accepts as it is. The
    route's dependencies then decide nothing (no path parameters; a bearer request is not
    subject to the cookie check), so the body is checked here and the check runs at once;
    anything else — another content type, a cookie, a body the model would refuse or convert —
    is handed to the declared route with the body as read, which answers it as before
    (structured 422 and 401 errors, the OpenAPI document unchanged)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "POST":
            await super().handle(scope, receive, send)
            return
        authorization = content_type = None
        for name, value in scope["headers"]:
            if name == b"authorization" and authorization is None:
                authorization = value
            elif name == b"content-type" and content_type is None:
                content_type = value
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: the route decides
                await super().handle(scope, _replay(b"".join(chunks), message), send)
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        lean = _lean_request(authorization, content_type, body)
        if lean is None:
            await super().handle(scope, _replay(body), send)
            return
        answer = await _check(*lean)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-length", str(len(answer)).encode()),
                    (b"content-type", b"application/json"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": answer})


def _lean_request(
    authorization: bytes | None, content_type: bytes | None, body: bytes
) -> tuple[str, str, str | None] | None:
    """(token, code, event id) when the declared route would take them exactly as they are."""
    if authorization is None or authorization[:7].lower() != b"bearer ":
        return None
    if content_type is not None and content_type.strip().lower() != b"application/json":
        return None
    try:
        data = json.loads(body)
        token = authorization[7:].decode("latin-1").strip()
    except ValueError:
        return None
    if not token or type(data) is not dict:
        return None
    code, event_id = data.get("code"), data.get("event_id")
    if type(code) is not str or len(code) > MAX_CODE:
        return None
    if event_id is not None and not (
        type(event_id) is str and MIN_EVENT_ID <= len(event_id) <= MAX_EVENT_ID
    ):
        return None
    return token, code, event_id


def _replay(body: bytes, then: Message | None = None) -> Receive:
    """A receive that gives the body already read, then ``then`` or what the client sends."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return then if then is not None else {"type": "http.disconnect"}

    return receive


router = APIRouter(prefix="/api/v1", tags=["cards 人才绿卡"])
# the gates' online check on its own, included among the first routers: a request is matched
# against the routes one by one, and a gate's check should not be tried against dozens first
online = APIRouter(prefix="/api/v1", tags=["cards 人才绿卡"], route_class=LeanCheckRoute)


def _now() -> dt.datetime:
    return clock.now()


Manager = Annotated[Account, Depends(require(may_manage_cards, message="无权管理人才绿卡"))]
ValidityAdmin = Annotated[
    Account, Depends(require(Role.admin, message="仅系统管理员可以设定有效期"))
]


def no_card() -> Refusal:
    return Refusal("number", "没有找到该卡", "not_found")


def stale_card() -> Refusal:
    return Refusal("version", "该卡已被他人处理，请刷新后查看", "stale_version")


class MyCards(View):
    items: list[CardView]
    uses: list[dict[str, Any]]


class DynamicCodes(View):
    number: str
    window_seconds: int
    codes: list[dict[str, Any]]


class RootKey(View):
    alg: str
    key: str
    kid: str


class Verification(View):
    """The verdict of one online check; with the holder as the counter may see them."""

    verdict: str
    accepted: bool
    message: str
    point: dict[str, Any]
    recorded: bool


class UploadResult(View):
    received: int
    stored: int
    duplicates: int


class ValidityView(View):
    tier: str
    label: str
    months: int | None
    source: str | None
    awaiting_administrator: bool


class Validity(View):
    items: list[ValidityView]


class ValidityChanged(Validity):
    cards_updated: int


class CardPage(PagedListing[CardView]):
    """A page of the cards the officer manages."""


class Changed(View):
    changed: list[CardView]


def _own_card(session: Session, talent: TalentProfile, number: str) -> Card:
    card = own_card(session, talent, number)
    if card is None:  # the same answer whether it does not exist or is someone else's
        raise no_card()
    return card


def _store() -> KeyStore:
    return KeyStore()


@router.get("/me/cards", response_model=MyCards, summary="本人的人才绿卡及副卡")
def my_cards(talent: CurrentTalent, session: DbSession) -> dict[str, Any]:
    cards = cards_of(session, talent)
    return {
        "items": [card_view(session, c) for c in cards],
        "uses": uses_of(session, [c.number for c in cards]),
    }


@router.get(
    "/me/cards/{number}/presentation",
    response_model=DynamicCodes,
    summary="动态二维码（每60秒一个，含后续时段）",
)
def presentation(number: str, talent: CurrentTalent, session: DbSession) -> dict[str, Any]:
    card = _own_card(session, talent, number)
    codes = dynamic_codes(session, card, _store(), _now())
    for item in codes:
        item["svg"] = (
            "data:image/svg+xml;base64," + base64.b64encode(svg(str(item["code"]))).decode()
        )
    return {"number": card.number, "window_seconds": 60, "codes": codes}


@router.put(
    "/me/cards/{number}/photo",
    response_model=None,
    status_code=204,
    summary="上传持卡人照片（JPG 或 PNG，不超过2MB）",
)
async def put_photo(
    number: str, file: UploadFile, talent: CurrentTalent, session: DbSession
) -> Response:
    card = _own_card(session, talent, number)
    data = await file.read(MAX_PHOTO_BYTES + 1)
    set_photo(card, data)
    audit(session, f"account:{talent.account_id}", "card.photo", f"card:{card.number}")
    return Response(status_code=204)


@router.get(
    "/me/cards/{number}/card.pdf",
    response_model=None,
    response_class=Response,
    responses={200: {"description": "卡面 PDF", "content": {"application/pdf": {}}}},
    summary="可打印的卡面（PDF，含持卡人照片与静态二维码）",
)
def printable(number: str, talent: CurrentTalent, session: DbSession) -> Response:
    card = _own_card(session, talent, number)
    photo = photo_of(card)
    if photo is None:  # a static code without the holder's photo could be used by anyone
        raise Refusal("photo", "请先上传持卡人照片，再打印卡面", "no_photo")
    code = static_code(session, card, _store(), _now())
    holder = card.holder_name or RELATION_LABELS.get(card.relation or "", "") or talent.name
    body = pdf(session, card, holder, code, photo[0])
    disposition = f'attachment; filename="{card.number}.pdf"'
    return Response(
        body, media_type="application/pdf", headers={"Content-Disposition": disposition}
    )


@router.get(
    "/cards/trust-bundle",
    response_model=None,
    response_class=Response,
    responses={
        200: {
            "description": "核验数据（COSE_Sign1 签名的签发密钥证书与状态清单）",
            "content": {"application/cose": {}},
        }
    },
    summary="核验数据：签发公钥证书与状态清单（COSE_Sign1）",
)
def trust_bundle(session: DbSession) -> Response:
    try:
        raw, parsed = BUNDLES.get(session, _store(), _now())
    except KeyError_ as exc:
        raise Refusal("keys", str(exc), "no_key") from None
    return Response(
        raw,
        media_type="application/cose",
        headers={"X-Bundle-Version": str(parsed.version), "Cache-Control": "max-age=300"},
    )


@router.get("/cards/root-key", response_model=RootKey, summary="根公钥（核验端预置）")
def root_key() -> dict[str, str]:
    store = _store()
    store.ensure_root()  # first use on a development setup; production installs it
    public = store.root_public()
    return {"alg": "ES256", "key": base64.b64encode(public).decode(), "kid": kid_of(public).hex()}


MAX_CODE, MIN_EVENT_ID, MAX_EVENT_ID = 4096, 8, 64


class VerifyRequest(BaseModel):
    code: str = Field(max_length=MAX_CODE, description="二维码内容（RC1:…）")
    event_id: str | None = Field(default=None, min_length=MIN_EVENT_ID, max_length=MAX_EVENT_ID)


def _point(session: Session, account: Account) -> ServicePoint:
    point = point_of(session, account)
    if point is None:
        raise Refusal("role", "仅服务网点账号可以核验", "forbidden")
    return point


@online.post(
    "/cards/verify", response_model=Verification, summary="在线核验并记录一次使用（按网点账号限流）"
)
async def verify_card(
    body: VerifyRequest, request: Request, authorization: Annotated[str | None, Header()] = None
) -> Response:
    # One worker thread does the whole check in one short transaction: a gate's request never
    # holds a database connection while it waits for another thread (under a burst that wait
    # would deadlock the thread pool against the connection pool).
    # A check that cannot start within RENCAI_VERIFY_WAIT is refused 503 busy at once: the gate
    # falls back to its offline verifier rather than holding the queue (decision 0170).
    raw = bearer_or_cookie(request, authorization)
    return Response(await _check(raw, body.code, body.event_id), media_type="application/json")


async def _check(raw: str | None, code: str, event_id: str | None) -> bytes:
    """The check, its answer serialised (raises the refusals)."""
    url = database_url()
    async with admitted(url, settings().verify_wait):
        # the common case in one statement on the event loop (decisions 0191, 0243, 0265)
        fast = await fast_check_async(url, raw, code, _store(), event_id) if raw else None
        if fast is not None:
            if fast.error is not None:
                raise _refusal(fast.error)
            assert fast.data is not None
            data = fast.data
        else:
            data = await run_in_threadpool(_verify_and_record, raw, code, event_id)
    # the answer as its model declares it (its fields first, then the others in order),
    # serialised here: validating a dict this route built itself would only cost time
    return _verification_json(data)


VERIFICATION_FIELDS = tuple(Verification.model_fields)


def _verification_json(data: dict[str, Any]) -> bytes:
    ordered = {name: data[name] for name in VERIFICATION_FIELDS}
    ordered.update((name, value) for name, value in data.items() if name not in ordered)
    return dumps(ordered)


REFUSALS = {
    "unauthenticated": ("authorization", "请先登录"),
    "forbidden": ("role", "仅服务网点账号可以核验"),
    "rate_limited": ("rate", "核验请求过于频繁，请稍后再试"),
}


def _refusal(code: str) -> Refusal:
    field, message = REFUSALS[code]
    return Refusal(field, message, code)


def _verify_and_record(raw_token: str | None, code: str, event_id: str | None) -> dict[str, Any]:
    url = database_url()
    # the common case in one statement (decision 0191); the general way below otherwise
    fast = fast_check(url, raw_token, code, _store(), event_id) if raw_token else None
    if fast is not None:
        if fast.error is not None:
            raise _refusal(fast.error)
        assert fast.data is not None
        return fast.data
    now = _now()
    with session_scope(url) as session:
        gate = gate_of(session, raw_token, now) if raw_token else None
        if gate is None:
            raise _refusal("unauthenticated")
        if gate.point_id is None:
            raise _refusal("forbidden")
        assert raw_token is not None
        remember_kind(raw_token, gate.point_kind)
        # the point's bucket, shared by every serving process (its row stays locked until this
        # transaction ends: one point's checks follow each other, other points are not held)
        if not VERIFY_LIMITER.allow(session, gate.account_id):
            raise _refusal("rate_limited")
        verdict, recorded = verify_online(session, gate, code, _store(), now, event_id)
        data = verdict.as_dict()
        if verdict.accepted and verdict.claims is not None:
            holder = holder_for_point(
                session, verdict.claims.number, gate.point_kind, verdict.claims.dynamic
            )
            if holder is not None:
                data["holder"] = holder
        data["point"] = {"code": gate.point_code, "name": gate.point_name, "kind": gate.point_kind}
        data["recorded"] = recorded
        return data


@router.get(
    "/cards/{number}/holder-photo",
    response_model=None,
    response_class=Response,
    responses={200: {"description": "持卡人照片", "content": {"image/jpeg": {}, "image/png": {}}}},
    summary="持卡人照片（刚在线核验通过该卡的网点可查看）",
)
def holder_photo(number: str, account: CurrentAccount, session: DbSession) -> Response:
    card = session.scalar(select(Card).where(Card.number == number))
    allowed = card is not None and may_see_photo(session, account, card)
    photo = photo_of(card) if card is not None and allowed else None
    if card is None or photo is None:  # the same answer for no card, no photo and no right
        raise Refusal("number", "没有可查看的持卡人照片", "not_found")
    audit(session, f"account:{account.id}", "card.photo_viewed", f"card:{card.number}")
    return Response(photo[0], media_type=photo[1], headers={"Cache-Control": "no-store"})


class UseBatch(BaseModel):
    events: list[dict[str, Any]]


@router.post(
    "/cards/uses", response_model=UploadResult, summary="离线核验记录批量上传（按记录编号去重）"
)
def upload_uses(body: UseBatch, account: CurrentAccount, session: DbSession) -> dict[str, Any]:
    point = _point(session, account)
    return upload(session, point, body.events)


@router.get(
    "/cards/statistics",
    response_model=dict[str, Any],
    summary="使用统计：按服务类型、网点、月份；可疑使用",
)
def card_statistics(
    account: Annotated[Account, Depends(require(may_see_statistics, message="无权查看统计"))],
    session: DbSession,
) -> dict[str, Any]:
    return statistics(session)


@router.get(
    "/cards/validity", response_model=Validity, summary="各卡别有效期（未设定的标记为待管理员设定）"
)
def get_validity(account: Manager, session: DbSession) -> dict[str, Any]:
    return {"items": validity_settings(session)}


class ValidityUpdate(BaseModel):
    months: int
    source: str = Field(max_length=200)


@router.put(
    "/cards/validity/{tier}", response_model=ValidityChanged, summary="设定卡别有效期（系统管理员）"
)
def put_validity(
    tier: str,
    body: ValidityUpdate,
    account: ValidityAdmin,
    session: DbSession,
) -> dict[str, Any]:
    updated = set_validity(session, f"account:{account.id}", tier, body.months, body.source)
    return {"items": validity_settings(session), "cards_updated": updated}


def _managed_card(session: Session, account: Account, number: str) -> Card:
    card = managed_card(session, account, number)
    if card is None:
        raise no_card()
    return card


@router.get("/cards", response_model=CardPage, summary="卡片列表（管理；筛选、搜索、排序、分页）")
def list_cards(
    account: Manager,
    session: DbSession,
    listing: Annotated[ListParams, Depends()],
    status: Annotated[
        Literal["active", "suspended", "revoked", "expired"] | None, Query(description="卡片状态")
    ] = None,
    tier: Annotated[str, Query(max_length=8, description="卡别字母（A、B、C、F等）")] = "",
    county: Annotated[str, Query(max_length=16, description="县（市、区）代码")] = "",
) -> dict[str, Any]:
    """搜索 q：卡号（或其中一段）、持卡人姓名。排序 sort：issued（发卡时间）、number、valid，
    前加-为倒序（默认-issued）。"""
    query = card_lists.parse(listing.with_filters(status=status, tier=tier, county=county))
    return card_lists.card_page(session, account, query).body()


@router.get("/cards/{number}", response_model=CardDetail, summary="卡片详情与办理记录（管理）")
def get_card(number: str, account: Manager, session: DbSession) -> CardDetail:
    return card_detail(session, _managed_card(session, account, number))


class LifecycleRequest(BaseModel):
    reason: str | None = Field(default=None, max_length=500)
    version: Version


@router.post(
    "/cards/{number}/{action}",
    response_model=Changed,
    summary="暂停、恢复、注销或续期（注销主卡同时注销副卡）",
)
def card_action(
    number: str,
    action: Literal["suspend", "resume", "revoke", "renew"],
    body: LifecycleRequest,
    account: Manager,
    session: DbSession,
) -> dict[str, Any]:
    card = _managed_card(session, account, number)
    if card.version != body.version:
        raise stale_card()
    try:
        changed = change(session, account, card, action, body.reason)
    except StaleDataError:
        raise stale_card() from None
    return {"changed": [card_view(session, c) for c in changed]}
