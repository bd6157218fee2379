"""docs/deploy.md followed: the documented nginx configuration in front of two app processes on
one PostgreSQL database (TLS ended by nginx, static files from the folder, the calculator and a
card check through it), and a backup with pg_dump restored with pg_restore into a new database.
"""

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
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import create_engine, inspect, text

from rencai.cards.usage import register_point
from rencai.db.session import engine_for, head_revision, session_scope, upgrade
from tests.support import ServerProcess, _pg_bin, free_port

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "docs" / "deploy" / "nginx.conf"
STATIC = ROOT / "src" / "rencai" / "web" / "static"
PASSWORD = "secret123"


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not found:
        raise RuntimeError("nginx not found: run `make test`, which installs it")
    return found


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
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


def _configure(folder: Path, upstreams: list[int], http: int, https: int) -> Path:
    """The documented configuration with this machine's ports, certificate and folders, inside a
    minimal main configuration of its own (no system file is touched)."""
    cert, key = _certificate(folder)
    site = CONFIG.read_text()
    documented = re.findall(r"^    server 127\.0\.0\.1:(\d+) ", site, re.MULTILINE)
    assert documented == ["8001", "8002"]  # the documented example: two processes
    for port, upstream in zip(documented, upstreams, strict=True):
        site = site.replace(f"server 127.0.0.1:{port} ", f"server 127.0.0.1:{upstream} ")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http};")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
    site = site.replace("/etc/ssl/rencai/fullchain.pem", str(cert))
    site = site.replace("/etc/ssl/rencai/privkey.pem", str(key))
    site = site.replace("alias /opt/rencai/static/;", f"alias {STATIC}/;")
    (folder / "rencai.conf").write_text(site)
    user = "user root;\n" if os.geteuid() == 0 else ""
    main = folder / "nginx.conf"
    main.write_text(
        f"{user}worker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        "  include /etc/nginx/mime.types;\n"
        f"  access_log off;\n  client_body_temp_path {folder}/body;\n"
        f"  proxy_temp_path {folder}/proxy;\n  fastcgi_temp_path {folder}/fastcgi;\n"
        f"  uwsgi_temp_path {folder}/uwsgi;\n  scgi_temp_path {folder}/scgi;\n"
        f"  include {folder}/rencai.conf;\n"
        "}\n"
    )
    return main


