"""`rencai card verify` as a process, fully offline: a bundle file and the pinned root key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

from rencai import clock
from rencai.cards.credential import MAIN_CARD, CardClaims, sign_claims
from rencai.cards.keys import KeyStore
from rencai.cards.presentation import png
from rencai.cards.scan import MAX_PIXELS
from rencai.cards.statuslist import StatusBits
from rencai.cards.trust import build_bundle


def _card(keys: KeyStore) -> str:
    now = clock.now()  # the verifying process reads the office clock (RENCAI_CLOCK_AT)
    t = int(now.timestamp())
    claims = CardClaims(
        "A2613010200001X", "A", MAIN_CARD, "130102", 31, 77, t - 60, t + 86400, None, t
    )
    kid, signer = keys.signer(now)
    return sign_claims(signer, kid, claims)


def _run(keys: KeyStore, bundle: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RENCAI_CARD_KEYS": str(keys.directory)}
    command = [sys.executable, "-m", "rencai", "card", "verify", *args, "--bundle", str(bundle)]
    command += ["--root", str(keys.root_public_path)]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def test_verify_an_image_and_bad_inputs(keys: KeyStore, tmp_path: Path) -> None:
    text = _card(keys)
    bundle = tmp_path / "bundle.cose"
    bundle.write_bytes(build_bundle(keys, 3, StatusBits(), StatusBits(), clock.now(), {}))
    image = tmp_path / "card.png"
    image.write_bytes(png(text))
    done = _run(keys, bundle, str(image), "--point", "hospital")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("有效") and "A2613010200001X" in done.stdout
    assert "就医预约" in done.stdout
    as_json = _run(keys, bundle, text, "--format", "json")
    assert json.loads(as_json.stdout)["card"]["tier"] == "A"
    garbage = _run(keys, bundle, "RC1:NOT-A-CARD")
    assert garbage.returncode == 1 and "无法识别" in garbage.stdout
    big = tmp_path / "big.png"
    side = int(MAX_PIXELS**0.5) + 100
    Image.new("L", (side, side), 255).save(big)
    too_big = _run(keys, bundle, str(big))
    assert too_big.returncode == 1 and "图片过大" in too_big.stdout
    bad_point = _run(keys, bundle, text, "--point", "plane")
    assert bad_point.returncode == 2 and bad_point.stderr.count("\n") == 1
    other = KeyStore(tmp_path / "other")
    other.ensure_root()
    forged_root = _run(other, bundle, text)  # a bundle not signed under the pinned root
    assert forged_root.returncode == 2 and "核验数据" in forged_root.stderr


def test_verify_long_text_is_not_a_path(keys: KeyStore, tmp_path: Path) -> None:
    """A 3,000-character argument is QR text, not a file name (no OSError: File name too long)."""
    bundle = tmp_path / "bundle.cose"
    bundle.write_bytes(build_bundle(keys, 3, StatusBits(), StatusBits(), clock.now(), {}))
    for argument in ("X" * 3000, "a/" * 1500):
        done = _run(keys, bundle, argument)
        assert done.returncode == 1, done.stderr
        assert done.stdout.count("\n") == 1 and "无法识别" in done.stdout
        assert "Traceback" not in done.stderr
