"""The populations a reform runs on: a feed store, the registered talents, or a synthetic one.

A feed population is read from the screening store (``rencai.feeds.store``) as the facts stood
on the window's first day (decision 0123's reading of the feeds); the registered population is
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


def from_store(directory: Path, on: dt.date, jurisdiction: str) -> Loaded:
    try:
        count = check_store(Path(directory))
    except FeedError as exc:
        raise PopulationError("population", exc.message, "invalid") from None
    where = Path(directory).resolve()
    employers = Employers(where)
    parts = [
        load_chunk(where, lo, min(count, lo + PARTITION), on, jurisdiction, employers).population
        for lo in range(0, count, PARTITION)
    ]
    population = parts[0] if len(parts) == 1 else concat(parts)
    return Loaded(population, f"部门共享数据（{count}人）")


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
