"""The pay / hold / lapse / exclude decision for one due line, without a database: each outcome,
and the order in which the checks apply (decision 0057)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from rencai.ledger.decision import LineFacts, Verdict, decide

MARCH = dt.date(2024, 3, 1)
EMPLOYER, OTHER = "91130100MA0000001X", "91130100MA0000002Y"
# 石字〔2021〕7号 第17条: “对支持期内离开我市或弄虚作假、违规使用的，取消并收回拨付资金”
CLAWBACK = "存在待收回款项，暂停向该人员发放（石字〔2021〕7号第17条）"


def facts(**changes: object) -> LineFacts:
    """A monthly line that is paid: amount set, contributions loaded and paid by the confirmed
    employer, a payee on file, nothing owed, no 就高 loss."""
    clean = LineFacts(
        period=MARCH,
        recurring=True,
        amount_fen=300_000,
        excluded=None,
        receivable_open=False,
        contributions_loaded=True,
        contribution_employers=frozenset({EMPLOYER}),
        employer=EMPLOYER,
        has_payee=True,
    )
    return dataclasses.replace(clean, **changes)


def test_a_line_whose_conditions_still_hold_is_paid() -> None:
    assert decide(facts(), receivable_hold=CLAWBACK) == Verdict("pay", None)


def test_a_schedule_that_lost_its_jiugao_group_is_excluded() -> None:
    # 石家庄 seed: “资金补助项目按就高原则，不重复享受” — the lower schedule is never paid
    reason = "就高原则：已享受总额更高的项目（发放计划 7，总额180000.00元）"
    verdict = decide(facts(excluded=reason, receivable_open=True), receivable_hold=CLAWBACK)
    assert verdict == Verdict("exclude", reason)


def test_an_open_receivable_holds_every_payment_of_the_person() -> None:
    # 第17条 收回 first: nothing more is paid while money is owed back, whatever else holds
    verdict = decide(
        facts(receivable_open=True, amount_fen=None, contribution_employers=frozenset()),
        receivable_hold=CLAWBACK,
    )
    assert verdict == Verdict("hold", CLAWBACK)


def test_an_amount_awaiting_the_administrator_holds() -> None:
    verdict = decide(facts(amount_fen=None, has_payee=False), receivable_hold=CLAWBACK)
    assert verdict == Verdict("hold", "金额参数待管理员设定")


def test_a_month_whose_contributions_are_not_loaded_holds_rather_than_lapses() -> None:
    verdict = decide(
        facts(contributions_loaded=False, contribution_employers=frozenset()),
        receivable_hold=CLAWBACK,
    )
    assert verdict == Verdict("hold", "2024年03月社会保险缴费数据尚未导入")


def test_a_month_without_local_contributions_lapses() -> None:
    # 锦州 seed 002: paid to graduates “在锦州市企业和事业单位……缴纳社会保险的”; a month without
    # them is lost (the support period runs from arrival), not moved
    verdict = decide(facts(contribution_employers=frozenset()), receivable_hold=CLAWBACK)
    assert verdict == Verdict("lapse", "2024年03月未在本市缴纳社会保险，本期不予发放")


def test_contributions_by_another_employer_hold_until_the_change_is_confirmed() -> None:
    # the support period counts across employers (支持期跨单位累计计算): held, not lapsed
    verdict = decide(
        facts(contribution_employers=frozenset({OTHER, "91130100MA0000003Z"})),
        receivable_hold=CLAWBACK,
    )
    assert verdict.decision == "hold"
    assert verdict.new_employer == OTHER  # the first by code, as the run records it
    assert verdict.reason == f"用人单位变更为{OTHER}，待确认后继续发放（支持期跨单位累计计算）"


def test_the_confirmed_employer_among_several_payers_is_paid() -> None:
    verdict = decide(
        facts(contribution_employers=frozenset({OTHER, EMPLOYER})), receivable_hold=CLAWBACK
    )
    assert verdict == Verdict("pay", None)


def test_no_payee_account_holds() -> None:
    verdict = decide(facts(has_payee=False), receivable_hold=CLAWBACK)
    assert verdict == Verdict("hold", "未登记收款银行账户")


@pytest.mark.parametrize(
    "changes",
    [
        {"contributions_loaded": False, "contribution_employers": frozenset()},
        {"contribution_employers": frozenset()},
        {"contribution_employers": frozenset({OTHER})},
        {"employer": None, "contribution_employers": frozenset()},
    ],
)
def test_a_one_off_payment_is_not_tested_against_monthly_contributions(
    changes: dict[str, object],
) -> None:
    verdict = decide(facts(recurring=False, **changes), receivable_hold=CLAWBACK)
    assert verdict == Verdict("pay", None)


def test_a_schedule_without_a_confirmed_employer_is_paid_on_any_local_contribution() -> None:
    verdict = decide(
        facts(employer=None, contribution_employers=frozenset({OTHER})), receivable_hold=CLAWBACK
    )
    assert verdict == Verdict("pay", None)
