"""Card verification benchmarks.

1. Offline verifications per second on one core (the verifier's whole path: base45, CBOR, COSE,
   status lists, validity), beside a bare ECDSA P-256 verification of the same bytes (the floor).
2. The online verify endpoint (`POST /api/v1/cards/verify`, which also records the use) under an
   open-loop load generator on loopback at rising rates up to 2,000 requests/s: p50/p99 latency
   measured from each request's scheduled time (so a backlog counts), the rate achieved, errors.
   The app runs as its own process (`rencai serve`) on a throwaway PostgreSQL.

    python -m benchmarks.cards [--seconds 3] [--rates 100,250,500,1000,2000] [--verifications 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from rencai.cards.cose import decode_sign1
from rencai.cards.credential import MAIN_CARD, CardClaims, from_qr_text, sign_claims
from rencai.cards.keys import KeyStore
from rencai.cards.statuslist import LIST_SIZE, StatusBits
from rencai.cards.trust import TrustBundle, build_bundle
from rencai.cards.verify import verify

POINTS = 50  # service-point accounts the load is spread over
CARDS = 997  # cards presented (prime, so a card comes back at a different point)


def offline(count: int) -> None:
    store = KeyStore(Path(tempfile.mkdtemp(prefix="rencai-bench-keys-")))
    now = dt.datetime.now(dt.UTC)
    t = int(now.timestamp())
    kid, signer = store.signer(now)
    codes = [
        sign_claims(
            signer,
            kid,
            CardClaims(
                f"B26130102{i:05d}0",
                "B",
                MAIN_CARD,
                "130102",
                7,
                i * 37 % LIST_SIZE,
                t - 60,
                t + 86400,
                None,
                t,
            ),
        )
        for i in range(count)
    ]
    revoked = StatusBits()
    for i in range(0, LIST_SIZE, 97):  # about 10,800 revoked cards in the list
        revoked.set(i)
    bundle = TrustBundle.load(
        build_bundle(store, 1, revoked, StatusBits(), now, {}), store.root_public()
    )
    start = time.perf_counter()
    verdicts = [verify(c, bundle, now, "bus").code for c in codes]
    full = time.perf_counter() - start
    # the floor: ECDSA alone on the same signed bytes
    cert = next(iter(bundle.keys.values()))
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), cert.public)
    envelopes = [decode_sign1(from_qr_text(c)) for c in codes]
    prepared = [
        (
            encode_dss_signature(
                int.from_bytes(e.signature[:32], "big"), int.from_bytes(e.signature[32:], "big")
            ),
            e.to_be_signed(),
        )
        for e in envelopes
    ]
    start = time.perf_counter()
    for signature, data in prepared:
        public.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    bare = time.perf_counter() - start
    accepted = verdicts.count("valid")
    print(
        f"offline verification, one core, {count} distinct cards ({accepted} valid, "
        f"{count - accepted} revoked)"
    )
    print(
        f"  full verifier      {count / full:8.0f} verifications/s"
        f"  ({full / count * 1e6:6.1f} µs each)"
    )
    print(
        f"  bare ECDSA P-256   {count / bare:8.0f} verifications/s"
        f"  ({bare / count * 1e6:6.1f} µs each)"
    )
    print(f"  ratio full / bare time: {full / bare:.2f}")


class Connection:
    """One keep-alive HTTP/1.1 connection: light enough that the load generator is not the
    bottleneck on the same machine (httpx costs several times more CPU per request)."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()

    async def send(self, method: str, path: str, body: bytes, token: str) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        self.writer.write(head + body)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await self.reader.readexactly(length)
        return int(status_line.split()[1])


