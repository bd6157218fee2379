"""Account pages: log in, register, and 我的 (the talent's profile and entitlements)."""

from __future__ import annotations

import contextlib
import json
import re
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai.applications.models import Application
from rencai.errors import Refusal
from rencai.feeds.disputes import data_about
from rencai.feeds.views import data_item_view
from rencai.policy.calculator import entitlements
from rencai.policy.cities import default_code
from rencai.policy.contract.profile import ProfileError, parse_profile
from rencai.registry.accounts import (
    RegistryError,
    authenticate,
    change_password,
    checked_profile,
    issue_token,
    register_talent,
    revoke_token,
    talent_of,
    update_profile,
)
from rencai.registry.identifiers import mask_id_number
from rencai.registry.models import ROLE_LABELS, Account, Role, TalentProfile
from rencai.web.cookies import set_session_cookie
from rencai.web.deps import (
    SESSION_COOKIE,
    DbSession,
    MaybePendingAccount,
    PageAccount,
    PendingPageAccount,
    client_address,
)
from rencai.web.errors import status_of
from rencai.web.limits import form_version
from rencai.web.pages.calculator import PER, PER_SHORT, form_options, presented, profile_from_form
from rencai.web.pages.progress import case_summary
from rencai.web.templating import page as _page
from rencai.web.workspace import home_of, office_of

router = APIRouter(include_in_schema=False)


def _signed_in(response: Response, token: str) -> Response:
    return set_session_cookie(response, token)


BULK_DEMO = re.compile(r"^demo_(stat_|housing_t|guest)\d+$")  # generated populations


def demo_accounts(session: Session) -> list[dict[str, str]]:
    """The demo world's named accounts (``rencai demo``), each with its role and office in
    Chinese, when the demo is loaded; none on a real office's database."""
    from rencai.demo import DEMO_ACCOUNTS, PASSWORD

    found = {
        a.username: a
        for a in session.scalars(
            select(Account).where(Account.username.like("demo\\_%", escape="\\")).limit(2000)
        )
        # generated populations and accounts that never sign in (no usable password) are left out
        if not BULK_DEMO.match(a.username) and a.password_hash.startswith("$argon2")
    }
    if not found:
        return []
    labels = dict(DEMO_ACCOUNTS)
    order = [u for u, _ in DEMO_ACCOUNTS if u in found]
    order += sorted(u for u in found if u not in labels)
    rows = []
    for username in order:
        account = found[username]
        office = office_of(session, account)
        rows.append(
            {
                "username": username,
                "password": PASSWORD,
                "role": ROLE_LABELS[Role(account.role)] + (f" · {office}" if office else ""),
                "note": labels.get(username, account.display_name),
                "home": home_of(account),
            }
        )
    return rows


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, pending: MaybePendingAccount, session: DbSession) -> Response:
    # every page sends a signed-out visitor here; one who still has to replace a temporary
    # password is sent on to do that first
    if pending is not None and pending.must_change_password:
        return RedirectResponse("/me/password", status_code=303)
    context = {"error": None, "username": "", "demo": demo_accounts(session)}
    return _page(request, "login.html", context)


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, session: DbSession) -> Response:
    form = await request.form()
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    try:
        result = authenticate(session, username, password, address=client_address(request))
    except RegistryError as exc:
        session.commit()  # failed attempts count towards the throttles
        context = {"error": exc.message, "username": username[:64], "demo": []}
        return _page(request, "login.html", context, status_of(exc))
    if result.account.must_change_password:
        return _signed_in(RedirectResponse("/me/password", status_code=303), result.token)
    landing = home_of(result.account)  # the role's workspace
    return _signed_in(RedirectResponse(landing, status_code=303), result.token)


@router.get("/me/password", response_class=HTMLResponse)
def password_form(request: Request, account: PendingPageAccount) -> Response:
    return _page(request, "password.html", {"account": account, "error": None, "done": False})


@router.post("/me/password", response_class=HTMLResponse)
async def password_change(
    request: Request, account: PendingPageAccount, session: DbSession
) -> Response:
    form = await request.form()
    new, again = str(form.get("new_password", "")), str(form.get("new_password2", ""))
    try:
        if new != again:
            raise RegistryError("new_password2", "两次输入的新密码不一致", "mismatch")
        with session.begin_nested():  # a refused change changes nothing
            change_password(session, account, str(form.get("old_password", "")), new)
    except RegistryError as exc:
        context = {"account": account, "error": exc.message, "done": False}
        return _page(request, "password.html", context, status_of(exc))
    # every earlier session of the account has been revoked; this browser gets a fresh one
    token = issue_token(session, account, "session")
    page = _page(request, "password.html", {"account": account, "error": None, "done": True})
    return _signed_in(page, token)


@router.post("/logout")
def logout(request: Request, session: DbSession) -> Response:
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        revoke_token(session, raw)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/register", response_class=HTMLResponse)
def register_form(request: Request) -> HTMLResponse:
    return _page(request, "register.html", {"error": None, "form": {}})


