"""What every route asks of a request, written once: the database session, who is calling,
and whether that caller may use the route.

The API reads a Bearer token (or the session cookie) and answers a missing login with 401; the
pages read the session cookie and send a signed-out visitor to the login page. Both refuse a
role with a ``Refusal`` whose code (``forbidden``) the one status table turns into 403, as JSON
under /api and as a Chinese page elsewhere (``rencai.web.errors``). Who may do what is decided
by a function of the owning capability; ``require`` only applies it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import Depends, Header, Path, Request
from fastapi.concurrency import contextmanager_in_threadpool
from sqlalchemy.orm import Session

from rencai.db.session import database_url, session_scope
from rencai.errors import Refusal
from rencai.registry.accounts import resolve_token, talent_of
from rencai.registry.models import Account, Role, TalentProfile
from rencai.web import workspace
from rencai.web.admission import admitted
from rencai.web.cookies import SESSION_COOKIE


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


DbSession = Annotated[Session, Depends(db, scope="function")]
# a path number that names a row with a 32-bit serial key (larger ones are 404 before any query)
SerialId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def bearer_or_cookie(request: Request, authorization: str | None) -> str | None:
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return request.cookies.get(SESSION_COOKIE)


def client_address(request: Request) -> str | None:
    """The caller's address as the server sees it (behind a reverse proxy, uvicorn's
    ``--forwarded-allow-ips`` names the proxies whose X-Forwarded-For it trusts)."""
    return request.client.host if request.client else None


def unauthenticated() -> Refusal:
    return Refusal("authorization", "请先登录", "unauthenticated")


# --- the API -------------------------------------------------------------------------------------


def current_account(
    request: Request, session: DbSession, authorization: Annotated[str | None, Header()] = None
) -> Account:
    raw = bearer_or_cookie(request, authorization)
    account = resolve_token(session, raw) if raw else None
    if account is None:
        if raw and resolve_token(session, raw, pending_change=True) is not None:
            raise Refusal(
                "password", "管理员已重置您的密码，请先修改密码", "password_change_required"
            )
        raise unauthenticated()
    return account


def pending_account(
    request: Request, session: DbSession, authorization: Annotated[str | None, Header()] = None
) -> Account:
    """The caller, even one who must replace a temporary password first (the change itself)."""
    raw = bearer_or_cookie(request, authorization)
    account = resolve_token(session, raw, pending_change=True) if raw else None
    if account is None:
        raise unauthenticated()
    return account


CurrentAccount = Annotated[Account, Depends(current_account)]
PendingAccount = Annotated[Account, Depends(pending_account)]

Rule = Role | Callable[[Account], bool]


def allows(rule: tuple[Rule, ...], account: Account) -> bool:
    """Whether an account passes a rule: one of the roles, or a capability's own predicate."""
    return any(r(account) if callable(r) else account.role == r for r in rule)


def require(*rule: Rule, message: str) -> Callable[..., Account]:
    """An API dependency: the caller, if one of ``rule`` allows them; else 403 ``forbidden``.

    Checked before the body is read, so a refused role learns nothing about its input."""

    def dependency(account: CurrentAccount) -> Account:
        if not allows(rule, account):
            raise Refusal("role", message, "forbidden")
        return account

    return dependency


def current_talent(account: CurrentAccount, session: DbSession) -> TalentProfile:
    if account.role != Role.talent:
        raise Refusal("role", "仅人才本人可以访问", "forbidden")
    talent = talent_of(session, account)
    if talent is None:
        raise Refusal("profile", "尚未建立人才档案", "not_found")
    return talent


CurrentTalent = Annotated[TalentProfile, Depends(current_talent)]


# --- the pages -----------------------------------------------------------------------------------


class LoginRequired(Exception):
    """A page needs a signed-in account: the visitor is sent to the login page."""


def optional_account(request: Request, session: DbSession) -> Account | None:
    """The account of the session cookie, or None (pages open to everyone)."""
    raw = request.cookies.get(SESSION_COOKIE)
    account = resolve_token(session, raw) if raw else None
    # the shared layout shows who is signed in and their workspace's counts (web/workspace.py)
    request.state.account, request.state.db = account, session
    request.state.who = workspace.who(session, account) if account is not None else None
    return account


def page_account(account: Annotated[Account | None, Depends(optional_account)]) -> Account:
    if account is None:
        raise LoginRequired
    return account


def optional_pending_account(request: Request, session: DbSession) -> Account | None:
    """The signed-in account even while it must replace a temporary password, or None."""
    raw = request.cookies.get(SESSION_COOKIE)
    return resolve_token(session, raw, pending_change=True) if raw else None


def pending_page_account(
    account: Annotated[Account | None, Depends(optional_pending_account)],
) -> Account:
    if account is None:
        raise LoginRequired
    return account


MaybeAccount = Annotated[Account | None, Depends(optional_account)]
PageAccount = Annotated[Account, Depends(page_account)]
PendingPageAccount = Annotated[Account, Depends(pending_page_account)]
MaybePendingAccount = Annotated[Account | None, Depends(optional_pending_account)]


def require_page(*rule: Rule, message: str) -> Callable[..., Account]:
    """A page dependency: the signed-in account if ``rule`` allows it; a signed-out visitor is
    sent to log in, another account gets a Chinese 403 page."""

    def dependency(account: PageAccount) -> Account:
        if not allows(rule, account):
            raise Refusal("role", message, "forbidden")
        return account

    return dependency


def page_talent(account: PageAccount, session: DbSession) -> TalentProfile | None:
    """The signed-in account's talent profile, if it is a talent's."""
    return talent_of(session, account)
