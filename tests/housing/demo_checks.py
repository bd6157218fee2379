"""The demo shows a batch after its draw (published, contracted) and one before it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai.housing import allocation, lottery
from rencai.housing import batches as housing_batches
from rencai.housing.models import Batch, Contract


def check_housing_demo(session: Session) -> None:
    """Called by tests/registry/test_demo.py, which loads the demo once for every part."""
    cangzhou = session.scalars(select(Batch).where(Batch.jurisdiction == "cangzhou")).one()
    assert cangzhou.status == "open" and len(housing_batches.criteria_of(cangzhou)) == 3
    batches = {
        b.number: b for b in session.scalars(select(Batch).where(Batch.jurisdiction != "cangzhou"))
    }
    assert batches[5].status == "final" and batches[6].status == "open"
    assert housing_batches.missing_settings(batches[6]) == ["分配方式", "公示异议期（天）"]
    rows = allocation.result_rows(session, batches[5])
    assert len(rows) == 6 and sum(r["unit"] is not None for r in rows) == 5
    units: dict[str, list[str]] = {}
    for unit, building in housing_batches.batch_units(session, batches[5]):
        units.setdefault(str(building.id), []).append(str(unit.id))
    placed = lottery.allocate(
        batches[5].seed or "", allocation.roster_of(session, batches[5]), units
    )
    assert lottery.inversions(placed) == []
    assert len(session.scalars(select(Contract)).all()) == 5
    assert [a.status for a in allocation.batch_applications(session, batches[6])] == [
        "submitted",
        "submitted",
    ]
