"""Administrators manage accounts (decision 0082): create office accounts (reviewers, department
officers, finance officers of a city, administrators), change their role and assignment,
deactivate or re-activate any account, reset a password (decision 0083), and clear the login
delays recorded against a name (decision 0084). Service-point accounts are created with their
point (``cards.usage.register_point``); talents and employers register themselves."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai.audit.log import append as audit
from rencai.policy.cities import names
from rencai.policy.contract.vocabulary import vocabulary
from rencai.policy.procedures import DEPARTMENTS
from rencai.registry.accounts import (
    RegistryError,
    clear_throttles,
    create_account,
    revoke_all_tokens,
    set_temporary_password,
)
from rencai.registry.models import Account, Role

# office roles: created here, and re-roled among themselves
STAFF_ROLES = (
    Role.county_reviewer,
    Role.city_reviewer,
    Role.department_officer,
    Role.finance,
    Role.data_office,
    Role.admin,
    Role.leadership,
)
# accounts created elsewhere (self-registration, a service point with its point): the
# administrator may deactivate, re-activate and reset them, never give them another role
FIXED_ROLES = (Role.talent, Role.employer, Role.service_point)

# the department sources (数据共享, rencai.feeds.departments.SOURCES): a data-office account
# bound to one of them is that department's system and delivers only its source; a data-office
# account bound to none is the data office itself and loads every source (decision 0129)
DATA_SOURCES = {
    "social_insurance": "社保部门系统",
    "tax": "税务部门系统",
    "degrees": "学信（教育部门）系统",
    "employers": "市场监管部门系统",
    "residence": "公安户籍系统",
}


def _assigned_department(role: Role, department: str | None) -> str | None:
    """What the account's department column keeps: a department officer's department, a
    department system's source; nothing for the other roles (nor for the data office)."""
    if role is Role.department_officer or (role is Role.data_office and department):
        return department
    return None


def finance_cities() -> dict[str, str]:
    """The cities whose payments the platform runs (a finance officer belongs to one)."""
    from rencai.policy.calculator import supported_jurisdictions

    return {code: names().get(code, code) for code in supported_jurisdictions()}


def require_admin(admin: Account) -> None:
    if admin.role != Role.admin or not admin.active:
        raise RegistryError("role", "仅系统管理员可以管理账号", "forbidden")


def _check_assignment(
    role: Role, county: str | None, department: str | None, jurisdiction: str | None
) -> None:
    if role not in STAFF_ROLES:
        raise RegistryError(
            "role",
            "管理员可开通审核人员、部门审核人员、财务人员、数据管理人员或管理员账号；"
            "服务网点账号须同时登记网点，人才和用人单位账号由本人注册",
            "bad_role",
        )
    if role is Role.county_reviewer and county not in vocabulary().counties:
        raise RegistryError(
            "county", "县（市、区）审核人员须指定有效的县（市、区）代码", "bad_county"
        )
    if role is Role.department_officer and department not in DEPARTMENTS:
        raise RegistryError(
            "department",
            "部门审核人员须指定部门：" + "、".join(f"{k}（{v}）" for k, v in DEPARTMENTS.items()),
            "bad_department",
        )
    if role is Role.data_office and department and department not in DATA_SOURCES:
        raise RegistryError(
            "department",
            "数据管理人员账号可不指定来源（数据管理部门本身，可导入全部来源），"
            "或指定部门系统的数据来源："
            + "、".join(f"{k}（{v}）" for k, v in DATA_SOURCES.items()),
            "bad_department",
        )
    if role is Role.finance and jurisdiction not in finance_cities():
        raise RegistryError(
            "jurisdiction",
            "财务人员须指定所属城市："
            + "、".join(f"{k}（{v}）" for k, v in finance_cities().items()),
            "bad_jurisdiction",
        )


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise RegistryError("role", "未知的角色", "bad_role") from None


def create_staff(
    session: Session,
    admin: Account,
    username: str,
    password: str,
    display_name: str,
    role: str,
    county: str | None = None,
    department: str | None = None,
    jurisdiction: str | None = None,
    must_change_password: bool = False,
) -> Account:
    require_admin(admin)
    wanted = _role(role)
    _check_assignment(wanted, county, department, jurisdiction)
    account = create_account(
        session,
        username,
        password,
        display_name,
        wanted,
        county=county if wanted is Role.county_reviewer else None,
        department=_assigned_department(wanted, department),
    )
    account.jurisdiction = jurisdiction if wanted is Role.finance else None
    account.must_change_password = must_change_password
    session.flush()
    audit(
        session,
        admin.username,
        "account.staff_create",
        f"account:{account.id}",
        {
            "role": wanted.value,
            "county": account.county,
            "department": account.department,
            "jurisdiction": account.jurisdiction,
        },
    )
    return account


def update_staff(
    session: Session,
    admin: Account,
    account: Account,
    role: str | None = None,
    county: str | None = None,
    department: str | None = None,
    active: bool | None = None,
    jurisdiction: str | None = None,
) -> Account:
    """Change an office account's role and assignment, or (de)activate any account; a
    deactivated account's sessions and tokens are revoked at once."""
    require_admin(admin)
    if account.id == admin.id and (active is False or (role and role != Role.admin)):
        raise RegistryError("account", "不能停用或降级自己的管理员账号", "self_demotion")
    current = Role(account.role)
    if current in FIXED_ROLES:
        if role is not None and role != current.value:
            raise RegistryError(
                "role", "人才、用人单位和服务网点账号不能改为其他角色，只能停用或启用", "fixed_role"
            )
    else:
        wanted = _role(role or account.role)
        new_county = county if county is not None else account.county
        new_department = department if department is not None else account.department
        new_city = jurisdiction if jurisdiction is not None else account.jurisdiction
        _check_assignment(wanted, new_county, new_department, new_city)
        account.role = wanted.value
        account.county = new_county if wanted is Role.county_reviewer else None
        account.department = _assigned_department(wanted, new_department)
        account.jurisdiction = new_city if wanted is Role.finance else None
    if active is not None:
        account.active = active
        if not active:
            revoke_all_tokens(session, account)
    session.flush()
    audit(
        session,
        admin.username,
        "account.staff_update",
        f"account:{account.id}",
        {
            "role": account.role,
            "county": account.county,
            "department": account.department,
            "jurisdiction": account.jurisdiction,
            "active": account.active,
        },
    )
    return account


def reset_password(session: Session, admin: Account, account: Account, temporary: str) -> Account:
    """A temporary password the holder must replace at the next log-in (decision 0083)."""
    require_admin(admin)
    if account.id == admin.id:
        raise RegistryError("account", "请在“修改密码”页面修改自己的密码", "own_account")
    set_temporary_password(session, account, temporary)
    clear_throttles(session, account.username)
    audit(session, admin.username, "account.password_reset", f"account:{account.id}", {})
    return account


def unlock(session: Session, admin: Account, account: Account) -> Account:
    """Clear the login delays recorded against the account's name."""
    require_admin(admin)
    clear_throttles(session, account.username)
    audit(session, admin.username, "account.unlock", f"account:{account.id}", {})
    return account


def accounts(
    session: Session, role: str | None = None, search: str | None = None, limit: int = 500
) -> list[Account]:
    query = select(Account).order_by(Account.role, Account.username).limit(limit)
    if role:
        query = query.where(Account.role == role)
    if search:
        pattern = "%" + search.replace("%", "").replace("_", "")[:64] + "%"
        query = query.where(Account.username.like(pattern) | Account.display_name.like(pattern))
    return list(session.scalars(query))
