"""What the policy files say to readers (notes, summaries, citations) names 政策文件, never the
platform's own sources ("种子文件", the decision records)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

import rencai.policy.jurisdictions as jurisdictions

INTERNAL = re.compile(r"种子文件|seed file|docs/|decisions/|\bseed\b", re.IGNORECASE)
# keys never displayed: the source text the platform read, and the (English) developer note on
# why a clause is not computed (docs/policy-coverage.md)
NOT_SHOWN = {"seed", "reason"}


def _strings(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for k, v in value.items():
            if str(k) not in NOT_SHOWN:
                yield from _strings(v, str(k))
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, key)
    elif isinstance(value, str):
        yield key, value


def test_policy_texts_name_no_internal_source() -> None:
    folder = Path(jurisdictions.__file__).parent
    files = sorted(folder.rglob("*.yaml"))
    assert len(files) > 50
    found = [
        f"{path.relative_to(folder)} {key}: {text[:60]}"
        for path in files
        for key, text in _strings(yaml.safe_load(path.read_text(encoding="utf-8")))
        if INTERNAL.search(text)
    ]
    assert found == []
