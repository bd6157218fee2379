"""Suspend, resume, revoke, renew and expire cards. A 副卡 follows its main card: revoking,
suspending, resuming or renewing the main card does the same to its 副卡 (a 副卡 revoked on its
own stays revoked). Each step raises the status-list version so verifiers learn of it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai import clock
from rencai.cards.access import can_manage
from rencai.cards.issuance import CardError, add_months, record, validity_months
from rencai.cards.lists import bump
from rencai.cards.models import Card, CardStatus
from rencai.hooks import Hook
from rencai.notifications.outbox import notify
from rencai.registry.models import Account, TalentProfile

# each handler is called as handler(session, id_number, revoked_on, actor) when a main card is
# revoked: the payments capability stops the holder's schedules (under the recovery clause of the
# card's jurisdiction). The capabilities further out register at start-up (rencai.wiring); cards
# imports none of them.
MAIN_CARD_REVOKED = Hook("cards.lifecycle.MAIN_CARD_REVOKED", required=True)


def on_main_card_revoked(handler: Callable[[Session, str, dt.date, str], object]) -> None:
    """Register a handler for the revocation of a main card (at start-up)."""
    MAIN_CARD_REVOKED.register(handler)


ACTION_LABELS = {
    "issue": "发卡",
    "suspend": "暂停",
    "resume": "恢复",
    "revoke": "注销",
    "renew": "续期",
    "expire": "到期",
    "validity": "设定有效期",
}


def family_of(session: Session, card: Card) -> list[Card]:
    return list(session.scalars(select(Card).where(Card.main_card_id == card.id)))


def _tell(session: Session, card: Card, text: str) -> None:
    talent = session.get(TalentProfile, card.talent_id)
    if talent is not None:
        notify(session, talent.account_id, "人才绿卡状态变更", text, link="/cards")


def change(
    session: Session, actor: Account, card: Card, action: str, reason: str | None
) -> list[Card]:
    """Apply a lifecycle action; returns every card it changed (the card and its 副卡)."""
    if not can_manage(actor, card):
        raise CardError("role", "无权管理该卡", "forbidden")
    if action in ("suspend", "revoke") and not (reason or "").strip():
        raise CardError("reason", "暂停或注销须填写理由", "reason_required")
    if len(reason or "") > 2000:  # decision 0087: every text has a limit
        raise CardError("reason", "理由不超过2000字", "too_long")
    allowed = {
        "suspend": (CardStatus.active,),
        "resume": (CardStatus.suspended,),
        "revoke": (CardStatus.active, CardStatus.suspended, CardStatus.expired),
        "renew": (CardStatus.active, CardStatus.expired),
    }
    if action not in allowed:
        raise CardError("action", "操作应为暂停、恢复、注销或续期", "bad_action")
    if card.status not in allowed[action]:
        raise CardError(
            "status", f"该卡当前为“{card.status}”状态，不能{ACTION_LABELS[action]}", "bad_state"
        )
    if card.main_card_id is not None and action in ("resume", "renew"):
        main = session.get(Card, card.main_card_id)
        if main is not None and main.status != CardStatus.active:
            raise CardError(
                "main_card", "主卡不在正常状态，副卡不能单独恢复或续期", "main_inactive"
            )
    actor_name = f"account:{actor.id}"
    changed = [card]
    if card.main_card_id is None:
        changed += [c for c in family_of(session, card) if c.status in allowed[action]]
    for target in changed:
        if action == "suspend":
            target.status = CardStatus.suspended.value
        elif action == "resume":
            target.status = CardStatus.active.value
        elif action == "revoke":
            target.status = CardStatus.revoked.value
        elif action == "renew":
            _renew(session, target, card)
        target.status_reason = reason
        note = reason if target is card else f"随主卡{card.number}{ACTION_LABELS[action]}"
        record(session, target, action, actor_name, note)
    session.flush()
    bump(session, clock.now())
    if action == "revoke" and card.main_card_id is None:
        _revoked(session, card, actor_name)
    _tell(session, card, f"您的人才绿卡 {card.number} 已{ACTION_LABELS[action]}。{reason or ''}")
    return changed


def _revoked(session: Session, card: Card, actor: str) -> None:
    talent = session.get(TalentProfile, card.talent_id)
    if talent is None:
        return
    MAIN_CARD_REVOKED.fire(session, talent.id_number, clock.office_date(clock.now()), actor)


def _renew(session: Session, target: Card, main: Card) -> None:
    today = clock.office_date(clock.now())
    if target is main or target.main_card_id is None:
        months = validity_months(session, target.tier)
        if months is None:
            raise CardError("validity", "该卡别的有效期尚未由管理员设定，不能续期", "no_validity")
        start = max(today, target.valid_until or today)
        target.valid_until = add_months(start, months)
    else:
        target.valid_until = main.valid_until
    target.status = CardStatus.active.value


def expire_due(session: Session, today: dt.date) -> list[Card]:
    """Mark cards whose validity has ended (run daily); their QR already fails offline."""
    due = list(
        session.scalars(
            select(Card).where(
                Card.status.in_([CardStatus.active.value, CardStatus.suspended.value]),
                Card.valid_until.is_not(None),
                Card.valid_until <= today,
            )
        )
    )
    for card in due:
        card.status = CardStatus.expired.value
        record(session, card, "expire", "system", None)
    if due:
        session.flush()
    return due
