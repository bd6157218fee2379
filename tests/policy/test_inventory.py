"""The inventory of granting clauses (``jurisdictions/*/inventory/*.yaml``) against the catalogue,
the code and the seeds: every clause is computed, catalogued with a reason or marked not encodable
with a reason; a row's status is the status of its program, and a program's status is what the
code does."""

from __future__ import annotations

from collections import Counter
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest
import yaml

from rencai.policy.catalogue import (
    CatalogueError,
    catalogue,
    coverage_markdown,
    inventory,
    load_inventory,
    row_standing,
)
from rencai.policy.cities import discovered, registry
from rencai.policy.engine.system import system_for
from tests.seeds import compact, seed_text_compact

CATALOGUE = catalogue()
FILES = inventory()
ROWS = [row for f in FILES for row in f.rows]


def test_every_declared_document_has_one_inventory_file() -> None:
    declared = {(d.jurisdiction, d.key) for d in CATALOGUE.documents.values()}
    files = Counter((f.jurisdiction, f.document) for f in FILES)
    assert [k for k, n in files.items() if n > 1] == []
    assert sorted(declared - set(files)) == [], "declared documents without an inventory file"
    assert sorted(set(files) - declared) == [], "inventory files naming undeclared documents"


def test_every_document_has_rows_or_says_it_grants_nothing() -> None:
    for f in FILES:
        assert f.rows or f.no_granting_clause, f.path


def test_row_ids_are_unique_within_a_jurisdiction() -> None:
    ids = Counter((r.jurisdiction, r.id) for r in ROWS)
    assert [k for k, n in ids.items() if n > 1] == []


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.jurisdiction}:{r.id}")
def test_row_status_is_its_programs_status(row) -> None:  # type: ignore[no-untyped-def]
    if row.program is None:
        assert row.status == "not_encodable", "a row without a program must be not encodable"
        return
    entry = CATALOGUE.entries.get(row.program)
    assert entry is not None, f"{row.id}: program {row.program} is not in the catalogue"
    assert entry.jurisdiction == row.jurisdiction, row.id
    assert row.status == entry.status, (
        f"{row.id} says {row.status}, its program {row.program} is {entry.status}"
    )


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.jurisdiction}:{r.id}")
def test_row_quote_is_verbatim_in_the_seeds(row) -> None:  # type: ignore[no-untyped-def]
    # seed_text_compact raises when ../shared/seeds is missing: the check fails, it never skips
    assert compact(row.quote) in seed_text_compact(), row.quote


def test_every_catalogue_entry_is_referenced_by_a_row() -> None:
    referenced = {r.program for r in ROWS}
    assert sorted(set(CATALOGUE.entries) - referenced) == []


def _code_citations(code: str) -> list[tuple[str, Any]]:
    """What the calculator applies: its cards, their categories, its benefits other than the card
    service texts, and every cited parameter value."""
    program = system_for(code).program
    found: list[tuple[str, Any]] = []
    for card in program.cards:
        found.append((card.id, card.citation))
        found += [(card.id, category.citation) for category in card.categories]
    for benefit in program.benefits:
        if benefit.kind != "service" or benefit.card is None:
            found.append((benefit.id, benefit.citation))
    for path in sorted((discovered()[code].folder / "parameters").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for value in (data.get("values") or {}).values():
            citation = ((value or {}).get("metadata") or {}).get("citation")
            if citation:
                found.append((path.stem, type("Cited", (), citation)))
    return found


@pytest.mark.parametrize("code", sorted(registry()))
def test_a_clause_the_calculator_applies_is_not_marked_catalogued(code: str) -> None:
    """Status comes from the code: a program whose quoted clause the calculator cites (in a card,
    a category, a money or selection item, or a parameter value) is computed."""
    cited = _code_citations(code)
    wrong = []
    for entry in CATALOGUE.entries.values():
        if entry.jurisdiction != code or entry.status == "computed":
            continue
        quote = compact(entry.quote)
        for who, citation in cited:
            theirs = compact(citation.quote)
            if citation.document == entry.document and (theirs in quote or quote in theirs):
                wrong.append((entry.id, who))
    assert wrong == []


def test_computed_rows_name_code_that_exists() -> None:
    for row in ROWS:
        if row.status != "computed":
            continue
        entry = CATALOGUE.entries[row.program]  # type: ignore[index]
        program = system_for(entry.jurisdiction).program
        known = [c.id for c in program.cards] + [b.id for b in program.benefits]
        for pattern in entry.computed_by:
            assert any(fnmatch(k, pattern) for k in known), (row.id, pattern)


def test_coverage_shows_every_document_its_counts_and_clauses() -> None:
    text = coverage_markdown(CATALOGUE)
    for f in FILES:
        assert f"#### {f.document} — " in text, f.document
        standing = [row_standing(r, CATALOGUE) for r in f.rows]
        counts = " | ".join(
            str(standing.count(s)) for s in ("computed", "catalogued", "not_encodable", "missing")
        )
        assert f"| {f.document} | {len(f.rows)} | {counts} |" in text, f.document
        for row in f.rows:
            assert f"| {row.id} | " in text, row.id


def _write(tmp_path: Path, body: str) -> Path:
    folder = tmp_path / "somewhere" / "inventory"
    folder.mkdir(parents=True)
    (folder / "doc.yaml").write_text(body, encoding="utf-8")
    return tmp_path


ROW = "{id: X01, clause: '1', grants: 补贴, target: person, quote: q"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (f"document: D\nrows:\n- {ROW}, status: catalogued, program: x.1}}\n", "must say why"),
        (f"document: D\nrows:\n- {ROW}, status: computed}}\n", "names its program"),
        (f"document: D\nrows:\n- {ROW}, status: maybe, program: x.1}}\n", "unknown status"),
        (f"document: D\nrows:\n- {ROW}, status: computed, program: x, extra: 1}}\n", "unknown"),
        ("document: D\nrows: []\n", "either rows or no_granting_clause"),
        (
            f"document: D\nno_granting_clause: 无\nrows:\n"
            f"- {ROW}, status: computed, program: x}}\n",
            "either rows or no_granting_clause",
        ),
    ],
)
def test_inventory_refuses_incomplete_rows(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(CatalogueError, match=message):
        load_inventory(_write(tmp_path, body))


def test_a_document_may_say_it_grants_nothing(tmp_path: Path) -> None:
    files = load_inventory(_write(tmp_path, "document: D\nno_granting_clause: 仅为程序性规定\n"))
    assert files[0].rows == () and files[0].no_granting_clause == "仅为程序性规定"
