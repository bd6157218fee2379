"""docs/deploy/nginx.conf run on this machine: the documented configuration with this machine's
ports, a throwaway certificate and the package's static folder, inside a minimal main
configuration of its own that carries docs/deploy/nginx-main.conf (no system file is touched).
Used by tests/web/test_deploy.py and by benchmarks.cards (through nginx)."""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import os
import re
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "docs" / "deploy" / "nginx.conf"
MAIN_CONFIG = ROOT / "docs" / "deploy" / "nginx-main.conf"  # the lines of the main context
STATIC = ROOT / "src" / "rencai" / "web" / "static"
# the online check's cap on checks in flight, as the documented configuration sets it
VERIFY_CAP = re.compile(r"^(\s*limit_conn rencai_verify )(\d+);", re.MULTILINE)
# an access log line (``configure``): the status; the upstream that answered ("-": nginx itself);
# nginx's time in seconds; the instant it was logged (Unix time); the client connection's serial
# number and how many requests it has carried with this one (1: its first); whether its TLS
# session was resumed ("r"), negotiated afresh (".") or there is none ("-", plain HTTP); the
# request's path as sent
LOG_FIELDS = (
    "status",
    "upstream_addr",
    "request_time",
    "msec",
    "connection",
    "connection_requests",
    "ssl_session_reused",
    "request_uri",
)
LOG_FORMAT = " ".join(f"${name}" for name in LOG_FIELDS)


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not found:
        raise RuntimeError("nginx not found: run `make test`, which installs it")
    return found


def documented_verify_cap() -> int:
    found = VERIFY_CAP.search(CONFIG.read_text())
    assert found is not None, "docs/deploy/nginx.conf caps the online check's requests in flight"
    return int(found.group(2))


def certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    # wall time, not the office clock: the TLS clients (httpx, hey, nginx's own checks) judge the
    # certificate's validity by the machine's clock whatever RENCAI_CLOCK_AT says
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def configure(
    folder: Path,
    upstreams: Sequence[int],
    http: int,
    https: int,
    verify_cap: int | None = None,
    access_log: Path | None = None,
    main_lines: str | None = None,
) -> Path:
    """The main configuration to start nginx with; ``upstreams``: the app ports in place of the
    two documented ones (one upstream line each; a port may be given twice); ``verify_cap``:
    the online check's cap on checks in flight instead of the documented one; ``access_log``: a
    file where each request logged is written as one line of ``LOG_FIELDS`` (``read_log`` reads
    it); ``main_lines``: the main context's documented lines instead of
    docs/deploy/nginx-main.conf's."""
    cert, key = certificate(folder)
    site = CONFIG.read_text()
    documented = re.findall(r"^    server 127\.0\.0\.1:(\d+) (.*)\n", site, re.MULTILINE)
    assert [port for port, _ in documented] == ["8001", "8002"]  # the example: two processes
    options = documented[0][1]
    lines = "".join(f"    server 127.0.0.1:{upstream} {options}\n" for upstream in upstreams)
    site = re.sub(
        r"(^    server 127\.0\.0\.1:\d+ .*\n)+", lambda _: lines, site, count=1, flags=re.M
    )
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http};")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
    site = site.replace("/etc/ssl/rencai/fullchain.pem", str(cert))
    site = site.replace("/etc/ssl/rencai/privkey.pem", str(key))
    site = site.replace("alias /opt/rencai/static/;", f"alias {STATIC}/;")
    if verify_cap is not None:
        site, replaced = VERIFY_CAP.subn(rf"\g<1>{verify_cap};", site)
        assert replaced == 1
    (folder / "rencai.conf").write_text(site)
    user = "user root;\n" if os.geteuid() == 0 else ""
    main = folder / "nginx.conf"
    documented_main = MAIN_CONFIG.read_text() if main_lines is None else main_lines
    main.write_text(
        documented_main
        + f"\n{user}worker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
        "events { worker_connections 4096; }\n"
        "http {\n"
        "  include /etc/nginx/mime.types;\n"
        + (
            f"  log_format timing '{LOG_FORMAT}';\n  access_log {access_log} timing buffer=256k;\n"
            if access_log
            else "  access_log off;\n"
        )
        + f"  client_body_temp_path {folder}/body;\n"
        f"  proxy_temp_path {folder}/proxy;\n  fastcgi_temp_path {folder}/fastcgi;\n"
        f"  uwsgi_temp_path {folder}/uwsgi;\n  scgi_temp_path {folder}/scgi;\n"
        f"  include {folder}/rencai.conf;\n"
        "}\n"
    )
    return main


@contextlib.contextmanager
def running(main: Path, folder: Path, prefix: Sequence[str] = ()) -> Iterator[None]:
    """nginx in the foreground with ``main`` (``prefix``: a command to run it under, such as
    ``taskset -c 1``)."""
    process = subprocess.Popen(
        [*prefix, nginx_binary(), "-p", str(folder), "-c", str(main), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def client_when_ready(folder: Path, https: int, seconds: float = 20) -> httpx.Client:
    """A client of nginx's HTTPS port that trusts the test certificate in ``folder``, once nginx
    passes ``/readyz`` through with 200 (its upstreams are up)."""
    trust = ssl.create_default_context(cafile=str(folder / "fullchain.pem"))
    client = httpx.Client(base_url=f"https://127.0.0.1:{https}", verify=trust, timeout=30)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if client.get("/readyz").status_code == 200:
                return client
        time.sleep(0.1)
    client.close()
    raise RuntimeError(f"nginx did not answer /readyz within {seconds:g} s")


def read_log(log: Path) -> list[dict[str, str]]:
    """The lines of an access log written by ``configure``, each by its ``LOG_FIELDS`` names (an
    upstream address tried twice holds a space: "a, b")."""
    after = len(LOG_FIELDS) - 2  # the fields after the upstream address
    rows = []
    for line in log.read_text().splitlines():
        words = line.split(" ")
        values = [words[0], " ".join(words[1:-after]), *words[-after:]]
        rows.append(dict(zip(LOG_FIELDS, values, strict=True)))
    return rows
