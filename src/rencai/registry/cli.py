"""`rencai admin ...`: the administrator's account commands (decision 0082) and the city
office's employer verification (decision 0080), acting as a named administrator (or, for
``verify-employer``, a city reviewer) whose account is checked first.

Bad input exits non-zero with one readable line and changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from rencai.registry.models import Account

admin_app = typer.Typer(
    help="Accounts (账号管理): create, list, re-role, deactivate, reset; verify employers.",
    no_args_is_help=True,
)

Actor = Annotated[str, typer.Option(help="User name of the administrator acting")]
Password = Annotated[
    str,
    typer.Option(
        prompt="初始密码", hide_input=True, help="Read from the terminal if not given (hidden)"
    ),
]


# Service points are opened by the cards capability (a point and its account), which depends on
# the registry: it registers its opener at start-up (rencai.wiring), called as
# opener(session, code, name, kind, username, password, county, actor=…, must_change_password=…)
# and returning the point (with its ``account_id``).
_point_openers: list[Callable[..., Any]] = []


def on_open_service_point(opener: Callable[..., Any]) -> None:
    """Register the function that opens a service point with its account (at start-up)."""
    if opener not in _point_openers:
        _point_openers.append(opener)


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


@contextmanager
def _session() -> Iterator[Session]:
    from rencai.db.session import database_url, session_scope

    with session_scope(database_url()) as session:
        yield session


def _account(session: Session, username: str, label: str = "账号") -> object:
    from rencai.registry.models import Account

    account = session.scalar(select(Account).where(Account.username == username.strip()))
    if account is None:
        _fail(f"{label}“{username[:64]}”不存在")
    return account


def _actor(session: Session, username: str, roles: tuple[str, ...] = ("admin",)) -> object:
    from rencai.registry.models import Account

    account = session.scalar(select(Account).where(Account.username == username.strip()))
    if account is None or account.role not in roles or not account.active:
        wanted = "系统管理员" if roles == ("admin",) else "市委人才办审核人员或系统管理员"
        _fail(f"“{username[:64]}”不是有效的{wanted}账号")
    return account


@admin_app.command("create-account")
def create(
    username: Annotated[str, typer.Argument(help="New user name (3-64 characters)")],
    role: Annotated[
        str,
        typer.Option(
            help="county_reviewer, city_reviewer, department_officer, finance, data_office, admin, "
            "service_point"
        ),
    ],
    name: Annotated[str, typer.Option(help="Display name (service point: the point's name)")],
    actor: Actor,
    password: Password,
    county: Annotated[str | None, typer.Option(help="County code")] = None,
    department: Annotated[
        str | None,
        typer.Option(
            help="Department code; for a data_office account of a department system, the source "
            "it delivers (social_insurance, tax, degrees, employers, residence)"
        ),
    ] = None,
    city: Annotated[str | None, typer.Option(help="Finance officer's city")] = None,
    point_code: Annotated[str | None, typer.Option(help="Service point code")] = None,
    point_kind: Annotated[
        str | None, typer.Option(help="bus, subway, scenic, hospital or bank")
    ] = None,
    must_change: Annotated[
        bool, typer.Option("--must-change/--no-must-change", help="Change at first log-in")
    ] = True,
) -> None:
    """Open an office account, or a service point with its account."""
    from rencai.errors import Refusal
    from rencai.registry.administration import create_staff
    from rencai.registry.models import Account

    with _session() as session:
        admin = _actor(session, actor)
        assert isinstance(admin, Account)
        try:
            with session.begin_nested():
                if role == "service_point":
                    from rencai.registry.administration import require_admin

                    require_admin(admin)
                    if not _point_openers:
                        raise RuntimeError("no service-point opener: call rencai.wiring.wire()")
                    point = _point_openers[0](
                        session,
                        point_code or "",
                        name,
                        point_kind or "",
                        username,
                        password,
                        county,
                        actor=admin.username,
                        must_change_password=must_change,
                    )
                    account = session.get(Account, point.account_id)
                else:
                    account = create_staff(
                        session,
                        admin,
                        username,
                        password,
                        name,
                        role,
                        county,
                        department,
                        city,
                        must_change,
                    )
        except Refusal as exc:
            _fail(exc.message)
        assert account is not None
        typer.echo(f"已开通账号 {account.username}（{role}），编号 {account.id}")


@admin_app.command("list-accounts")
def list_accounts(
    actor: Actor,
    role: Annotated[str | None, typer.Option(help="Only this role")] = None,
    search: Annotated[str | None, typer.Option(help="Part of the user name or name")] = None,
    output: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Every kind of account, with its assignment and state."""
    from rencai.registry.administration import accounts

    with _session() as session:
        _actor(session, actor)
        rows = [
            {
                "id": a.id,
                "username": a.username,
                "display_name": a.display_name,
                "role": a.role,
                "county": a.county,
                "department": a.department,
                "city": a.jurisdiction,
                "active": a.active,
                "must_change_password": a.must_change_password,
            }
            for a in accounts(session, role, search)
        ]
    if output == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        where = r["county"] or r["department"] or r["city"] or ""
        state = "" if r["active"] else " 已停用"
        typer.echo(f"{r['id']}\t{r['username']}\t{r['display_name']}\t{r['role']}\t{where}{state}")


