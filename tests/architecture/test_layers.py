"""The layering docs/architecture.md describes, checked on the code: the import-linter
contracts in pyproject.toml (also `make layers`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import rencai

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contracts_are_kept() -> None:
    source = str(Path(rencai.__file__).resolve().parents[1])  # the rencai being tested
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports_command; "
            "sys.exit(lint_imports_command())",
            "--no-cache",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout
    # the contracts the architecture page names are all there
    for name in ("policy knows nothing", "import only downward", "no import cycles"):
        assert name in result.stdout, name
