"""Jurisdictions: one folder each, found by scanning, named once.

A folder of ``rencai/policy/jurisdictions/`` (or of the extra folder, ``extra_folder()``) is a
jurisdiction when it holds ``jurisdiction.yaml``: its code (the folder's name), its Chinese name,
and what it provides beyond its catalogue — the counties it adds to the vocabulary, its talent
cards (tiers, what each tier grants at each kind of service point), the clause under which paid
money is recovered.
A folder that also holds ``parameters/`` has computed rules: its package exposes ``program``
(and ``family_card_services`` when its cards have 副卡).

Reading the descriptors imports no rules; ``registry()`` imports the computed packages by name,
so nothing here imports a city statically and no city is named in generic code.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from rencai.policy.citations import Citation, clause_heading
from rencai.policy.rules import Program
from rencai.settings import jurisdictions_dir

BUILT_IN = Path(__file__).parent / "jurisdictions"
DESCRIPTOR = "jurisdiction.yaml"
POINT_KINDS = ("bus", "subway", "scenic", "hospital", "bank")


class JurisdictionError(ValueError):
    """A jurisdiction folder whose descriptor is missing a part or contradicts another."""


def extra_folder() -> Path | None:
    """A folder of further jurisdiction folders (``RENCAI_JURISDICTIONS_DIR``), or None."""
    return jurisdictions_dir()


@dataclass(frozen=True)
class CardTier:
    """One kind of card: its letter (the card number's first character, unique among all
    jurisdictions), the program whose approval issues it, and what it carries."""

    letter: str
    program: str
    label: str
    includes: tuple[str, ...] = ()  # further card programs whose service items it also holds
    family: str | None = None  # the 副卡 program issued with it, for the relatives the rules name
    follows_main: bool = False  # a 副卡: issued with a main card, validity follows it


@dataclass(frozen=True)
class PointGrant:
    """What a card's service item grants at some kinds of service point (quoted text)."""

    service_id: str
    kinds: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class CardPlan:
    title: str  # printed on the card, e.g. the city's name of its talent card
    tiers: tuple[CardTier, ...]
    grants: tuple[PointGrant, ...]

    def tier_of(self, program: str) -> CardTier | None:
        return next((t for t in self.tiers if t.program == program), None)

    def main_programs(self) -> tuple[str, ...]:
        return tuple(t.program for t in self.tiers if not t.follows_main)


@dataclass(frozen=True)
class Recovery:
    """The clause under which money paid is cancelled and recovered, and the hold wording."""

    citation: Citation
    hold: str  # why a person's payments wait while a receivable is open

    @property
    def clause_label(self) -> str:
        """'第17条': the clause as a reader names it."""
        return clause_heading(self.citation.clause)

    @property
    def label(self) -> str:
        """'石字〔2021〕7号第17条': the document and its clause."""
        return f"{self.citation.document}{self.clause_label}"


@dataclass(frozen=True)
class City:
    """A jurisdiction as its folder describes it (no rules imported)."""

    code: str
    name: str
    folder: Path
    order: int
    default: bool
    # no law is modelled before this day: required of a computed jurisdiction; a catalogue-only
    # one that states it is refused before it too (decision 0345)
    earliest: dt.date | None
    counties: dict[str, dict[str, Any]] = field(default_factory=dict)
    cards: CardPlan | None = None
    recovery: Recovery | None = None
    search_hint: str | None = None  # the policy library's search box example, in this city's words

    @property
    def computed(self) -> bool:
        return (self.folder / "parameters").is_dir()

    @property
    def built_in(self) -> bool:
        return self.folder.parent == BUILT_IN


def _cards(data: dict[str, Any], where: Path) -> CardPlan:
    tiers = tuple(
        CardTier(
            letter=str(t["letter"]),
            program=str(t["program"]),
            label=str(t["label"]),
            includes=tuple(t.get("includes", ())),
            family=t.get("family"),
            follows_main=bool(t.get("follows_main", False)),
        )
        for t in data["tiers"]
    )
    grants = tuple(
        PointGrant(str(g["service"]), tuple(g["at"]), str(g["text"]))
        for g in data.get("grants", ())
    )
    for tier in tiers:
        if not (len(tier.letter) == 1 and tier.letter.isascii() and tier.letter.isupper()):
            raise JurisdictionError(f"{where}: card letter {tier.letter!r} is not A-Z")
    for grant in grants:
        if not grant.kinds or set(grant.kinds) - set(POINT_KINDS):
            raise JurisdictionError(f"{where}: {grant.service_id}: kinds {grant.kinds}")
    return CardPlan(title=str(data["title"]), tiers=tiers, grants=grants)


