"""Shijiazhuang 石家庄市: talent green cards A / B / county / family and what they grant.

The descriptor is ``jurisdiction.yaml``; the rules are declared in ``programs.py``.
"""

from __future__ import annotations

from rencai.policy.jurisdictions.shijiazhuang.programs import family_card_services, program

__all__ = ["family_card_services", "program"]
