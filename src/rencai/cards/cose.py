"""COSE_Sign1 (RFC 9052 §4.2) built with cbor2 and `cryptography`.

The structure is small: a tagged array [protected bstr, unprotected map, payload bstr,
signature bstr], signed over the Sig_structure ["Signature1", protected, external_aad, payload].
ES256 (the default: WebCrypto in every browser verifies it) and EdDSA/Ed25519 sit behind the same
`Signer` interface; a national-crypto profile (SM2/SM3) would be a third implementation of it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

COSE_SIGN1_TAG = 18
HEADER_ALG = 1
HEADER_KID = 4
ES256 = -7
EDDSA = -8


class CoseError(ValueError):
    """Not a COSE_Sign1 structure we can read."""


class Signer(Protocol):
    alg: int

    def sign(self, data: bytes) -> bytes: ...

    def public_bytes(self) -> bytes: ...


class EcdsaP256Signer:
    """ES256: ECDSA on P-256 with SHA-256; signatures as r‖s (32 + 32 bytes), as COSE wants."""

    alg = ES256

    def __init__(self, key: ec.EllipticCurvePrivateKey):
        self.key = key

    def sign(self, data: bytes) -> bytes:
        r, s = decode_dss_signature(self.key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    def public_bytes(self) -> bytes:  # SEC1 uncompressed point: WebCrypto imports it as "raw"
        return self.key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)


class Ed25519Signer:
    alg = EDDSA

    def __init__(self, key: ed25519.Ed25519PrivateKey):
        self.key = key

    def sign(self, data: bytes) -> bytes:
        return self.key.sign(data)

    def public_bytes(self) -> bytes:
        return self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


ES256_SIGNATURE = ec.ECDSA(hashes.SHA256())


@functools.lru_cache(maxsize=64)
def _p256(public: bytes) -> ec.EllipticCurvePublicKey:
    """An issuing key's parsed form (a bundle holds a handful): parsed once, not per check.
    Only the key is kept; every signature is verified in full."""
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public)


def verify_signature(alg: int, public: bytes, data: bytes, signature: bytes) -> bool:
    """True if `signature` over `data` verifies with the raw public key; never raises on junk."""
    try:
        if alg == ES256:
            if len(signature) != 64:
                return False
            point = _p256(public)
            der = encode_dss_signature(
                int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            )
            point.verify(der, data, ES256_SIGNATURE)
            return True
        if alg == EDDSA:
            ed25519.Ed25519PublicKey.from_public_bytes(public).verify(signature, data)
            return True
    except (InvalidSignature, ValueError):
        return False
    return False


def _sig_structure(protected: bytes, payload: bytes) -> bytes:
    return cbor2.dumps(["Signature1", protected, b"", payload])


@dataclass(frozen=True)
class Sign1:
    protected: bytes  # the serialized protected header, as signed
    alg: int
    kid: bytes
    payload: bytes
    signature: bytes

    def to_be_signed(self) -> bytes:
        return _sig_structure(self.protected, self.payload)

    def verify(self, public: bytes) -> bool:
        return verify_signature(self.alg, public, self.to_be_signed(), self.signature)


def sign1(signer: Signer, kid: bytes, payload: bytes) -> bytes:
    protected = cbor2.dumps({HEADER_ALG: signer.alg, HEADER_KID: kid})
    signature = signer.sign(_sig_structure(protected, payload))
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))


def decode_sign1(data: bytes) -> Sign1:
    """Parse a (tagged or untagged) COSE_Sign1; any malformation raises CoseError."""
    try:
        item: Any = cbor2.loads(data)
    except Exception as exc:  # cbor2 raises several types on junk
        raise CoseError(f"not CBOR: {exc}") from None
    if isinstance(item, cbor2.CBORTag):
        if item.tag != COSE_SIGN1_TAG:
            raise CoseError(f"unexpected CBOR tag {item.tag}")
        item = item.value
    if not (isinstance(item, list | tuple) and len(item) == 4):
        raise CoseError("COSE_Sign1 must be an array of four items")
    protected, unprotected, payload, signature = item
    if not all(isinstance(x, bytes) for x in (protected, payload, signature)):
        raise CoseError("protected header, payload and signature must be byte strings")
    if not isinstance(unprotected, Mapping):  # cbor2 gives a frozendict inside tags
        raise CoseError("unprotected header must be a map")
    try:
        header = cbor2.loads(protected) if protected else {}
    except Exception:
        raise CoseError("protected header is not CBOR") from None
    if not isinstance(header, Mapping):
        raise CoseError("protected header must be a map")
    alg = header.get(HEADER_ALG)
    kid = header.get(HEADER_KID)  # only a signed kid counts
    if not isinstance(alg, int) or not isinstance(kid, bytes):
        raise CoseError("alg and kid are required")
    return Sign1(protected, alg, kid, payload, signature)
