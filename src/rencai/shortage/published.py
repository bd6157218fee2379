"""The published 急需紧缺工种 of a city's year, read once and kept (decision 0242).

The calculator asks, for every submission naming a 工种, whether the city's published catalogue
of that year lists it (decision 0186). The catalogue changes a few times a year, so a process
reads a year's published names once and answers from them:

- a change made through this process (an occupation published, added or removed) empties the
  kept names when its transaction commits, so the next question reads them again;
- a change made through another process reaches this one within ``FRESH`` seconds: kept names
  older than that are read again.
"""

from __future__ import annotations

import functools
import threading
import time
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, object_session

from rencai.db.session import engine_for
from rencai.shortage.models import ShortageOccupation

FRESH = 30.0  # seconds a process answers from names it read, at most

_lock = threading.Lock()
# (database, jurisdiction, year) → (when read, monotonic seconds; the published names)
_kept: dict[tuple[str, str, int], tuple[float, frozenset[str]]] = {}


def occupation_name(name: str) -> str:
    """工种 names compared as the office typed them, spaces ignored (全角 too)."""
    return "".join(name.split())


def _database(session: Session) -> str:
    return session.get_bind().engine.url.render_as_string(hide_password=False)


@functools.cache
def database_key(url: str) -> str:
    """The key of a database URL as sessions on it name it (its engine's URL)."""
    return engine_for(url).url.render_as_string(hide_password=False)


def kept(database: str, jurisdiction: str, year: int) -> frozenset[str] | None:
    """The names this process holds for the year, while fresh; else None."""
    with _lock:
        found = _kept.get((database, jurisdiction, year))
    if found is None or time.monotonic() - found[0] >= FRESH:
        return None
    return found[1]


def published_names(session: Session, jurisdiction: str, year: int) -> frozenset[str]:
    """The names of the city's published catalogue of ``year`` (kept, else read)."""
    database = _database(session)
    names = kept(database, jurisdiction, year)
    if names is None:
        read_at = time.monotonic()
        names = frozenset(
            session.scalars(
                select(ShortageOccupation.name).where(
                    ShortageOccupation.jurisdiction == jurisdiction,
                    ShortageOccupation.year == year,
                    ShortageOccupation.catalogue_id.is_not(None),
                )
            )
        )
        with _lock:
            _kept[(database, jurisdiction, year)] = (read_at, names)
    return names


def forget() -> None:
    """Read every year's names again at the next question."""
    with _lock:
        _kept.clear()


def _changed(_mapper: Any, _connection: Any, target: ShortageOccupation) -> None:
    forget()  # a reader in between would keep what is not yet committed: forget again below
    session = object_session(target)
    if session is not None and not session.info.get("shortage_forget"):
        session.info["shortage_forget"] = True

        def after(finished: Session) -> None:
            finished.info.pop("shortage_forget", None)
            forget()

        event.listen(session, "after_commit", after, once=True)
        event.listen(session, "after_rollback", after, once=True)


for _kind in ("after_insert", "after_update", "after_delete"):
    event.listen(ShortageOccupation, _kind, _changed)