def _describe(folder: Path) -> City:
    where = folder / DESCRIPTOR
    data = yaml.safe_load(where.read_text(encoding="utf-8")) or {}
    if data.get("code") != folder.name:
        raise JurisdictionError(f"{where}: code must be the folder's name {folder.name!r}")
    recovery = data.get("recovery")
    earliest = data.get("earliest")
    city = City(
        code=folder.name,
        name=str(data["name"]),
        folder=folder,
        order=int(data.get("order", 1000)),
        default=bool(data.get("default", False)),
        earliest=earliest if isinstance(earliest, dt.date) else None,
        counties={str(k): dict(v) for k, v in (data.get("counties") or {}).items()},
        cards=_cards(data["cards"], where) if data.get("cards") else None,
        recovery=Recovery(Citation.from_mapping(recovery["citation"]), str(recovery["hold"]))
        if recovery
        else None,
        search_hint=data.get("search_hint"),
    )
    if city.computed and city.earliest is None:
        raise JurisdictionError(f"{where}: a computed jurisdiction states `earliest`")
    return city


def _folders() -> list[Path]:
    roots = [BUILT_IN]
    if (extra := extra_folder()) is not None:
        if not extra.is_dir():
            raise JurisdictionError(f"RENCAI_JURISDICTIONS_DIR: {extra} is not a folder")
        roots.append(extra)
    return [
        folder
        for root in roots
        for folder in sorted(root.iterdir())
        if folder.is_dir() and (folder / DESCRIPTOR).is_file()
    ]


@cache
def discovered() -> dict[str, City]:
    """Every jurisdiction by code, in display order (the default one first)."""
    cities: dict[str, City] = {}
    for folder in _folders():
        city = _describe(folder)
        if city.code in cities:
            raise JurisdictionError(f"jurisdiction {city.code!r} found twice")
        cities[city.code] = city
    if sum(c.default for c in cities.values()) > 1:
        raise JurisdictionError("more than one jurisdiction says `default: true`")
    letters: dict[str, str] = {}
    for city in cities.values():
        for tier in city.cards.tiers if city.cards else ():
            if tier.letter in letters:
                raise JurisdictionError(
                    f"card letter {tier.letter} used by {letters[tier.letter]} and {city.code}"
                )
            letters[tier.letter] = city.code
    ordered = sorted(cities.values(), key=lambda c: (not c.default, c.order, c.code))
    return {c.code: c for c in ordered}


def names() -> dict[str, str]:
    """Code → Chinese name of every jurisdiction, in display order."""
    return {code: city.name for code, city in discovered().items()}


def city(code: str) -> City | None:
    return discovered().get(code)


def default_code() -> str:
    """The jurisdiction forms open on and commands act for when none is named: the one whose
    folder says ``default: true``, else the first computed one."""
    cities = list(discovered().values())
    chosen = next((c for c in cities if c.default), None) or next(c for c in cities if c.computed)
    return chosen.code


def example(name: str) -> Any:
    """A documented example answer (``examples/<name>.json``) of the default jurisdiction, or
    of the first that has one; None if none has."""
    cities = [discovered()[default_code()], *discovered().values()]
    for found in cities:
        path = found.folder / "examples" / f"{name}.json"
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    return None


def with_cards() -> dict[str, CardPlan]:
    """Jurisdiction code → its card plan, for those that issue cards."""
    return {code: c.cards for code, c in discovered().items() if c.cards is not None}


@dataclass(frozen=True)
class Jurisdiction:
    """A jurisdiction with computed rules: its descriptor plus what the rules engine loads."""

    code: str
    name: str
    parameters_dir: Path
    program_factory: Callable[[], Program]
    earliest: dt.date  # no law of this jurisdiction is modelled before this day
    family_services: Callable[[], list[dict[str, Any]]]


def _package(city: City) -> ModuleType:
    if city.built_in:
        return importlib.import_module(f"rencai.policy.jurisdictions.{city.code}")
    name = f"rencai_jurisdiction_{city.code}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        name, city.folder / "__init__.py", submodule_search_locations=[str(city.folder)]
    )
    if spec is None or spec.loader is None:
        raise JurisdictionError(f"{city.folder}: no __init__.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@cache
def registry() -> dict[str, Jurisdiction]:
    """The jurisdictions whose rules are computed, by vocabulary code."""
    found: dict[str, Jurisdiction] = {}
    for code, city in discovered().items():
        if not city.computed:
            continue
        package = _package(city)
        assert city.earliest is not None
        found[code] = Jurisdiction(
            code=code,
            name=city.name,
            parameters_dir=city.folder / "parameters",
            program_factory=package.program,
            earliest=city.earliest,
            family_services=getattr(package, "family_card_services", list),
        )
    return found
