"""The policy catalogue (政策库): every program the seeds grant, computed or not, with its source.

Each jurisdiction folder holds ``catalogue/documents.yaml`` (documents keyed by 文号 — prefix, year
and number — or by title when the seeds print no number) and ``catalogue/*.yaml`` (programs). A
program is ``computed`` (the calculator decides it: ``computed_by`` names the cards/benefits),
``catalogued`` (conditions or amounts are not stated in terms a profile can answer, or it is a
selection by review), or ``not_encodable`` (no grantable conditions at all); the last two say why.

Each jurisdiction folder also holds ``inventory/<document>.yaml``: every granting clause of one
document, a row per clause, with the catalogue program answering it and its status, or the
statement that the document has no granting clause. ``docs/policy-coverage.md`` is generated from
the inventory and the catalogue; ``tests/policy/test_inventory.py`` holds the two to each other
and to the code.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Literal

import yaml

from rencai.policy.cities import discovered, names

Status = Literal["computed", "catalogued", "not_encodable"]
# what each status means for a reader: whether the calculator answers it or how to proceed
STATUS_LABELS = {
    "computed": "可在线测算",
    "catalogued": "暂不能在线测算（请按政策原文申报）",
    "not_encodable": "须主管部门认定（不能在线测算）",
}
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
class Funding:
    """Who pays for a program, in the text's own words (市财政, 县（市、区）财政, 企业 …), with
    the clause saying so: the program's own clause unless the text says it elsewhere (a rule's
    第二条 “奖励资金从市级主导产业专项资金中列支”). ``source`` is always a part of ``quote``."""

    source: str
    clause: str
    quote: str
    # the rules implementing the program, where they say who pays and the program's own text
    # does not (石字〔2021〕7号 第5条's awards are paid under the skills rules' 第七条)
    document: str | None = None


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
    funding: Funding | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    keywords: tuple[str, ...] = ()
    # for the offices only: what the calculator does with the program, what an administrator
    # still has to set; shown where officials work, never on public pages nor in an answer
    office_note: str | None = None

    @property
    def funding_document(self) -> str | None:
        """The document saying who pays: the program's own unless its funding names another."""
        if self.funding is None:
            return None
        return self.funding.document or self.document

    def as_dict(self, documents: dict[str, Document]) -> dict[str, Any]:
        """The program as the public API and pages show it (without the offices' note)."""
        document = documents[self.document]
        data: dict[str, Any] = {
            key: (list(value) if isinstance(value, tuple) else value)
            for key, value in self.__dict__.items()
            if key != "office_note"
        }
        for key in ("valid_from", "valid_until"):
            if data[key] is not None:
                data[key] = data[key].isoformat()
        if self.funding is not None:
            data["funding"] = {**self.funding.__dict__, "document": self.funding_document}
        data["document_title"] = document.title
        data["issuer"] = document.issuer
        data["status_label"] = STATUS_LABELS[self.status]
        data["target_label"] = TARGET_LABELS[self.target]
        data["kind_label"] = KIND_LABELS.get(self.kind, self.kind)
        data["jurisdiction_name"] = names().get(self.jurisdiction, self.jurisdiction)
        return data


@dataclass(frozen=True)
class InventoryRow:
    """One granting clause of a document (inventory/<document>.yaml)."""

    id: str
    jurisdiction: str
    document: str  # Document.key
    clause: str
    grants: str  # what the clause grants, in Chinese
    target: Literal["person", "unit"]
    quote: str
    status: Status
    program: str | None = None  # catalogue program id; required unless not_encodable
    reason: str | None = None  # required unless computed


