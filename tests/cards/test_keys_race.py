"""Two requests or two worker processes on a fresh setup create the first keys at once: every
racer must end with the same root and the same single signing key (decision 0258)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

from rencai.cards.keys import KeyStore

# each racer process: waits for the start signal, then several threads ask for a signer at once
RACER = r"""
import datetime as dt, hashlib, os, sys, threading, time
from pathlib import Path
from rencai.cards.keys import KeyStore

directory, go = Path(sys.argv[1]), Path(sys.argv[2])
now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
results, errors = [], []
(go.parent / f"ready-{os.getpid()}").touch()
while not go.exists():
    time.sleep(0.001)

def race():
    try:
        kid, _ = KeyStore(directory).signer(now)
        root = hashlib.sha256(KeyStore(directory).root_public()).hexdigest()
        results.append(f"{kid.hex()} {root}")
    except Exception as exc:  # reported to the test, which fails on it
        errors.append(repr(exc))

threads = [threading.Thread(target=race) for _ in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for line in results:
    print(line)
for line in errors:
    print("ERROR", line)
"""


def test_racers_on_a_fresh_directory_end_with_one_root_and_one_key(tmp_path: Path) -> None:
    directory, go = tmp_path / "keys", tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(directory), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(6)
    ]
    deadline = time.monotonic() + 60  # every racer imported and waiting at the start line
    while len(list(tmp_path.glob("ready-*"))) < len(racers) and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    lines = []
    for racer in racers:
        out, err = racer.communicate(timeout=60)
        assert racer.returncode == 0, err
        lines += out.splitlines()
    assert not [line for line in lines if line.startswith("ERROR")], lines
    assert len(lines) == 18
    assert len(set(lines)) == 1, f"racers ended with different keys: {sorted(set(lines))}"

    store = KeyStore(directory)
    assert len(store.certificates()) == 1
    assert len(list(store.issuing.glob("*.key.pem"))) == 1
    assert not list(directory.rglob("*.tmp"))  # no half-written file left behind
    kid = store.certificates()[0].kid
    assert lines[0].split()[0] == kid.hex()
    assert lines[0].split()[1] == hashlib.sha256(store.root_public()).hexdigest()
    # the root private key is the one the public key was written from
    assert store.root_signer().public_bytes() == store.root_public()
    # and a later request takes that key, making none
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    assert store.signer(now)[0] == kid
    assert len(store.certificates()) == 1
