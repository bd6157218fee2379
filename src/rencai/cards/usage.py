"""Service points, verification events, usage statistics and the abuse flag.

Each verifier logs every check (card, point, time, verdict, offline or not). Online checks are
recorded as they happen; offline verifiers upload their log in batches, idempotently (each event
carries the verifier's own id). A card accepted at two different points of the same kind within a
few minutes is flagged for review (docs/decisions/0052-usage-and-abuse.md); it is never blocked
automatically.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    DateTime,
    Integer,
    String,
    and_,
    case,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session

from rencai import clock
from rencai.audit.log import append as audit
from rencai.cards.issuance import CardError
from rencai.cards.keys import KeyStore
from rencai.cards.lists import BUNDLES
from rencai.cards.models import CardListState, CardUse, ServicePoint
from rencai.cards.numbering import is_valid
from rencai.cards.points import POINT_LABELS
from rencai.cards.verify import MESSAGES, Verdict, verify
from rencai.policy.contract.vocabulary import vocabulary
from rencai.registry.accounts import create_account, token_digest
from rencai.registry.models import Account, Role, Token
from rencai.settings import settings

ABUSE_WINDOW = dt.timedelta(minutes=5)
CHINA = clock.OFFICE_ZONE
MAX_BATCH = 1000


def _now() -> dt.datetime:
    return clock.now()


def register_point(
    session: Session,
    code: str,
    name: str,
    kind: str,
    username: str,
    password: str,
    county: str | None = None,
    *,
    actor: str = "system",
    must_change_password: bool = False,
) -> ServicePoint:
    """A service point with its own account (role 服务网点) for the verify API and uploads;
    ``actor`` is the administrator who opened it (the demo loader: ``system``)."""
    code, name = code.strip(), name.strip()
    if not code or len(code) > 32:
        raise CardError("point_code", "请填写网点编号（不超过32个字符）", "bad_point_code")
    if not name or len(name) > 100:
        raise CardError("display_name", "请填写网点名称（不超过100个字符）", "bad_point_name")
    if kind not in POINT_LABELS:
        raise CardError("point_kind", "网点类型应为公交、地铁、景区、医院或银行", "bad_kind")
    if county is not None and county not in vocabulary().counties:
        raise CardError("county", "未知的县（市、区）代码", "bad_county")
    if session.scalar(select(ServicePoint.id).where(ServicePoint.code == code)):
        raise CardError("point_code", "网点编号已存在", "duplicate_point")
    account = create_account(session, username, password, name, Role.service_point, county=county)
    account.must_change_password = must_change_password
    point = ServicePoint(code=code, name=name, kind=kind, county=county, account_id=account.id)
    session.add(point)
    session.flush()
    audit(
        session,
        actor,
        "card.point_registered",
        f"point:{code}",
        {"kind": kind, "account": account.id},
    )
    return point


def point_of(session: Session, account: Account) -> ServicePoint | None:
    return session.scalar(
        select(ServicePoint).where(ServicePoint.account_id == account.id, ServicePoint.active)
    )


class RateLimiter:
    """A token bucket per service-point account, kept in the database so that every serving
    process and machine draws on the same bucket (decision 0169). Without a rate, the rate is
    the setting RENCAI_VERIFY_RATE (burst: twice that), read at the first request.

    One statement refills, takes a token if there is one, and records the verdict, in the
    check's own transaction (no round trip more): the bucket's row lock then holds one point's
    checks in turn, never another point's. A refused check's transaction is rolled back, so it
    neither takes a token nor records anything. Time is the wall clock, not the office clock: a
    drill's fixed office clock must not freeze the refill."""

    def __init__(self, rate: float | None = None, burst: float | None = None):
        self._rate, self._burst = rate, burst

    @property
    def rate(self) -> float:
        if self._rate is None:
            self._rate = settings().verify_rate
        return self._rate

    @rate.setter
    def rate(self, value: float) -> None:
        self._rate = value

    @property
    def burst(self) -> float:
        if self._burst is None:
            self._burst = 2 * self.rate
        return self._burst

    @burst.setter
    def burst(self, value: float) -> None:
        self._burst = value

    def allow(self, session: Session, key: int) -> bool:
        """Take one token from ``key``'s bucket if it has one."""
        postgres = session.get_bind().dialect.name == "postgresql"
        least = "LEAST" if postgres else "MIN"
        refill = (
            f"{least}(:burst, verify_buckets.tokens + :rate * (:now - verify_buckets.refilled_at))"
        )
        allowed = session.execute(
            text(
                "INSERT INTO verify_buckets (account_id, tokens, refilled_at, allowed)"
                " VALUES (:key, :burst - 1, :now, true)"
                " ON CONFLICT (account_id) DO UPDATE SET"
                f" tokens = CASE WHEN {refill} >= 1 THEN {refill} - 1 ELSE {refill} END,"
                f" allowed = {refill} >= 1,"
                " refilled_at = :now"
                " RETURNING allowed"
            ),
            {"key": key, "burst": float(self.burst), "rate": float(self.rate), "now": time.time()},
        ).scalar_one()
        return bool(allowed)


