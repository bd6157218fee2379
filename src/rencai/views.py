"""The base of the read models every capability shares with the API, the pages and the CLI.

A view is a pydantic model: the API declares it as its ``response_model`` (so /openapi.json
documents the answer), the pages render from it, the CLI prints it. Fields are the keys that are
always there; a view may carry more (``extra="allow"``), which it passes on unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class View(BaseModel):
    model_config = ConfigDict(extra="allow")

    @classmethod
    def of_row(cls, row: Any, **given: Any) -> Self:
        """The view of a stored row: each field the view declares is ``given`` or else read
        from the row's attribute of the same name (a field neither given nor on the row keeps
        its default; without one the view is refused)."""
        read = {
            name: getattr(row, name)
            for name in cls.model_fields
            if name not in given and hasattr(row, name)
        }
        return cls.model_validate({**read, **given})


class Listing(View, Generic[T]):
    """A list with its length."""

    count: int
    items: list[T]

    @classmethod
    def of(cls, items: Sequence[Any]) -> Self:
        """The listing of ``items`` (models, or the dicts they are read from)."""
        return cls.model_validate({"count": len(items), "items": list(items)})


class PagedListing(Listing[T]):
    """One page of a list (``rencai.web.lists.Page.body``): ``count`` is how many match in
    all, ``items`` this page's."""

    count: int = Field(description="符合条件的总条数（全部各页）")
    page: int = Field(description="页码")
    per_page: int = Field(description="每页条数")
    pages: int = Field(description="总页数")
