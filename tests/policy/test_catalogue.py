"""The policy catalogue: sources exist, computed programs are really computed, coverage current."""

from __future__ import annotations

import re
from fnmatch import fnmatch
from pathlib import Path

import pytest

from rencai.policy.catalogue import (
    CatalogueError,
    catalogue,
    coverage_markdown,
    load_catalogue,
    office_words,
)
from rencai.policy.cities import registry
from rencai.policy.engine.system import system_for
from tests.seeds import compact, seed_text_compact

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = catalogue()
ENTRIES = list(CATALOGUE.entries.values())


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_quote_is_in_the_seeds(entry) -> None:  # type: ignore[no-untyped-def]
    assert compact(entry.quote) in seed_text_compact(), entry.quote


def test_a_programs_fund_is_the_texts_own_words() -> None:
    """Who pays is written as the text writes it (市财政, 县（市、区）财政, 市级主导产业专项资金 …):
    each funding value is a part of the clause it cites, and that clause is the text's. A program
    whose text names no payer has none (the B卡's rent subsidy: only its purchase subsidy is
    “市财政分别给予”)."""
    funded = [e for e in ENTRIES if e.funding is not None]
    assert len(funded) >= 40
    for entry in funded:
        assert entry.funding is not None
        assert compact(entry.funding.source) in compact(entry.funding.quote), entry.id
        assert compact(entry.funding.quote) in seed_text_compact(), entry.id
    by_id = CATALOGUE.entries
    assert by_id["sjz.b.purchase_subsidy"].funding.source == "市财政"  # type: ignore[union-attr]
    assert by_id["sjz.b.rent_subsidy"].funding is None
    studio = by_id["sjz.skills.rules.master_studio"].funding
    assert studio is not None and (studio.clause, studio.source) == ("第七条", "市财政创业扶持资金")
    # 石字〔2021〕7号 第5条 names no payer; the skills rules implementing its awards do (第七条)
    award = by_id["sjz.skills.worldskills_award"]
    assert award.funding is not None and award.funding.clause == "第七条"
    assert award.funding_document == by_id["sjz.skills.rules.worldskills_award"].document
    shown = by_id["sjz.county.social_insurance_subsidy"].as_dict(CATALOGUE.documents)
    assert shown["funding"]["source"] == "县（市、区）财政"
    assert shown["funding"]["document"] == "各县（市、区）人才绿卡管理办法"


def test_a_fund_not_in_its_clause_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "somewhere" / "catalogue"
    folder.mkdir(parents=True)
    (folder / "documents.yaml").write_text(
        "- {key: X〔2020〕1号, title: X, issuer: X, seed: '000'}\n", encoding="utf-8"
    )
    program = (
        "- {{id: x.1, name: X, document: X〔2020〕1号, clause: '1', quote: 由市财政给予补助,"
        " target: person, kind: money, status: catalogued, reason: r, summary: s,"
        " funding: {funding}}}\n"
    )
    programs = folder / "programs.yaml"
    programs.write_text(program.format(funding="{source: 县财政}"), encoding="utf-8")
    with pytest.raises(CatalogueError, match="not in the clause"):
        load_catalogue(tmp_path)
    programs.write_text(program.format(funding="{source: 市财政}"), encoding="utf-8")
    assert load_catalogue(tmp_path).entries["x.1"].funding.clause == "1"  # type: ignore[union-attr]


def test_no_summary_names_the_texts_by_the_projects_own_numbers() -> None:
    """The policy pages show each entry's summary and amounts: a text is named by its 文号 or as
    the 政策汇编, never by the platform's own numbering of the files it holds ("003原文")."""
    numbered = re.compile(r"(?<![\d〔])00\d(?=原文|汇编)")
    for entry in ENTRIES:
        for text in (entry.summary, *entry.amounts):
            assert not numbered.search(text), (entry.id, text)


def test_computed_programs_name_real_cards_and_benefits() -> None:
    for entry in ENTRIES:
        if entry.status != "computed":
            continue
        assert entry.jurisdiction in registry(), entry.id
        program = system_for(entry.jurisdiction).program
        known = [c.id for c in program.cards] + [b.id for b in program.benefits]
        for pattern in entry.computed_by:
            assert any(fnmatch(k, pattern) for k in known), (entry.id, pattern)


def test_every_computed_money_benefit_is_catalogued() -> None:
    for code in registry():
        program = system_for(code).program
        named = [p for e in ENTRIES if e.jurisdiction == code for p in e.computed_by]
        for benefit in program.benefits:
            if benefit.kind == "money":
                assert any(fnmatch(benefit.id, p) for p in named), benefit.id
        for card in program.cards:
            assert any(fnmatch(card.id, p) for p in named), card.id


