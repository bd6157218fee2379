"""The statistics demo makes the charts meaningful: hundreds of talents over two years across
the counties, published (not suppressed) in the overview's figures; loaded once, quickly."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from rencai.analytics.service import figure_table
from rencai.analytics.views import figure_view
from rencai.db.session import session_scope, upgrade
from rencai.demo.stats import load_stats_demo
from rencai.registry.models import TalentProfile


def test_demo_feeds_the_overview(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'stats.sqlite3'}"
    upgrade(url)
    started = time.perf_counter()
    with session_scope(url) as session:
        load_stats_demo(session, "demo1234")
    assert time.perf_counter() - started < 15
    with session_scope(url) as session:
        load_stats_demo(session, "demo1234")  # a second time adds nothing
        assert session.scalar(select(func.count()).select_from(TalentProfile)) == 360

        def view(name: str, **options: str) -> list[list[Any]]:
            return [
                r.cells for r in figure_view(figure_table(session, None, name, None, options)).rows
            ]

        counties = view("talents", by="county")
        assert len([c for c in counties if c[0] is not None and c[0] >= 5]) >= 6
        assert sum(c[0] for c in counties if c[0] is not None) >= 200
        issued = [row[0] for row in view("card_changes", months="24")]
        assert len([n for n in issued if n is not None and n > 0]) >= 18
        uses = [row[0] for row in view("card_uses", by="month", months="12")]
        assert all(n is not None and n > 0 for n in uses)
        money = view("money", by="program")
        assert any(row[2] not in (None, "0.00") for row in money)
        assert any(row[3] is not None for row in view("flows", by="county"))
