"""Administrators manage staff accounts: create reviewers and officers, change role, county or
department, deactivate, and unlock an account locked after repeated failed logins."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai.audit.log import append as audit
from rencai.policy.contract.vocabulary import vocabulary
from rencai.policy.procedures import DEPARTMENTS
from rencai.registry.accounts import RegistryError, create_account
from rencai.registry.models import Account, Role

STAFF_ROLES = (Role.county_reviewer, Role.city_reviewer, Role.department_officer, Role.admin)


def _require_admin(admin: Account) -> None:
    if admin.role != Role.admin:
        raise RegistryError("role", "仅系统管理员可以管理账号", "forbidden")


def _check_assignment(role: Role, county: str | None, department: str | None) -> None:
    if role not in STAFF_ROLES:
        raise RegistryError("role", "管理员只能开通审核人员、部门审核人员或管理员账号", "bad_role")
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


def create_staff(
    session: Session,
    admin: Account,
    username: str,
    password: str,
    display_name: str,
    role: str,
    county: str | None = None,
    department: str | None = None,
) -> Account:
    _require_admin(admin)
    try:
        wanted = Role(role)
    except ValueError:
        raise RegistryError("role", "未知的角色", "bad_role") from None
    _check_assignment(wanted, county, department)
    account = create_account(
        session,
        username,
        password,
        display_name,
        wanted,
        county=county if wanted is Role.county_reviewer else None,
        department=department if wanted is Role.department_officer else None,
    )
    audit(
        session,
        admin.username,
        "account.staff_create",
        f"account:{account.id}",
        {"role": wanted.value, "county": account.county, "department": account.department},
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
) -> Account:
    """Change a staff account's role and assignment, or (de)activate it."""
    _require_admin(admin)
    if Role(account.role) not in STAFF_ROLES:
        raise RegistryError("account", "人才和用人单位账号不能在此修改", "not_staff")
    if account.id == admin.id and (active is False or (role and role != Role.admin)):
        raise RegistryError("account", "不能停用或降级自己的管理员账号", "self_demotion")
    try:
        wanted = Role(role or account.role)
    except ValueError:
        raise RegistryError("role", "未知的角色", "bad_role") from None
    new_county = county if county is not None else account.county
    new_department = department if department is not None else account.department
    _check_assignment(wanted, new_county, new_department)
    account.role = wanted.value
    account.county = new_county if wanted is Role.county_reviewer else None
    account.department = new_department if wanted is Role.department_officer else None
    if active is not None:
        account.active = active
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
            "active": account.active,
        },
    )
    return account


def unlock(session: Session, admin: Account, account: Account) -> Account:
    _require_admin(admin)
    account.locked_until = None
    account.failed_logins = 0
    session.flush()
    audit(session, admin.username, "account.unlock", f"account:{account.id}", {})
    return account


def accounts(session: Session, role: str | None = None) -> list[Account]:
    query = select(Account).order_by(Account.role, Account.username)
    if role:
        query = query.where(Account.role == role)
    return list(session.scalars(query))
