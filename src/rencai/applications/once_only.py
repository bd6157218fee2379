"""Once-only benefits: a one-off payment (``per="once"``) or a card reaches a person at most once.

The program catalogue says which programs are once-only: a money benefit declared ``per="once"``
and every card a person applies for (not the 副卡, issued with the main card). Two guards:

- at submission (``refuse_if_held``): a new case is refused while the person has an approved
  case for the benefit, or one still under way (review, correction, public notice); a rejected
  case does not count, so re-applying after a rejection is allowed;
- at the last approval (``grant``, called by ``publicity.enter_final``, which every approval
  path passes through): a row in ``once_only_grants`` whose unique (person, benefit) key makes
  the database refuse a second grant even if a duplicate case slipped past the first guard.

A grant taken when a case entered its public notice is released when that case is rejected (an
objection upheld): the next grant for the same benefit removes it first.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rencai.applications.errors import ApplicationError
from rencai.applications.models import Application, OnceOnlyGrant, Status
from rencai.clock import now


@dataclass(frozen=True)
class OnceOnly:
    name: str  # the benefit's Chinese name, e.g. 一次性安家补贴
    card: bool  # a card (申领) rather than a one-off payment (享受)


def once_only(jurisdiction: str, program: str) -> OnceOnly | None:
    """Whether the catalogue declares this program once-only, and its Chinese name."""
    from rencai.policy.cities import registry
    from rencai.policy.engine.system import system_for

    if jurisdiction not in registry():
        return None
    declared = system_for(jurisdiction).program
    for card in declared.cards:
        if card.id == program and not card.per_relative:
            return OnceOnly(card.name, True)
    for benefit in declared.benefits:
        if benefit.id == program and benefit.per == "once" and benefit.kind == "money":
            return OnceOnly(benefit.name, False)
    return None


def _held_text(kind: OnceOnly, case_id: int) -> str:
    verb = "申领过" if kind.card else "享受过"
    return f"您已{verb}{kind.name}（申请编号 {case_id}），每人限一次"


def holder(
    session: Session, talent_id: int, jurisdiction: str, program: str, exclude: int | None = None
) -> Application | None:
    """The person's approved case for the benefit, else one still under way; None if neither."""
    query = select(Application).where(
        Application.talent_id == talent_id,
        Application.jurisdiction == jurisdiction,
        Application.program == program,
        Application.status != Status.rejected.value,
    )
    if exclude is not None:
        query = query.where(Application.id != exclude)
    cases = list(session.scalars(query.order_by(Application.id)))
    approved = [c for c in cases if c.status == Status.approved]
    found = approved or cases
    return found[0] if found else None


def refuse_if_held(session: Session, talent_id: int, jurisdiction: str, program: str) -> None:
    """At submission: refuse a once-only benefit the person holds or has applied for."""
    kind = once_only(jurisdiction, program)
    if kind is None:
        return
    other = holder(session, talent_id, jurisdiction, program)
    if other is None:
        return
    if other.status == Status.approved:
        raise ApplicationError("program", _held_text(kind, other.id), "already_granted")
    raise ApplicationError(
        "program",
        f"您的{kind.name}申请（申请编号 {other.id}）正在办理中，每人限一次，请勿重复申请",
        "once_only_pending",
    )


def granted_elsewhere(session: Session, application: Application) -> OnceOnlyGrant | None:
    """Another live case's grant of the same benefit to the same person (None if none)."""
    return session.scalar(
        select(OnceOnlyGrant)
        .join(Application, Application.id == OnceOnlyGrant.application_id)
        .where(
            OnceOnlyGrant.talent_id == application.talent_id,
            OnceOnlyGrant.jurisdiction == application.jurisdiction,
            OnceOnlyGrant.program == application.program,
            OnceOnlyGrant.application_id != application.id,
            Application.status != Status.rejected.value,
        )
    )


def grant(session: Session, application: Application) -> None:
    """Take the person's once-only grant for this case, or refuse the approval (nothing else
    changes). Called before the case becomes approved or enters its public notice."""
    kind = once_only(application.jurisdiction, application.program)
    if kind is None:
        return
    other = granted_elsewhere(session, application)
    if other is not None:
        raise ApplicationError("program", _held_text(kind, other.application_id), "already_granted")
    if session.scalar(
        select(OnceOnlyGrant.id).where(OnceOnlyGrant.application_id == application.id)
    ):
        return  # this case already holds it
    rejected = select(Application.id).where(Application.status == Status.rejected.value)
    session.execute(
        delete(OnceOnlyGrant)
        .where(
            OnceOnlyGrant.talent_id == application.talent_id,
            OnceOnlyGrant.jurisdiction == application.jurisdiction,
            OnceOnlyGrant.program == application.program,
            OnceOnlyGrant.application_id.in_(rejected),
        )
        .execution_options(synchronize_session=False)
    )
    try:
        with session.begin_nested():  # a lost race must not spoil the caller's transaction
            session.add(
                OnceOnlyGrant(
                    talent_id=application.talent_id,
                    jurisdiction=application.jurisdiction,
                    program=application.program,
                    application_id=application.id,
                    granted_at=now(),
                )
            )
            session.flush()
    except IntegrityError:  # another transaction granted it meanwhile: that one stands
        winner = granted_elsewhere(session, application)
        raise ApplicationError(
            "program",
            _held_text(kind, winner.application_id if winner else 0),
            "already_granted",
        ) from None