def test_the_documented_nginx_configuration_is_valid(tmp_path: Path) -> None:
    main = _configure(tmp_path, [free_port(), free_port()], free_port(), free_port())
    checked = subprocess.run(
        [_nginx(), "-t", "-p", str(tmp_path), "-c", str(main)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


def _database(pg_url: str, prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return pg_url.rsplit("/", 1)[0] + "/" + name


@contextlib.contextmanager
def _nginx_running(main: Path, folder: Path) -> Iterator[None]:
    process = subprocess.Popen(
        [_nginx(), "-p", str(folder), "-c", str(main), "-g", "daemon off;"],
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


def test_two_processes_behind_the_documented_nginx(
    pg_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from tests.profiles import doctor

    url = _database(pg_url, "deployed")
    upgrade(url)
    with session_scope(url) as s:
        register_point(s, "BUS-7", "公交7路", "bus", "gate7", PASSWORD, "130102")
    engine_for(url).dispose()
    files = tmp_path_factory.mktemp("deployed-files")
    folder = tmp_path_factory.mktemp("nginx")
    # as docs/deploy.md §2 runs them: `rencai serve` behind nginx, one of them with two workers
    documented = ["--host", "127.0.0.1", "--forwarded-allow-ips", "127.0.0.1"]
    env = {"RENCAI_SECURE_COOKIES": "1", "RENCAI_CARD_KEYS": str(files.parent / "card-keys")}
    with (
        ServerProcess(url, files, serve=[*documented, "--workers", "2"], env=env) as a,
        ServerProcess(url, files, serve=documented, env=env) as b,
    ):
        https = free_port()
        main = _configure(folder, [a.port, b.port], free_port(), https)
        with _nginx_running(main, folder):
            base = f"https://127.0.0.1:{https}"
            trust = ssl.create_default_context(cafile=str(folder / "fullchain.pem"))
            client = httpx.Client(base_url=base, verify=trust, timeout=30)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                with contextlib.suppress(httpx.HTTPError):
                    if client.get("/readyz").status_code == 200:
                        break
                time.sleep(0.1)
            assert client.get("/readyz").json() == {"status": "ok"}
            # static files from the folder, by nginx
            css = client.get("/static/app.js")
            assert css.status_code == 200 and css.content == (STATIC / "app.js").read_bytes()
            assert css.headers["x-content-type-options"] == "nosniff"
            # the calculator, answered by either process
            profile = doctor()
            del profile["on"]
            answers = [client.post("/api/v1/entitlements", json=profile) for _ in range(4)]
            assert all(r.status_code == 200 for r in answers)
            assert len({r.text for r in answers}) == 1 and "benefits" in answers[0].json()
            # a card check (an unreadable code: the verdict, and the use recorded)
            login = client.post("/api/v1/tokens", json={"username": "gate7", "password": PASSWORD})
            headers = {"Authorization": f"Bearer {login.json()['token']}"}
            check = client.post("/api/v1/cards/verify", headers=headers, json={"code": "x"})
            assert check.status_code == 200 and check.json()["verdict"] == "malformed"
            assert check.json()["recorded"] is True
            # the login holds through the proxy, whichever process answers
            assert client.get("/api/v1/me", headers=headers).json()["username"] == "gate7"
            client.close()


def test_a_backup_restores_into_a_new_database(pg_url: str, tmp_path: Path) -> None:
    from rencai.demo import load_demo

    source = _database(pg_url, "backed")
    upgrade(source)
    with session_scope(source) as s:
        load_demo(s)
    dump = tmp_path / "rencai.dump"
    host, port = re.search(r"@([^:/]+):(\d+)/", source).groups()  # type: ignore[union-attr]
    common = ["-h", host, "-p", port, "-U", "postgres"]
    subprocess.run(
        [_pg_bin("pg_dump"), *common, "-Fc", "-f", str(dump), source.rsplit("/", 1)[1]],
        check=True,
        capture_output=True,
    )
    target = _database(pg_url, "restored")
    subprocess.run(
        [_pg_bin("pg_restore"), *common, "--no-owner", "-d", target.rsplit("/", 1)[1], str(dump)],
        check=True,
        capture_output=True,
    )

    def counts(url: str) -> dict[str, int]:
        engine = engine_for(url)
        with engine.connect() as connection:
            tables = inspect(connection).get_table_names()
            return {
                t: connection.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()
                for t in tables
            }

    before, after = counts(source), counts(target)
    assert before == after and before["accounts"] > 0 and before["applications"] > 0
    with engine_for(target).connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert version == head_revision()
    # the sequences came along: a new row in the restored database gets a fresh number
    with engine_for(target).begin() as connection:
        biggest = connection.execute(text("SELECT max(id) FROM accounts")).scalar_one()
        fresh = connection.execute(
            text("SELECT nextval(pg_get_serial_sequence('accounts', 'id'))")
        ).scalar_one()
    assert fresh > biggest
    engine_for(source).dispose()
    engine_for(target).dispose()


def test_readiness_follows_the_schema_of_the_release(
    pg_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """docs/deploy.md §6–7: a process is alive at once, and ready only while its database
    carries this release's schema (not before `rencai db upgrade`, not after a downgrade)."""
    from rencai.db.session import downgrade

    url = _database(pg_url, "readiness")
    with ServerProcess(url, tmp_path_factory.mktemp("ready-files")) as server:
        assert httpx.get(f"{server.url}/healthz").json() == {"status": "ok"}
        not_yet = httpx.get(f"{server.url}/readyz")
        assert not_yet.status_code == 503 and not_yet.json() == {"status": "unavailable"}
        upgrade(url)
        ready = httpx.get(f"{server.url}/readyz")
        assert ready.status_code == 200 and ready.json() == {"status": "ok"}
        downgrade(url, "-1")  # the schema of the release before
        assert httpx.get(f"{server.url}/readyz").status_code == 503
        upgrade(url)
        assert httpx.get(f"{server.url}/readyz").status_code == 200
    engine_for(url).dispose()