VERIFY_LIMITER = RateLimiter()  # the settings are read at the first verification, not on import


def _flag(session: Session, use: CardUse) -> None:
    """Flag this use when the same card was accepted at another point of the same kind within
    the window (before or after: uploads arrive out of order). Only the new row is written, so
    busy gates never wait on each other's row locks; of each pair at least the later-recorded use
    carries the flag, and the office's list shows both points."""
    if use.verdict != "valid" or use.card_number is None:
        return
    if session.scalar(select(elsewhere(use.card_number, use.point_kind, use.point_id, use.at))):
        use.flag = "two_points"


def elsewhere(number: str, kind: str, point_id: int, at: dt.datetime) -> ColumnElement[bool]:
    """Whether the card was accepted at another point of this kind within the window around
    ``at``: two range reads of the index on (card, kind, point, at), the points below this one
    and those above it, each ending at its first find (decision 0252). A card checked again and
    again at one point, or other cards of the kind, are not read at all."""
    common = (
        CardUse.card_number == number,
        CardUse.point_kind == kind,
        CardUse.verdict == "valid",
        CardUse.at > at - ABUSE_WINDOW,
        CardUse.at < at + ABUSE_WINDOW,
    )
    return or_(
        exists().where(*common, CardUse.point_id < point_id),
        exists().where(*common, CardUse.point_id > point_id),
    )


def record_use(
    session: Session,
    point: ServicePoint,
    card_number: str | None,
    verdict: str,
    at: dt.datetime,
    offline: bool,
    event_id: str | None = None,
) -> CardUse | None:
    """Store one event; None if this event id was already stored (a repeated upload)."""
    if event_id is None:  # recorded online: a fresh id, no twin to look for
        event_id = uuid.uuid4().hex
    elif session.scalar(select(CardUse.id).where(CardUse.event_id == event_id)):
        return None
    use = CardUse(
        event_id=event_id,
        card_number=card_number,
        point_id=point.id,
        point_kind=point.kind,
        at=at,
        verdict=verdict,
        offline=offline,
        uploaded_at=_now(),
    )
    session.add(use)
    session.flush()
    _flag(session, use)
    return use


@dataclass(frozen=True)
class Gate:
    """Who presents codes online, read in one query: the token's account, the service point it
    belongs to (None if it is not a point's account) and the status lists' version."""

    account_id: int
    point_id: int | None
    point_code: str
    point_name: str
    point_kind: str
    list_version: int


def gate_of(session: Session, raw_token: str, now: dt.datetime) -> Gate | None:
    """The caller of the online check, or None if the token is unknown, revoked or expired or
    its account inactive (the same rules as ``resolve_token``, in one round trip)."""
    version = select(CardListState.version).where(CardListState.id == 1).scalar_subquery()
    row = session.execute(
        select(
            Token.account_id,
            Token.revoked,
            Token.expires_at,
            Account.active,
            Account.must_change_password,
            ServicePoint.id,
            ServicePoint.code,
            ServicePoint.name,
            ServicePoint.kind,
            version,
        )
        .join(Account, Account.id == Token.account_id)
        .outerjoin(ServicePoint, and_(ServicePoint.account_id == Account.id, ServicePoint.active))
        .where(Token.token_hash == token_digest(raw_token))
    ).first()
    if row is None:
        return None
    (account_id, revoked, expires_at, active, must_change) = row[:5]
    point_id, code, name, kind, list_version = row[5:]
    if expires_at is not None and expires_at.tzinfo is None:  # SQLite: naive, stored as UTC
        expires_at = expires_at.replace(tzinfo=dt.UTC)
    if revoked or not active or must_change or expires_at is None or expires_at <= now:
        return None
    return Gate(account_id, point_id, code or "", name or "", kind or "", list_version or 0)


