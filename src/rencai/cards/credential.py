"""What the QR carries: minimal CBOR claims, signed as COSE_Sign1, base45 text behind a prefix.

In the style of the EU Digital COVID Certificate ("HC1:" + base45(COSE)): here "RC1:". No name and
no identity-number hash: the app shows the holder's name and photo beside the code. Claims use
CWT numbers where CWT has one (exp 4, nbf 5, iat 6) and a private map under -70001 for the card.
"""

from __future__ import annotations

import datetime as dt
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
    try:
        return bytes(base45.b45decode(text[len(PREFIX) :]))
    except Exception:
        raise CredentialError("not valid base45 (truncated or damaged)") from None


def read(text: str) -> tuple[bytes, CardClaims]:
    """Decode without verifying: the COSE bytes and the claims (for display and for verify)."""
    sign1_obj = decode_sign1(from_qr_text(text))
    return sign1_obj.kid, CardClaims.decode(sign1_obj.payload)
