"""Who sees which statistics (decision 0137).

- 领导 (leadership), 市委人才办 (city reviewers) and administrators: every figure, citywide.
- A county's 人才办 (county reviewer): every figure, restricted to its own county (the county
  filter is forced; asking for another county is refused).
- Finance officers: the money figure, citywide.
- Everyone else (talents, employers, department officers, service points, the data office): none.
"""

from __future__ import annotations

from rencai.errors import Refusal
from rencai.registry.models import Account, Role

CITYWIDE = (Role.leadership, Role.city_reviewer, Role.admin)
MONEY_ONLY = (Role.finance,)


class StatsError(Refusal):
    """A refused statistics request; nothing is changed by any of them."""


def may_see_statistics(account: Account) -> bool:
    """May this account open the statistics at all (some figure)?"""
    return account.active and (
        account.role in CITYWIDE
        or account.role in MONEY_ONLY
        or (account.role == Role.county_reviewer and bool(account.county))
    )


def may_see_figure(account: Account, figure: str) -> bool:
    if not may_see_statistics(account):
        return False
    if account.role in MONEY_ONLY:
        return figure == "money"
    return True


def county_scope(account: Account, figure: str, county: str | None) -> str | None:
    """The county filter this account's request runs with (refused when not allowed)."""
    if not may_see_figure(account, figure):
        raise StatsError("role", "无权查看该统计", "forbidden")
    if account.role == Role.county_reviewer:
        if county and county != account.county:
            raise StatsError("county", "只能查看本县（市、区）的统计", "forbidden")
        return account.county
    return county
