"""Who may act on a city's ledger: an active finance officer (or administrator) of that city.

A finance account names its city (``jurisdiction``, set by the administrator, decision 0082);
an older one that names only a county belongs to that county's city, and one that names
neither serves every city of this installation (decision 0073)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai.ledger.errors import LedgerError
from rencai.registry.models import Account, Role

FINANCE_ROLES = (Role.finance, Role.admin)


def city_of(account: Account) -> str | None:
    """The city an account belongs to, if it names one (itself or through its county)."""
    from rencai.policy.contract.vocabulary import vocabulary

    if account.jurisdiction:
        return account.jurisdiction
    if not account.county:
        return None
    county = vocabulary().counties.get(account.county)
    return county.jurisdiction if county else account.county


def may_use_ledger(account: Account) -> bool:
    """Finance officers (and the administrator) use the payment pages and API."""
    return account.role in FINANCE_ROLES


def may_act_for(account: Account, jurisdiction: str) -> bool:
    """A finance officer acts only for the city the account belongs to (decision 0073)."""
    own = city_of(account)
    return own is None or own == jurisdiction


def _city_name(code: str) -> str:
    from rencai.policy.cities import names

    return names().get(code, code)


def payable() -> dict[str, str]:
    """Code → name of the jurisdictions whose computed programs pay money (those a payment run
    can be made for), in display order."""
    from rencai.policy.cities import registry
    from rencai.policy.engine.system import system_for

    return {
        code: found.name
        for code, found in registry().items()
        if any(b.kind == "money" for b in system_for(code).program.benefits)
    }


def cities_for(account: Account) -> dict[str, str]:
    """The payable cities an account may choose among: its own city, or every one."""
    own = city_of(account)
    cities = payable()
    return {own: cities[own]} if own in cities else ({} if own else cities)


def chosen_city(account: Account | None, requested: str | None) -> str:
    """The city a finance action is for: the one asked for, else the account's own, else the
    installation's default city. Whether the account may act for it is checked separately."""
    from rencai.policy.cities import default_code

    if requested:
        return requested
    own = city_of(account) if account is not None else None
    return own or default_code()


def finance_officer(
    session: Session,
    username: str,
    jurisdictions: str | set[str] | None = None,
    *,
    administrator: bool = False,
) -> Account:
    """The acting account, refused unless it is an active finance officer (or, with
    ``administrator``, the administrator alone) of every city named."""
    account = session.scalar(select(Account).where(Account.username == username))
    if account is None or not account.active:
        raise LedgerError(
            "actor", f"“{username}”不是财务人员账号（账号不存在或已停用）", "forbidden"
        )
    if administrator:
        if account.role != Role.admin:
            raise LedgerError("actor", f"“{username}”不是系统管理员，不能设定收回口径", "forbidden")
        return account
    if account.role not in FINANCE_ROLES:
        raise LedgerError("actor", f"“{username}”不是财务人员账号", "forbidden")
    own = city_of(account)
    wanted = {jurisdictions} if isinstance(jurisdictions, str) else set(jurisdictions or ())
    if own is not None and wanted - {own}:
        others = "、".join(_city_name(code) for code in sorted(wanted - {own}))
        raise LedgerError(
            "actor", f"“{username}”不是{others}的财务人员，不能办理该市的资金发放", "forbidden"
        )
    return account
