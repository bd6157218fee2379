"""Signing keys on disk: a root key and the issuing keys it certifies.

Layout of the key directory (never inside the repository; see `key_dir`):

    root.pub.pem              the root public key (verifiers pin it)
    root.key.pem              the root private key: present only where the root is kept (an
                              offline machine in production; generated here on first use for a
                              development or test setup)
    issuing/<kid>.key.pem     an issuing private key (mode 0600)
    issuing/<kid>.cert        its certificate: COSE_Sign1 by the root over the key and its dates
    issuing/<kid>.retired     present once the key is retired before its time
    .lock                     held (flock) while keys are created, so that two requests or two
                              worker processes on a fresh setup end with one root and one key

Every file is written to a temporary name and renamed into place, so a reader never sees half a
key; the root's public key is written after its private key, an issuing key's certificate after
its private key.

An issuing key signs cards from `sign_from` to `sign_until`, and its signatures verify until
`verify_until`: after a rotation the old key still verifies (the overlap) while the new one signs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cbor2
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from rencai.cards.cose import ES256, EcdsaP256Signer, Signer, decode_sign1, sign1
from rencai.settings import settings

SIGN_DAYS = 183  # an issuing key signs for about six months
VERIFY_DAYS = 730  # ... and its signatures verify for two years from its first day
ROOT_KID = b"root"


class KeyError_(Exception):
    """No usable key (Chinese message for the CLI and the API)."""


def key_dir() -> Path:
    """RENCAI_CARD_KEYS, else a folder beside the uploaded files (outside the repository)."""
    return settings().card_keys_dir


def kid_of(public: bytes) -> bytes:
    return hashlib.sha256(public).digest()[:8]


@dataclass(frozen=True)
class Certificate:
    kid: bytes
    alg: int
    public: bytes
    sign_from: int
    sign_until: int
    verify_until: int
    raw: bytes  # the COSE_Sign1 as the root signed it

    @classmethod
    def parse(cls, raw: bytes, root_public: bytes) -> Certificate:
        envelope = decode_sign1(raw)
        if not envelope.verify(root_public):
            raise KeyError_("签发密钥证书的根签名无效")
        data = cbor2.loads(envelope.payload)
        return cls(
            kid=data["kid"],
            alg=data["alg"],
            public=data["key"],
            sign_from=data["sign_from"],
            sign_until=data["sign_until"],
            verify_until=data["verify_until"],
            raw=raw,
        )


def _write_atomic(path: Path, data: bytes, mode: int = 0o644, replace: bool = True) -> None:
    """Write `data` to a temporary file beside `path` and rename it into place: a reader sees
    the whole file or none. With `replace=False` an existing file is an error (never
    overwritten)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)  # FileExistsError if it is already there
            os.unlink(temporary)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _write_private(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_atomic(path, pem, mode=0o600, replace=False)


def _read_private(path: Path) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise KeyError_(f"{path.name} 不是 P-256 私钥")
    return key


def certify(
    root: Signer,
    public: bytes,
    sign_from: dt.datetime,
    sign_days: int = SIGN_DAYS,
    verify_days: int = VERIFY_DAYS,
) -> bytes:
    """The root's certificate for an issuing public key (run where the root key is kept)."""
    start = int(sign_from.timestamp())
    payload = {
        "kid": kid_of(public),
        "alg": ES256,
        "key": public,
        "sign_from": start,
        "sign_until": start + sign_days * 86400,
        "verify_until": start + verify_days * 86400,
    }
    return sign1(root, ROOT_KID, cbor2.dumps(payload))


class KeyStore:
    def __init__(self, directory: Path | None = None):
        self.directory = Path(directory) if directory is not None else key_dir()
        self.issuing = self.directory / "issuing"

    # --- the root ------------------------------------------------------------------------
    @property
    def root_public_path(self) -> Path:
        return self.directory / "root.pub.pem"

    @property
    def root_private_path(self) -> Path:
        return self.directory / "root.key.pem"

    @contextlib.contextmanager
    def _creating(self) -> Iterator[None]:
        """Held while keys are created: an exclusive lock on `.lock` in the key directory, which
        excludes other threads (each takes its own descriptor) and other processes alike."""
        self.directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.directory / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock

    def ensure_root(self) -> None:
        """First use on a development or test setup: make a root here. In production the root
        public key is installed from the offline machine and no root private key is present."""
        if self.root_public_path.exists():
            return
        with self._creating():
            self._ensure_root_locked()

    def _ensure_root_locked(self) -> None:
        if self.root_public_path.exists():  # another request or process made it meanwhile
            return
        if self.root_private_path.exists():  # a root whose public half was never written
            key = _read_private(self.root_private_path)
        else:
            key = ec.generate_private_key(ec.SECP256R1())
            _write_private(self.root_private_path, key)
        _write_atomic(
            self.root_public_path,
            key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            ),
        )

    def root_public(self) -> bytes:
        if not self.root_public_path.exists():
            raise KeyError_("尚未安装根公钥")
        key = serialization.load_pem_public_key(self.root_public_path.read_bytes())
        assert isinstance(key, ec.EllipticCurvePublicKey)
        return key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )

    def root_signer(self) -> Signer:
        if not self.root_private_path.exists():
            raise KeyError_("根私钥不在本机（离线保管）：请在离线机器上签发证书后导入")
        return EcdsaP256Signer(_read_private(self.root_private_path))

    # --- issuing keys --------------------------------------------------------------------
    def certificates(self) -> list[Certificate]:
        if not self.issuing.exists():
            return []
        root = self.root_public()
        certs = [Certificate.parse(p.read_bytes(), root) for p in self.issuing.glob("*.cert")]
        return sorted(certs, key=lambda c: c.sign_from)

    def retired(self, kid: bytes) -> bool:
        return (self.issuing / f"{kid.hex()}.retired").exists()

    def verifying(self, now: dt.datetime) -> list[Certificate]:
        """The certificates a verifier should trust now (the trust bundle's keys)."""
        moment = int(now.timestamp())
        return [
            c
            for c in self.certificates()
            if c.sign_from <= moment < c.verify_until and not self.retired(c.kid)
        ]

    def new_key_request(self) -> bytes:
        """Generate an issuing key pair here; returns its public key for the root to certify."""
        key = ec.generate_private_key(ec.SECP256R1())
        public = EcdsaP256Signer(key).public_bytes()
        _write_private(self.issuing / f"{kid_of(public).hex()}.key.pem", key)
        return public

    def install(self, certificate: bytes) -> Certificate:
        cert = Certificate.parse(certificate, self.root_public())
        if not (self.issuing / f"{cert.kid.hex()}.key.pem").exists():
            raise KeyError_("本机没有与该证书对应的签发私钥")
        _write_atomic(self.issuing / f"{cert.kid.hex()}.cert", certificate)
        return cert

    def rotate(self, now: dt.datetime, sign_days: int = SIGN_DAYS) -> Certificate:
        """A new issuing key certified by the local root (development, tests, or the offline
        procedure run end to end on one machine). Older keys keep verifying until they expire."""
        with self._creating():
            return self._rotate_locked(now, sign_days)

    def _rotate_locked(self, now: dt.datetime, sign_days: int = SIGN_DAYS) -> Certificate:
        public = self.new_key_request()
        return self.install(certify(self.root_signer(), public, now, sign_days))

    def retire(self, kid: bytes) -> None:
        """Withdraw a key before its time (e.g. suspected compromise): cards it signed stop
        verifying once verifiers fetch the next bundle."""
        if not (self.issuing / f"{kid.hex()}.cert").exists():
            raise KeyError_("没有该签发密钥")
        (self.issuing / f"{kid.hex()}.retired").touch()

    def _current(self, now: dt.datetime) -> tuple[bytes, Signer] | None:
        moment = int(now.timestamp())
        for cert in reversed(self.certificates()):
            if cert.sign_from <= moment < cert.sign_until and not self.retired(cert.kid):
                private = self.issuing / f"{cert.kid.hex()}.key.pem"
                if private.exists():
                    return cert.kid, EcdsaP256Signer(_read_private(private))
        return None

    def signer(self, now: dt.datetime) -> tuple[bytes, Signer]:
        """The newest issuing key allowed to sign now; on a development setup one is made (once:
        racers wait on the lock and take the key the first one made)."""
        if self.root_public_path.exists() and (current := self._current(now)) is not None:
            return current
        if not self.root_private_path.exists() and self.root_public_path.exists():
            raise KeyError_("没有可用的签发密钥：请按离线根密钥流程轮换密钥")
        with self._creating():
            self._ensure_root_locked()
            if (current := self._current(now)) is not None:  # made meanwhile by another racer
                return current
            cert = self._rotate_locked(now)
        return cert.kid, EcdsaP256Signer(_read_private(self.issuing / f"{cert.kid.hex()}.key.pem"))
