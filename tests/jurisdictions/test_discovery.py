"""Jurisdictions are found by their folders and named once: every list of cities reads them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from rencai.feeds.load import cities
from rencai.policy import cities as discovery
from rencai.policy.catalogue import catalogue
from rencai.policy.cities import JurisdictionError, discovered, names, registry
from rencai.policy.contract.vocabulary import VOCABULARY_FILE, vocabulary
from rencai.registry.administration import finance_cities


def test_every_list_of_cities_reads_the_folders() -> None:
    found = names()
    assert found == {"shijiazhuang": "石家庄市", "jinzhou": "锦州市", "cangzhou": "沧州市"}
    # the published contract's copy (shared vocabulary) says the same, and cannot drift
    published = yaml.safe_load(VOCABULARY_FILE.read_text(encoding="utf-8"))["jurisdiction"]
    assert published == found
    assert vocabulary().codes("jurisdiction") == found
    assert cities() == {name: code for code, name in found.items()}
    assert {code: j.name for code, j in registry().items()} == {
        "shijiazhuang": "石家庄市",
        "jinzhou": "锦州市",
    }
    assert finance_cities() == {"shijiazhuang": "石家庄市", "jinzhou": "锦州市"}
    entry = next(iter(catalogue().entries.values()))
    assert entry.as_dict(catalogue().documents)["jurisdiction_name"] == found[entry.jurisdiction]


@pytest.fixture
def extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An extra jurisdictions folder, read by discovery for this test only."""
    monkeypatch.setenv("RENCAI_JURISDICTIONS_DIR", str(tmp_path))
    discovered.cache_clear()
    yield tmp_path
    monkeypatch.delenv("RENCAI_JURISDICTIONS_DIR")
    discovered.cache_clear()


def _city(root: Path, folder: str, text: str) -> None:
    (root / folder).mkdir()
    (root / folder / "jurisdiction.yaml").write_text(text, encoding="utf-8")


def test_a_catalogued_city_needs_only_its_descriptor(extra: Path) -> None:
    _city(extra, "faraway", "code: faraway\nname: 远方市\n")
    assert names()["faraway"] == "远方市"
    assert not discovered()["faraway"].computed
    assert discovery.default_code() == "shijiazhuang"


@pytest.mark.parametrize(
    ("folder", "text", "words"),
    [
        ("elsewhere", "code: other\nname: 别处市\n", "folder's name"),
        ("shijiazhuang", "code: shijiazhuang\nname: 石家庄市\n", "found twice"),
        (
            "lettered",
            "code: lettered\nname: 字母市\ncards:\n  title: 卡\n  tiers:\n"
            "    - {letter: A, program: card.x, label: X卡}\n",
            "card letter A",
        ),
        ("defaulted", "code: defaulted\nname: 默认市\ndefault: true\n", "default"),
    ],
)
def test_a_folder_that_contradicts_another_is_refused(
    extra: Path, folder: str, text: str, words: str
) -> None:
    _city(extra, folder, text)
    with pytest.raises(JurisdictionError, match=words):
        discovered()
