"""Money at the ledger's edges: integer fen inside, yuan strings with two places outside.

Parameters state whole yuan; a Decimal with more than two places is rounded half-up to the fen
(ROUND_HALF_UP, the rounding of Chinese public finance); nothing is ever a float.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def fen(yuan: Decimal | int | str) -> int:
    return int((Decimal(str(yuan)).quantize(CENT, rounding=ROUND_HALF_UP) * 100).to_integral())


def yuan(amount_fen: int) -> str:
    sign = "-" if amount_fen < 0 else ""
    whole, cents = divmod(abs(amount_fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def parse_yuan(text: str) -> int:
    """A bank file's amount (元, up to two places) in fen; ValueError if it is not one."""
    value = Decimal(text.strip())
    if value != value.quantize(CENT) or not value.is_finite():
        raise ValueError(f"金额“{text}”不是精确到分的数")
    return fen(value)