async def load(
    port: int,
    tokens: list[str],
    codes: list[str],
    rate: int,
    seconds: float,
    route: tuple[str, str] = ("POST", "/api/v1/cards/verify"),
) -> float:
    """Offer ``rate`` requests/s for ``seconds``; print the figures, return the rate achieved."""
    total = int(rate * seconds)
    queue: asyncio.Queue[tuple[int, float]] = asyncio.Queue()
    latencies: list[float] = []
    errors = 0
    bodies = [json.dumps({"code": code}).encode() for code in codes]

    async def worker() -> None:
        nonlocal errors
        connection = Connection("127.0.0.1", port)
        while True:
            i, scheduled = await queue.get()
            try:
                reply = connection.send(*route, bodies[i % len(bodies)], tokens[i % len(tokens)])
                errors += await asyncio.wait_for(reply, 30) != 200
            except Exception:  # a timeout or a dropped connection counts as an error
                errors += 1
                connection.close()
                connection = Connection("127.0.0.1", port)
            latencies.append(time.perf_counter() - scheduled)
            queue.task_done()

    workers = [asyncio.create_task(worker()) for _ in range(min(256, max(16, rate // 4)))]
    began = time.perf_counter()
    for i in range(total):  # open loop: requests are due at fixed times whatever the replies
        due = began + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((i, due))
    await queue.join()
    elapsed = time.perf_counter() - began
    for task in workers:
        task.cancel()
    ordered = sorted(latencies)
    p99 = ordered[int(0.99 * (len(ordered) - 1))]
    print(
        f"  offered {rate:5d} req/s  achieved {total / elapsed:6.0f} req/s"
        f"  p50 {statistics.median(ordered) * 1e3:8.1f} ms  p99 {p99 * 1e3:8.1f} ms"
        f"  errors {errors}"
    )
    return total / elapsed


def online(rates: list[int], seconds: float) -> None:
    from tests.support import free_port, postgres_cluster

    from rencai import settings, wiring
    from rencai.applications.service import apply, decide
    from rencai.cards.issuance import set_validity
    from rencai.cards.models import Card
    from rencai.cards.presentation import static_code
    from rencai.cards.usage import register_point
    from rencai.db.session import session_scope, upgrade
    from rencai.registry.accounts import create_account, register_talent
    from rencai.registry.identifiers import id_check_character
    from rencai.registry.models import Role

    keys = tempfile.mkdtemp(prefix="rencai-bench-keys-")
    os.environ["RENCAI_CARD_KEYS"] = keys
    settings.reset()  # read again with the benchmark's key folder
    wiring.wire()  # approvals below issue the cards
    profile = {
        "jurisdiction": "shijiazhuang",
        "person": {
            "birth_date": "1994-03-02",
            "education": [
                {"degree": "doctorate", "full_time": True, "graduation_date": "2024-06-30"}
            ],
        },
        "employment": {
            "employer_type": "enterprise",
            "county": "130102",
            "introduced_from": "outside_city",
            "start_date": "2024-07-01",
            "social_insurance_local": True,
        },
        "family": [],
    }
    with postgres_cluster() as url:
        upgrade(url)
        with session_scope(url) as s:
            first17 = "13010219940302001"
            talent = register_talent(
                s,
                "bench_holder",
                "secret123",
                "压测",
                first17 + id_check_character(first17),
                profile,
            )
            county = create_account(
                s, "bench_ca", "secret123", "长安区", Role.county_reviewer, county="130102"
            )
            city = create_account(s, "bench_city", "secret123", "市委人才办", Role.city_reviewer)
            set_validity(s, "bench", "B", 36, "压测")
            case = apply(s, talent, "card.b", uuid.uuid4().hex)
            decide(s, county, case, "approve", None, case.version)
            decide(s, city, case, "approve", None, case.version)
            card = s.query(Card).filter(Card.application_id == case.id).one()
            now = dt.datetime.now(dt.UTC)
            code = static_code(s, card, KeyStore(), now)
            # more cards, signed by the same issuing key, so uses spread as in a city
            kid, signer = KeyStore().signer(now)
            t = int(now.timestamp())
            codes = [code] + [
                sign_claims(
                    signer,
                    kid,
                    CardClaims(
                        f"B26130102{i:05d}0",
                        "B",
                        MAIN_CARD,
                        "130102",
                        7,
                        100 + i,
                        t - 60,
                        t + 86400,
                        None,
                        t,
                    ),
                )
                for i in range(1, CARDS)
            ]
            for i in range(POINTS):
                register_point(s, f"P{i:03d}", f"公交{i}路", "bus", f"bench_point{i}", "secret123")
        port = free_port()
        # per-point limit raised so that the rates below measure the server, not the limiter
        env = {**os.environ, "RENCAI_DATABASE_URL": url, "RENCAI_VERIFY_RATE": "1000"}
        log = open(os.environ.get("RENCAI_BENCH_LOG", os.devnull), "w")  # noqa: SIM115
        server = subprocess.Popen(
            [sys.executable, "-m", "rencai", "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=log,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            tokens = [
                httpx.post(
                    base + "/api/v1/tokens",
                    json={"username": f"bench_point{i}", "password": "secret123"},
                ).json()["token"]
                for i in range(POINTS)
            ]
            warm = httpx.post(
                base + "/api/v1/cards/verify",
                json={"code": code},
                headers={"Authorization": f"Bearer {tokens[0]}"},
            )
            assert warm.json()["verdict"] == "valid", warm.text
            print(
                f"online POST /api/v1/cards/verify (verify + record the use), {CARDS} cards, "
                f"{POINTS} point accounts, PostgreSQL, {seconds:g} s per rate, one server "
                f"process, {os.cpu_count()} cores shared with the load generator"
            )
            achieved = [asyncio.run(load(port, tokens, codes, rate, seconds)) for rate in rates]
            # the same server and generator on a route without database or crypto: the ceiling
            # of this machine at this moment, so runs on a busy machine compare by ratio
            print("  baseline GET /healthz (no database), same load generator:")
            ceiling = asyncio.run(
                load(port, tokens, codes, max(rates), seconds, ("GET", "/healthz"))
            )
            print(f"  best verify rate / healthz rate: {max(achieved) / ceiling:.2f}")
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cards")
    parser.add_argument("--verifications", type=int, default=3000)
    parser.add_argument("--rates", default="100,250,500,1000,2000")
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    offline(args.verifications)
    online([int(r) for r in args.rates.split(",")], args.seconds)


if __name__ == "__main__":
    main()