def _administer(
    actor: str, username: str, act: Callable[[Session, Account, Account], object]
) -> Account:
    """Run one administrator action on an account; a refusal prints one line and changes
    nothing."""
    from rencai.errors import Refusal
    from rencai.registry.models import Account

    with _session() as session:
        admin = _actor(session, actor)
        target = _account(session, username)
        assert isinstance(admin, Account) and isinstance(target, Account)
        try:
            with session.begin_nested():
                act(session, admin, target)
        except Refusal as exc:
            _fail(exc.message)
        return target


def _update(actor: str, username: str, **change: object) -> None:
    from rencai.registry.administration import update_staff

    target = _administer(
        actor,
        username,
        lambda session, admin, target: update_staff(session, admin, target, **change),  # type: ignore[arg-type]
    )
    state = "启用" if target.active else "停用"
    typer.echo(f"账号 {target.username}：{target.role}，{state}")


@admin_app.command("set-role")
def set_role(
    username: Annotated[str, typer.Argument()],
    role: Annotated[str, typer.Option(help="The new role")],
    actor: Actor,
    county: Annotated[str | None, typer.Option()] = None,
    department: Annotated[str | None, typer.Option()] = None,
    city: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Give an office account another role or assignment."""
    _update(actor, username, role=role, county=county, department=department, jurisdiction=city)


@admin_app.command("deactivate")
def deactivate(username: Annotated[str, typer.Argument()], actor: Actor) -> None:
    """Stop an account: it cannot log in, its sessions and tokens stop working."""
    _update(actor, username, active=False)


@admin_app.command("activate")
def activate(username: Annotated[str, typer.Argument()], actor: Actor) -> None:
    """Let a deactivated account log in again."""
    _update(actor, username, active=True)


@admin_app.command("reset-password")
def reset(
    username: Annotated[str, typer.Argument()],
    actor: Actor,
    password: Annotated[
        str, typer.Option(prompt="临时密码", hide_input=True, help="The temporary password")
    ],
) -> None:
    """A temporary password, to be changed at the next log-in; every login is revoked."""
    from rencai.registry.administration import reset_password

    target = _administer(
        actor,
        username,
        lambda session, admin, target: reset_password(session, admin, target, password),
    )
    typer.echo(f"已重置 {target.username} 的密码，下次登录须修改")


@admin_app.command("verify-employer")
def verify_employer(
    uscc: Annotated[str, typer.Argument(help="统一社会信用代码")],
    evidence: Annotated[str, typer.Option(help="What was checked, or why it is refused")],
    actor: Annotated[str, typer.Option(help="City reviewer or administrator acting")],
    refuse: Annotated[bool, typer.Option("--refuse", help="Refuse instead of verify")] = False,
) -> None:
    """Record the city office's verification of an employer (or its refusal)."""
    from rencai.errors import Refusal
    from rencai.registry.employers import decide
    from rencai.registry.models import Account, Employer

    with _session() as session:
        officer = _actor(session, actor, ("admin", "city_reviewer"))
        assert isinstance(officer, Account)
        employer = session.scalar(select(Employer).where(Employer.uscc == uscc.strip().upper()))
        if employer is None:
            _fail(f"统一社会信用代码“{uscc[:18]}”的单位尚未注册")
        assert employer is not None
        try:
            with session.begin_nested():
                decide(session, officer, employer, "refuse" if refuse else "verify", evidence)
        except Refusal as exc:
            _fail(exc.message)
        label = "核验未通过" if refuse else "已核验"
        typer.echo(f"{employer.name}（{employer.uscc}）：{label}")
