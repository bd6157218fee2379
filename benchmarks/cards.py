"""Card verification benchmarks.

1. Offline verifications per second on one core (the verifier's whole path: base45, CBOR, COSE,
   status lists, validity), beside a bare ECDSA P-256 verification of the same bytes (the floor).
2. The online verify endpoint (`POST /api/v1/cards/verify`, which also records the use) with a
   native load generator (`hey`, pinned to its own core: benchmarks.native): its capacity beside
   /healthz measured the same way, then twice that capacity offered — the admitted checks'
   p50/p99 and the refused ones' (503 busy). The app runs as its own processes
   (`rencai serve --workers N`) on a throwaway PostgreSQL. The same figures follow through nginx
   with docs/deploy/nginx.conf (its cap on checks in flight: decision 0275), with who refused.
   The cap is sized by the documented rule: slots × RENCAI_BENCH_EDGE_FACTOR (default 2) × the
   app processes' cores, at most one a process, RENCAI_BENCH_APP_CORES (default: the machine's
   cores but the generator's; decision 0380). RENCAI_BENCH_EDGE_CPUS (default: core 0, the
   app's) sets where nginx runs, RENCAI_BENCH_EDGE_PRIORITY its worker_priority
   (default: docs/deploy/nginx-main.conf's), RENCAI_BENCH_GENERATOR_NICE the generator's nice
   value (default -10, the edge's: decision 0311). Each overload also prints how long each part
   (nginx, the app, PostgreSQL, the generator) waited for a core meanwhile, and through nginx
   how fast a static file nginx serves by itself was answered meanwhile (decision 0312).
   The overload runs RENCAI_BENCH_WARMUP seconds (default 2) before the measured window, while
   the generator opens its connections (decision 0343); its refusals are also shown on kept
   connections alone and with the opening included, and through nginx by the connection's
   request number in nginx's access log (decisions 0326, 0327). RENCAI_BENCH_STREAMS (default
   16) sets how many `hey` runs offer it. Several workers listen each on a port of its own as
   well, and nginx has one upstream line per worker (docs/deploy.md, decision 0349);
   RENCAI_BENCH_WORKER_PORTS=0 gives every upstream line the workers' shared port instead (the
   kernel then spreads nginx's connections over the workers). Through nginx the benchmark
   prints how each upstream's checks fared.
   RENCAI_BENCH_DIRECT=0 leaves out the app-direct figures (only those through nginx).

    python -m benchmarks.cards [--seconds 5] [--workers 1,2] [--verifications 3000]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import re
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psutil
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from benchmarks.native import (
    GENERATOR_CPU,
    PIN,
    Run,
    RunQueueWaits,
    collect,
    ensure,
    hey,
    layout,
    ms,
    paced,
    server,
    start_paced,
)
from rencai.cards.cose import decode_sign1
from rencai.cards.credential import MAIN_CARD, CardClaims, from_qr_text, sign_claims
from rencai.cards.keys import KeyStore
from rencai.cards.statuslist import LIST_SIZE, StatusBits
from rencai.cards.trust import TrustBundle, build_bundle
from rencai.cards.verify import verify

POINTS = 50  # service-point accounts the load is spread over
CARDS = 997  # cards presented (prime, so a card comes back at a different point)
# `hey` runs offering the overload, started a fraction of a tick apart (decision 0327)
STREAMS = int(os.environ.get("RENCAI_BENCH_STREAMS", "16"))
# seconds the overload runs before its measured window, while the generator opens its
# connections (decision 0343)
WARMUP = float(os.environ.get("RENCAI_BENCH_WARMUP", "2"))
# /healthz offered the same way at most at this share of its closed-loop rate (decision 0327)
HEALTH_SHARE = 0.5
# nginx's cap on checks in flight per admission slot of the app processes' cores (docs/deploy.md)
EDGE_FACTOR = float(os.environ.get("RENCAI_BENCH_EDGE_FACTOR", "2"))
# the cores the app processes have: every core but the generator's, which the generator holds at
# the edge's priority (decision 0380)
APP_CORES = int(os.environ.get("RENCAI_BENCH_APP_CORES", str(max(1, (os.cpu_count() or 2) - 1))))
# several workers: each on a port of its own too, one upstream line each (decision 0349)
WORKER_PORTS = os.environ.get("RENCAI_BENCH_WORKER_PORTS", "1") != "0"
# the app-direct figures before those through nginx (0: through nginx only)
DIRECT = os.environ.get("RENCAI_BENCH_DIRECT", "1") != "0"
# the cores nginx runs on (taskset's list): the app's first core by default (``through_edge``)
EDGE_CPUS = os.environ.get("RENCAI_BENCH_EDGE_CPUS", "0")
# nginx's worker_priority: the documented one (docs/deploy/nginx-main.conf) unless set
EDGE_PRIORITY = os.environ.get("RENCAI_BENCH_EDGE_PRIORITY")
# the generator's nice value: the edge's, so that its clients, which are on other machines in a
# deployment, do not wait behind the app for a core, nor the edge behind them (decision 0311)
GENERATOR_NICE = int(os.environ.get("RENCAI_BENCH_GENERATOR_NICE", "-10"))
# a file nginx serves by itself, fetched during the overload through nginx (decision 0312)
PROBE, PROBE_RATE = "/static/swagger-init.js", 200.0


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


def processes(database_port: int) -> dict[str, Callable[[], list[int]]]:
    """The benchmark's parts by their process ids: the load generator, nginx, the app's
    processes (every other child of this one) and the PostgreSQL cluster on ``database_port``."""

    def children(kind: str) -> list[int]:
        found = []
        for child in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.Error):
                name = child.name()
                if (name if name in ("hey", "nginx") else "app") == kind:
                    found.append(child.pid)
        return found

    def postgres() -> list[int]:
        for process in psutil.process_iter(["name", "cmdline"]):
            if process.info["name"] == "postgres" and f"-p {database_port}" in " ".join(
                process.info["cmdline"] or []
            ):
                with contextlib.suppress(psutil.Error):
                    return [process.pid, *(c.pid for c in process.children())]
        return []

    return {
        "nginx": lambda: children("nginx"),
        "app": lambda: children("app"),
        "postgres": postgres,
        "hey": lambda: children("hey"),
    }


def online_figures(
    base: str,
    tokens: list[str],
    codes: list[str],
    seconds: float,
    parts: dict[str, Callable[[], list[int]]],
    probe: str | None = None,
) -> float:
    """Capacity of the verify route beside /healthz, then an overload of twice that capacity
    (``base``: the app itself, or nginx in front of it), with how long each of ``parts`` waited
    for a core meanwhile. ``probe``: a path nginx answers by itself, fetched at a low rate by a
    generator of its own during the overload: how fast this machine lets the generator see an
    answer that involves no app (decision 0312). Returns when the overload's measured window
    began (Unix time)."""
    streams = min(4, len(tokens))  # generators, each for one point account and one card

    def verify(concurrency: int, rate: float | None = None) -> Run:
        return collect(
            [
                hey(
                    base + "/api/v1/cards/verify",
                    method="POST",
                    body=json.dumps({"code": codes[i]}),
                    headers={"Authorization": f"Bearer {tokens[i]}"},
                    concurrency=concurrency,
                    seconds=seconds,
                    rate=rate / streams if rate else None,
                    nice=GENERATOR_NICE,
                )
                for i in range(streams)
            ],
            expected=seconds,
        )

    health = collect(
        [hey(base + "/healthz", concurrency=32, seconds=seconds, nice=GENERATOR_NICE)], seconds
    )
    capacity = verify(2)  # 8 connections in all: as many as a process admits at once
    best = capacity.count(200) / seconds
    print(
        f"  closed loop: healthz {health.rate:6.0f} req/s (32 connections);"
        f" verify {best:6.0f} req/s answered 200 (8 connections)"
        f" = {best / health.rate:.2f}× healthz"
        f"  (p50 {ms(capacity.median(200)).strip()}, p99 {ms(capacity.p(0.99, 200)).strip()},"
        f" 503 busy {capacity.count(503)})"
    )
    offered = max(50.0, 2 * best)

    def each(i: int) -> dict[str, Any]:
        return {
            "method": "POST",
            "body": json.dumps({"code": codes[i % len(codes)]}),
            "headers": {"Authorization": f"Bearer {tokens[i % len(tokens)]}"},
        }

    # each `hey` worker sends its next request only after the answer to its last: enough of
    # them that the rate is offered while each waits about 100 ms on average (more of them and
    # the generator, on its one core, becomes what is measured)
    per_stream = max(4, math.ceil(offered * 0.1 / STREAMS))
    # the overload runs WARMUP seconds before its measured window: every `hey` opens (and
    # TLS-handshakes) all its connections at its start, which a gate that keeps its connection
    # does not do at every check (decision 0343)
    span = WARMUP + seconds
    alone = (
        hey(base + probe, concurrency=4, seconds=span, rate=PROBE_RATE, nice=GENERATOR_NICE)
        if probe
        else None
    )
    started = time.monotonic()
    runs = start_paced(
        base + "/api/v1/cards/verify",
        offered,
        span,
        STREAMS,
        per_stream,
        each=each,
        nice=GENERATOR_NICE,
    )
    time.sleep(max(0.0, WARMUP - (time.monotonic() - started)))
    window = time.time()  # the measured window's start, on nginx's clock too (its access log)
    busy_before = psutil.cpu_times(percpu=True)
    with RunQueueWaits(parts) as waits:
        whole = collect(runs, span)
    busy = [
        1 - (after.idle - before.idle) / max(1e-9, sum(after) - sum(before))
        for before, after in zip(busy_before, psutil.cpu_times(percpu=True), strict=True)
    ]
    overload = whole.after(WARMUP)
    # /healthz offered by the same streams and connections, at a rate it can carry: at the
    # overload's rate it was overloaded itself whenever the check's capacity exceeded half its
    # own, and its p99 was then its own queue, not this generator's (decision 0327)
    health_rate = min(offered, HEALTH_SHARE * health.rate)
    paced_health = paced(
        base + "/healthz", health_rate, span, STREAMS, per_stream, nice=GENERATOR_NICE
    ).after(WARMUP)
    admitted, refused = overload.of(200), overload.of(503)
    other = len(overload.samples) - len(admitted) - len(refused)
    print(
        f"  offered {offered:6.0f} req/s (2× capacity) over {STREAMS * per_stream} connections"
        f" ({STREAMS} streams), {WARMUP:g} s to open them, then {seconds:g} s measured:"
        f" {len(overload.samples) / seconds:6.0f} req/s sent, {len(admitted) / seconds:6.0f}"
        f" req/s admitted, p50 {ms(overload.median(200)).strip()}, p99"
        f" {ms(overload.p(0.99, 200)).strip()} (goal ≤ 250 ms); {len(refused) / seconds:6.0f}"
        f" req/s refused 503 busy, p50 {ms(overload.median(503)).strip()}, p99"
        f" {ms(overload.p(0.99, 503)).strip()} (goal ≤ 50 ms); other answers {other}"
    )
    kept, opened = overload.kept(), overload.kept(False)
    print(
        f"  refused p99 on kept connections {ms(kept.p(0.99, 503)).strip()}"
        f" ({kept.count(503)} refusals), on connections opened meanwhile"
        f" {ms(opened.p(0.99, 503)).strip()} ({opened.count(503)});"
        f" with the {WARMUP:g} s of opening: all refusals p99 {ms(whole.p(0.99, 503)).strip()}"
        f" ({whole.count(503)} refusals), on kept connections"
        f" {ms(whole.kept().p(0.99, 503)).strip()}; admitted p99"
        f" {ms(whole.p(0.99, 200)).strip()}; connections opened"
        f" {len(whole.kept(False).samples)}, the time to open them (TLS included) p50"
        f" {ms(statistics.median(whole.kept(False).connects or [math.nan])).strip()}, p99"
        f" {ms(Run.pct(sorted(whole.kept(False).connects), 0.99)).strip()}"
    )
    print(
        "  cores busy meanwhile (every process of the machine): "
        + ", ".join(f"core {i} {share:.0%}" for i, share in enumerate(busy))
    )
    print(f"  waiting for a core meanwhile: {waits.summary()}")
    if alone is not None:
        static = collect([alone], span).after(WARMUP)
        print(
            f"  {probe} answered by nginx alone meanwhile ({PROBE_RATE:g} req/s, a generator"
            f" of its own): {static.count(200)} answered 200, p50 {ms(static.median(200)).strip()},"
            f" p99 {ms(static.p(0.99, 200)).strip()}"
        )
    print(
        f"  healthz offered the same way at {health_rate:6.0f} req/s (at most"
        f" {HEALTH_SHARE:.0%} of its closed loop): p50 {ms(paced_health.median()).strip()},"
        f" p99 {ms(paced_health.p(0.99)).strip()}"
    )
    return window


def online(workers: int, seconds: float, edge: bool = True) -> None:
    """The online figures of ``workers`` server processes: the app direct, then (``edge``)
    through nginx."""
    from tests.support import free_ports, postgres_cluster

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
        # per-point limit raised so that the rates below measure the server, not the limiter
        first = free_ports(workers) if WORKER_PORTS and workers > 1 else None
        with server(url, workers, first, RENCAI_VERIFY_RATE="100000") as base:
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
                f"online POST /api/v1/cards/verify (verify + record the use), PostgreSQL,"
                f" {seconds:g} s per figure; {layout(workers, GENERATOR_NICE)}"
            )
            parts = processes(int(url.rsplit(":", 1)[1].split("/", 1)[0]))
            if DIRECT or not edge:
                print(" app direct:")
                online_figures(base, tokens, codes, seconds, parts)
            if edge:
                port = int(base.rsplit(":", 1)[1])
                upstreams = (
                    [port] * max(2, workers)
                    if first is None
                    else list(range(first, first + workers))
                )
                through_edge(base, workers, upstreams, tokens, codes, seconds, parts)


def through_edge(
    base: str,
    workers: int,
    upstreams: list[int],
    tokens: list[str],
    codes: list[str],
    seconds: float,
    parts: dict[str, Callable[[], list[int]]],
) -> None:
    """The same figures through nginx with the documented configuration (docs/deploy.md §3,
    TLS as documented), its cap on checks in flight sized by the documented rule for this
    server's processes. nginx (one worker process, at the documented worker_priority) shares
    the app's first core, as on a machine where the edge and the app share the cores: it is
    served before the app there, and the generator keeps its own core (decision 0310). What
    nginx answered itself is read from its access log. ``upstreams``: the app's ports, one
    upstream line each."""
    from tests.nginx import client_when_ready, configure, running
    from tests.support import free_port

    folder = Path(tempfile.mkdtemp(prefix="rencai-bench-edge-"))
    cap = edge_cap(workers)
    https, log = free_port(), folder / "access.log"
    main_lines = None if EDGE_PRIORITY is None else f"worker_priority {EDGE_PRIORITY};\n"
    main = configure(
        folder,
        upstreams,
        free_port(),
        https,
        verify_cap=cap,
        access_log=log,
        main_lines=main_lines,
    )
    priority = re.search(r"^worker_priority (-?\d+);", main.read_text(), re.MULTILINE)
    with running(main, folder, [*PIN, EDGE_CPUS]):
        edge = f"https://127.0.0.1:{https}"
        client_when_ready(folder, https).close()
        print(
            f" through nginx (documented configuration, HTTPS; nginx on cores {EDGE_CPUS},"
            f" the generator on {GENERATOR_CPU}; cap {cap} checks in flight (slots ×"
            f" {EDGE_FACTOR:g} × {min(workers, APP_CORES)} app cores); worker_priority"
            f" {priority.group(1) if priority else 0}, its processes' nice values now"
            f" {sorted(psutil.Process(pid).nice() for pid in parts['nginx']())};"
            f" upstream lines: ports {', '.join(str(p) for p in upstreams)}):"
        )
        log.write_text("")
        window = online_figures(edge, tokens, codes, seconds, parts, PROBE)
    edge_split(log, window, window + seconds)


def edge_cap(workers: int) -> int:
    """docs/deploy.md: RENCAI_ADMISSION_SLOTS × EDGE_FACTOR × the app processes' cores, at most
    one a process (decision 0380)."""
    from rencai.settings import settings

    return round(min(workers, APP_CORES) * settings().admission_slots * EDGE_FACTOR)


def edge_split(log: Path, start: float, end: float) -> None:
    """The refusals of the overload's measured window (nginx's log instants from ``start`` to
    ``end``, Unix time) by who refused them, with their time as nginx saw it, and how many of
    nginx's own came on a connection's first request, and of those how many resumed a TLS
    session (decisions 0326, 0327)."""
    from tests.nginx import read_log

    rows = [
        row
        for row in read_log(log)
        if row["status"] == "503" and start <= float(row["msec"]) <= end + 1
    ]
    times: dict[str, list[float]] = {"nginx": [], "app": []}
    for row in rows:
        times["nginx" if row["upstream_addr"] == "-" else "app"].append(float(row["request_time"]))
    first = [r for r in rows if r["upstream_addr"] == "-" and r["connection_requests"] == "1"]
    print(
        "  503 busy by whom in the measured window (nginx's own timing): "
        + "; ".join(
            f"{who} {len(values)}, p50 {ms(Run.pct(sorted(values), 0.5)).strip()},"
            f" p99 {ms(Run.pct(sorted(values), 0.99)).strip()}"
            for who, values in times.items()
        )
        + f"; nginx's on a connection's first request {len(first)}"
        f" (TLS session resumed {sum(r['ssl_session_reused'] == 'r' for r in first)}),"
        f" connections that carried them {len({r['connection'] for r in rows})}"
    )
    # the checks each upstream line's address answered in the window: 200s and its own 503s
    checks = [
        row
        for row in read_log(log)
        if row["status"] in ("200", "503")
        and row["upstream_addr"] != "-"
        and start <= float(row["msec"]) <= end + 1
    ]
    by_upstream: dict[str, list[int]] = {}
    for row in checks:
        counts = by_upstream.setdefault(row["upstream_addr"], [0, 0])
        counts[row["status"] == "503"] += 1
    print(
        "  checks by upstream in the measured window (answered / refused by the app): "
        + "; ".join(f"{addr} {ok} / {busy}" for addr, (ok, busy) in sorted(by_upstream.items()))
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cards")
    parser.add_argument("--verifications", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--workers", default="1,2", help="server worker counts to measure")
    args = parser.parse_args()
    offline(args.verifications)
    ensure("hey")
    for workers in (int(w) for w in args.workers.split(",")):
        online(workers, args.seconds)


if __name__ == "__main__":
    main()
