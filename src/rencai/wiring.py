"""Start-up wiring: the one place where capabilities further out register for the events of
the capabilities they depend on. Called by the web app factory, the command line and the test
setup, before anything can approve a case or revoke a card. Calling it again changes nothing.

- a case finally approved → the card issuer issues the card and its 副卡 (`cards.issuance`),
  and the payments capability creates the money benefit's schedule (`ledger.schedules`);
- a main card revoked → the payments capability stops the holder's schedules
  (`ledger.recovery.stop_for_revoked_card`);
- `rencai admin create-account --role service_point` → the cards capability opens the point
  with its account (`cards.usage.register_point`);
- a stored profile read for the calculator → the shortage catalogue supplies whether the talent's
  工种 is in the city's published 急需紧缺工种 list (`shortage.service.supply_occupation_fact`,
  decision 0186);
- 秒批 considering a case → the department feeds check its claims (`feed_checks` below): a
  flagged check sends the case to a person, exact matches join the explanation (decision 0121).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from rencai.applications.automatic import on_data_check
from rencai.applications.events import on_approved
from rencai.applications.models import Application
from rencai.cards import issuance
from rencai.cards.lifecycle import on_main_card_revoked
from rencai.cards.usage import register_point
from rencai.feeds.claims import claims_for, for_automatic, verify
from rencai.ledger import recovery, schedules
from rencai.registry.accounts import on_profile_facts
from rencai.registry.cli import on_open_service_point
from rencai.settings import settings
from rencai.shortage.service import supply_occupation_fact


def wire() -> None:
    """Read the settings (a bad one stops start-up, naming it) and register every consumer of
    every event (idempotent)."""
    settings()
    on_approved(issuance.on_approved)
    on_approved(schedules.on_approved)
    on_main_card_revoked(recovery.stop_for_revoked_card)
    on_open_service_point(register_point)
    on_data_check(feed_checks)
    on_profile_facts(supply_occupation_fact)


def feed_checks(session: Session, application: Application) -> dict[str, Any] | None:
    """The department feeds' answer to 秒批 for one case (feeds and applications are peers, so
    the two meet here)."""
    claims = claims_for(
        session,
        application.talent_id,
        application.jurisdiction,
        application.submitted_at,
        application.profile_snapshot,
        application.employer_id,
    )
    return for_automatic(verify(session, claims)) if claims is not None else None
