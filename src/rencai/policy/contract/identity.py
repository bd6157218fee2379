"""公民身份号码 (GB 11643-1999) read without a database: the birth date and sex it carries.

The number is the authority for both: a profile that states another birth date is refused, and a
profile with only the number is judged on the number's date. ``rencai.registry.identifiers``
validates numbers with this reader (the policy package imports nothing of the registry).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_PATTERN = re.compile(r"^[1-9]\d{16}[\dX]$")


def id_check_character(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


class IdNumberError(ValueError):
    """Not a valid 18-digit identity number; the message is Chinese."""


def parse_id_number(value: str, not_after: dt.date | None = None) -> tuple[str, dt.date]:
    """The normalised number (upper-case X) and the birth date it carries, or IdNumberError;
    with ``not_after``, a birth date after that day is refused too."""
    number = value.strip().upper()
    if not _PATTERN.match(number):
        raise IdNumberError("身份证号应为18位：17位数字加1位校验码（数字或X）")
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError("身份证号中的出生日期无效") from None
    if born.year < 1900 or (not_after is not None and born > not_after):
        raise IdNumberError("身份证号中的出生日期无效")
    if id_check_character(number[:17]) != number[17]:
        raise IdNumberError("身份证号校验码不正确，请核对")
    return number, born


def id_birth_date(value: str) -> dt.date:
    return parse_id_number(value)[1]


def id_sex(value: str) -> Literal["male", "female"]:
    """GB 11643: the 17th digit (顺序码的最后一位) is odd for men, even for women."""
    number, _ = parse_id_number(value)
    return "male" if int(number[16]) % 2 else "female"