@router.post("/register", response_class=HTMLResponse)
async def register(request: Request, session: DbSession) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        register_talent(
            session,
            form.get("username", ""),
            form.get("password", ""),
            form.get("name", ""),
            form.get("id_number", ""),
        )
        result = authenticate(
            session,
            form.get("username", ""),
            form.get("password", ""),
            address=client_address(request),
        )
    except RegistryError as exc:
        session.rollback()  # nothing of a refused registration is kept
        safe = {k: v for k, v in form.items() if k != "password"}
        return _page(request, "register.html", {"error": exc.message, "form": safe}, status_of(exc))
    return _signed_in(RedirectResponse("/me", status_code=303), result.token)


def _my_cases(session: Session, talent: TalentProfile) -> list[dict[str, Any]]:
    cases = session.scalars(
        select(Application)
        .where(Application.talent_id == talent.id)
        .order_by(Application.submitted_at.desc())
    )
    return [case_summary(c) for c in cases]


def _taken(cases: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The programs the talent need not apply for again: a case in progress or approved (the
    newest per program); a refused one may be applied for anew."""
    taken: dict[str, dict[str, Any]] = {}
    for c in cases:  # newest first
        if c["status"] != "rejected":
            taken.setdefault(c["program"], {"id": c["id"], "label": c["label"]})
    return taken


def _me_context(talent: TalentProfile, errors: list[dict[str, str]]) -> dict[str, Any]:
    profile = json.loads(talent.profile)
    result = None
    # a stored profile is valid (its birth date the identity number's); keep the page robust
    with contextlib.suppress(ProfileError, Refusal):
        result = entitlements(parse_profile(checked_profile(talent)))
    person, employment = profile.get("person", {}), profile.get("employment", {})
    education = (person.get("education") or [{}])[0]
    form = {
        "jurisdiction": profile.get("jurisdiction", default_code()),
        "birth_date": person.get("birth_date", ""),
        "degree": education.get("degree", ""),
        "full_time": "on" if education.get("full_time", True) else "",
        "professional_title": person.get("professional_title", "none"),
        "skill_level": person.get("skill_level", "none"),
        "employer_type": employment.get("employer_type", ""),
        "county": employment.get("county", ""),
        "introduced_from": employment.get("introduced_from", ""),
        "start_date": employment.get("start_date", ""),
        "social_insurance_local": "on" if employment.get("social_insurance_local", True) else "",
    }
    return {
        **form_options(),
        "talent": {"name": talent.name, "id_number": mask_id_number(talent.id_number)},
        "version": talent.version,
        "form": form,
        "form_lists": {
            "honors": person.get("honors", []),
            "recognitions": person.get("recognitions", []),
            "school_tags": education.get("school_tags", []),
        },
        "result": result,
        "view": presented(result),
        "errors": errors,
        "per": PER,
        "per_short": PER_SHORT,
        "can_apply": True,
        "apply_key": uuid.uuid4().hex,  # one key per page view: a double click applies once
    }


ME_PERSON_FIELDS = ("birth_date", "education", "professional_title")
ME_EMPLOYMENT_FIELDS = (
    "employer_type",
    "county",
    "introduced_from",
    "start_date",
    "social_insurance_local",
)


def merged_profile(stored: dict[str, Any], edited: dict[str, Any]) -> dict[str, Any]:
    """The stored profile with the fields of the 我的 form replaced; what the form does not show
    (honours, awards, family, ...) is kept."""
    profile = {**stored, "jurisdiction": edited["jurisdiction"]}
    person = dict(stored.get("person", {}))
    for name in ME_PERSON_FIELDS:
        if name in edited["person"]:
            person[name] = edited["person"][name]
        elif name != "professional_title":
            person.pop(name, None)
    employment = dict(stored.get("employment", {}))
    for name in ME_EMPLOYMENT_FIELDS:
        if name in edited["employment"]:
            employment[name] = edited["employment"][name]
        else:
            employment.pop(name, None)
    profile["person"], profile["employment"] = person, employment
    return profile


@router.get("/me", response_class=HTMLResponse)
def me(request: Request, account: PageAccount, session: DbSession) -> Response:
    talent = talent_of(session, account) if account.role == Role.talent else None
    if talent is None:
        return _page(request, "me.html", {"talent": None, "account": account})
    cases = _my_cases(session, talent)
    context = {"account": account, "cases": cases, **_me_context(talent, [])}
    context["taken"] = _taken(cases)
    context["feed_data"] = [data_item_view(item) for item in data_about(session, talent)]
    return _page(request, "me.html", context)


@router.post("/me/profile", response_class=HTMLResponse)
async def save_profile(request: Request, account: PageAccount, session: DbSession) -> Response:
    talent = talent_of(session, account)
    if talent is None:
        return _page(request, "me.html", {"talent": None, "account": account}, 403)
    form = await request.form()
    profile = merged_profile(json.loads(talent.profile), profile_from_form(form))
    try:
        update_profile(session, talent, profile, form_version(form))
    except RegistryError as exc:
        context = _me_context(talent, [{"field": exc.field, "message": exc.message}])
        cases = _my_cases(session, talent)
        context |= {"cases": cases, "taken": _taken(cases)}
        return _page(request, "me.html", {"account": account, **context}, status_of(exc))
    return RedirectResponse("/me", status_code=303)
