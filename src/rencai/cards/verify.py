"""Offline verification: a QR text + a trust bundle + the clock → a verdict in Chinese.

Every input gets a verdict and nothing raises: garbage, a truncated code, a forged signature, an
edited payload, an unknown or retired key, a revoked or suspended card, an expired card or an
expired dynamic window. The checks run in the order a gate needs them: can I read it, who signed
it, is the signature good, is my list fresh enough, is the card still in force, and what does it
grant at this kind of point.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from rencai.cards.cose import CoseError, decode_sign1
from rencai.cards.credential import CardClaims, CredentialError, from_qr_text
from rencai.cards.points import POINT_LABELS, PointKind
from rencai.cards.trust import TrustBundle

MAX_TEXT = 2048  # a version-10 QR holds far less; anything longer is not one of ours
CLOCK_SKEW = 30  # seconds of disagreement tolerated between the phone and the gate

MESSAGES = {
    "valid": "有效",
    "expired": "已过有效期",
    "not_yet_valid": "尚未生效",
    "window_expired": "动态码已失效（请在手机上刷新后重新出示）",
    "revoked": "已注销",
    "suspended": "已暂停使用",
    "forged": "签名无效：伪造或被篡改的二维码",
    "unknown_key": "签发密钥未知或已停用",
    "malformed": "无法识别的二维码（不完整或不是人才绿卡）",
    "stale_bundle": "本机核验数据已过期，请联网更新后再核验",
    "not_entitled": "有效，但本卡在此类网点不享受服务",
    "no_code": "图片中没有找到二维码",
    "image_too_large": "图片过大，无法核验",
}


@dataclass
class Verdict:
    code: str
    claims: CardClaims | None = None
    grants: list[str] = field(default_factory=list)
    stale: bool = False  # the bundle was older than allowed and the point lets riders on
    detail: str = ""

    @property
    def accepted(self) -> bool:
        return self.code == "valid"

    @property
    def message(self) -> str:
        text = MESSAGES[self.code]
        if self.stale and self.accepted:
            text += "（核验数据已过期：已放行并记录，请尽快联网更新）"
        return text

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "verdict": self.code,
            "accepted": self.accepted,
            "message": self.message,
            "grants": self.grants,
            "stale_bundle": self.stale,
        }
        if self.claims is not None:
            c = self.claims
            data["card"] = {
                "number": c.number,
                "tier": c.tier,
                "kind": "family" if c.kind else "main",
                "county": c.county,
                "main_number": c.main_number,
                "valid_from": dt.datetime.fromtimestamp(c.valid_from, dt.UTC).isoformat(),
                "valid_until": dt.datetime.fromtimestamp(c.valid_until, dt.UTC).isoformat(),
                "dynamic": c.dynamic,
            }
        return data


def verify(
    text: str,
    bundle: TrustBundle,
    now: dt.datetime,
    point_kind: str | None = None,
) -> Verdict:
    if len(text) > MAX_TEXT:
        return Verdict("malformed", detail="too long")
    try:
        envelope = decode_sign1(from_qr_text(text))
    except (CredentialError, CoseError) as exc:
        return Verdict("malformed", detail=str(exc))
    cert = bundle.keys.get(envelope.kid)
    moment = int(now.timestamp())
    if cert is None or moment >= cert.verify_until:
        return Verdict("unknown_key")
    if envelope.alg != cert.alg or not envelope.verify(cert.public):
        return Verdict("forged")
    try:
        claims = CardClaims.decode(envelope.payload)
    except CredentialError as exc:
        return Verdict("malformed", detail=str(exc))
    stale = False
    if point_kind is not None:
        rule = bundle.points.get(point_kind, {"max_age": 0, "stale": "refuse"})
        if moment - bundle.issued_at > rule["max_age"]:
            if rule["stale"] == "refuse":
                return Verdict("stale_bundle", claims)
            stale = True
    index = claims.status_index
    if not 0 <= index < bundle.revoked.size:
        return Verdict("malformed", claims, detail="status index outside the list")
    if bundle.revoked.get(index):
        return Verdict("revoked", claims, stale=stale)
    if bundle.suspended.get(index):
        return Verdict("suspended", claims, stale=stale)
    if moment < claims.valid_from - CLOCK_SKEW:
        return Verdict("not_yet_valid", claims, stale=stale)
    if moment >= claims.valid_until:
        return Verdict("expired", claims, stale=stale)
    if claims.window_end is not None and not (
        claims.issued_at - CLOCK_SKEW <= moment <= claims.window_end + CLOCK_SKEW
    ):
        return Verdict("window_expired", claims, stale=stale)
    if point_kind is None:
        return Verdict("valid", claims, stale=stale)
    if point_kind not in POINT_LABELS or not claims.benefits & PointKind[point_kind]:
        return Verdict("not_entitled", claims, stale=stale)
    grants = bundle.texts.get(claims.tier, {}).get(point_kind, [])
    return Verdict("valid", claims, grants=grants, stale=stale)
