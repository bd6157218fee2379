"""The demo shows a batch after its draw (published, contracted) and one before it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from rencai.audit.log import verify
from rencai.db.session import session_scope, upgrade
from rencai.demo import load_demo
from rencai.housing import lottery, service
from rencai.housing.models import Batch, Contract


def test_demo_has_a_batch_before_and_after_its_draw(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    upgrade(url)
    with session_scope(url) as session:
        assert load_demo(session) is True
    with session_scope(url) as session:
        batches = {b.number: b for b in session.scalars(select(Batch))}
        assert batches[5].status == "final" and batches[6].status == "open"
        assert service.missing_settings(batches[6]) == ["分配方式", "公示异议期（天）"]
        rows = service.result_rows(session, batches[5])
        assert len(rows) == 6 and sum(r["unit"] is not None for r in rows) == 5
        assert (
            lottery.inversions(
                lottery.allocate(
                    batches[5].seed or "",
                    service.roster_of(session, batches[5]),
                    {
                        str(b.id): [
                            str(u.id)
                            for u, bb in service.batch_units(session, batches[5])
                            if bb.id == b.id
                        ]
                        for _, b in service.batch_units(session, batches[5])
                    },
                )
            )
            == []
        )
        assert len(session.scalars(select(Contract)).all()) == 5
        assert [a.status for a in service.batch_applications(session, batches[6])] == [
            "submitted",
            "submitted",
        ]
        assert verify(session).ok
