"""The rules version: a fingerprint of everything that decides a calculator result."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import rencai

POLICY_DIR = Path(__file__).parent


@cache
def rules_version(jurisdiction: str) -> str:
    """``<package version>+<12 hex>``: the hash of the jurisdiction's rule and parameter files and
    of the shared rule machinery, so a stored decision can name the exact law it was computed by."""
    digest = hashlib.sha256()
    roots = [POLICY_DIR / "jurisdictions" / jurisdiction, POLICY_DIR / "engine", POLICY_DIR]
    for root in roots:
        pattern = "*" if root == POLICY_DIR else "**/*"
        for path in sorted(root.glob(pattern)):
            if path.is_file() and path.suffix in {".py", ".yaml"}:
                digest.update(str(path.relative_to(POLICY_DIR)).encode())
                digest.update(path.read_bytes())
    return f"{rencai.__version__}+{digest.hexdigest()[:12]}"
