"""The trust bundle: one signed, versioned file a verifier fetches and then works offline with.

It holds the issuing keys' certificates (each signed by the root the verifier pins), the two
status lists, and per kind of point how old the bundle may be and what to do when it is older
(let the rider on and log it, or refuse). The bundle itself is a COSE_Sign1 by a current issuing
key, so a verifier checks: root → certificate → bundle → card.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import cbor2

from rencai.cards.cose import CoseError, decode_sign1, sign1
from rencai.cards.keys import Certificate, KeyError_, KeyStore
from rencai.cards.points import POINT_LABELS, point_texts, tier_labels
from rencai.cards.statuslist import StatusBits
from rencai.policy.cities import default_code

# How old a bundle may be at each kind of point, and what happens when it is older. Operational
# settings of the platform, not policy: docs/decisions/0049-offline-freshness.md.
POINT_RULES: dict[str, dict[str, Any]] = {
    "bus": {"max_age": 72 * 3600, "stale": "allow_and_log"},
    "subway": {"max_age": 72 * 3600, "stale": "allow_and_log"},
    "scenic": {"max_age": 72 * 3600, "stale": "allow_and_log"},
    "hospital": {"max_age": 24 * 3600, "stale": "refuse"},
    "bank": {"max_age": 24 * 3600, "stale": "refuse"},
}


class BundleError(ValueError):
    """A bundle that does not verify against the pinned root (Chinese message)."""


def build_bundle(
    store: KeyStore,
    version: int,
    revoked: StatusBits,
    suspended: StatusBits,
    now: dt.datetime,
    counties: dict[str, str],
) -> bytes:
    kid, signer = store.signer(now)
    payload = {
        "v": version,
        "iat": int(now.timestamp()),
        "iss": default_code(),  # the installation, named by its default jurisdiction
        "certs": [c.raw for c in store.verifying(now)],
        "status": {
            "size": revoked.size,
            "revoked": revoked.compress(),
            "suspended": suspended.compress(),
        },
        "points": POINT_RULES,
        "point_labels": POINT_LABELS,
        "texts": point_texts(),
        "tier_labels": tier_labels(),
        "counties": counties,
    }
    return sign1(signer, kid, cbor2.dumps(payload))


@dataclass
class TrustBundle:
    version: int
    issued_at: int
    keys: dict[bytes, Certificate]
    revoked: StatusBits
    suspended: StatusBits
    points: dict[str, dict[str, Any]]
    texts: dict[str, dict[str, list[str]]]
    counties: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, raw: bytes, root_public: bytes) -> TrustBundle:
        try:
            envelope = decode_sign1(raw)
            data = cbor2.loads(envelope.payload)
            keys: dict[bytes, Certificate] = {}
            for cert_raw in data["certs"]:
                cert = Certificate.parse(cert_raw, root_public)
                keys[cert.kid] = cert
        except (CoseError, KeyError_, KeyError, TypeError, ValueError) as exc:
            raise BundleError(f"核验数据无法读取：{exc}") from None
        signer = keys.get(envelope.kid)
        if signer is None or not envelope.verify(signer.public):
            raise BundleError("核验数据签名无效")
        status = data["status"]
        return cls(
            version=data["v"],
            issued_at=data["iat"],
            keys=keys,
            revoked=StatusBits.decompress(status["size"], status["revoked"]),
            suspended=StatusBits.decompress(status["size"], status["suspended"]),
            points=data["points"],
            texts=data["texts"],
            counties=data.get("counties", {}),
        )
