"""Accounts over HTTP: register, log in (token), the talent's own profile and entitlements.

Every route that returns personal data resolves the caller from a Bearer token (API) or the
session cookie (pages) on the server; a talent only ever reaches their own profile.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Request
from fastapi.concurrency import contextmanager_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai.db.session import database_url, session_scope
from rencai.policy.calculator import entitlements
from rencai.policy.contract.profile import ProfileError, parse_profile
from rencai.registry.accounts import (
    RegistryError,
    authenticate,
    change_password,
    checked_profile,
    issue_token,
    register_talent,
    resolve_token,
    revoke_token,
    update_profile,
)
from rencai.registry.identifiers import mask_id_number
from rencai.registry.models import ROLE_LABELS, Account, Role, TalentProfile
from rencai.web.admission import admitted
from rencai.web.cookies import SESSION_COOKIE
from rencai.web.limits import Name, Version

router = APIRouter(prefix="/api/v1", tags=["accounts 账号"])


class ApiError(Exception):
    def __init__(self, status: int, field: str, message: str, code: str):
        self.status, self.field, self.message, self.code = status, field, message, code

    def response(self) -> JSONResponse:
        body = {"errors": [{"field": self.field, "message": self.message, "code": self.code}]}
        return JSONResponse(body, status_code=self.status)


async def db() -> AsyncIterator[Session]:
    """One transaction per request: committed on success, rolled back on error.

    Used with ``scope="function"``, so the commit happens before the response is sent: a client
    that is told 201 can rely on the row being there for its next request. The request is first
    admitted to the database (``rencai.web.admission``), so the connection its session takes is
    never one a worker thread has to wait for; the commit runs in a thread of its own.
    """
    url = database_url()
    async with admitted(url), contextmanager_in_threadpool(session_scope(url)) as session:
        yield session


def bearer_or_cookie(request: Request, authorization: str | None) -> str | None:
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return request.cookies.get(SESSION_COOKIE)


def client_address(request: Request) -> str | None:
    """The caller's address as the server sees it (behind a reverse proxy, uvicorn's
    ``--forwarded-allow-ips`` names the proxies whose X-Forwarded-For it trusts)."""
    return request.client.host if request.client else None


def current_account(
    request: Request,
    session: Annotated[Session, Depends(db, scope="function")],
    authorization: Annotated[str | None, Header()] = None,
) -> Account:
    raw = bearer_or_cookie(request, authorization)
    account = resolve_token(session, raw) if raw else None
    if account is None:
        if raw and resolve_token(session, raw, pending_change=True) is not None:
            raise ApiError(
                403, "password", "管理员已重置您的密码，请先修改密码", "password_change_required"
            )
        raise ApiError(401, "authorization", "请先登录", "unauthenticated")
    return account


def pending_account(
    request: Request,
    session: Annotated[Session, Depends(db, scope="function")],
    authorization: Annotated[str | None, Header()] = None,
) -> Account:
    """The caller, even one who must replace a temporary password first (the change itself)."""
    raw = bearer_or_cookie(request, authorization)
    account = resolve_token(session, raw, pending_change=True) if raw else None
    if account is None:
        raise ApiError(401, "authorization", "请先登录", "unauthenticated")
    return account


def current_talent(
    account: Annotated[Account, Depends(current_account)],
    session: Annotated[Session, Depends(db, scope="function")],
) -> TalentProfile:
    if account.role != Role.talent:
        raise ApiError(403, "role", "仅人才本人可以访问", "forbidden")
    talent = session.scalar(select(TalentProfile).where(TalentProfile.account_id == account.id))
    if talent is None:
        raise ApiError(404, "profile", "尚未建立人才档案", "not_found")
    return talent


class Registration(BaseModel):
    username: str = Field(min_length=3, max_length=64)
    password: str = Field(min_length=1, max_length=128)
    name: Name
    id_number: str = Field(min_length=1, max_length=18)
    profile: dict[str, Any] | None = None


class Credentials(BaseModel):
    username: str = Field(max_length=200)
    password: str = Field(max_length=10_000)  # the service refuses more than 128 before hashing


class PasswordChange(BaseModel):
    old_password: str = Field(max_length=10_000)
    new_password: str = Field(max_length=10_000)


class ProfileUpdate(BaseModel):
    version: Version
    profile: dict[str, Any]


def talent_view(talent: TalentProfile) -> dict[str, Any]:
    return {
        "id": talent.id,
        "name": talent.name,
        "id_number": mask_id_number(talent.id_number),
        "version": talent.version,
        "profile": json.loads(talent.profile),
    }


@router.post("/talents", status_code=201, summary="人才注册")
def register(
    body: Registration, session: Annotated[Session, Depends(db, scope="function")]
) -> dict[str, Any]:
    try:
        talent = register_talent(
            session, body.username, body.password, body.name, body.id_number, body.profile
        )
    except RegistryError as exc:
        raise ApiError(422, exc.field, exc.message, exc.code) from None
    return talent_view(talent)


@router.post("/tokens", summary="登录，取得访问令牌")
def login(
    request: Request,
    body: Credentials,
    session: Annotated[Session, Depends(db, scope="function")],
) -> Any:
    """Unknown names, wrong passwords and inactive accounts get the same 401; repeated failures
    get the same 429 for any name (decision 0084)."""
    try:
        result = authenticate(
            session, body.username, body.password, kind="api", address=client_address(request)
        )
    except RegistryError as exc:
        session.commit()  # failed attempts count towards the throttles even though we refuse
        status = {"throttled": 429, "password_too_long": 422}.get(exc.code, 401)
        error = ApiError(status, exc.field, exc.message, exc.code)
        raise error from None
    account = result.account
    return {
        "token": result.token,
        "token_type": "bearer",
        "role": account.role,
        "role_label": ROLE_LABELS[Role(account.role)],
        "must_change_password": account.must_change_password,
    }


@router.put("/me/password", summary="修改本人密码（须提供原密码；原有登录全部失效，返回新令牌）")
def put_password(
    body: PasswordChange,
    account: Annotated[Account, Depends(pending_account)],
    session: Annotated[Session, Depends(db, scope="function")],
) -> dict[str, Any]:
    try:
        change_password(session, account, body.old_password, body.new_password)
    except RegistryError as exc:
        raise ApiError(422, exc.field, exc.message, exc.code) from None
    return {
        "changed": True,
        "must_change_password": False,
        "token": issue_token(session, account, "api"),
        "token_type": "bearer",
    }


@router.delete("/tokens/current", status_code=204, summary="退出登录")
def logout(
    request: Request,
    session: Annotated[Session, Depends(db, scope="function")],
    authorization: Annotated[str | None, Header()] = None,
) -> None:
    raw = bearer_or_cookie(request, authorization)
    if raw:
        revoke_token(session, raw)


@router.get("/me", summary="当前账号")
def me(account: Annotated[Account, Depends(pending_account)]) -> dict[str, Any]:
    return {
        "username": account.username,
        "display_name": account.display_name,
        "role": account.role,
        "role_label": ROLE_LABELS[Role(account.role)],
        "county": account.county,
        "must_change_password": account.must_change_password,
    }


@router.get("/me/profile", summary="本人人才档案")
def my_profile(talent: Annotated[TalentProfile, Depends(current_talent)]) -> dict[str, Any]:
    return talent_view(talent)


@router.put("/me/profile", summary="修改本人人才档案（须带上读取时的 version）")
def put_profile(
    body: Annotated[ProfileUpdate, Body()],
    talent: Annotated[TalentProfile, Depends(current_talent)],
    session: Annotated[Session, Depends(db, scope="function")],
) -> dict[str, Any]:
    try:
        update_profile(session, talent, body.profile, body.version)
    except RegistryError as exc:
        status = 409 if exc.code == "stale_version" else 422
        raise ApiError(status, exc.field, exc.message, exc.code) from None
    return talent_view(talent)


@router.get("/me/entitlements", summary="按本人档案计算可享受的政策")
def my_entitlements(talent: Annotated[TalentProfile, Depends(current_talent)]) -> Any:
    try:
        return entitlements(parse_profile(checked_profile(talent)))
    except RegistryError as exc:  # a stored birth date that contradicts the identity number
        return JSONResponse({"errors": [exc.as_dict()]}, status_code=422)
    except ProfileError as exc:
        return JSONResponse({"errors": [e.as_dict() for e in exc.errors]}, status_code=422)
