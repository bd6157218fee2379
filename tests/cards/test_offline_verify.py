"""Offline verification: the round trip through a real QR image, and one clear verdict for
every kind of bad input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import base45
import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from PIL import Image

from rencai.cards.cose import EcdsaP256Signer, sign1
from rencai.cards.credential import FAMILY_CARD, MAIN_CARD, PREFIX, CardClaims, sign_claims
from rencai.cards.keys import KeyStore
from rencai.cards.points import PointKind
from rencai.cards.presentation import png, qr
from rencai.cards.scan import MAX_PIXELS, ScanError, read_qr
from rencai.cards.statuslist import StatusBits
from rencai.cards.trust import TrustBundle, build_bundle
from rencai.cards.verify import verify

NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
T = int(NOW.timestamp())
DAY = 86400


def claims(**change: object) -> CardClaims:
    base: dict[str, object] = {
        "number": "B2613010200001X",
        "tier": "B",
        "kind": MAIN_CARD,
        "county": "130102",
        "benefits": int(PointKind.bus | PointKind.subway | PointKind.scenic | PointKind.hospital),
        "status_index": 4242,
        "valid_from": T - DAY,
        "valid_until": T + 365 * DAY,
        "issued_at": T,
    }
    base.update(change)
    return CardClaims(**base)  # type: ignore[arg-type]


def bundle_for(
    store: KeyStore,
    revoked: set[int] = frozenset(),
    at: dt.datetime = NOW,  # type: ignore[assignment]
) -> TrustBundle:
    bits, suspended = StatusBits(), StatusBits()
    for index in revoked:
        bits.set(index)
    return TrustBundle.load(build_bundle(store, 1, bits, suspended, at, {}), store.root_public())


def code(store: KeyStore, c: CardClaims, at: dt.datetime = NOW) -> str:
    kid, signer = store.signer(at)
    return sign_claims(signer, kid, c)


def test_round_trip_through_a_rendered_qr_image(keys: KeyStore, tmp_path: Path) -> None:
    text = code(keys, claims())
    image = tmp_path / "card.png"
    image.write_bytes(png(text))
    decoded = read_qr(image)  # zxing-cpp reads the pixels
    assert decoded == text
    verdict = verify(decoded, bundle_for(keys), NOW, "bus")
    assert verdict.code == "valid" and verdict.claims and verdict.claims.number == "B2613010200001X"
    assert any("公交" in g for g in verdict.grants)


def test_family_dynamic_code_fits_a_version_10_qr(keys: KeyStore) -> None:
    c = claims(kind=FAMILY_CARD, tier="F", main_number="B2613010200001X", window_end=T + 60)
    text = code(keys, c)
    assert qr(text).version <= 10 and qr(text).mode == "alphanumeric"
    verdict = verify(text, bundle_for(keys), NOW + dt.timedelta(seconds=20), "subway")
    assert verdict.code == "valid" and verdict.claims and verdict.claims.main_number


def test_forged_signature(keys: KeyStore) -> None:
    kid, _ = keys.signer(NOW)
    impostor = EcdsaP256Signer(ec.generate_private_key(ec.SECP256R1()))
    text = PREFIX + base45.b45encode(sign1(impostor, kid, claims().encode())).decode()
    assert verify(text, bundle_for(keys), NOW, "bus").code == "forged"


def test_edited_payload(keys: KeyStore) -> None:
    raw = base45.b45decode(code(keys, claims())[len(PREFIX) :])
    protected, unprotected, _payload, signature = cbor2.loads(raw).value
    edited = claims(tier="A", benefits=31).encode()  # an upgrade to A card, not re-signed
    text = (
        PREFIX
        + base45.b45encode(
            cbor2.dumps(cbor2.CBORTag(18, [protected, unprotected, edited, signature]))
        ).decode()
    )
    assert verify(text, bundle_for(keys), NOW, "bus").code == "forged"


def test_expired_card(keys: KeyStore) -> None:
    text = code(keys, claims(valid_until=T - 10))
    verdict = verify(text, bundle_for(keys), NOW, "bus")
    assert verdict.code == "expired" and verdict.message == "已过有效期"


def test_expired_dynamic_window(keys: KeyStore) -> None:
    text = code(keys, claims(issued_at=T, window_end=T + 60))
    bundle = bundle_for(keys)
    assert verify(text, bundle, NOW + dt.timedelta(seconds=75), "bus").code == "valid"  # skew
    late = verify(text, bundle, NOW + dt.timedelta(minutes=3), "bus")
    assert late.code == "window_expired" and "动态码" in late.message


def test_revoked_after_a_list_update(keys: KeyStore) -> None:
    text = code(keys, claims())
    assert verify(text, bundle_for(keys), NOW, "bus").code == "valid"
    assert verify(text, bundle_for(keys, revoked={4242}), NOW, "bus").code == "revoked"


def test_unknown_key(keys: KeyStore, tmp_path: Path) -> None:
    other = KeyStore(tmp_path / "elsewhere")  # another issuer's root and keys
    text = code(other, claims())
    assert verify(text, bundle_for(keys), NOW, "bus").code == "unknown_key"


def test_rotated_key_old_cards_verify_until_the_key_retires(keys: KeyStore) -> None:
    old_kid, _ = keys.signer(NOW)
    old = code(keys, claims())
    later = NOW + dt.timedelta(days=200)  # past the old key's signing period
    new_kid, _ = keys.signer(later)
    assert new_kid != old_kid
    new = code(keys, claims(), later)
    bundle = bundle_for(keys, at=later)
    assert set(bundle.keys) == {old_kid, new_kid}
    assert verify(old, bundle, later, "bus").code == "valid"  # the overlap
    assert verify(new, bundle, later, "bus").code == "valid"
    keys.retire(old_kid)
    retired = bundle_for(keys, at=later)
    assert verify(old, retired, later, "bus").code == "unknown_key"
    assert verify(new, retired, later, "bus").code == "valid"
    # and past its verification period the old key is dropped even without retiring
    assert verify(old, bundle, NOW + dt.timedelta(days=800), "bus").code == "unknown_key"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "RC1:",
        "RC1:%%%%",
        "RC1:0000",
        "HC1:6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N",
    ],
)
def test_garbage_is_malformed(keys: KeyStore, text: str) -> None:
    verdict = verify(text, bundle_for(keys), NOW, "bus")
    assert verdict.code == "malformed" and not verdict.accepted


def test_truncated_code_is_malformed(keys: KeyStore) -> None:
    text = code(keys, claims())
    bundle = bundle_for(keys)
    for cut in (5, len(text) // 2, len(text) - 3):
        assert verify(text[:cut], bundle, NOW, "bus").code in ("malformed", "forged")
    assert verify(text[: len(text) // 2], bundle, NOW, "bus").code == "malformed"
    assert verify(text * 20, bundle, NOW, "bus").code == "malformed"  # too long for a QR


def test_stale_bundle_lets_a_bus_rider_on_but_a_hospital_refuses(keys: KeyStore) -> None:
    text = code(keys, claims(valid_until=T + 400 * DAY))
    bundle = bundle_for(keys)
    later = NOW + dt.timedelta(days=4)
    bus = verify(text, bundle, later, "bus")
    assert bus.code == "valid" and bus.stale and "已放行并记录" in bus.message
    assert verify(text, bundle, later, "hospital").code == "stale_bundle"


def test_card_without_service_at_this_kind_of_point(keys: KeyStore) -> None:
    text = code(keys, claims(benefits=int(PointKind.scenic)))
    assert verify(text, bundle_for(keys), NOW, "bank").code == "not_entitled"


def test_oversized_image_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    side = int(MAX_PIXELS**0.5) + 100
    Image.new("L", (side, side), 255).save(big)
    with pytest.raises(ScanError) as caught:
        read_qr(big)
    assert caught.value.code == "image_too_large"


def test_image_without_a_code(tmp_path: Path) -> None:
    blank = tmp_path / "blank.png"
    Image.new("L", (200, 200), 255).save(blank)
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not an image at all")
    for path in (blank, junk):
        with pytest.raises(ScanError) as caught:
            read_qr(path)
        assert caught.value.code == "no_code"


def test_base45_decodes_as_the_reference_library() -> None:
    """The verifier's own base45 decoder (decision 0266) accepts and refuses exactly what the
    base45 package does, and gives the same bytes."""
    import random

    from rencai.cards.credential import BASE45, b45decode

    def reference(text: str) -> bytes | None:
        try:
            return bytes(base45.b45decode(text))
        except ValueError:
            return None

    rng = random.Random(17)
    odd = BASE45 + "\n\tabcé€\x00"
    for _ in range(20000):
        chars = odd if rng.random() < 0.3 else BASE45
        text = "".join(rng.choice(chars) for _ in range(rng.randint(0, 10)))
        assert b45decode(text) == reference(text), repr(text)
    for size in range(0, 300, 7):
        data = bytes(rng.getrandbits(8) for _ in range(size))
        text = base45.b45encode(data).decode()
        assert b45decode(text) == data == reference(text)
    assert b45decode("GGW") is None and reference("GGW") is None  # 65535 + 1: too large
    assert b45decode(":::") is None and b45decode("::") is None
