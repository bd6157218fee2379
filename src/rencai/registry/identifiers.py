"""National identifiers: 公民身份号码 (GB 11643) and 统一社会信用代码 (GB 32100).

Both carry a check character; a number that fails it is refused with a Chinese message. Identity
numbers are masked wherever they are shown in lists, exports or logs.
"""

from __future__ import annotations

import datetime as dt
import re

from rencai import clock

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ID_PATTERN = re.compile(r"^[1-9]\d{16}[\dX]$")

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_PATTERN = re.compile(rf"^[{USCC_ALPHABET}]{{18}}$")


class IdentifierError(ValueError):
    """An identifier that is not valid; the message is Chinese, for the person who typed it."""


def id_check_character(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def validate_id_number(value: str, today: dt.date | None = None) -> str:
    """Normalised (upper-case X) 18-digit identity number, or IdentifierError."""
    number = value.strip().upper()
    if not ID_PATTERN.match(number):
        raise IdentifierError("身份证号应为18位：17位数字加1位校验码（数字或X）")
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdentifierError("身份证号中的出生日期无效") from None
    if born > (today or clock.today()) or born.year < 1900:
        raise IdentifierError("身份证号中的出生日期无效")
    if id_check_character(number[:17]) != number[17]:
        raise IdentifierError("身份证号校验码不正确，请核对")
    return number


def birth_date_of(id_number: str) -> dt.date:
    number = validate_id_number(id_number)
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def mask_id_number(value: str) -> str:
    """Region code and last four kept, birth date and sequence hidden: 130102********001X."""
    number = value.strip().upper()
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_id_number_for_review(value: str) -> str:
    """For the reviewer of a case: region code and birth date kept (the reviewer checks age
    limits against them), sequence number and check character hidden: 13010219940302****."""
    number = value.strip().upper()
    if len(number) != 18:
        return mask_id_number(number)
    return number[:14] + "****"


def uscc_check_character(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """Normalised 统一社会信用代码, or IdentifierError."""
    code = value.strip().upper()
    if len(code) != 18:
        raise IdentifierError("统一社会信用代码应为18位")
    if not USCC_PATTERN.match(code):
        raise IdentifierError("统一社会信用代码含有不允许的字符（不使用I、O、S、V、Z）")
    if uscc_check_character(code[:17]) != code[17]:
        raise IdentifierError("统一社会信用代码校验码不正确，请核对")
    return code
