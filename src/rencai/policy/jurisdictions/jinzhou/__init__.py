"""Jinzhou 锦州市: allowances for graduates who stay or come, and a startup subsidy.

The descriptor is ``jurisdiction.yaml``; the rules are declared in ``programs.py``.
"""

from __future__ import annotations

from rencai.policy.jurisdictions.jinzhou.programs import program

__all__ = ["program"]
