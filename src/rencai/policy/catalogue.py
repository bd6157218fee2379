"""The policy catalogue (政策库): every program the seeds grant, computed or not, with its source.

Each jurisdiction folder holds ``catalogue/documents.yaml`` (documents keyed by 文号 — prefix, year
and number — or by title when the seeds print no number) and ``catalogue/*.yaml`` (programs). A
program is ``computed`` (the calculator decides it: ``computed_by`` names the cards/benefits),
``catalogued`` (conditions or amounts are not stated in terms a profile can answer, or it is a
selection by review), or ``not_encodable`` (no grantable conditions at all); the last two say why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

from rencai.policy.cities import discovered, names

Status = Literal["computed", "catalogued", "not_encodable"]
STATUS_LABELS = {"computed": "已计算", "catalogued": "仅编目", "not_encodable": "无法编码"}
TARGET_LABELS = {"person": "个人", "employer": "用人单位", "team": "团队"}
KIND_LABELS = {
    "card": "人才卡",
    "money": "资金",
    "service": "服务",
    "housing": "住房",
    "recognition": "人才认定",
    "selection": "评选（有名额）",
    "loan": "贷款",
    "other": "其他",
}


class CatalogueError(ValueError):
    pass


@dataclass(frozen=True)
class Document:
    key: str  # 文号 (e.g. 石政办发〔2022〕6号) or the title when no number is printed
    title: str
    issuer: str
    jurisdiction: str
    seed: str  # seed file the text comes from
    date: dt.date | None = None
    valid_until: dt.date | None = None
    note: str | None = None


@dataclass(frozen=True)
class Entry:
    id: str
    name: str
    jurisdiction: str
    document: str  # Document.key
    clause: str
    quote: str
    target: Literal["person", "employer", "team"]
    kind: str
    status: Status
    summary: str
    computed_by: tuple[str, ...] = ()
    reason: str | None = None
    conditions: tuple[str, ...] = ()
    amounts: tuple[str, ...] = ()
    process: str | None = None
    deadlines: str | None = None
    exclusivity: str | None = None
    clawback: str | None = None
    quota: str | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    keywords: tuple[str, ...] = ()

    def as_dict(self, documents: dict[str, Document]) -> dict[str, Any]:
        document = documents[self.document]
        data: dict[str, Any] = {
            key: (list(value) if isinstance(value, tuple) else value)
            for key, value in self.__dict__.items()
        }
        for key in ("valid_from", "valid_until"):
            if data[key] is not None:
                data[key] = data[key].isoformat()
        data["document_title"] = document.title
        data["issuer"] = document.issuer
        data["status_label"] = STATUS_LABELS[self.status]
        data["target_label"] = TARGET_LABELS[self.target]
        data["kind_label"] = KIND_LABELS.get(self.kind, self.kind)
        data["jurisdiction_name"] = names().get(self.jurisdiction, self.jurisdiction)
        return data


@dataclass
class Catalogue:
    documents: dict[str, Document] = field(default_factory=dict)
    entries: dict[str, Entry] = field(default_factory=dict)

    def search(
        self,
        text: str | None = None,
        jurisdiction: str | None = None,
        target: str | None = None,
        document: str | None = None,
        status: str | None = None,
    ) -> list[Entry]:
        """Programs matching every given filter; ``text`` matches name, 文号, issuer, keywords,
        summary and quote."""
        found = []
        for entry in self.entries.values():
            doc = self.documents[entry.document]
            if jurisdiction and entry.jurisdiction != jurisdiction:
                continue
            if target and entry.target != target:
                continue
            if status and entry.status != status:
                continue
            if document and document not in (entry.document, doc.title):
                continue
            if text:
                haystack = " ".join(
                    [
                        entry.id,
                        entry.name,
                        entry.document,
                        doc.title,
                        doc.issuer,
                        entry.summary,
                        entry.quote,
                        *entry.keywords,
                    ]
                )
                if not all(word in haystack for word in text.split()):
                    continue
            found.append(entry)
        return found


def _date(value: Any, where: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise CatalogueError(f"{where}: not a date: {value!r}") from None


def _entry(data: dict[str, Any], jurisdiction: str, where: str) -> Entry:
    known = set(Entry.__dataclass_fields__) - {"jurisdiction"}
    unknown = set(data) - known
    if unknown:
        raise CatalogueError(f"{where}: unknown fields {sorted(unknown)}")
    missing = [
        k
        for k in (
            "id",
            "name",
            "document",
            "clause",
            "quote",
            "target",
            "kind",
            "status",
            "summary",
        )
        if not data.get(k)
    ]
    if missing:
        raise CatalogueError(f"{where} ({data.get('id')}): missing {missing}")
    if data["status"] not in STATUS_LABELS:
        raise CatalogueError(f"{where} ({data['id']}): unknown status {data['status']!r}")
    if data["target"] not in TARGET_LABELS:
        raise CatalogueError(f"{where} ({data['id']}): unknown target {data['target']!r}")
    if data["status"] != "computed" and not data.get("reason"):
        raise CatalogueError(f"{where} ({data['id']}): a program not computed must say why")
    if data["status"] == "computed" and not data.get("computed_by"):
        raise CatalogueError(f"{where} ({data['id']}): computed_by is empty")
    values = dict(data)
    for key in ("computed_by", "conditions", "amounts", "keywords"):
        values[key] = tuple(str(v) for v in data.get(key) or ())
    for key in ("valid_from", "valid_until"):
        values[key] = _date(data.get(key), f"{where} ({data['id']})")
    values["clause"] = str(data["clause"])
    values["quote"] = str(data["quote"]).strip()
    return Entry(jurisdiction=jurisdiction, **values)


def _catalogue_folders(root: Path | None) -> list[Path]:
    if root is not None:
        return sorted(p for p in root.glob("*/catalogue") if p.is_dir())
    found = [c.folder / "catalogue" for c in discovered().values()]
    return sorted((p for p in found if p.is_dir()), key=lambda p: p.parent.name)


def load_catalogue(root: Path | None = None) -> Catalogue:
    """Every jurisdiction's catalogue (or those of the folders under ``root``)."""
    catalogue = Catalogue()
    for folder in _catalogue_folders(root):
        jurisdiction = folder.parent.name
        documents = yaml.safe_load((folder / "documents.yaml").read_text(encoding="utf-8")) or []
        for data in documents:
            document = Document(
                key=str(data["key"]),
                title=str(data["title"]),
                issuer=str(data["issuer"]),
                jurisdiction=jurisdiction,
                seed=str(data["seed"]),
                date=_date(data.get("date"), f"{folder}/documents.yaml"),
                valid_until=_date(data.get("valid_until"), f"{folder}/documents.yaml"),
                note=data.get("note"),
            )
            if document.key in catalogue.documents:
                raise CatalogueError(f"document {document.key} listed twice")
            catalogue.documents[document.key] = document
        for path in sorted(folder.glob("*.yaml")):
            if path.name == "documents.yaml":
                continue
            for data in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
                entry = _entry(data, jurisdiction, str(path.relative_to(folder.parent.parent)))
                if entry.id in catalogue.entries:
                    raise CatalogueError(f"{path}: program id {entry.id} listed twice")
                catalogue.entries[entry.id] = entry
    for entry in catalogue.entries.values():
        if entry.document not in catalogue.documents:
            raise CatalogueError(f"{entry.id}: unknown document {entry.document!r}")
    return catalogue


