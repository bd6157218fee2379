"""Department deliveries about a few persons, written as the five sources' files and loaded
through the loader: a qualifying doctorate (B card) among them."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from rencai import clock
from rencai.feeds.departments import SOURCES, load_delivery
from rencai.feeds.source import FileSource
from rencai.registry.identifiers import id_check_character, uscc_check_character
from tests.ledger.world import write_csv

OUTSIDE = "130902"  # 沧州 新华区: a home outside Shijiazhuang
WORKPLACE = "130102"  # 石家庄 长安区


def id_number_born(born: dt.date, region: str = OUTSIDE, rng: random.Random | None = None) -> str:
    sequence = (rng or random.Random()).randrange(1000)
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + id_check_character(first17)


def a_uscc(rng: random.Random | None = None) -> str:
    first17 = f"91130102MA{(rng or random.Random()).randrange(10**7):07d}"
    return first17 + uscc_check_character(first17)


def months_back(today: dt.date, count: int) -> list[str]:
    """The ``count`` months up to the one before ``today``'s (deliveries lag a month)."""
    year, month = today.year, today.month
    result = []
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        result.append(f"{year:04d}-{month:02d}")
    return sorted(result)


@dataclass
class Delivery:
    rows: dict[str, list[list[str]]] = field(default_factory=lambda: {s: [] for s in SOURCES})

    def doctor(self, id_number: str, name: str, employer: str, today: dt.date) -> None:
        """A full-time doctorate, born outside the city, working and insured in 长安区 for
        18 months with ``employer``."""
        born = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
        self.rows["degrees"].append(
            [
                id_number,
                name,
                "河北工业大学",
                "double_first_class",
                "doctorate",
                "机械工程",
                "全日制",
                (today - dt.timedelta(days=3 * 365)).isoformat(),
            ]
        )
        for month in months_back(today, 18):
            self.rows["social_insurance"].append([id_number, employer, month, "9000", WORKPLACE])
        self.rows["tax"].append([id_number, employer, str(today.year - 1), "120000"])
        self.rows["residence"].append([id_number, OUTSIDE, "落户", born.isoformat()])
        moved = (today - dt.timedelta(days=700)).isoformat()
        self.rows["residence"].append([id_number, WORKPLACE, "迁入", moved])

    def employer(self, uscc: str, name: str, status: str = "存续", county: str = WORKPLACE) -> None:
        self.rows["employers"].append([uscc, name, "企业", county, "C2710", status, "2015-03-01"])

    def load(self, session, folder: Path, actor: str, tag: str) -> list[int]:  # type: ignore[no-untyped-def]
        """Each non-empty source as one CSV file through the loader; the load ids."""
        folder.mkdir(parents=True, exist_ok=True)
        ids = []
        for source, rows in self.rows.items():
            if not rows:
                continue
            path = folder / f"{source}-{tag}.csv"
            write_csv(path, SOURCES[source].columns, rows)
            result = load_delivery(session, source, FileSource(path), actor, folder / "rejects")
            assert result.load.rows_rejected == 0, result.rejects
            ids.append(result.load.id)
        return ids


def today() -> dt.date:
    return clock.today()