@dataclass(frozen=True)
class InventoryFile:
    path: Path
    jurisdiction: str
    document: str
    rows: tuple[InventoryRow, ...] = ()
    no_granting_clause: str | None = None  # why a declared document grants nothing


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
        """Programs matching every given filter, in catalogue order; ``text`` matches name, 文号,
        issuer, keywords, summary and quote (every space-separated word must occur).

        Answered from the index built once per loaded catalogue (``SearchIndex``); the answer is
        always the one of ``scan``, which reads every program."""
        return self.index.search(text, jurisdiction, target, document, status)

    def scan(
        self,
        text: str | None = None,
        jurisdiction: str | None = None,
        target: str | None = None,
        document: str | None = None,
        status: str | None = None,
    ) -> list[Entry]:
        """``search`` the straightforward way, every program read in turn: what the index must
        answer (tests/policy/test_catalogue_index.py holds the two together)."""
        found = []
        words = text.split() if text else []
        haystacks = self.haystacks
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
            if words and not all(word in haystacks[entry.id] for word in words):
                continue
            found.append(entry)
        return found

    @cached_property
    def haystacks(self) -> dict[str, str]:
        """The searchable text of every program, built once per loaded catalogue (the process
        loads the catalogue of its release once: nothing is rebuilt per search)."""
        return {
            entry.id: " ".join(
                [
                    entry.id,
                    entry.name,
                    entry.document,
                    self.documents[entry.document].title,
                    self.documents[entry.document].issuer,
                    entry.summary,
                    entry.quote,
                    *entry.keywords,
                ]
            )
            for entry in self.entries.values()
        }

    @cached_property
    def index(self) -> SearchIndex:
        """The search index, built once per loaded catalogue."""
        return SearchIndex(self)

    @cached_property
    def views(self) -> dict[str, dict[str, Any]]:
        """Every program as the API and the pages show it (``Entry.as_dict``), built once per
        loaded catalogue and shared by every answer: a reader never changes one."""
        return {entry.id: entry.as_dict(self.documents) for entry in self.entries.values()}

    @cached_property
    def encoded(self) -> dict[str, bytes]:
        """Every program's view (``views``) as compact JSON (UTF-8, Chinese as it is), built once
        per loaded catalogue: an answer listing programs joins these (``listing_json``)."""
        return {
            key: json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode()
            for key, item in self.views.items()
        }

    def listing_json(self, count: int, shown: Iterable[Entry]) -> bytes:
        """``{"count": count, "items": [...shown]}`` as compact JSON, from ``encoded``: the very
        bytes ``json.dumps`` gives for the same object with the same options."""
        encoded = self.encoded
        return b'{"count":%d,"items":[%b]}' % (count, b",".join(encoded[e.id] for e in shown))


class SearchIndex:
    """What ``Catalogue.search`` reads instead of every program: for each filter value and for
    each character of the searchable text, the set of programs having it, as a bit mask over
    the programs in catalogue order (bit i: the i-th program).

    A program containing a word contains each of its characters, so the characters' masks give
    every candidate; a word of more than one character is then checked in the candidates' text
    alone."""

    def __init__(self, cat: Catalogue) -> None:
        self.entries = list(cat.entries.values())
        self.haystacks = [cat.haystacks[entry.id] for entry in self.entries]
        self.every = (1 << len(self.entries)) - 1
        self.characters: dict[str, int] = {}
        self.jurisdictions: dict[str, int] = {}
        self.targets: dict[str, int] = {}
        self.statuses: dict[str, int] = {}
        self.documents: dict[str, int] = {}  # by 文号 and by title
        for i, (entry, haystack) in enumerate(zip(self.entries, self.haystacks, strict=True)):
            bit = 1 << i
            for character in set(haystack):
                self.characters[character] = self.characters.get(character, 0) | bit
            doc = cat.documents[entry.document]
            for masks, value in (
                (self.jurisdictions, entry.jurisdiction),
                (self.targets, entry.target),
                (self.statuses, entry.status),
                (self.documents, entry.document),
                (self.documents, doc.title),
            ):
                masks[value] = masks.get(value, 0) | bit

    def search(
        self,
        text: str | None,
        jurisdiction: str | None,
        target: str | None,
        document: str | None,
        status: str | None,
    ) -> list[Entry]:
        mask = self.every
        for masks, value in (
            (self.jurisdictions, jurisdiction),
            (self.targets, target),
            (self.statuses, status),
            (self.documents, document),
        ):
            if value:
                mask &= masks.get(value, 0)
        words = text.split() if text else []
        for word in words:
            for character in word:
                mask &= self.characters.get(character, 0)
        long_words = [word for word in words if len(word) > 1]
        found = []
        while mask:
            low = mask & -mask
            i = low.bit_length() - 1
            mask ^= low
            haystack = self.haystacks[i]
            if all(word in haystack for word in long_words):
                found.append(self.entries[i])
        return found


