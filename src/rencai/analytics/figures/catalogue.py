"""The catalogue of published figures: each registers itself under its name, with its
definition, sources and clause."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from rencai.analytics.tables import Table


@dataclasses.dataclass(frozen=True)
class Figure:
    name: str
    title: str
    definition: str
    sources: str
    clause: str
    compute: Callable[..., Table]
    options: tuple[str, ...]  # the filters it takes (by, months, county, tier, program, …)


FIGURES: dict[str, Figure] = {}


def figure(
    name: str, title: str, definition: str, sources: str, clause: str, options: tuple[str, ...]
) -> Callable[[Callable[..., Table]], Callable[..., Table]]:
    def register(function: Callable[..., Table]) -> Callable[..., Table]:
        FIGURES[name] = Figure(name, title, definition, sources, clause, function, options)
        return function

    return register


def compute(session: Session, name: str, as_of: dt.date, **options: Any) -> Table:
    """A figure by name, suppressed for publication."""
    return FIGURES[name].compute(session, as_of, **options).suppress()
