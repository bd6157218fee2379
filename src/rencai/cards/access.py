"""Who may see and do what with a card, answered once for the API, the pages and the CLI.

The office manages cards (an administrator and the city office everywhere, a county reviewer
only the cards of its county); the holder sees their own cards; a service point sees a holder's
photo only right after verifying that card online at a counter that checks faces.
"""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from rencai.cards.holder import point_may_see_photo
from rencai.cards.models import Card
from rencai.cards.usage import point_of
from rencai.registry.models import Account, Role, TalentProfile

MANAGERS = (Role.admin, Role.city_reviewer, Role.county_reviewer)


def may_manage_cards(account: Account) -> bool:
    return account.role in MANAGERS


def may_see_statistics(account: Account) -> bool:
    return account.role in (Role.admin, Role.city_reviewer)


def can_manage(account: Account, card: Card) -> bool:
    if account.role in (Role.admin, Role.city_reviewer):
        return True
    return account.role == Role.county_reviewer and account.county == card.county


def _scoped(account: Account) -> Select[Card]:
    query = select(Card).order_by(Card.id.desc())
    if account.role == Role.county_reviewer:
        query = query.where(Card.county == account.county)
    return query


def managed_statement(account: Account) -> Select[Card]:
    """The cards an officer manages as a statement (unordered), to filter and page."""
    return _scoped(account).order_by(None)


def managed_cards(
    session: Session, account: Account, q: str = "", *, by_name: bool = True, limit: int = 100
) -> list[Card]:
    """The cards an officer manages, newest first, found by number (or the holder's name)."""
    if not may_manage_cards(account):
        return []
    query = _scoped(account).limit(limit)
    if q.strip():
        number = Card.number == q.strip().upper()
        query = query.where(or_(number, Card.holder_name == q.strip()) if by_name else number)
    return list(session.scalars(query))


def managed_card(session: Session, account: Account, number: str) -> Card | None:
    """One card the officer manages; None whether it does not exist or is not theirs."""
    card = session.scalar(select(Card).where(Card.number == number))
    return card if card is not None and can_manage(account, card) else None


def cards_of(session: Session, talent: TalentProfile | None) -> list[Card]:
    """The holder's own cards (main card and 副卡)."""
    if talent is None:
        return []
    return list(session.scalars(select(Card).where(Card.talent_id == talent.id).order_by(Card.id)))


def own_card(session: Session, talent: TalentProfile | None, number: str) -> Card | None:
    """One of the holder's own cards; None whether it does not exist or is someone else's."""
    if talent is None:
        return None
    return session.scalar(select(Card).where(Card.number == number, Card.talent_id == talent.id))


def holds(session: Session, account: Account, card: Card) -> bool:
    talent = session.get(TalentProfile, card.talent_id)
    return talent is not None and talent.account_id == account.id


def may_see_photo(session: Session, account: Account, card: Card) -> bool:
    """The holder, an officer who manages the card, or a face-checking service point that has
    just verified it online."""
    if account.role == Role.service_point:
        point = point_of(session, account)
        return point is not None and point_may_see_photo(session, point.id, point.kind, card.number)
    return can_manage(account, card) or holds(session, account, card)
