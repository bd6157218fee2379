"""The draw: a deterministic order from a published seed, and the allocation of units by it.

Pure (no database): the service feeds it the frozen roster and the batch's units, and anyone
can re-run it from the published seed, roster and unit list (docs/housing.md gives the
algorithm step by step).

1. Order. Every approved application has a number (申请编号) and a tier (its confirmed
   priority group's position, 0 first; applicants in no group come after every group). Its
   draw key is ``SHA-256(UTF-8(seed + ":" + number))`` in lowercase hex. Applicants are placed
   by (tier, draw key, number) ascending; the place (顺位号) is the position, from 1.
2. Allocation, mode ``order`` (按顺位依次选房): in place order, each applicant takes the first
   still-free unit (in the published unit order) of the first building in their preferences
   that has one; an applicant none of whose preferred buildings has a free unit gets none.
3. Allocation, mode ``fill`` (尽量多配): the most applicants housed (a maximum flow source →
   applicant (1) → preferred building → sink (the building's units), solved by
   ``scipy.sparse.csgraph.maximum_flow``), then repaired so that no applicant goes without while
   a later place holds a unit of a building they preferred (an exchange that keeps the count);
   within a building, units go to its applicants in place order.

Either way nobody gets a unit while someone before them in the order who wanted it (preferred
its building) goes without.
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

ORDER = "order"
FILL = "fill"


@dataclass(frozen=True)
class Entry:
    number: str  # 申请编号
    tier: int  # 0 = the first priority group; len(groups) = no group
    preferences: tuple[str, ...]  # building keys, most wanted first


@dataclass(frozen=True)
class Placed:
    place: int  # 1-based
    entry: Entry
    key: str  # the draw key (hex)
    building: str | None
    unit: str | None


def draw_key(seed: str, number: str) -> str:
    return hashlib.sha256(f"{seed}:{number}".encode()).hexdigest()


def roster_digest(entries: Sequence[Entry]) -> str:
    """SHA-256 of the frozen roster: one line "number,tier,pref1|pref2…" per applicant, sorted
    by number, joined by newlines; published with the seed so nobody can be added after."""
    lines = sorted(f"{e.number},{e.tier},{'|'.join(e.preferences)}" for e in entries)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def ordered(seed: str, entries: Sequence[Entry]) -> list[tuple[str, Entry]]:
    keyed = [(draw_key(seed, e.number), e) for e in entries]
    keyed.sort(key=lambda pair: (pair[1].tier, pair[0], pair[1].number))
    return keyed


def allocate(
    seed: str,
    entries: Sequence[Entry],
    units: Mapping[str, Sequence[str]],
    mode: str = ORDER,
) -> list[Placed]:
    """The places and units of one draw. ``units`` maps a building key to its units in the
    published order."""
    keyed = ordered(seed, entries)
    if mode == ORDER:
        chosen = _serial(keyed, units)
    elif mode == FILL:
        chosen = _fill(keyed, units)
    else:
        raise ValueError(mode)
    # within a building, units go to its applicants in place order
    next_unit = {b: 0 for b in units}
    result = []
    for index, (key, entry) in enumerate(keyed):
        building = chosen[index]
        unit = None
        if building is not None:
            unit = units[building][next_unit[building]]
            next_unit[building] += 1
        result.append(Placed(index + 1, entry, key, building, unit))
    return result


def _serial(keyed: list[tuple[str, Entry]], units: Mapping[str, Sequence[str]]) -> list[str | None]:
    free = {b: len(u) for b, u in units.items()}
    chosen: list[str | None] = []
    for _, entry in keyed:
        pick = next((b for b in entry.preferences if free.get(b, 0) > 0), None)
        if pick is not None:
            free[pick] -= 1
        chosen.append(pick)
    return chosen


def _fill(keyed: list[tuple[str, Entry]], units: Mapping[str, Sequence[str]]) -> list[str | None]:
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import maximum_flow

    buildings = sorted(units)
    column = {b: i for i, b in enumerate(buildings)}
    n, m = len(keyed), len(buildings)
    source, sink = 0, n + m + 1
    rows: list[int] = []
    cols: list[int] = []
    caps: list[int] = []
    for i, (_, entry) in enumerate(keyed):
        rows.append(source)
        cols.append(1 + i)
        caps.append(1)
        for b in dict.fromkeys(entry.preferences):  # each preferred building once
            if b in column and units[b]:
                rows.append(1 + i)
                cols.append(1 + n + column[b])
                caps.append(1)
    for b in buildings:
        rows.append(1 + n + column[b])
        cols.append(sink)
        caps.append(len(units[b]))
    graph = csr_array(
        (np.array(caps, dtype=np.int32), (np.array(rows), np.array(cols))),
        shape=(n + m + 2, n + m + 2),
    )
    flow = maximum_flow(graph, source, sink, method="dinic").flow.tocoo()
    chosen: list[str | None] = [None] * n
    for r, c, v in zip(flow.row, flow.col, flow.data, strict=True):
        if v > 0 and 1 <= r <= n and n < c <= n + m:
            chosen[r - 1] = buildings[c - 1 - n]
    return _repair(keyed, chosen)


def _repair(keyed: list[tuple[str, Entry]], chosen: list[str | None]) -> list[str | None]:
    """Exchanges that keep the count: while someone goes without and a building they preferred
    holds a later place, the latest such place gives up its unit to them (the first preferred
    building where that happens). Occupants only ever improve, so it ends, with no inversion."""
    occupants: dict[str, list[int]] = {}  # building -> max-heap (negated places)
    for index, building in enumerate(chosen):
        if building is not None:
            heapq.heappush(occupants.setdefault(building, []), -index)
    waiting = [index for index, building in enumerate(chosen) if building is None]
    heapq.heapify(waiting)
    while waiting:
        index = heapq.heappop(waiting)
        if chosen[index] is not None:
            continue
        for building in keyed[index][1].preferences:
            heap = occupants.get(building)
            while heap and chosen[-heap[0]] != building:  # stale entry
                heapq.heappop(heap)
            if heap and -heap[0] > index:
                worst = -heapq.heappop(heap)
                chosen[worst] = None
                heapq.heappush(waiting, worst)
                chosen[index] = building
                heapq.heappush(heap, -index)
                break
    return chosen


def inversions(placed: Sequence[Placed]) -> list[tuple[int, int]]:
    """(earlier place, later place) pairs where the earlier goes without although the later
    holds a unit of a building the earlier preferred; empty for a correct draw."""
    found: list[tuple[int, int]] = []
    holders: dict[str, list[int]] = {}
    for p in placed:
        if p.building is not None:
            holders.setdefault(p.building, []).append(p.place)
    for p in placed:
        if p.unit is None:
            for b in set(p.entry.preferences):
                found.extend((p.place, later) for later in holders.get(b, []) if later > p.place)
    return found
