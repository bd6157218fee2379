"""COSE_Sign1 as RFC 9052 §4.2 lays it out, checked with cbor2 and `cryptography` directly."""

from __future__ import annotations

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from rencai.cards.cose import (
    EDDSA,
    ES256,
    EcdsaP256Signer,
    Ed25519Signer,
    decode_sign1,
    sign1,
)


def test_es256_sign1_has_the_rfc_9052_structure() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    raw = sign1(EcdsaP256Signer(key), b"kid-1", b"payload")
    tagged = cbor2.loads(raw)
    assert isinstance(tagged, cbor2.CBORTag) and tagged.tag == 18  # COSE_Sign1 tag
    protected, unprotected, payload, signature = tagged.value
    assert cbor2.loads(protected) == {1: -7, 4: b"kid-1"}  # alg ES256 and kid, both signed
    assert dict(unprotected) == {} and payload == b"payload" and len(signature) == 64
    # verify independently: Sig_structure = ["Signature1", protected, external_aad, payload]
    to_be_signed = cbor2.dumps(["Signature1", protected, b"", payload])
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    key.public_key().verify(encode_dss_signature(r, s), to_be_signed, ec.ECDSA(hashes.SHA256()))


def test_eddsa_behind_the_same_interface() -> None:
    signer = Ed25519Signer(ed25519.Ed25519PrivateKey.generate())
    decoded = decode_sign1(sign1(signer, b"k", b"data"))
    assert decoded.alg == EDDSA and decoded.verify(signer.public_bytes())
    assert not decoded.verify(Ed25519Signer(ed25519.Ed25519PrivateKey.generate()).public_bytes())


def test_a_changed_protected_header_breaks_the_signature() -> None:
    signer = EcdsaP256Signer(ec.generate_private_key(ec.SECP256R1()))
    tagged = cbor2.loads(sign1(signer, b"kid-1", b"payload"))
    _protected, unprotected, payload, signature = tagged.value
    swapped = cbor2.dumps({1: ES256, 4: b"kid-2"})
    forged = cbor2.dumps(cbor2.CBORTag(18, [swapped, unprotected, payload, signature]))
    decoded = decode_sign1(forged)
    assert decoded.kid == b"kid-2" and not decoded.verify(signer.public_bytes())
