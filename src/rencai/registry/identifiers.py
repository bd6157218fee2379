"""National identifiers: 公民身份号码 (GB 11643) and 统一社会信用代码 (GB 32100).

Both carry a check character; a number that fails it is refused with a Chinese message. Identity
numbers are masked wherever they are shown in lists, exports or logs.
"""

from __future__ import annotations

import datetime as dt
import re

from rencai import clock
from rencai.policy.contract.identity import IdNumberError, parse_id_number
from rencai.policy.contract.identity import id_check_character as id_check_character  # re-exported

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_PATTERN = re.compile(rf"^[{USCC_ALPHABET}]{{18}}$")


class IdentifierError(ValueError):
    """An identifier that is not valid; the message is Chinese, for the person who typed it."""


def validate_id_number(value: str, today: dt.date | None = None) -> str:
    """Normalised (upper-case X) 18-digit identity number, or IdentifierError. The format is read
    by the policy contract's GB 11643 reader; here a birth date in the future is refused too."""
    try:
        return parse_id_number(value, not_after=today or clock.today())[0]
    except IdNumberError as exc:
        raise IdentifierError(str(exc)) from None


def birth_date_of(id_number: str) -> dt.date:
    return parse_id_number(validate_id_number(id_number))[1]


def mask_name(name: str) -> str:
    """王小明 → 王**: the surname only, wherever a name is shown to someone other than its owner
    (public notices, queues, batch lines, a service point's check)."""
    return name[:1] + "*" * max(len(name) - 1, 1)


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
