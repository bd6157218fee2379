"""Issuing cards when a card application is finally approved, and the validity they get.

The main card takes its tier from the approved program, as the case's jurisdiction declares its
cards (``cards`` in its ``jurisdiction.yaml``), and its service items from the policy library
(services.yaml, each quoted and cited). For a tier that names a 副卡 program, the talent's 副卡
follow the calculator's answer for the approved profile snapshot (in Shijiazhuang: parents and
spouse of A-card talents and B-card doctors): one card each, naming the main card and ending
with it. A service item only some holders enjoy (the county card's 子女入学, by area and tier,
decision 0281) is listed only when that answer grants it to the holder. No seed states how long a
card is valid, so each tier's validity is an administrator parameter without a default; until it
is set, cards are issued without an end date and carry no QR (docs/decisions/0047-card-validity.md).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai import clock
from rencai.applications.models import Application
from rencai.audit.log import append as audit
from rencai.cards.lists import bump, new_status_index
from rencai.cards.models import Card, CardEvent, CardStatus, CardValidity
from rencai.cards.numbering import next_number
from rencai.cards.points import benefit_mask, main_tiers, plan_of, services_of, tier_label
from rencai.errors import Refusal
from rencai.notifications.outbox import notify
from rencai.policy.calculator import entitlements
from rencai.policy.contract.profile import parse_profile
from rencai.registry.models import TalentProfile

RELATION_LABELS = {"spouse": "配偶", "parent": "父母", "child": "子女"}


class CardError(Refusal):
    """A refused card step (Chinese message), e.g. wrong state, not allowed, no validity set."""


def _now() -> dt.datetime:
    return clock.now()


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def validity_months(session: Session, tier: str) -> int | None:
    setting = session.get(CardValidity, tier)
    return setting.months if setting else None


def record(session: Session, card: Card, action: str, actor: str, reason: str | None) -> None:
    moment = _now()
    session.add(CardEvent(card_id=card.id, action=action, actor=actor, reason=reason, at=moment))
    audit(
        session,
        actor,
        f"card.{action}",
        f"card:{card.number}",
        {"status": card.status, "reason": reason},
        at=moment,
    )


def _new_card(
    session: Session,
    jurisdiction: str,
    program: str,
    talent: TalentProfile,
    county: str,
    on: dt.date,
    main: Card | None = None,
    relation: str | None = None,
    holder_name: str | None = None,
    application: Application | None = None,
    granted: set[str] | None = None,
) -> Card:
    plan = plan_of(jurisdiction)
    found = plan.tier_of(program) if plan else None
    assert found is not None, f"{jurisdiction} issues no card for {program}"
    tier = found.letter
    services = services_of(jurisdiction, program, granted)
    if main is not None:
        valid_until = main.valid_until
    else:
        months = validity_months(session, tier)
        valid_until = add_months(on, months) if months else None
    card = Card(
        number=next_number(session, tier, county, on),
        program=program,
        tier=tier,
        main_card_id=main.id if main else None,
        talent_id=talent.id,
        relation=relation,
        holder_name=holder_name if main else talent.name,
        application_id=application.id if application else None,
        county=county,
        services=json.dumps(services, ensure_ascii=False),
        benefits=benefit_mask(jurisdiction, [s["id"] for s in services]),
        status=CardStatus.active.value,
        status_index=new_status_index(session),
        valid_from=on,
        valid_until=valid_until,
        issued_at=_now(),
    )
    session.add(card)
    session.flush()
    source = f"application:{application.id}" if application else None
    record(session, card, "issue", "system", source)
    return card


def on_approved(session: Session, application: Application) -> None:
    """Approval handler: issue the main card and its 副卡 for an approved card application."""
    plan = plan_of(application.jurisdiction)
    tier = plan.tier_of(application.program) if plan else None
    if tier is None or tier.follows_main:
        return
    if session.scalar(select(Card.id).where(Card.application_id == application.id)):
        return  # already issued for this case
    talent = session.get(TalentProfile, application.talent_id)
    assert talent is not None
    on = clock.office_date(application.decided_at or _now())
    jurisdiction = application.jurisdiction
    # the calculator's answer for the approved profile: the service items it grants this holder
    # (one source of truth for an item only some holders enjoy) and the 副卡 it grants
    result = entitlements(parse_profile(json.loads(application.profile_snapshot)), on)
    granted = {b["id"] for b in result["benefits"] if b.get("kind") == "service"}
    main = _new_card(
        session,
        jurisdiction,
        application.program,
        talent,
        application.county,
        on,
        application=application,
        granted=granted,
    )
    family: list[Card] = []
    if tier.family is not None:
        for entry in result["cards"]:
            if entry["id"] != tier.family:
                continue
            holder = entry.get("holder") or {}
            family.append(
                _new_card(
                    session,
                    jurisdiction,
                    tier.family,
                    talent,
                    application.county,
                    on,
                    main=main,
                    relation=holder.get("relation"),
                    holder_name=holder.get("name"),
                    application=application,
                )
            )
    bump(session, _now())
    names = "、".join(
        [f"{tier_label(main.tier)} {main.number}"]
        + [f"{tier_label(c.tier)} {c.number}" for c in family]
    )
    note = "" if main.valid_until else "有效期待主管部门明确，明确后即可出示二维码。"
    notify(
        session,
        talent.account_id,
        "人才绿卡已发放",
        f"您的人才绿卡已发放：{names}。{note}",
        link="/cards",
    )


def set_validity(session: Session, actor: str, tier: str, months: int, source: str) -> int:
    """Set a tier's validity; cards of the tier still waiting for an end date get one now.
    Returns how many cards were given their end date."""
    tiers = main_tiers()
    if tier not in tiers:
        known = "、".join(f"{letter}（{label}）" for letter, label in tiers.items())
        raise CardError("tier", f"卡别应为 {known} 之一；副卡随主卡", "bad_tier")
    if not 1 <= months <= 240:
        raise CardError("months", "有效期应为 1 至 240 个月", "bad_months")
    if not source.strip():
        raise CardError("source", "请填写依据（文件或会议纪要）", "source_required")
    session.merge(
        CardValidity(tier=tier, months=months, source=source, set_by=actor, set_at=_now())
    )
    waiting = list(
        session.scalars(select(Card).where(Card.tier == tier, Card.valid_until.is_(None)))
    )
    for card in waiting:
        card.valid_until = add_months(card.valid_from, months)
        for child in session.scalars(select(Card).where(Card.main_card_id == card.id)):
            child.valid_until = card.valid_until
        record(session, card, "validity", actor, f"{months}个月：{source}")
    audit(session, actor, "card.validity_set", f"tier:{tier}", {"months": months, "source": source})
    session.flush()
    return len(waiting)


def validity_settings(session: Session) -> list[dict[str, Any]]:
    """Each tier's validity, flagged when the administrator has not set it."""
    rows = []
    for tier, label in main_tiers().items():
        setting = session.get(CardValidity, tier)
        rows.append(
            {
                "tier": tier,
                "label": label,
                "months": setting.months if setting else None,
                "source": setting.source if setting else None,
                "awaiting_administrator": setting is None,
            }
        )
    return rows
