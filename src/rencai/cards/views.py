"""A card as the API, the pages and the CLI show it (one builder, one model)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai.cards.issuance import RELATION_LABELS
from rencai.cards.lifecycle import ACTION_LABELS
from rencai.cards.models import STATUS_LABELS, Card, CardEvent, CardStatus
from rencai.cards.points import tier_label, title_of
from rencai.views import View


class CardView(View):
    number: str
    tier: str
    tier_label: str
    title: str
    kind: str
    main_number: str | None
    relation: str | None
    relation_label: str | None
    holder_name: str | None
    county: str | None
    status: str
    status_label: str
    valid_from: str
    valid_through: str | None
    validity_awaiting_administrator: bool
    services: list[Any]
    has_photo: bool
    version: int


class CardEventView(View):
    action: str
    label: str
    reason: str | None
    actor: str
    at: str


class CardDetail(CardView):
    history: list[CardEventView]


def card_fields(session: Session, card: Card) -> dict[str, Any]:
    main = session.get(Card, card.main_card_id) if card.main_card_id else None
    return {
        "number": card.number,
        "tier": card.tier,
        "tier_label": tier_label(card.tier),
        "title": title_of(card.county),
        "kind": "family" if main else "main",
        "main_number": main.number if main else None,
        "relation": card.relation,
        "relation_label": RELATION_LABELS.get(card.relation or "", None),
        "holder_name": card.holder_name,
        "county": card.county,
        "status": card.status,
        "status_label": STATUS_LABELS[CardStatus(card.status)],
        "valid_from": card.valid_from.isoformat(),
        # the last day the card is valid (the stored end is exclusive)
        "valid_through": (card.valid_until - dt.timedelta(days=1)).isoformat()
        if card.valid_until
        else None,
        "validity_awaiting_administrator": card.valid_until is None,
        "services": json.loads(card.services),
        "has_photo": card.photo_sha256 is not None,
        "version": card.version,
    }


def card_view(session: Session, card: Card) -> CardView:
    return CardView(**card_fields(session, card))


def card_detail(session: Session, card: Card) -> CardDetail:
    events = session.scalars(
        select(CardEvent).where(CardEvent.card_id == card.id).order_by(CardEvent.id)
    )
    history = [
        CardEventView(
            action=e.action,
            label=ACTION_LABELS.get(e.action, e.action),
            reason=e.reason,
            actor=e.actor,
            at=e.at.isoformat(),
        )
        for e in events
    ]
    return CardDetail(**card_fields(session, card), history=history)
