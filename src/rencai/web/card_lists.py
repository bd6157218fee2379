"""The card office's card list shared by GET /api/v1/cards, /cards/manage and its Excel export:
the same parameters (rencai.web.lists), filtered, sorted and paged in SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import ColumnElement, or_
from sqlalchemy.orm import Session

from rencai.cards.access import managed_statement
from rencai.cards.models import STATUS_LABELS, Card
from rencai.cards.points import tier_labels
from rencai.cards.views import CardView, card_view
from rencai.policy.contract.vocabulary import vocabulary
from rencai.registry.models import Account
from rencai.web.lists import (
    Choice,
    Column,
    ListQuery,
    Page,
    escape_like,
    fetch,
    ordering,
    parse_list,
)

SORTS = {"issued": "发卡时间", "number": "卡号", "valid": "有效期截止"}


def filters() -> dict[str, Choice]:
    return {
        "status": Choice("卡片状态", {s.value: label for s, label in STATUS_LABELS.items()}),
        "tier": Choice("卡别", tier_labels()),
        "county": Choice(
            "县（市、区）", {code: c.name for code, c in vocabulary().counties.items()}
        ),
    }


def parse(params: Mapping[str, str]) -> ListQuery:
    """The list parameters; newest cards first unless a sort is asked for."""
    return parse_list(params, SORTS, filters(), default="-issued")


def card_page(session: Session, account: Account, query: ListQuery) -> Page:
    """The cards the officer manages (a county's reviewer: its county's); ``q`` is a card
    number (or part of one) or the holder's name."""
    statement = managed_statement(account)
    for name, field in (("status", Card.status), ("tier", Card.tier), ("county", Card.county)):
        if value := query.filters.get(name):
            statement = statement.where(field == value)
    if q := query.q:
        options: list[ColumnElement[bool]] = [
            Card.number.like(f"%{escape_like(q.upper())}%", escape="\\"),
            Card.holder_name.like(f"%{escape_like(q)}%", escape="\\"),
        ]
        statement = statement.where(or_(*options))
    order = ordering(query, {"issued": Card.id, "number": Card.number, "valid": Card.valid_until})
    found = fetch(session, statement.order_by(order, Card.id.desc()), query)
    return Page(query, found.total, [card_view(session, c) for c in found.rows])


COLUMNS = (
    Column("卡号", "text", 22),
    Column("卡别", "text", 14),
    Column("主卡卡号", "text", 22),
    Column("持卡人", "text", 12),
    Column("县（市、区）", "text", 14),
    Column("状态", "text", 10),
    Column("有效期起", "date", 12),
    Column("有效期至", "date", 12),
)


def export_rows(cards: list[CardView]) -> list[list[object]]:
    counties = {code: c.name for code, c in vocabulary().counties.items()}
    return [
        [
            c.number,
            c.tier_label,
            c.main_number,
            c.holder_name or c.relation_label,
            counties.get(c.county or "", c.county),
            c.status_label,
            dt.date.fromisoformat(c.valid_from),
            dt.date.fromisoformat(c.valid_through) if c.valid_through else None,
        ]
        for c in cards
    ]