def _record_online(
    session: Session,
    gate: Gate,
    card_number: str | None,
    verdict: str,
    at: dt.datetime,
    event_id: str | None,
) -> bool:
    """One INSERT … SELECT: the use with its abuse flag (see ``_flag``) computed by the database,
    and nothing stored when a retry repeats an event id. True if a row was stored."""
    fresh = event_id is None
    event_id = event_id or uuid.uuid4().hex
    flag: Any = literal(None, String)
    if verdict == "valid" and card_number is not None and gate.point_id is not None:
        near = elsewhere(card_number, gate.point_kind, gate.point_id, at)
        flag = case((near, literal("two_points", String)), else_=literal(None, String))
    row = select(
        literal(event_id, String),
        literal(card_number, String),
        literal(gate.point_id, Integer),
        literal(gate.point_kind, String),
        literal(at, DateTime(timezone=True)),
        literal(verdict, String),
        literal(False, Boolean),
        literal(_now(), DateTime(timezone=True)),
        flag,
    )
    if not fresh:  # a gate's retry: checked again, recorded once
        row = row.where(~exists().where(CardUse.event_id == event_id))
    columns = [
        "event_id",
        "card_number",
        "point_id",
        "point_kind",
        "at",
        "verdict",
        "offline",
        "uploaded_at",
        "flag",
    ]
    stored = insert(CardUse).from_select(columns, row).returning(CardUse.id)
    return session.execute(stored).first() is not None


def verify_online(
    session: Session,
    gate: Gate,
    code: str,
    store: KeyStore,
    now: dt.datetime,
    event_id: str | None = None,
) -> tuple[Verdict, bool]:
    """Check a code against the live lists and record the use at the gate's point (a retry with
    the same event id is checked again but recorded once). The bundle comes from memory for the
    list version the gate's query read; the use is one statement."""
    _, bundle = BUNDLES.get(session, store, now, gate.list_version)
    verdict = verify(code, bundle, now, gate.point_kind)
    number = verdict.claims.number if verdict.claims else None
    return verdict, _record_online(session, gate, number, verdict.code, now, event_id)


def upload(session: Session, point: ServicePoint, events: list[dict[str, Any]]) -> dict[str, Any]:
    """A batch from an offline verifier. Every event is checked first; a bad one refuses the
    whole batch (with its position) and stores nothing."""
    if len(events) > MAX_BATCH:
        raise CardError("events", f"每批最多上传 {MAX_BATCH} 条记录", "batch_too_large")
    now = _now()
    parsed = []
    for i, event in enumerate(events):
        try:
            at = dt.datetime.fromisoformat(str(event["at"]))
            verdict = str(event["verdict"])
            event_id = str(event["event_id"])
            number = event.get("card_number")
        except (KeyError, ValueError):
            raise CardError(f"events[{i}]", "记录缺少时间、结论或编号", "bad_event") from None
        if at.tzinfo is None:
            raise CardError(f"events[{i}].at", "时间须带时区", "bad_event")
        if at > now + dt.timedelta(minutes=5):
            raise CardError(f"events[{i}].at", "记录时间晚于当前时间", "future_event")
        if verdict not in MESSAGES:
            raise CardError(f"events[{i}].verdict", "未知的核验结论", "bad_event")
        if number is not None and not is_valid(str(number)):
            raise CardError(f"events[{i}].card_number", "卡号格式或校验位错误", "bad_event")
        if not 8 <= len(event_id) <= 64:
            raise CardError(f"events[{i}].event_id", "记录编号应为 8 至 64 个字符", "bad_event")
        parsed.append((event_id, number, verdict, at))
    stored = 0
    for event_id, number, verdict, at in parsed:
        if record_use(session, point, number, verdict, at, offline=True, event_id=event_id):
            stored += 1
    return {"received": len(events), "stored": stored, "duplicates": len(events) - stored}


