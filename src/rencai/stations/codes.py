"""The booking code: the booking's claims signed with the talent card's issuing key (COSE_Sign1,
"RS1:" + base45), so a hotel's scanner can check the signature with the card trust bundle before
asking the platform to check the guest in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import base45
import cbor2

from rencai.cards.cose import CoseError, decode_sign1, sign1
from rencai.cards.keys import KeyStore
from rencai.stations.errors import StationError

PREFIX = "RS1:"


@dataclass(frozen=True)
class BookingClaims:
    booking: int
    station: int
    first_night: dt.date
    nights: int


def sign(store: KeyStore, claims: BookingClaims, now: dt.datetime) -> str:
    kid, signer = store.signer(now)
    payload = cbor2.dumps(
        {
            "b": claims.booking,
            "s": claims.station,
            "f": claims.first_night.isoformat(),
            "n": claims.nights,
        }
    )
    return PREFIX + base45.b45encode(sign1(signer, kid, payload)).decode("ascii")


def verify(store: KeyStore, text: str, now: dt.datetime) -> BookingClaims:
    """The claims of a genuine code signed by a key trusted now; anything else is refused."""
    bad = StationError("code", "入住码无效：不是本平台签发的驿站入住码", "bad_code")
    text = text.strip()
    if not text.startswith(PREFIX):
        raise bad
    try:
        envelope = decode_sign1(bytes(base45.b45decode(text[len(PREFIX) :])))
        data = cbor2.loads(envelope.payload)
        claims = BookingClaims(
            booking=int(data["b"]),
            station=int(data["s"]),
            first_night=dt.date.fromisoformat(data["f"]),
            nights=int(data["n"]),
        )
    except (CoseError, ValueError, KeyError, TypeError, cbor2.CBORDecodeError):
        raise bad from None
    trusted = {c.kid: c for c in store.verifying(now)}
    cert = trusted.get(envelope.kid)
    if cert is None or not envelope.verify(cert.public):
        raise bad
    return claims
