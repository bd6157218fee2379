"""Accounts over HTTP: register, log in (token), the talent's own profile and entitlements.

Every route that returns personal data resolves the caller from a Bearer token (API) or the
session cookie (pages) on the server; a talent only ever reaches their own profile.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from rencai.errors import Refusal
from rencai.policy.contract.profile import ProfileError
from rencai.policy.contract.result import EntitlementResult
from rencai.registry.accounts import (
    authenticate,
    change_password,
    checked_profile,
    issue_token,
    register_talent,
    revoke_token,
    update_profile,
)
from rencai.registry.identifiers import mask_id_number
from rencai.registry.models import ROLE_LABELS, Role, TalentProfile
from rencai.views import View
from rencai.web.api.entitlements import answer
from rencai.web.deps import (
    CurrentTalent,
    DbSession,
    PendingAccount,
    bearer_or_cookie,
    client_address,
)
from rencai.web.limits import Name, Version

router = APIRouter(prefix="/api/v1", tags=["accounts 账号"])


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


class TalentView(View):
    id: int
    name: str
    id_number: str
    version: int
    profile: dict[str, Any]


class Token(View):
    token: str
    token_type: str
    role: str
    role_label: str
    must_change_password: bool


class PasswordChanged(View):
    changed: bool
    must_change_password: bool
    token: str
    token_type: str


class Me(View):
    username: str
    display_name: str
    role: str
    role_label: str
    county: str | None
    must_change_password: bool


def talent_view(talent: TalentProfile) -> dict[str, Any]:
    return {
        "id": talent.id,
        "name": talent.name,
        "id_number": mask_id_number(talent.id_number),
        "version": talent.version,
        "profile": json.loads(talent.profile),
    }


@router.post("/talents", response_model=TalentView, status_code=201, summary="人才注册")
def register(body: Registration, session: DbSession) -> dict[str, Any]:
    talent = register_talent(
        session, body.username, body.password, body.name, body.id_number, body.profile
    )
    return talent_view(talent)


@router.post("/tokens", response_model=Token, summary="登录，取得访问令牌")
def login(request: Request, body: Credentials, session: DbSession) -> Any:
    """Unknown names, wrong passwords and inactive accounts get the same 401; repeated failures
    get the same 429 for any name (decision 0084)."""
    try:
        result = authenticate(
            session, body.username, body.password, kind="api", address=client_address(request)
        )
    except Refusal:
        session.commit()  # failed attempts count towards the throttles even though we refuse
        raise
    account = result.account
    return {
        "token": result.token,
        "token_type": "bearer",
        "role": account.role,
        "role_label": ROLE_LABELS[Role(account.role)],
        "must_change_password": account.must_change_password,
    }


@router.put(
    "/me/password",
    response_model=PasswordChanged,
    summary="修改本人密码（须提供原密码；原有登录全部失效，返回新令牌）",
)
def put_password(
    body: PasswordChange, account: PendingAccount, session: DbSession
) -> dict[str, Any]:
    change_password(session, account, body.old_password, body.new_password)
    return {
        "changed": True,
        "must_change_password": False,
        "token": issue_token(session, account, "api"),
        "token_type": "bearer",
    }


@router.delete("/tokens/current", status_code=204, response_model=None, summary="退出登录")
def logout(
    request: Request, session: DbSession, authorization: Annotated[str | None, Header()] = None
) -> None:
    raw = bearer_or_cookie(request, authorization)
    if raw:
        revoke_token(session, raw)


@router.get("/me", response_model=Me, summary="当前账号")
def me(account: PendingAccount) -> dict[str, Any]:
    return {
        "username": account.username,
        "display_name": account.display_name,
        "role": account.role,
        "role_label": ROLE_LABELS[Role(account.role)],
        "county": account.county,
        "must_change_password": account.must_change_password,
    }


@router.get("/me/profile", response_model=TalentView, summary="本人人才档案")
def my_profile(talent: CurrentTalent) -> dict[str, Any]:
    return talent_view(talent)


@router.put(
    "/me/profile", response_model=TalentView, summary="修改本人人才档案（须带上读取时的 version）"
)
def put_profile(
    body: Annotated[ProfileUpdate, Body()], talent: CurrentTalent, session: DbSession
) -> dict[str, Any]:
    update_profile(session, talent, body.profile, body.version)
    return talent_view(talent)


@router.get(
    "/me/entitlements", response_model=EntitlementResult, summary="按本人档案计算可享受的政策"
)
async def my_entitlements(talent: CurrentTalent) -> Any:
    # the stored profile is read off the event loop (the platform's facts may read the
    # database); the answer comes as the calculator route's does: cached, else micro-batched
    # with the other requests of the moment, serialised once (decision 0259)
    try:
        body = await answer(await run_in_threadpool(checked_profile, talent))
    except Refusal as exc:  # a stored birth date that contradicts the identity number
        return JSONResponse({"errors": [exc.as_dict()]}, status_code=422)
    except ProfileError as exc:
        return JSONResponse({"errors": [e.as_dict() for e in exc.errors]}, status_code=422)
    return Response(body, media_type="application/json")
