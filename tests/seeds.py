"""Access to the seed documents in ../shared, for tests that check citations against them."""

from __future__ import annotations

from functools import cache
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEEDS = SHARED / "seeds"


def compact(text: str) -> str:
    """Text without whitespace and without the seeds' markdown bold markers (``**``)."""
    return "".join(text.split()).replace("*", "")


@cache
def seed_text_compact() -> str:
    """All seed texts joined and compacted (see ``compact``)."""
    if not SEEDS.is_dir():
        raise RuntimeError(f"seed documents not found at {SEEDS}: ../shared must sit beside")
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    return "".join(compact(t) for t in texts)
