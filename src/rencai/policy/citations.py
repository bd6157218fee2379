"""Citations: every rule, parameter value and benefit points at its source text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


@dataclass(frozen=True)
class Citation:
    document: str  # 文号, or the title when the seeds give no number
    clause: str  # article / clause, as the document numbers it
    quote: str  # the quoted Chinese text, verbatim from the seed

    @property
    def heading(self) -> str:
        """'石字〔2021〕7号 第4条': how a reader names the clause (see ``heading``)."""
        return heading(self.document, self.clause)

    def as_dict(self) -> dict[str, str]:
        return {"document": self.document, "clause": self.clause, "quote": self.quote}

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> Citation:
        missing = [k for k in ("document", "clause", "quote") if not data.get(k)]
        if missing:
            raise ValueError(f"citation lacks {', '.join(missing)}: {data!r}")
        return cls(str(data["document"]), str(data["clause"]), str(data["quote"]).strip())


# --- how a citation reads: one renderer for pages, API display text and exports ---------------

_BARE_NUMBER = re.compile(r"^(\d+)(?=$|[；;、，,（(\s])")
_CJK = r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef“”‘’]"
# half-width punctuation between Chinese text, and its full-width form
_HALF_WIDTH = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
_PUNCTUATION = re.compile(rf"(?<={_CJK})([,;:?!()])|([,;:?!()])(?={_CJK})")


def clause_heading(clause: str | None) -> str:
    """A clause as people cite it: a bare article number reads 第4条 ("4；附件2" → 第4条；附件2);
    a heading ("深入实施人才绿卡制度"), a numbered item ("三（八）", "可享受的服务项目（6）") or
    an article already written 第…条 stays as the document writes it."""
    text = (clause or "").strip()
    match = _BARE_NUMBER.match(text)
    if match:
        return f"第{match.group(1)}条{text[match.end() :]}"
    return text


def heading(document: str | None, clause: str | None) -> str:
    """'石字〔2021〕7号 第4条' — the document (文号, or its title) and the clause."""
    return " ".join(part for part in ((document or "").strip(), clause_heading(clause)) if part)


@lru_cache(maxsize=1)
def _t2s() -> Any:
    from opencc import OpenCC  # opencc-python-reimplemented: its tables ship with the package

    return OpenCC("t2s")


def simplified(text: str | None) -> str:
    """A quote in Simplified characters with full-width punctuation between Chinese text (the
    reports quote some documents in Traditional characters with half-width commas). The verbatim
    quote stays the authority; this is its reading copy."""
    if not text:
        return ""
    converted = str(_t2s().convert(text))
    return _PUNCTUATION.sub(lambda m: _HALF_WIDTH[m.group(1) or m.group(2)], converted)


@dataclass(frozen=True)
class Rendered:
    heading: str  # 文号 第N条
    quote: str  # the Simplified reading of the quote
    original: str  # the verbatim quote
    changed: bool  # whether the reading differs from the verbatim quote

    def text(self) -> str:
        """One line: '石字〔2021〕7号 第4条：“…”' (API display text, exports)."""
        return f"{self.heading}：“{self.quote}”" if self.quote else self.heading


def render(citation: Citation | dict[str, Any] | None) -> Rendered | None:
    """A citation (or its mapping, as stored or as the API gives it) as people read it."""
    if citation is None:
        return None
    data = citation.as_dict() if isinstance(citation, Citation) else citation
    if not data:
        return None
    original = str(data.get("quote") or "")
    reading = simplified(original)
    return Rendered(
        heading(data.get("document"), data.get("clause")), reading, original, reading != original
    )


def citation_text(citation: Citation | dict[str, Any] | None) -> str:
    """One line for a citation ('' if none)."""
    rendered = render(citation)
    return rendered.text() if rendered is not None else ""
