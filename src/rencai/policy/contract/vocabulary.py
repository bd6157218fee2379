"""The controlled vocabulary of codes (a superset of shared/contracts/vocabulary.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.yaml")


@dataclass(frozen=True)
class County:
    code: str
    name: str
    jurisdiction: str
    group: str | None  # Shijiazhuang county group that changes amounts; None when unlisted


@dataclass(frozen=True)
class Vocabulary:
    raw: dict[str, Any]

    def codes(self, kind: str) -> dict[str, str]:
        """Code → Chinese label for a flat vocabulary section."""
        section = self.raw[kind]
        return {str(k): str(v) for k, v in section.items()}

    def label(self, kind: str, code: str) -> str:
        return self.codes(kind).get(code, code)

    @property
    def counties(self) -> dict[str, County]:
        result = {}
        for code, entry in self.raw["county"].items():
            result[str(code)] = County(
                code=str(code),
                name=entry["name"],
                jurisdiction=entry.get("jurisdiction", "shijiazhuang"),
                group=entry.get("group"),
            )
        return result

    @property
    def a_class_disciplines(self) -> list[tuple[str, str]]:
        return [(e["school"], e["discipline"]) for e in self.raw["a_class_disciplines"]]


@cache
def vocabulary() -> Vocabulary:
    return Vocabulary(yaml.safe_load(VOCABULARY_FILE.read_text(encoding="utf-8")))
