"""What a service point sees of the holder: the masked name and the photo on file.

The QR carries no name and no photo (privacy, and the code must stay small enough to scan), so
an offline point knows only what the code and its trust bundle say: the card number, tier,
validity, status and what the card grants there. A point that must compare the card with the
person (a hospital, a bank, a scenic spot's ticket check) gets the holder's masked name and
photo from the online check; the printed card carries the same photo beside its static code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai import clock
from rencai.applications.materials import keep_bytes, stored_bytes
from rencai.cards.issuance import CardError
from rencai.cards.models import Card, CardUse
from rencai.cards.points import FACE_CHECK_KINDS
from rencai.registry.identifiers import mask_name
from rencai.registry.models import TalentProfile

MAX_PHOTO_BYTES = 2 * 1024 * 1024
PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
# How long after an accepted online check the point may still open the holder's photo.
PHOTO_WINDOW = dt.timedelta(minutes=10)


def photo_type(data: bytes) -> str | None:
    return next((t for sig, t in PHOTO_TYPES.items() if data.startswith(sig)), None)


def set_photo(card: Card, data: bytes) -> None:
    """Keep the holder's photo for this card (JPEG or PNG by its first bytes, 2 MB at most)."""
    if not data:
        raise CardError("photo", "照片为空，请重新选择", "empty_file")
    if len(data) > MAX_PHOTO_BYTES:
        raise CardError("photo", "照片超过2MB，请压缩后重新上传", "too_large")
    if photo_type(data) is None:
        raise CardError("photo", "照片只接受JPG或PNG格式", "bad_type")
    card.photo_sha256 = keep_bytes(data)


def photo_of(card: Card) -> tuple[bytes, str] | None:
    if not card.photo_sha256:
        return None
    data = stored_bytes(card.photo_sha256)
    if data is None:
        return None
    return data, photo_type(data) or "application/octet-stream"


def holder_name(session: Session, card: Card) -> str:
    if card.holder_name:
        return card.holder_name
    talent = session.get(TalentProfile, card.talent_id)
    return talent.name if talent else ""


def holder_for_point(
    session: Session, number: str, point_kind: str, dynamic: bool
) -> dict[str, Any] | None:
    """What the online check shows a point about the holder, or None where nothing is needed.

    Points of a kind that serves a person at a counter see the masked name and the photo; a
    static code (the printed card) shows the masked name at every point, since a printed code
    alone proves nothing about who holds it (the photo is printed beside it).
    """
    if point_kind not in FACE_CHECK_KINDS and dynamic:
        return None
    card = session.scalar(select(Card).where(Card.number == number))
    if card is None:
        return None
    return {
        "name": mask_name(holder_name(session, card)),
        "photo": f"/api/v1/cards/{card.number}/holder-photo"
        if card.photo_sha256 and point_kind in FACE_CHECK_KINDS
        else None,
        "compare": "请核对持卡人本人与照片、姓名是否一致",
    }


def point_may_see_photo(session: Session, point_id: int, kind: str, number: str) -> bool:
    """A point that compares faces sees a holder's photo only just after it accepted that card
    online."""
    if kind not in FACE_CHECK_KINDS:
        return False
    since = clock.now() - PHOTO_WINDOW
    use = session.scalar(
        select(CardUse.id)
        .where(
            CardUse.point_id == point_id,
            CardUse.card_number == number,
            CardUse.verdict == "valid",
            CardUse.offline.is_(False),
            CardUse.at >= since,
        )
        .limit(1)
    )
    return use is not None