def _month(session: Session, column: Any) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m", column, "+8 hours")  # stored as UTC; months are Beijing
    return func.to_char(func.timezone("Asia/Shanghai", column), "YYYY-MM")


def statistics(session: Session) -> dict[str, Any]:
    """Accepted uses per service type, point and month; flagged uses listed for review."""
    month = _month(session, CardUse.at)
    rows = session.execute(
        select(
            CardUse.point_kind,
            ServicePoint.code,
            ServicePoint.name,
            month.label("month"),
            func.count().label("uses"),
            func.sum(case((CardUse.offline, 1), else_=0)).label("offline"),
        )
        .join(ServicePoint, ServicePoint.id == CardUse.point_id)
        .where(CardUse.verdict == "valid")
        .group_by(CardUse.point_kind, ServicePoint.code, ServicePoint.name, month)
        .order_by(month, CardUse.point_kind, ServicePoint.code)
    ).all()
    by_kind: dict[str, int] = {}
    for row in rows:
        by_kind[row.point_kind] = by_kind.get(row.point_kind, 0) + row.uses
    refused = dict(
        session.execute(
            select(CardUse.verdict, func.count())
            .where(CardUse.verdict != "valid")
            .group_by(CardUse.verdict)
        ).all()
    )
    flagged = []
    for use, name in session.execute(
        select(CardUse, ServicePoint.name)
        .join(ServicePoint, ServicePoint.id == CardUse.point_id)
        .where(CardUse.flag.is_not(None))
        .order_by(CardUse.card_number, CardUse.at)
        .limit(500)
    ).all():
        partners = session.scalars(
            select(ServicePoint.name)
            .join(CardUse, CardUse.point_id == ServicePoint.id)
            .where(
                CardUse.card_number == use.card_number,
                CardUse.point_kind == use.point_kind,
                CardUse.point_id != use.point_id,
                CardUse.verdict == "valid",
                CardUse.at > use.at - ABUSE_WINDOW,
                CardUse.at < use.at + ABUSE_WINDOW,
            )
            .distinct()
        ).all()
        flagged.append(
            {
                "card_number": use.card_number,
                "point_name": name,
                "at": china_time(use.at),
                "other_points": list(partners),
            }
        )
    return {
        "by_kind": [
            {"kind": k, "label": POINT_LABELS[k], "uses": v} for k, v in sorted(by_kind.items())
        ],
        "rows": [
            {
                "kind": r.point_kind,
                "label": POINT_LABELS.get(r.point_kind, r.point_kind),
                "point": r.code,
                "point_name": r.name,
                "month": r.month,
                "uses": r.uses,
                "offline": int(r.offline or 0),
            }
            for r in rows
        ],
        "refused": [{"verdict": k, "message": MESSAGES[k], "count": v} for k, v in refused.items()],
        "flagged": flagged,
    }


def china_time(moment: dt.datetime) -> str:
    """Office time for people to read."""
    return clock.display(moment)


def uses_of(session: Session, numbers: list[str], limit: int = 50) -> list[dict[str, Any]]:
    """Where these cards were used, newest first (for the holder's page)."""
    rows = session.execute(
        select(CardUse, ServicePoint.name)
        .join(ServicePoint, ServicePoint.id == CardUse.point_id)
        .where(CardUse.card_number.in_(numbers))
        .order_by(CardUse.at.desc())
        .limit(limit)
    ).all()
    return [
        {
            "card_number": use.card_number,
            "point_name": name,
            "kind": POINT_LABELS.get(use.point_kind, use.point_kind),
            "at": china_time(use.at),
            "verdict": use.verdict,
            "message": MESSAGES.get(use.verdict, use.verdict),
            "offline": use.offline,
        }
        for use, name in rows
    ]
