"""Bitstring status lists (IETF Token Status List layout: index i is bit i % 8 of byte i // 8,
least significant bit first; zlib-compressed in the bundle).

Two lists share each card's index, as in W3C Bitstring Status List with its two purposes:
revocation (final) and suspension (reversible). Indices are drawn at random so that the position
of a card in the list says nothing about when it was issued or who holds it.
"""

from __future__ import annotations

import secrets
import zlib
from collections.abc import Container

LIST_SIZE = 1 << 20  # 1,048,576 cards per list: room for ten times the city's cards so far


class StatusBits:
    def __init__(self, size: int = LIST_SIZE, data: bytes | None = None):
        if size % 8:
            raise ValueError("the list size must be a multiple of 8")
        self.size = size
        self.data = bytearray(data) if data is not None else bytearray(size // 8)
        if len(self.data) != size // 8:
            raise ValueError("status list length does not match its size")

    def set(self, index: int, value: bool = True) -> None:
        if value:
            self.data[index // 8] |= 1 << (index % 8)
        else:
            self.data[index // 8] &= ~(1 << (index % 8)) & 0xFF

    def get(self, index: int) -> bool:
        if not 0 <= index < self.size:
            raise IndexError(index)
        return bool(self.data[index // 8] >> (index % 8) & 1)

    def compress(self) -> bytes:
        return zlib.compress(bytes(self.data), 9)

    @classmethod
    def decompress(cls, size: int, blob: bytes) -> StatusBits:
        return cls(size, zlib.decompress(blob))


def random_index(taken: Container[int], size: int = LIST_SIZE) -> int:
    """An unused index chosen uniformly at random (the caller's unique constraint has the final
    word under concurrency)."""
    for _ in range(1000):
        index = secrets.randbelow(size)
        if index not in taken:
            return index
    raise RuntimeError("the status list is nearly full: enlarge it")
