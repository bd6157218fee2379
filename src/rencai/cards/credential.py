"""What the QR carries: minimal CBOR claims, signed as COSE_Sign1, base45 text behind a prefix.

In the style of the EU Digital COVID Certificate ("HC1:" + base45(COSE)): here "RC1:". No name and
no identity-number hash: the app shows the holder's name and photo beside the code. Claims use
CWT numbers where CWT has one (exp 4, nbf 5, iat 6) and a private map under -70001 for the card.
"""

from __future__ import annotations

import datetime as dt
import sys
from array import array
from dataclasses import dataclass
from typing import Any

import base45
import cbor2

from rencai.cards.cose import Signer, decode_sign1, sign1

PREFIX = "RC1:"
CLAIM_EXP, CLAIM_NBF, CLAIM_IAT = 4, 5, 6
CLAIM_CARD = -70001
# keys inside the card map
NUMBER, TIER, KIND, COUNTY, BENEFITS, STATUS_INDEX, MAIN, WINDOW_END = 1, 2, 3, 4, 5, 6, 7, 8
MAIN_CARD, FAMILY_CARD = 0, 1


class CredentialError(ValueError):
    """The text is not a card QR we can read (truncated, garbage, wrong prefix)."""


@dataclass(frozen=True)
class CardClaims:
    number: str
    tier: str  # A | B | C (county) | F (副卡)
    kind: int  # MAIN_CARD | FAMILY_CARD
    county: str
    benefits: int  # PointKind mask
    status_index: int
    valid_from: int  # epoch seconds
    valid_until: int  # epoch seconds (exclusive)
    main_number: str | None = None  # a 副卡 names its main card
    issued_at: int = 0
    window_end: int | None = None  # a dynamic presentation is valid until here

    def encode(self) -> bytes:
        card: dict[int, Any] = {
            NUMBER: self.number,
            TIER: self.tier,
            KIND: self.kind,
            COUNTY: self.county,
            BENEFITS: self.benefits,
            STATUS_INDEX: self.status_index,
        }
        if self.main_number:
            card[MAIN] = self.main_number
        if self.window_end is not None:
            card[WINDOW_END] = self.window_end
        return cbor2.dumps(
            {
                CLAIM_NBF: self.valid_from,
                CLAIM_EXP: self.valid_until,
                CLAIM_IAT: self.issued_at,
                CLAIM_CARD: card,
            }
        )

    @classmethod
    def decode(cls, payload: bytes) -> CardClaims:
        try:
            data = cbor2.loads(payload)
            card = data[CLAIM_CARD]
            claims = cls(
                number=card[NUMBER],
                tier=card[TIER],
                kind=card[KIND],
                county=card[COUNTY],
                benefits=card[BENEFITS],
                status_index=card[STATUS_INDEX],
                valid_from=data[CLAIM_NBF],
                valid_until=data[CLAIM_EXP],
                main_number=card.get(MAIN),
                issued_at=data.get(CLAIM_IAT, 0),
                window_end=card.get(WINDOW_END),
            )
        except Exception:
            raise CredentialError("payload is not a card claim set") from None
        ints = (claims.kind, claims.benefits, claims.status_index, claims.valid_from)
        if not (isinstance(claims.number, str) and all(isinstance(x, int) for x in ints)):
            raise CredentialError("card claims have the wrong types")
        return claims

    @property
    def dynamic(self) -> bool:
        return self.window_end is not None


def epoch(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def to_qr_text(signed: bytes) -> str:
    return PREFIX + base45.b45encode(signed).decode("ascii")


def sign_claims(signer: Signer, kid: bytes, claims: CardClaims) -> str:
    return to_qr_text(sign1(signer, kid, claims.encode()))


def from_qr_text(text: str) -> bytes:
    """The COSE bytes inside a QR text; CredentialError for anything else."""
    text = text.strip()
    if not text.startswith(PREFIX):
        raise CredentialError("not a talent-card code (prefix RC1: missing)")
    decoded = b45decode(text[len(PREFIX) :])
    if decoded is None:
        raise CredentialError("not valid base45 (truncated or damaged)")
    return decoded


BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_INVALID = 0xFF
# each byte of the text to its base45 digit (0xFF: not a base45 character)
_DIGITS = bytes(BASE45.index(chr(b)) if chr(b) in BASE45 else _INVALID for b in range(256))


def b45decode(text: str) -> bytes | None:
    """RFC 9285 base45, as ``base45.b45decode`` decodes it (None where it raises), with the
    characters mapped to their digits at once rather than one by one (decision 0266)."""
    digits = text.rstrip("\n").encode("utf-8", "surrogatepass").translate(_DIGITS)
    size = len(digits)
    if size % 3 == 1 or _INVALID in digits:
        return None
    whole = size - size % 3
    values = [
        x + 45 * y + 2025 * z
        for x, y, z in zip(digits[0:whole:3], digits[1:whole:3], digits[2:whole:3], strict=True)
    ]
    if values and max(values) > 0xFFFF:
        return None
    pairs = array("H", values)
    if sys.byteorder == "little":
        pairs.byteswap()
    out = pairs.tobytes()
    if whole < size:
        x = digits[whole] + digits[whole + 1] * 45
        if x > 0xFF:
            return None
        out += bytes((x,))
    return out


def read(text: str) -> tuple[bytes, CardClaims]:
    """Decode without verifying: the COSE bytes and the claims (for display and for verify)."""
    sign1_obj = decode_sign1(from_qr_text(text))
    return sign1_obj.kid, CardClaims.decode(sign1_obj.payload)
