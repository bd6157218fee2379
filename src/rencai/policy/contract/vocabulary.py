"""The controlled vocabulary of codes (a superset of shared/contracts/vocabulary.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
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

    def counties_with_city(self) -> dict[str, str]:
        """Every county's code → "城市·县（市、区）" (the choices of a page that spans cities)."""
        cities = self.codes("jurisdiction")
        return {
            code: f"{cities.get(c.jurisdiction, '')}·{c.name}" for code, c in self.counties.items()
        }

    @cached_property
    def counties(self) -> dict[str, County]:
        """Every county by code (built once: the calculator checks and encodes one per
        request; read it, do not change it)."""
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

    @cached_property
    def a_class_set(self) -> frozenset[tuple[str, str]]:
        """``a_class_disciplines`` as a set, built once (the calculator reads it per profile)."""
        return frozenset(self.a_class_disciplines)


def _with_jurisdictions(raw: dict[str, Any]) -> dict[str, Any]:
    """The published file's codes plus what the jurisdiction folders declare: their names (the
    file's must agree) and the counties a folder adds."""
    from rencai.policy.cities import JurisdictionError, discovered

    cities = discovered()
    listed = {str(k): str(v) for k, v in raw["jurisdiction"].items()}
    for code, name in listed.items():
        if code not in cities or cities[code].name != name:
            raise JurisdictionError(f"vocabulary.yaml: jurisdiction {code}={name} has no folder")
    raw["jurisdiction"] = {**listed, **{code: c.name for code, c in cities.items()}}
    counties = dict(raw["county"])
    for code, city in cities.items():
        for county, entry in city.counties.items():
            if county in counties:
                raise JurisdictionError(f"{code}: county {county} is already in the vocabulary")
            counties[county] = {**entry, "jurisdiction": code}
    raw["county"] = counties
    return raw


@cache
def vocabulary() -> Vocabulary:
    raw = yaml.safe_load(VOCABULARY_FILE.read_text(encoding="utf-8"))
    return Vocabulary(_with_jurisdictions(raw))