@cache
def catalogue() -> Catalogue:
    return load_catalogue()


def coverage_markdown(cat: Catalogue) -> str:
    """docs/policy-coverage.md: one row per program, grouped by jurisdiction and document."""
    lines = [
        "# Policy coverage",
        "",
        "Generated by `rencai policies coverage` from the catalogue "
        "(`src/rencai/policy/jurisdictions/*/catalogue/`); `make test` checks it is current.",
        "",
    ]
    totals: dict[str, int] = {}
    for entry in cat.entries.values():
        totals[entry.status] = totals.get(entry.status, 0) + 1
    lines.append(
        f"{len(cat.entries)} programs: "
        + ", ".join(f"{totals.get(s, 0)} {s}" for s in STATUS_LABELS)
        + "."
    )
    for jurisdiction in sorted({e.jurisdiction for e in cat.entries.values()}):
        lines += ["", f"## {names().get(jurisdiction, jurisdiction)} ({jurisdiction})"]
        by_document: dict[str, list[Entry]] = {}
        for entry in cat.entries.values():
            if entry.jurisdiction == jurisdiction:
                by_document.setdefault(entry.document, []).append(entry)
        for key in sorted(by_document):
            document = cat.documents[key]
            lines += ["", f"### {key} — {document.title}", ""]
            lines.append("| program | clause | target | status | computed by / why not |")
            lines.append("| --- | --- | --- | --- | --- |")
            for entry in by_document[key]:
                detail = ", ".join(f"`{c}`" for c in entry.computed_by) or (entry.reason or "")
                detail = detail.replace("|", "\\|").replace("\n", " ")
                lines.append(
                    f"| {entry.name} (`{entry.id}`) | {entry.clause} | {entry.target} "
                    f"| {entry.status} | {detail} |"
                )
    return "\n".join(lines) + "\n"