def _date(value: Any, where: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise CatalogueError(f"{where}: not a date: {value!r}") from None


# the fields a citizen reads (the /policies pages, the calculator, the assistant's answers)
CITIZEN_FIELDS = (
    "name", "summary", "conditions", "amounts", "process", "deadlines", "exclusivity",
    "clawback", "quota", "funding",
)  # fmt: skip
# words of the offices' work, not of the policies: what the calculator does, what an
# administrator sets, the catalogue's own entries and a program's id (they go in office_note)
OFFICE_WORDS = re.compile(
    r"计算器|管理员|未计算|录入|条目|(?<![\w.])[a-z]+(?:\.[a-z0-9_]+)+(?![\w.])"
)


def office_words(data: dict[str, Any]) -> list[str]:
    """The offices' words in a program's fields a citizen reads (``CITIZEN_FIELDS``)."""
    found = []
    for key in CITIZEN_FIELDS:
        value = data.get(key)
        if isinstance(value, Funding | dict):
            value = value.source if isinstance(value, Funding) else value.get("source")
        for text in value if isinstance(value, list | tuple) else [value]:
            if isinstance(text, str):
                found += [m.group(0) for m in OFFICE_WORDS.finditer(text)]
    return found


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
    internal = office_words(data)
    if internal:
        raise CatalogueError(
            f"{where} ({data['id']}): {sorted(set(internal))} is for the offices: "
            "write it in office_note"
        )
    values = dict(data)
    for key in ("computed_by", "conditions", "amounts", "keywords"):
        values[key] = tuple(str(v) for v in data.get(key) or ())
    for key in ("valid_from", "valid_until"):
        values[key] = _date(data.get(key), f"{where} ({data['id']})")
    values["clause"] = str(data["clause"])
    values["quote"] = str(data["quote"]).strip()
    if data.get("funding") is not None:
        values["funding"] = _funding(data["funding"], values, f"{where} ({data['id']})")
    return Entry(jurisdiction=jurisdiction, **values)


def _funding(data: Any, entry: dict[str, Any], where: str) -> Funding:
    """``funding: {source: 市财政}`` (said in the program's clause) or ``{source, clause, quote}``
    (said in another clause of the same document)."""
    if not isinstance(data, dict) or not data.get("source"):
        raise CatalogueError(f"{where}: funding names its source in the text's words")
    unknown = set(data) - {"source", "clause", "quote", "document"}
    if unknown:
        raise CatalogueError(f"{where}: unknown funding fields {sorted(unknown)}")
    if bool(data.get("clause")) != bool(data.get("quote")):
        raise CatalogueError(f"{where}: funding said elsewhere gives both its clause and quote")
    if data.get("document") and not data.get("clause"):
        raise CatalogueError(f"{where}: funding in another document gives its clause and quote")
    funding = Funding(
        source=str(data["source"]).strip(),
        clause=str(data.get("clause") or entry["clause"]),
        quote=str(data.get("quote") or entry["quote"]).strip(),
        document=str(data["document"]) if data.get("document") else None,
    )
    if "".join(funding.source.split()) not in "".join(funding.quote.split()):
        raise CatalogueError(f"{where}: funding {funding.source!r} is not in the clause it cites")
    return funding


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
        if entry.funding_document not in (None, *catalogue.documents):
            raise CatalogueError(f"{entry.id}: unknown funding document {entry.funding_document!r}")
    return catalogue


@cache
def catalogue() -> Catalogue:
    return load_catalogue()


_ROW_FIELDS = set(InventoryRow.__dataclass_fields__) - {"jurisdiction", "document"}


def _row(data: Any, jurisdiction: str, document: str, where: str) -> InventoryRow:
    if not isinstance(data, dict):
        raise CatalogueError(f"{where}: a row is a mapping, got {data!r}")
    unknown = set(data) - _ROW_FIELDS
    if unknown:
        raise CatalogueError(f"{where} ({data.get('id')}): unknown fields {sorted(unknown)}")
    missing = [
        k for k in ("id", "clause", "grants", "target", "quote", "status") if not data.get(k)
    ]
    if missing:
        raise CatalogueError(f"{where} ({data.get('id')}): missing {missing}")
    if data["status"] not in STATUS_LABELS:
        raise CatalogueError(f"{where} ({data['id']}): unknown status {data['status']!r}")
    if data["target"] not in ("person", "unit"):
        raise CatalogueError(f"{where} ({data['id']}): target is person or unit")
    if data["status"] != "not_encodable" and not data.get("program"):
        raise CatalogueError(
            f"{where} ({data['id']}): a row not marked not_encodable names its program"
        )
    if data["status"] != "computed" and not data.get("reason"):
        raise CatalogueError(f"{where} ({data['id']}): a row not computed must say why")
    values = {k: (str(v).strip() if v is not None else None) for k, v in data.items()}
    return InventoryRow(jurisdiction=jurisdiction, document=document, **values)  # type: ignore[arg-type]


def _inventory_paths(root: Path | None) -> list[tuple[Path, str]]:
    """(file, where it is named in errors): the folders under ``root``, else every discovered
    jurisdiction's."""
    if root is not None:
        return [(p, str(p.relative_to(root))) for p in sorted(root.glob("*/inventory/*.yaml"))]
    return [
        (p, f"{city.code}/{p.relative_to(city.folder)}")
        for city in discovered().values()
        for p in sorted((city.folder / "inventory").glob("*.yaml"))
    ]


def load_inventory(root: Path | None = None) -> list[InventoryFile]:
    """Every jurisdiction's inventory files (or those of the folders under ``root``)."""
    files = []
    for path, where in _inventory_paths(root):
        jurisdiction = path.parent.parent.name
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict) or not data.get("document"):
            raise CatalogueError(f"{where}: names no document")
        unknown = set(data) - {"document", "rows", "no_granting_clause"}
        if unknown:
            raise CatalogueError(f"{where}: unknown fields {sorted(unknown)}")
        rows = tuple(
            _row(row, jurisdiction, str(data["document"]), where) for row in data.get("rows") or ()
        )
        if bool(rows) == bool(data.get("no_granting_clause")):
            raise CatalogueError(f"{where}: either rows or no_granting_clause, not both or none")
        files.append(
            InventoryFile(
                path=path,
                jurisdiction=jurisdiction,
                document=str(data["document"]),
                rows=rows,
                no_granting_clause=data.get("no_granting_clause"),
            )
        )
    return files


