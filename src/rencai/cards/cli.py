"""`rencai card …`: verify a code or an image offline, keys and rotation, validity, lifecycle
sweeps, the trust bundle and usage statistics."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from rencai import clock
from rencai.cards.keys import KeyError_, KeyStore
from rencai.cards.points import POINT_LABELS, tier_label
from rencai.cards.scan import ScanError, read_qr
from rencai.cards.trust import BundleError, TrustBundle
from rencai.cards.verify import Verdict, verify

app = typer.Typer(help="The electronic talent card (人才绿卡电子卡).", no_args_is_help=True)
keys_app = typer.Typer(help="Issuing keys under the offline root.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


def _now() -> dt.datetime:
    return clock.now()


def _fail(line: str, code: int = 2) -> None:
    typer.echo(f"error: {line}", err=True)
    raise typer.Exit(code)


def _root_from_pem(path: Path) -> bytes:
    key = serialization.load_pem_public_key(path.read_bytes())
    if not isinstance(key, ec.EllipticCurvePublicKey):
        _fail(f"{path}: 不是 P-256 公钥")
    assert isinstance(key, ec.EllipticCurvePublicKey)
    return key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def _bundle(bundle: Path | None, root: Path | None) -> TrustBundle:
    if bundle is not None:
        store = KeyStore()
        root_public = _root_from_pem(root) if root else store.root_public()
        return TrustBundle.load(bundle.read_bytes(), root_public)
    from rencai.cards.lists import BUNDLES
    from rencai.db.session import database_url, session_scope

    with session_scope(database_url()) as session:
        return BUNDLES.get(session, KeyStore(), _now())[1]


def _line(verdict: Verdict, point: str | None) -> str:
    parts = [verdict.message]
    if verdict.claims:
        c = verdict.claims
        kind = f"副卡（主卡 {c.main_number}）" if c.kind else "主卡"
        parts.append(f"{tier_label(c.tier)} {c.number} {kind}")
    if point and verdict.grants:
        parts.append(f"{POINT_LABELS[point]}：" + "；".join(verdict.grants))
    return " · ".join(parts)


def _image_path(code: str) -> Path | None:
    """The argument as an image file, if it names one; QR text (however long) is not a path."""
    if code.startswith("RC1:"):
        return None
    try:
        path = Path(code)
        return path if path.is_file() else None
    except (OSError, ValueError):  # too long for a file name, or a NUL byte: it is text
        return None


@app.command("verify")
def verify_command(
    code: Annotated[str, typer.Argument(help="The QR text (RC1:…) or an image file of the QR")],
    point: Annotated[
        str | None, typer.Option(help="Kind of point: bus, subway, scenic, hospital, bank")
    ] = None,
    bundle: Annotated[
        Path | None, typer.Option(help="A trust bundle file (else built from the database)")
    ] = None,
    root: Annotated[Path | None, typer.Option(help="The pinned root public key (PEM)")] = None,
    output: Annotated[str, typer.Option("--format", help="line or json")] = "line",
) -> None:
    """Verify offline; exit 0 if the card is accepted, 1 if refused, 2 on bad input."""
    if point is not None and point not in POINT_LABELS:
        _fail(f"--point: 网点类型应为 {', '.join(POINT_LABELS)}，收到 {point!r}")
    path = _image_path(code)
    text = code
    if path is not None:
        try:
            text = read_qr(path)
        except ScanError as exc:
            verdict = Verdict(exc.code)
            typer.echo(
                json.dumps(verdict.as_dict(), ensure_ascii=False)
                if output == "json"
                else verdict.message
            )
            raise typer.Exit(1) from None
    try:
        trust = _bundle(bundle, root)
    except (BundleError, KeyError_, OSError) as exc:
        _fail(f"核验数据不可用：{exc}")
        return
    verdict = verify(text, trust, _now(), point)
    if output == "json":
        typer.echo(json.dumps(verdict.as_dict(), ensure_ascii=False))
    else:
        typer.echo(_line(verdict, point))
    raise typer.Exit(0 if verdict.accepted else 1)


@app.command("bundle")
def bundle_command(
    out: Annotated[Path, typer.Option(help="Where to write the signed trust bundle")],
) -> None:
    """Write the current trust bundle (keys + status lists) for verifiers to load."""
    from rencai.cards.lists import BUNDLES
    from rencai.db.session import database_url, session_scope

    with session_scope(database_url()) as session:
        raw, parsed = BUNDLES.get(session, KeyStore(), _now())
    out.write_bytes(raw)
    typer.echo(f"{out}: version {parsed.version}, {len(parsed.keys)} keys, {len(raw)} bytes")


@keys_app.command("list")
def keys_list() -> None:
    store = KeyStore()
    try:
        certs = store.certificates()
    except KeyError_ as exc:
        _fail(str(exc))
        return
    for c in certs:
        state = "retired" if store.retired(c.kid) else "in force"
        fmt = lambda t: clock.office_date(dt.datetime.fromtimestamp(t, dt.UTC)).isoformat()  # noqa: E731
        typer.echo(
            f"{c.kid.hex()}  signs {fmt(c.sign_from)}..{fmt(c.sign_until)}  "
            f"verifies until {fmt(c.verify_until)}  {state}"
        )


@keys_app.command("rotate")
def keys_rotate() -> None:
    """A new issuing key certified by the root on this machine (see docs/card-keys.md for the
    offline-root procedure: `request` here, `certify` on the offline machine, `install` here)."""
    store = KeyStore()
    try:
        store.ensure_root() if not store.root_public_path.exists() else None
        cert = store.rotate(_now())
    except KeyError_ as exc:
        _fail(str(exc))
        return
    _bump()
    typer.echo(f"new issuing key {cert.kid.hex()}")


@keys_app.command("request")
def keys_request(out: Annotated[Path, typer.Option(help="Where to write the public key")]) -> None:
    """Generate an issuing key here; carry the public key to the offline root machine."""
    out.write_bytes(KeyStore().new_key_request())
    typer.echo(f"public key written to {out}")


@keys_app.command("certify")
def keys_certify(
    public: Annotated[Path, typer.Argument(help="The public key from `keys request`")],
    root_key: Annotated[Path, typer.Option(help="The root private key (offline machine)")],
    out: Annotated[Path, typer.Option(help="Where to write the certificate")],
    days: Annotated[int, typer.Option(help="Signing period in days")] = 183,
) -> None:
    """Run on the offline machine: certify an issuing public key with the root."""
    from rencai.cards.cose import EcdsaP256Signer
    from rencai.cards.keys import certify

    key = serialization.load_pem_private_key(root_key.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        _fail("根私钥应为 P-256")
        return
    out.write_bytes(certify(EcdsaP256Signer(key), public.read_bytes(), _now(), days))
    typer.echo(f"certificate written to {out}")


@keys_app.command("install")
def keys_install(
    cert: Annotated[Path, typer.Argument(help="The certificate from `certify`")],
) -> None:
    try:
        installed = KeyStore().install(cert.read_bytes())
    except KeyError_ as exc:
        _fail(str(exc))
        return
    _bump()
    typer.echo(f"installed issuing key {installed.kid.hex()}")


@keys_app.command("retire")
def keys_retire(kid: Annotated[str, typer.Argument(help="Key id (hex)")]) -> None:
    """Withdraw a key now (e.g. suspected compromise); its cards stop verifying."""
    try:
        KeyStore().retire(bytes.fromhex(kid))
    except (KeyError_, ValueError) as exc:
        _fail(str(exc))
        return
    _bump()
    typer.echo(f"retired {kid}")


def _bump() -> None:
    """A key change is news for verifiers: raise the bundle version."""
    from rencai.cards.lists import BUNDLES, bump
    from rencai.db.session import database_url, session_scope

    with session_scope(database_url()) as session:
        bump(session, _now())
    BUNDLES.clear()


@app.command("validity")
def validity(
    tier: Annotated[str | None, typer.Argument(help="A, B or C; omit to list")] = None,
    months: Annotated[int | None, typer.Argument(help="Validity in months")] = None,
    source: Annotated[str, typer.Option(help="The document or minutes that decide it")] = "",
) -> None:
    """Show, or set, each tier's validity (the seeds state none: the administrator decides)."""
    from rencai.cards.issuance import CardError, set_validity, validity_settings
    from rencai.db.session import database_url, session_scope

    with session_scope(database_url()) as session:
        if tier is None:
            for row in validity_settings(session):
                value = (
                    f"{row['months']} 个月（{row['source']}）" if row["months"] else "待管理员设定"
                )
                typer.echo(f"{row['tier']} {row['label']}: {value}")
            return
        if months is None:
            _fail("请给出有效期月数")
            return
        try:
            count = set_validity(session, "cli", tier, months, source)
        except CardError as exc:
            _fail(f"{exc.field}: {exc.message}")
            return
    typer.echo(f"{tier}: {months} 个月；{count} 张卡已确定有效期")


@app.command("expire")
def expire() -> None:
    """Mark cards whose validity has ended (run daily)."""
    from rencai.cards.lifecycle import expire_due
    from rencai.db.session import database_url, session_scope

    with session_scope(database_url()) as session:
        due = expire_due(session, clock.office_date(_now()))
    typer.echo(f"{len(due)} 张卡已到期")


@app.command("stats")
def stats() -> None:
    """Uses per service type, point and month; flagged uses."""
    from rencai.cards.usage import statistics
    from rencai.db.session import database_url, session_scope

    with session_scope(database_url()) as session:
        data = statistics(session)
    for row in data["rows"]:
        typer.echo(f"{row['month']}  {row['label']}  {row['point_name']}  {row['uses']}")
    for flag in data["flagged"]:
        typer.echo(f"可疑：{flag['card_number']} {flag['point_name']} {flag['at']}")
