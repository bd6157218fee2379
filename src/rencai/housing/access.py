"""Who may do what in 人才安居."""

from __future__ import annotations

from rencai.registry.models import Account, Role


def may_manage(account: Account) -> bool:
    """The housing office (and the administrator) registers units, runs batches, contracts."""
    return account.role in (Role.housing_office, Role.admin)


def is_talent(account: Account) -> bool:
    return account.role == Role.talent
