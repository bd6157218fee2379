"""The sample profiles in examples/ (one per city) run as the README shows:
`rencai entitlements examples/<file>`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from rencai.policy.cities import names

EXAMPLES = Path(__file__).parents[2] / "examples"


def _run(path: Path) -> dict:  # type: ignore[type-arg]
    done = subprocess.run(
        [sys.executable, "-m", "rencai", "entitlements", str(path), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _money(result: dict) -> dict:  # type: ignore[type-arg]
    return {b["id"]: b for b in result["benefits"] if b["kind"] == "money"}


def test_every_city_has_a_sample_profile_and_each_runs() -> None:
    files = sorted(p for p in EXAMPLES.iterdir() if p.suffix in {".json", ".yaml", ".yml"})
    cities = {p.name.split("-")[0] for p in files}
    assert cities == set(names())
    results = {p.name.split("-")[0]: _run(p) for p in files}
    sjz = results["shijiazhuang"]
    assert "card.b" in {c["id"] for c in sjz["cards"]}
    assert _money(sjz)["sjz.b.rent_subsidy"]["total"] == "180000.00"
    jz = _money(results["jinzhou"])
    assert jz["jz.graduate.living_allowance"]["total"] == "72000.00"
    assert "cz.graduate_housing_support" in {c["id"] for c in results["cangzhou"]["catalogued"]}


def test_the_readme_lists_every_demo_account() -> None:
    root = Path(__file__).parents[2]
    readme = (root / "README.md").read_text(encoding="utf-8")
    demo = root / "src/rencai/demo"
    usernames = {
        name
        for path in demo.glob("*.py")
        for name in re.findall(r'"(demo_[a-z0-9_]+)"', path.read_text(encoding="utf-8"))
    }
    assert len(usernames) >= 20
    assert {u for u in usernames if f"`{u}`" not in readme} == set()
    assert "/api/openapi.json" in readme and "/api/docs" in readme
    assert "make run HOST=" in readme and "PORT=" in readme
