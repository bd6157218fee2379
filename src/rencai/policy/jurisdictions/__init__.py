"""One package per jurisdiction; each mirrors its law: parameters/*.yaml and programs."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rencai.policy.engine.system import Jurisdiction


@cache
def registry() -> dict[str, Jurisdiction]:
    """The jurisdictions whose rules are computed, by vocabulary code."""
    from rencai.policy.jurisdictions import jinzhou, shijiazhuang

    return {j.code: j for j in (shijiazhuang.JURISDICTION, jinzhou.JURISDICTION)}
