"""What the seeds say about handling an item: its department, its time limit, its public notice.

Read from ``jurisdictions/<city>/procedures.yaml``; service items take their citation from the
card's ``services.yaml`` and the stated phrase (即报即批, 在 10 个工作日内办结) must occur in it, so
a limit is never loaded without the words that set it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from rencai.policy.citations import Citation
from rencai.policy.cities import city

JURISDICTIONS = Path(__file__).with_name("jurisdictions")

# departments whose officers review the items they own (code → 中文)
DEPARTMENTS = {
    "hrss": "人社部门",
    "housing": "住建部门",
    "education": "教育部门",
    "police": "公安部门",
    "admin_approval": "行政审批部门",
    "science": "科技部门",
}


@dataclass(frozen=True)
class SeedLimit:
    program: str
    department: str
    working_days: int
    citation: Citation


@dataclass(frozen=True)
class SeedNotice:
    program: str
    chain: tuple[str, ...]
    days: int
    unit: str  # working_days | days
    citation: Citation


@dataclass(frozen=True)
class Procedures:
    limits: tuple[SeedLimit, ...]
    notices: tuple[SeedNotice, ...]


@cache
def procedures(jurisdiction: str) -> Procedures:
    found = city(jurisdiction)
    folder = found.folder if found else JURISDICTIONS / jurisdiction
    path = folder / "procedures.yaml"
    if not path.exists():
        return Procedures((), ())
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    services = yaml.safe_load((folder / "services.yaml").read_text(encoding="utf-8"))
    limits = []
    for entry in data.get("limits", []):
        card, item = entry["service"]
        cited = next(i for i in services[card] if i["id"] == item)
        citation = Citation.from_mapping(cited["citation"])
        if entry["phrase"] not in citation.quote:
            raise ValueError(f"{entry['program']}: {entry['phrase']!r} not in the cited clause")
        if entry["department"] not in DEPARTMENTS:
            raise ValueError(f"{entry['program']}: unknown department {entry['department']!r}")
        limits.append(
            SeedLimit(entry["program"], entry["department"], int(entry["working_days"]), citation)
        )
    notices = []
    for entry in data.get("notices", []):
        unknown = [step for step in entry["chain"] if step not in ("county", "city", *DEPARTMENTS)]
        if unknown:
            raise ValueError(f"{entry['program']}: unknown review steps {unknown!r}")
        notices.append(
            SeedNotice(
                entry["program"],
                tuple(entry["chain"]),
                int(entry["days"]),
                entry["unit"],
                Citation.from_mapping(entry["citation"]),
            )
        )
    return Procedures(tuple(limits), tuple(notices))
