"""The catalogue's search index and its encoded programs give exactly the straightforward answers
(decision 0247): ``search`` is ``scan``, ``views`` are ``as_dict``, ``listing_json`` is
``json.dumps`` of the same listing."""

from __future__ import annotations

import json
import random

import pytest

from rencai.policy.catalogue import Catalogue, catalogue

CATALOGUE = catalogue()
ENTRIES = list(CATALOGUE.entries.values())


def _queries(cat: Catalogue) -> list[str]:
    """Words of every kind: single characters, pieces of names, quotes and 文号, words found
    nowhere, two and three words together, odd spacing."""
    rng = random.Random(17)
    texts = [t for e in cat.entries.values() for t in (e.name, e.quote, e.document, *e.keywords)]
    pieces = []
    for text in rng.sample(texts, 60):
        start = rng.randrange(len(text))
        pieces.append(text[start : start + rng.randint(1, 6)].strip() or "人")
    words = [
        "房租", "博士", "补贴", "人才", "人社局", "石字〔2021〕7号", "购房", "驿站", "A卡",
        "sjz.b", "万元", "没有这个词", "〔", "z", "人", "才", "Ω",
    ]  # fmt: skip
    queries = pieces + words
    queries += [f"{rng.choice(queries)} {rng.choice(queries)}" for _ in range(40)]
    queries += [
        f" {rng.choice(words)}  {rng.choice(pieces)} {rng.choice(words)} " for _ in range(20)
    ]
    return queries


@pytest.mark.parametrize("jurisdiction", [None, "", "shijiazhuang", "cangzhou", "nowhere"])
def test_the_index_answers_as_the_scan_of_every_program(jurisdiction: str | None) -> None:
    titled = [d for d in CATALOGUE.documents.values() if d.title != d.key]
    documents = [None, "", *list(CATALOGUE.documents)[:4], titled[0].title, titled[-1].title]
    queries: list[str | None] = [None, "", "   ", *_queries(CATALOGUE)]
    compared = matched = 0
    for text in queries:
        for target in (None, "person", "employer", "team", "alien"):
            for status in (None, "computed", "catalogued", "not_encodable"):
                for document in documents if text in (None, "人才", "补贴") else [None]:
                    fast = CATALOGUE.search(text, jurisdiction, target, document, status)
                    slow = CATALOGUE.scan(text, jurisdiction, target, document, status)
                    assert [e.id for e in fast] == [e.id for e in slow], (
                        text, jurisdiction, target, document, status
                    )  # fmt: skip
                    compared += 1
                    matched += bool(slow)
    assert compared > 1000 and (jurisdiction == "nowhere" or matched > 100)


def test_every_program_is_encoded_as_it_is_shown() -> None:
    for entry in ENTRIES:
        view = CATALOGUE.views[entry.id]
        assert type(view) is dict and view == entry.as_dict(CATALOGUE.documents)
        assert json.loads(CATALOGUE.encoded[entry.id]) == entry.as_dict(CATALOGUE.documents)


@pytest.mark.parametrize("text", [None, "房租", "人才", "没有这个词", "购房 补贴"])
def test_a_listing_is_the_json_of_its_programs(text: str | None) -> None:
    found = CATALOGUE.search(text)
    for shown in (found, found[:20], found[20:40], []):
        straightforward = json.dumps(
            {"count": len(found), "items": [e.as_dict(CATALOGUE.documents) for e in shown]},
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        assert CATALOGUE.listing_json(len(found), shown) == straightforward
