from __future__ import annotations

from pathlib import Path

import pytest

from rencai.cards.keys import KeyStore


@pytest.fixture
def keys(tmp_path: Path) -> KeyStore:
    """A fresh key directory with a root and one issuing key (never the repository's)."""
    return KeyStore(tmp_path / "keys")
