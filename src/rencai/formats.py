"""How money, dates and identities are written for people: one place for every page, report and
export, so 180000 reads ¥180,000.00 everywhere and an identity number is never shown whole."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_FEN = Decimal("0.01")
_WAN = Decimal(10000)


def _decimal(value: Decimal | int | str) -> Decimal:
    if isinstance(value, float):  # money is never a float: refuse rather than round silently
        raise TypeError("money must be Decimal, int or str, not float")
    try:
        return Decimal(value)
    except (InvalidOperation, ValueError) as error:
        raise ValueError(f"not an amount of money: {value!r}") from error


def money(value: Decimal | int | str | None, symbol: bool = True) -> str:
    """¥180,000.00 — yuan with thousands separators and two decimals ('' when unknown)."""
    if value is None or value == "":
        return ""
    amount = _decimal(value).quantize(_FEN, rounding=ROUND_HALF_UP)
    text = f"{amount:,.2f}"
    if not symbol:
        return text
    return f"-¥{text[1:]}" if text.startswith("-") else f"¥{text}"


def yuan(value: Decimal | int | str | None) -> str:
    """180,000.00元 — for running text, where the seeds write amounts followed by 元."""
    text = money(value, symbol=False)
    return f"{text}元" if text else ""


def wan(value: Decimal | int | str | None) -> str:
    """18万元 — the way the policy texts state large amounts (up to two decimals of 万)."""
    if value is None or value == "":
        return ""
    amount = _decimal(value) / _WAN
    text = f"{amount.quantize(_FEN, rounding=ROUND_HALF_UP):f}".rstrip("0").rstrip(".")
    return f"{text}万元"


def money_from_fen(fen: int | None, symbol: bool = True) -> str:
    """money() of an integer number of fen."""
    return "" if fen is None else money(Decimal(fen) / 100, symbol=symbol)


def cn_date(value: dt.date | str | None) -> str:
    """2026年12月1日 — a civil date as people write it."""
    if value is None or value == "":
        return ""
    day = dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value
    if isinstance(day, dt.datetime):
        day = day.date()
    return f"{day.year}年{day.month}月{day.day}日"


def cn_month(value: str | dt.date | None) -> str:
    """2026年12月 — a month ('2026-12' or a date)."""
    if value is None or value == "":
        return ""
    text = value.isoformat() if isinstance(value, dt.date) else value
    year, month = text[:4], int(text[5:7])
    return f"{year}年{month}月"


def masked_id(number: str | None) -> str:
    """An identity number with its middle hidden: 130102********1234."""
    if not number:
        return ""
    if len(number) <= 10:
        return number[:2] + "*" * max(len(number) - 4, 0) + number[-2:]
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def masked_name(name: str | None) -> str:
    """A name with all but its first character hidden: 张** (public lists)."""
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1) if len(name) > 1 else name


def working_days(count: int | None) -> str:
    """'3个工作日' / '已超期2个工作日' for a signed count of working days left."""
    if count is None:
        return ""
    return f"剩余{count}个工作日" if count >= 0 else f"已超期{-count}个工作日"
