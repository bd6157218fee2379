"""The clause index: every granting clause of every document in the library, searchable by BM25.

A clause is one passage of one document (文号 and article/item) with its verbatim quote, the
document's dates and the programs that cite it. Clauses come from the inventory of granting
clauses (``jurisdictions/*/inventory/*.yaml``) and the catalogue (``jurisdictions/*/catalogue/``);
a catalogue program citing a passage the inventory does not list adds that passage. Rows quoting
the same passage of the same clause are one clause citing several programs.

The index is built once per process (``clause_index()``) and read by every question.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from functools import cache

import bm25s
import numpy as np

from rencai.assistant.text import expand, normalise, segment, tokenizer
from rencai.policy.catalogue import Catalogue, catalogue, inventory
from rencai.policy.cities import names
from rencai.policy.contract.vocabulary import vocabulary


@dataclass
class Clause:
    id: int
    jurisdiction: str
    document: str  # 文号, or the title when the document has none
    document_title: str
    clause: str  # article / item
    quote: str  # verbatim
    effective: dt.date | None
    expires: dt.date | None
    programs: list[str] = field(default_factory=list)  # catalogue program ids
    grants: list[str] = field(default_factory=list)  # what the clause grants, in Chinese
    computed: list[str] = field(default_factory=list)  # engine benefit/card ids answering it

    def citation(self) -> dict[str, object]:
        return {
            "document": self.document,
            "document_title": self.document_title,
            "clause": self.clause,
            "quote": self.quote,
            "jurisdiction": self.jurisdiction,
            "effective": self.effective.isoformat() if self.effective else None,
            "expires": self.expires.isoformat() if self.expires else None,
            "programs": list(self.programs),
        }


@dataclass(frozen=True)
class Hit:
    clause: Clause
    score: float


class ClauseIndex:
    def __init__(self, cat: Catalogue):
        self.catalogue = cat
        self.clauses: list[Clause] = []
        by_key: dict[tuple[str, str, str], Clause] = {}

        def add(
            jurisdiction: str,
            document: str,
            clause: str,
            quote: str,
            program: str | None,
            grants: str,
            valid_from: dt.date | None = None,
            valid_until: dt.date | None = None,
        ) -> Clause:
            key = (document, clause, quote.strip())
            found = by_key.get(key)
            if found is None:
                doc = cat.documents.get(document)
                found = Clause(
                    id=len(self.clauses),
                    jurisdiction=jurisdiction,
                    document=document,
                    document_title=doc.title if doc else document,
                    clause=clause,
                    quote=quote.strip(),
                    effective=valid_from or (doc.date if doc else None),
                    expires=valid_until or (doc.valid_until if doc else None),
                )
                by_key[key] = found
                self.clauses.append(found)
            if program and program not in found.programs:
                found.programs.append(program)
                entry = cat.entries.get(program)
                if entry is not None:
                    found.computed += [c for c in entry.computed_by if c not in found.computed]
            if grants and grants not in found.grants:
                found.grants.append(grants)
            return found

        for f in inventory():
            for row in f.rows:
                add(row.jurisdiction, row.document, row.clause, row.quote, row.program, row.grants)
        self.entry_clause: dict[str, Clause] = {}
        for entry in cat.entries.values():
            self.entry_clause[entry.id] = add(
                entry.jurisdiction,
                entry.document,
                entry.clause,
                entry.quote,
                entry.id,
                entry.name,
                entry.valid_from,
                entry.valid_until,
            )
        self.computed_by_clause: dict[tuple[str, str], list[str]] = {}
        for c in self.clauses:
            found_ids = self.computed_by_clause.setdefault((c.document, c.clause), [])
            found_ids += [i for i in c.computed if i not in found_ids]
        self.domain_words = sorted(self._domain_words())
        # program names and keywords of three characters or more, as a question may name them
        self.program_words = frozenset(
            normalise(w)
            for e in cat.entries.values()
            for w in (e.name, *e.keywords)
            if len(w) >= 3 and len(w) <= 12
        )
        # …and the cities whose programs they name (“人才公寓” is a Shijiazhuang program)
        self._city_texts: dict[str, str] = {}
        self.program_word_cities: dict[str, set[str]] = {}
        for e in cat.entries.values():
            for w in (e.name, *e.keywords):
                if 3 <= len(w) <= 12:
                    self.program_word_cities.setdefault(normalise(w), set()).add(e.jurisdiction)
        self.tokenizer = tokenizer(self.domain_words)
        self.retriever = bm25s.BM25(k1=1.2, b=0.6)
        self.retriever.index(
            [self._tokens(self._text(c)) for c in self.clauses], show_progress=False
        )
        self.vocabulary = set(self.retriever.vocab_dict)
        self._lock = threading.Lock()

    def _domain_words(self) -> set[str]:
        """The domain dictionary: program names, 文号, card names, county names, keywords."""
        cat = self.catalogue
        v = vocabulary()
        words: set[str] = set()
        for entry in cat.entries.values():
            words.add(entry.name)
            words.update(entry.keywords)
        for doc in cat.documents.values():
            if len(doc.key) <= 20:
                words.add(doc.key)
        for section in ("card", "degree", "school_tag", "professional_title", "skill_level"):
            words.update(v.codes(section).values())
        for county in v.counties.values():
            name = county.name
            words.add(name)
            for suffix in ("县", "区", "市"):
                if name.endswith(suffix) and len(name) > 2:
                    words.add(name[: -len(suffix)])
        words.update(names().values())
        words.update(
            [
                "a卡",
                "b卡",
                "c卡",
                "县卡",
                "副卡",
                "人才绿卡",
                "房租补助",
                "购房补贴",
                "安家补贴",
                "生活补贴",
                "居住补贴",
                "博士后",
                "双一流",
                "硕博",
                "安家费",
                "工作日",
                "公示期",
                "限购",
                "人才贷",
                "狮城英才卡",
                "锦绣英才卡",
                "锦绣学子卡",
            ]
        )
        return {normalise(w) for w in words if w and len(w) <= 30}

    def _text(self, c: Clause) -> str:
        cat = self.catalogue
        parts = [c.document, c.document_title, c.clause, c.quote, *c.grants]
        for pid in c.programs:
            entry = cat.entries.get(pid)
            if entry is not None:
                parts += [entry.name, entry.summary, *entry.keywords, *entry.amounts]
                parts += [entry.process or "", entry.clawback or "", entry.exclusivity or ""]
                parts += [entry.deadlines or "", entry.quota or ""]
        parts.append(names().get(c.jurisdiction, ""))
        return " ".join(parts)

    def city_text(self, jurisdiction: str) -> str:
        """Everything the library holds for one city (its clauses and programs), normalised: to
        tell whether the city's texts mention a word at all."""
        cached = self._city_texts.get(jurisdiction)
        if cached is None:
            cached = normalise(
                " ".join(self._text(c) for c in self.clauses if c.jurisdiction == jurisdiction)
            )
            self._city_texts[jurisdiction] = cached
        return cached

    def _tokens(self, text: str) -> list[str]:
        return segment(expand(normalise(text)), self.tokenizer)

    def query_tokens(self, question: str) -> list[str]:
        return self._tokens(question)

    def search(self, tokens: list[str], jurisdiction: str | None = None, k: int = 5) -> list[Hit]:
        known = [t for t in tokens if t in self.vocabulary]
        if not known:
            return []
        with self._lock:
            scores = np.asarray(self.retriever.get_scores(known), dtype=float)
        if jurisdiction:
            mask = np.array([c.jurisdiction != jurisdiction for c in self.clauses])
            scores = np.where(mask, -1.0, scores)
        order = np.argsort(-scores)[: k * 3]
        hits = []
        for i in order:
            if scores[i] <= 0:
                break
            hits.append(Hit(self.clauses[int(i)], float(scores[i])))
        return hits[:k]


_BUILD_LOCK = threading.Lock()


@cache
def _built() -> ClauseIndex:
    return ClauseIndex(catalogue())


def clause_index() -> ClauseIndex:
    """The process's clause index, built by the first caller (others wait for it)."""
    with _BUILD_LOCK:
        return _built()
