"""Card numbers: tier letter, issue year (2 digits), county code (6 digits), serial (5 digits),
and an ISO 7064 MOD 11-2 check character (the scheme of the 身份证号's last character).

    B 26 130102 00001 7   →  B261301020000 17
    │  │    │      │    └ check character over the 13 digits (0-9 or X)
    │  │    │      └ serial within tier + year + county, from 00001
    │  │    └ the card's county (县（市、区）): the work place for A/B/C, the main
    │  │      card's county for a 副卡
    │  └ year of issue
    └ the card letter its jurisdiction declares (Shijiazhuang: A, B, C 县卡, F 副卡)

Only characters of the QR alphanumeric set are used. docs/decisions/0046-card-numbers.md.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai.cards.models import CardCounter
from rencai.policy.contract.vocabulary import vocabulary

NUMBER = re.compile(r"^[A-Z]\d{13}[0-9X]$")


def check_character(digits: str) -> str:
    p = 0
    for ch in digits:
        p = (p + int(ch)) * 2 % 11
    value = (12 - p) % 11
    return "X" if value == 10 else str(value)


def is_valid(number: str) -> bool:
    return bool(NUMBER.match(number)) and check_character(number[1:14]) == number[14]


def number_code(county: str) -> str:
    """The six digits a card number carries for ``county``: its GB/T 2260 code, or for a park
    (高新区, 循环化工园区), which has none, its 统计用区划代码 (decision 0224)."""
    if len(county) == 6 and county.isdigit():
        return county
    code = str(vocabulary().raw.get("county_statistical_code", {}).get(county) or "")
    if not (len(code) == 6 and code.isdigit()):
        raise ValueError(f"county code must be six digits: {county!r}")
    return code


def next_number(session: Session, tier: str, county: str, on: dt.date) -> str:
    county = number_code(county)
    prefix = f"{tier}{on.year % 100:02d}{county}"
    counter = session.scalar(
        select(CardCounter).where(CardCounter.prefix == prefix).with_for_update()
    )
    if counter is None:
        counter = CardCounter(prefix=prefix, next_serial=1)
        session.add(counter)
    serial = counter.next_serial
    if serial > 99999:
        raise ValueError(f"card serials exhausted for {prefix}")
    counter.next_serial = serial + 1
    session.flush()
    digits = f"{prefix[1:]}{serial:05d}"
    return f"{tier}{digits}{check_character(digits)}"
