"""The status lists and the trust bundle as the database says they are now.

Every change a verifier must learn of (suspend, resume, revoke, key rotation) raises the list
version; the bundle is rebuilt at most once per version and key set, then served from memory.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import threading
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai.cards.keys import KeyStore
from rencai.cards.models import Card, CardListState, CardStatus
from rencai.cards.statuslist import LIST_SIZE, StatusBits, random_index
from rencai.cards.trust import TrustBundle, build_bundle
from rencai.policy.contract.vocabulary import vocabulary

BUNDLE_REFRESH = 3600  # re-sign an unchanged bundle hourly so its age tells verifiers the truth


def list_version(session: Session) -> int:
    state = session.get(CardListState, 1)
    return state.version if state else 0


def bump(session: Session, now: dt.datetime) -> int:
    state = session.get(CardListState, 1, with_for_update=True)
    if state is None:
        state = CardListState(id=1, version=0, updated_at=now)
        session.add(state)
    state.version += 1
    state.updated_at = now
    session.flush()
    return state.version


def new_status_index(session: Session) -> int:
    taken = set(session.scalars(select(Card.status_index)))
    return random_index(taken, LIST_SIZE)


def status_bits(session: Session) -> tuple[StatusBits, StatusBits]:
    revoked, suspended = StatusBits(LIST_SIZE), StatusBits(LIST_SIZE)
    rows = session.execute(
        select(Card.status_index, Card.status).where(
            Card.status.in_([CardStatus.revoked.value, CardStatus.suspended.value])
        )
    )
    for index, status in rows:
        (revoked if status == CardStatus.revoked else suspended).set(index)
    return revoked, suspended


def county_names() -> dict[str, str]:
    return {c.code: c.name for c in vocabulary().counties.values()}


class BundleCache:
    """The current bundle per key directory (bytes for download, parsed for online checks)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[int, int, tuple[str, ...], bytes, TrustBundle]] = {}

    def get(
        self, session: Session, store: KeyStore, now: dt.datetime, version: int | None = None
    ) -> tuple[bytes, TrustBundle]:
        """The bundle for the list ``version`` (read from the database unless the caller has
        just read it in the same transaction)."""
        if version is None:
            version = list_version(session)
        moment = int(now.timestamp())
        key = _key(store)
        # a key made, installed or retired (also a rotation on first use) changes the listing
        listing = tuple(sorted(os.listdir(store.issuing))) if store.issuing.exists() else ()
        with self._lock:
            entry = self._entries.get(key)
            if (
                entry
                and entry[0] == version
                and entry[2] == listing
                and 0 <= moment - entry[1] < BUNDLE_REFRESH
            ):
                return entry[3], entry[4]
        revoked, suspended = status_bits(session)
        raw = build_bundle(store, version, revoked, suspended, now, county_names())
        parsed = TrustBundle.load(raw, store.root_public())
        listing = tuple(sorted(os.listdir(store.issuing)))
        with self._lock:
            self._entries[key] = (version, moment, listing, raw, parsed)
        return raw, parsed

    def current(self, store: KeyStore, now: dt.datetime) -> tuple[int, TrustBundle] | None:
        """The bundle this process built last for ``store`` and the list version it is for,
        while it is fresh — without reading the database or the key folder (the online check's
        fast path, which confirms the version in its one statement and falls back to ``get``
        for anything but a valid card)."""
        moment = int(now.timestamp())
        with self._lock:
            entry = self._entries.get(_key(store))
        if entry is None or not 0 <= moment - entry[1] < BUNDLE_REFRESH:
            return None
        return entry[0], entry[4]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


@functools.cache
def _resolved(directory: Path) -> str:
    return str(directory.resolve())


def _key(store: KeyStore) -> str:
    """The store's folder, resolved (once per absolute folder: no system calls per check)."""
    directory = store.directory
    return _resolved(directory) if directory.is_absolute() else str(directory.resolve())


BUNDLES = BundleCache()
