"""The one formatting layer: money, dates and identities as people read them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rencai import formats


def test_money_has_the_yuan_sign_separators_and_two_decimals() -> None:
    assert formats.money(Decimal("180000")) == "¥180,000.00"
    assert formats.money("1234567.5") == "¥1,234,567.50"
    assert formats.money(Decimal("-50")) == "-¥50.00"
    assert formats.money(None) == ""
    assert formats.yuan(Decimal("3000")) == "3,000.00元"
    assert formats.money_from_fen(123456) == "¥1,234.56"


def test_large_amounts_read_in_wan_as_the_policy_texts_write_them() -> None:
    assert formats.wan(Decimal("180000")) == "18万元"
    assert formats.wan(Decimal("15000")) == "1.5万元"
    assert formats.wan(Decimal("1234")) == "0.12万元"


def test_money_refuses_a_float() -> None:
    with pytest.raises(TypeError):
        formats.money(0.1)  # type: ignore[arg-type]


def test_dates_months_identities_and_working_days() -> None:
    assert formats.cn_date(dt.date(2026, 12, 1)) == "2026年12月1日"
    assert formats.cn_date("2026-03-09") == "2026年3月9日"
    assert formats.cn_month("2026-03") == "2026年3月"
    assert formats.masked_id("130102199001011234") == "130102********1234"
    assert formats.masked_name("张三丰") == "张**"
    assert formats.working_days(3) == "剩余3个工作日"
    assert formats.working_days(-2) == "已超期2个工作日"
