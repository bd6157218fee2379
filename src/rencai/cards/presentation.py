"""What the holder shows: the signed QR (static for print, dynamic in the app) and its images.

The printed card carries a static QR (checked against the status list). The app shows a dynamic
presentation: the same claims with a 60-second window, signed by the issuer; the app fetches the
next few windows at once so a short loss of signal does not blank the code, and a screenshot is
refused once its window has passed (docs/decisions/0050-dynamic-qr.md).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import segno
from fpdf import FPDF
from sqlalchemy.orm import Session

from rencai import clock
from rencai.cards.credential import FAMILY_CARD, MAIN_CARD, CardClaims, sign_claims
from rencai.cards.issuance import CardError
from rencai.cards.keys import KeyStore
from rencai.cards.models import STATUS_LABELS, Card, CardStatus
from rencai.cards.points import tier_label, title_of
from rencai.printing import NO_FONT, cjk_font

CHINA = clock.OFFICE_ZONE
WINDOW = 60  # seconds a dynamic code is shown for
PREFETCH = 10  # windows handed to the app at once
QR_ERROR = "m"  # 15 % error correction: a phone screen or a worn print still scans


def day_start(day: dt.date) -> int:
    """A date's first second in China, as epoch seconds (validity dates are Chinese dates)."""
    return int(dt.datetime.combine(day, dt.time(), CHINA).timestamp())


def claims_of(
    session: Session, card: Card, issued_at: int, window_end: int | None = None
) -> CardClaims:
    if card.status != CardStatus.active:
        raise CardError(
            "status", f"该卡{STATUS_LABELS[CardStatus(card.status)]}，不能出示", "inactive"
        )
    if card.valid_until is None:
        raise CardError("validity", "有效期待主管部门明确，暂不能出示二维码", "no_validity")
    main_number = None
    if card.main_card_id is not None:
        main = session.get(Card, card.main_card_id)
        main_number = main.number if main else None
    return CardClaims(
        number=card.number,
        tier=card.tier,
        kind=FAMILY_CARD if card.main_card_id else MAIN_CARD,
        county=card.county,
        benefits=card.benefits,
        status_index=card.status_index,
        valid_from=day_start(card.valid_from),
        valid_until=day_start(card.valid_until),
        main_number=main_number,
        issued_at=issued_at,
        window_end=window_end,
    )


def static_code(session: Session, card: Card, store: KeyStore, now: dt.datetime) -> str:
    kid, signer = store.signer(now)
    return sign_claims(signer, kid, claims_of(session, card, int(now.timestamp())))


def dynamic_codes(
    session: Session, card: Card, store: KeyStore, now: dt.datetime, count: int = PREFETCH
) -> list[dict[str, int | str]]:
    """The codes for the current window and the next ones: [{from, until, code}]."""
    kid, signer = store.signer(now)
    start = int(now.timestamp()) // WINDOW * WINDOW
    codes: list[dict[str, int | str]] = []
    for i in range(count):
        begin = start + i * WINDOW
        claims = claims_of(session, card, begin, begin + WINDOW)
        codes.append(
            {"from": begin, "until": begin + WINDOW, "code": sign_claims(signer, kid, claims)}
        )
    return codes


def qr(text: str) -> segno.QRCode:
    return segno.make(text, error=QR_ERROR, micro=False, boost_error=False)


def png(text: str, scale: int = 6) -> bytes:
    out = io.BytesIO()
    qr(text).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def svg(text: str, scale: int = 6) -> bytes:
    out = io.BytesIO()
    qr(text).save(out, kind="svg", scale=scale, border=4, xmldecl=True)
    return out.getvalue()


def _font() -> Path:
    found = cjk_font()
    if found is None:
        raise CardError("font", NO_FONT, "no_font")
    return found


def pdf(session: Session, card: Card, holder: str, code: str, photo: bytes) -> bytes:
    """A printable card (ISO/IEC 7810 ID-1, 85.6 × 54 mm): the holder's photo beside the static
    QR, so that whoever checks the printed code can compare it with the person."""
    doc = FPDF(orientation="L", unit="mm", format=(54, 85.6))
    doc.set_auto_page_break(False)
    doc.add_page()
    doc.add_font("cjk", fname=str(_font()))
    doc.set_fill_color(0, 102, 68)
    doc.rect(0, 0, 85.6, 11, style="F")
    doc.set_text_color(255, 255, 255)
    doc.set_font("cjk", size=10)
    doc.set_xy(3, 2.5)
    doc.cell(60, 6, title_of(card.county))
    doc.set_font("cjk", size=8)
    doc.set_xy(60, 2.5)
    doc.cell(23, 6, tier_label(card.tier), align="R")
    doc.set_text_color(0, 0, 0)
    last_day = card.valid_until - dt.timedelta(days=1) if card.valid_until else None
    lines = [
        f"持卡人：{holder}",
        f"卡号：{card.number}",
        f"有效期：{card.valid_from.isoformat()} 至 "
        f"{last_day.isoformat() if last_day else '待设定'}",
    ]
    if card.main_card_id is not None:
        main = session.get(Card, card.main_card_id)
        lines.append(f"主卡：{main.number if main else ''}")
    services = "、".join(s["name"] for s in json.loads(card.services))
    doc.image(io.BytesIO(photo), x=3, y=13, w=15, h=20)
    doc.set_font("cjk", size=6.5)
    y = 14.0
    for line in lines:
        doc.set_xy(19, y)
        doc.cell(32, 4, line)
        y += 4.5
    doc.set_xy(3, max(y, 34.0) + 1)
    doc.multi_cell(47, 3, f"服务项目：{services}")
    image = io.BytesIO(png(code, scale=4))
    doc.image(image, x=52, y=13, w=31, h=31)
    doc.set_font("cjk", size=5)
    doc.set_xy(52, 45)
    doc.cell(31, 3, "扫码核验 · 以状态清单为准", align="C")
    return bytes(doc.output())
