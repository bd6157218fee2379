"""What a monthly run does with one due line: a pure function of the line's facts.

The run (``ledger.runs``) reads one frozen snapshot of the data and hands each due line's facts
here; nothing is read from or written to the database, so every outcome can be checked alone.
The checks, in this order (decision 0057; the first that applies decides):

- the schedule lost a 就高 group (decision 0059) or is a second once-only schedule
  (decision 0070) → **exclude** (the schedule stops);
- an open or pending clawback (收回) against the person → **hold** (payments blocked);
- the amount awaits the administrator → **hold**;
- the period's social-insurance data not yet loaded for the city → **hold** (not a failure);
- no contribution in the city for the period → **lapse** (this period is lost, not moved);
- contributions paid by another employer than the confirmed one → **hold**, and the schedule is
  suspended until a finance officer confirms the change;
- no payee account → **hold**;
- otherwise → **pay** (net of any offset, decided by the run).

One-off lines (purchase, settlement) are not tested against monthly contributions. A stop is not
decided per line: moving away, a revoked card or a finding of fraud stops the whole schedule
(``ledger.recovery``) and its later lines are never due.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Set
from dataclasses import dataclass
from typing import Literal, NamedTuple

Decision = Literal["pay", "hold", "lapse", "exclude"]

# A line whose amount no parameter gives yet (planned with 0 fen, held by every run until the
# administrator sets the value): the officers' words, which name who acts. A citizen reads
# "金额待主管部门明确" instead (decision 0367).
NO_AMOUNT = "金额参数待管理员设定"
# How such a line's money reads wherever it is shown — the person's payment history, the
# schedule list, the summaries and their Excel files — instead of "0.00" (decision 0379).
AMOUNT_OPEN = "待主管部门明确"


def amount_is_open(amount_fen: int) -> bool:
    """Whether a line's amount awaits the administrator. Only such a line holds 0 fen:
    ``create_schedule`` writes 0 where no parameter gives the amount, every run keeps it until
    the value is set (a line paid, batched or held for another reason carries the parameter's
    amount), and no amount a parameter gives is 0."""
    return amount_fen == 0


@dataclass(slots=True)  # made once per due line of a run: kept light (not frozen)
class LineFacts:
    period: dt.date  # the month the line pays
    recurring: bool  # a monthly (or yearly) line; False for a one-off payment
    amount_fen: int | None  # the amount the period's law gives; None: awaits the administrator
    excluded: str | None  # why the schedule lost (就高, or a once-only duplicate); else None
    receivable_open: bool  # an open or pending receivable blocks the person's payments
    contributions_loaded: bool  # the city's contributions for the period have been imported
    contribution_employers: Set[str]  # who paid the person's contributions that period
    employer: str | None  # the employer the schedule was confirmed with (USCC)
    has_payee: bool  # a payee bank account is on file


class Verdict(NamedTuple):
    decision: Decision
    reason: str | None  # shown to finance (Chinese); None when paid
    new_employer: str | None = None  # the schedule waits for this change to be confirmed


PAY = Verdict("pay", None)


def decide(facts: LineFacts, *, receivable_hold: str) -> Verdict:
    """Pay, hold, lapse or exclude one due line. ``receivable_hold`` is the reason given when an
    open receivable blocks payment (it cites the jurisdiction's clawback clause)."""
    if facts.excluded is not None:
        return Verdict("exclude", facts.excluded)
    if facts.receivable_open:
        return Verdict("hold", receivable_hold)
    if facts.amount_fen is None:
        return Verdict("hold", NO_AMOUNT)
    period = facts.period
    if facts.recurring and not facts.contributions_loaded:
        return Verdict("hold", f"{period:%Y年%m月}社会保险缴费数据尚未导入")
    if facts.recurring and not facts.contribution_employers:
        return Verdict("lapse", f"{period:%Y年%m月}未在本市缴纳社会保险，本期不予发放")
    if facts.recurring and facts.employer and facts.employer not in facts.contribution_employers:
        new = min(facts.contribution_employers)
        reason = f"用人单位变更为{new}，待确认后继续发放（支持期跨单位累计计算）"
        return Verdict("hold", reason, new)
    if not facts.has_payee:
        return Verdict("hold", "未登记收款银行账户")
    return PAY