def test_search_by_name_document_issuer_target_and_keyword() -> None:
    assert {e.id for e in CATALOGUE.search("房租补助")} >= {"sjz.b.rent_subsidy"}
    by_document = CATALOGUE.search(document="石办字〔2017〕39号")
    assert by_document and all(e.document == "石办字〔2017〕39号" for e in by_document)
    assert CATALOGUE.search("中共石家庄市委办公厅")
    assert all(e.target == "person" for e in CATALOGUE.search(target="person"))
    assert CATALOGUE.search("安家 博士")
    assert CATALOGUE.search("no-such-thing-anywhere") == []


def test_programs_not_computed_say_why(tmp_path: Path) -> None:
    folder = tmp_path / "somewhere" / "catalogue"
    folder.mkdir(parents=True)
    (folder / "documents.yaml").write_text(
        "- {key: X〔2020〕1号, title: X, issuer: X, seed: '000'}\n", encoding="utf-8"
    )
    (folder / "programs.yaml").write_text(
        "- {id: x.1, name: X, document: X〔2020〕1号, clause: '1', quote: q, target: person,"
        " kind: money, status: catalogued, summary: s}\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError, match="must say why"):
        load_catalogue(tmp_path)


def test_a_note_for_the_offices_is_a_field_of_its_own(tmp_path: Path) -> None:
    """What the calculator does with a program (石政办函〔2021〕42号's award “按单位查询计算”) is
    the offices' business: written into the summary a citizen reads, the catalogue refuses it;
    as the program's office_note it loads, and the public view leaves it out."""
    folder = tmp_path / "somewhere" / "catalogue"
    folder.mkdir(parents=True)
    (folder / "documents.yaml").write_text(
        "- {key: X〔2021〕42号, title: X, issuer: X, seed: '000'}\n", encoding="utf-8"
    )
    program = (
        "- {{id: x.award, name: X, document: X〔2021〕42号, clause: '1', quote: q,"
        " target: employer, kind: money, status: catalogued, reason: r,"
        " summary: 按国家实际拨付经费的50%配套奖励{summary_tail}{extra}}}\n"
    )
    programs = folder / "programs.yaml"
    programs.write_text(
        program.format(summary_tail="（计算器按单位查询计算）", extra=""), encoding="utf-8"
    )
    with pytest.raises(CatalogueError, match="office_note"):
        load_catalogue(tmp_path)
    programs.write_text(
        program.format(summary_tail="", extra=", office_note: 计算器按单位查询计算。"),
        encoding="utf-8",
    )
    loaded = load_catalogue(tmp_path)
    entry = loaded.entries["x.award"]
    assert entry.office_note == "计算器按单位查询计算。"
    shown = entry.as_dict(loaded.documents)
    assert "office_note" not in shown and "计算器" not in str(shown)


def test_no_program_shows_the_offices_words_where_citizens_read() -> None:
    noted = [e for e in ENTRIES if e.office_note]
    assert len(noted) >= 10  # the notes moved out of the summaries are still there
    for entry in ENTRIES:
        assert office_words(entry.__dict__) == [], entry.id


def test_coverage_document_is_current() -> None:
    path = ROOT / "docs" / "policy-coverage.md"
    assert path.read_text(encoding="utf-8") == coverage_markdown(CATALOGUE), (
        "regenerate: .venv/bin/rencai policies coverage > docs/policy-coverage.md"
    )


def test_a_documents_title_is_stored_without_its_own_title_marks() -> None:
    """A title is stored bare and every reader puts it in 《》 (the assistant's “依据《…》”): a
    title naming another document writes the inner one in 〈〉, as the compilation prints
    “《〈关于支持新一代电子信息产业和生物医药产业率先突破的若干措施（试行）〉相关实施细则》”
    (石政办函〔2021〕42号) — never 《《…》相关实施细则》."""
    titles = {doc.key: doc.title for doc in CATALOGUE.documents.values()}
    assert [f"{key}: {title}" for key, title in titles.items() if re.search("[《》]", title)] == []
    printed = (
        "《〈关于支持新一代电子信息产业和生物医药产业率先突破的若干措施（试行）〉相关实施细则》"
    )
    assert f"《{titles['石政办函〔2021〕42号']}》" == printed
    assert compact(printed) in seed_text_compact()
    assert titles["石人社字〔2022〕36号"] == (
        "转发〈关于全面推行中国特色企业新型学徒制加强技能人才培养的实施意见〉的通知"
    )
