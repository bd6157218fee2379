"""The populations a reform runs on: a feed store, the registered talents, or a synthetic one.

A feed population is read from the screening store (``rencai.feeds.store``) as the facts stood
on the window's first day (decision 0123's reading of the feeds): from the store's compact file
when it is fresh and the day is on or after its horizon, as the screening reads it (decisions
0229, 0260), else from the Parquet files, the same columns either way; the registered population is
every talent's stored profile, encoded as the calculator encodes it (relatives included, as
their own rows). The population's facts are those of that day; the months of the window move
the law's day, so ages, support periods and dated parameters move with it (decision 0141).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai.errors import Refusal
from rencai.feeds.columns import Employers, load_chunk
from rencai.feeds.compact import open_compact
from rencai.feeds.source import FeedError
from rencai.feeds.store import PARTITION, check_store
from rencai.policy.contract.profile import Profile, ProfileError, parse_profile
from rencai.policy.engine.population import Population, encode_profile
from rencai.policy.screening import concat
from rencai.policy.synthetic import random_columns
from rencai.registry.models import TalentProfile


class PopulationError(Refusal):
    pass


@dataclass
class Loaded:
    population: Population
    source: str  # what the population is, in Chinese
    names: list[str] | None = None
    profiles: list[Profile | None] | None = None  # registered: each talent's row, for explain
    read_from: str = ""  # a feed store's: "compact" or "parquet" (what was read, not shown)


def from_store(directory: Path, on: dt.date, jurisdiction: str, use_compact: bool = True) -> Loaded:
    """The store's persons as the engine's columns on ``on``. ``use_compact=False`` reads the
    Parquet files even where the compact file would do (comparisons)."""
    try:
        count = check_store(Path(directory))
    except FeedError as exc:
        raise PopulationError("population", exc.message, "invalid") from None
    where = Path(directory).resolve()
    employers = Employers(where)
    fast = open_compact(where) if use_compact else None
    if fast is not None and not fast.usable_on(on):
        fast = None
    parts = []
    for lo in range(0, count, PARTITION):
        hi = min(count, lo + PARTITION)
        if fast is not None:
            employment = fast.employment(lo, hi, on, jurisdiction, employers)
            parts.append(fast.rest(employment, jurisdiction, employers).population)
        else:
            parts.append(load_chunk(where, lo, hi, on, jurisdiction, employers).population)
    population = parts[0] if len(parts) == 1 else concat(parts)
    read_from = "compact" if fast is not None else "parquet"
    return Loaded(population, f"部门共享数据（{count}人）", read_from=read_from)


def registered(session: Session) -> Loaded:
    """Every registered talent with a readable profile (the others are counted as skipped)."""
    parts, names, skipped = [], [], 0
    profiles: list[Profile | None] = []
    for talent in session.scalars(select(TalentProfile).order_by(TalentProfile.id)):
        try:
            profile = parse_profile(json.loads(talent.profile))
        except (ProfileError, ValueError):
            skipped += 1
            continue
        encoded = encode_profile(profile).population
        parts.append(encoded)
        names += [talent.name] + [f"{talent.name}的家属"] * (encoded.count - 1)
        profiles += [profile] + [None] * (encoded.count - 1)
    if not parts:
        raise PopulationError("population", "平台上还没有可用于测算的已登记人才", "empty")
    note = f"，{skipped}人资料不完整未计入" if skipped else ""
    return Loaded(concat(parts), f"已登记人才（{len(parts)}人{note}）", names, profiles)


def synthetic(count: int, seed: int, on: dt.date, jurisdiction: str) -> Loaded:
    if count < 1:
        raise PopulationError("population", "人数应为正整数", "invalid")
    return Loaded(random_columns(count, seed, on, jurisdiction), f"模拟人群（{count}人）")
