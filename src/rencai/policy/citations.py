"""Citations: every rule, parameter value and benefit points at its source text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Citation:
    document: str  # 文号, or the title when the seeds give no number
    clause: str  # article / clause, as the document numbers it
    quote: str  # the quoted Chinese text, verbatim from the seed

    def as_dict(self) -> dict[str, str]:
        return {"document": self.document, "clause": self.clause, "quote": self.quote}

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> Citation:
        missing = [k for k in ("document", "clause", "quote") if not data.get(k)]
        if missing:
            raise ValueError(f"citation lacks {', '.join(missing)}: {data!r}")
        return cls(str(data["document"]), str(data["clause"]), str(data["quote"]).strip())