@cache
def inventory() -> tuple[InventoryFile, ...]:
    return tuple(load_inventory())


def row_standing(row: InventoryRow, cat: Catalogue) -> str:
    """computed / catalogued / not_encodable, or ``missing`` when the row's program is not (yet)
    in the catalogue."""
    if row.program and row.program not in cat.entries:
        return "missing"
    return row.status


STANDINGS = ("computed", "catalogued", "not_encodable", "missing")


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def coverage_markdown(cat: Catalogue, files: tuple[InventoryFile, ...] | None = None) -> str:
    """docs/policy-coverage.md: per document, the counts and every granting clause with the
    program answering it; then the programs of the catalogue."""
    files = inventory() if files is None else files
    lines = [
        "# Policy coverage",
        "",
        "Generated by `rencai policies coverage` from the inventory of granting clauses "
        "(`src/rencai/policy/jurisdictions/*/inventory/`) and the catalogue "
        "(`src/rencai/policy/jurisdictions/*/catalogue/`); `make test` checks it is current.",
        "",
    ]
    rows = [row for f in files for row in f.rows]
    counts = {s: sum(1 for r in rows if row_standing(r, cat) == s) for s in STANDINGS}
    lines.append(
        f"{len(rows)} granting clauses in {len(files)} documents: "
        + ", ".join(f"{counts[s]} {s.replace('_', ' ')}" for s in STANDINGS)
        + "."
    )
    totals: dict[str, int] = {}
    for entry in cat.entries.values():
        totals[entry.status] = totals.get(entry.status, 0) + 1
    lines.append("")
    lines.append(
        f"{len(cat.entries)} programs: "
        + ", ".join(f"{totals.get(s, 0)} {s}" for s in STATUS_LABELS)
        + "."
    )
    for jurisdiction in sorted(
        {f.jurisdiction for f in files} | {e.jurisdiction for e in cat.entries.values()}
    ):
        lines += ["", f"## {names().get(jurisdiction, jurisdiction)} ({jurisdiction})"]
        lines += ["", "### Granting clauses by document", ""]
        lines.append("| document | clauses | computed | catalogued | not encodable | missing |")
        lines.append("| --- | --- | --- | --- | --- | --- |")
        own = [f for f in files if f.jurisdiction == jurisdiction]
        for f in own:
            standing = [row_standing(r, cat) for r in f.rows]
            lines.append(
                f"| {_cell(f.document)} | {len(f.rows)} | "
                + " | ".join(str(standing.count(s)) for s in STANDINGS)
                + " |"
            )
        for f in own:
            title = cat.documents[f.document].title if f.document in cat.documents else f.document
            lines += ["", f"#### {f.document} — {title}", ""]
            if f.no_granting_clause:
                lines.append(f"No granting clause: {_cell(f.no_granting_clause)}")
                continue
            lines.append("| id | clause | grants | target | status | program | why not computed |")
            lines.append("| --- | --- | --- | --- | --- | --- | --- |")
            for r in f.rows:
                program = f"`{r.program}`" if r.program else ""
                lines.append(
                    f"| {r.id} | {_cell(r.clause)} | {_cell(r.grants)} | {r.target} "
                    f"| {row_standing(r, cat)} | {program} | {_cell(r.reason)} |"
                )
        lines += ["", "### Programs", ""]
        by_document: dict[str, list[Entry]] = {}
        for entry in cat.entries.values():
            if entry.jurisdiction == jurisdiction:
                by_document.setdefault(entry.document, []).append(entry)
        lines.append("| program | document · clause | target | status | computed by / why not |")
        lines.append("| --- | --- | --- | --- | --- |")
        for key in sorted(by_document):
            for entry in by_document[key]:
                detail = ", ".join(f"`{c}`" for c in entry.computed_by) or (entry.reason or "")
                lines.append(
                    f"| {entry.name} (`{entry.id}`) | {_cell(key)} · {_cell(entry.clause)} "
                    f"| {entry.target} | {entry.status} | {_cell(detail)} |"
                )
    return "\n".join(lines) + "\n"
