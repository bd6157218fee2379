"""What every process builds once before it serves: the policy catalogue, its search index and
each program as the API and the pages show it, and each computed jurisdiction's rules engine
with its first calculation.

Built lazily, these were built by the first requests — by every one of them that arrived
together, each in its own worker thread, so a cold process under load answered its first
requests after many seconds. The app builds them at start-up instead, before the server takes
connections (and /readyz answers only then), and then freezes them (``gc.freeze``): a full
collection of the cyclic garbage collector no longer walks them (decision 0255).
"""

from __future__ import annotations

import gc
from contextlib import suppress

from rencai.policy.calculator import entitlements
from rencai.policy.catalogue import catalogue
from rencai.policy.cities import registry
from rencai.policy.contract.profile import ProfileError, parse_profile
from rencai.policy.engine.system import system_for


def warm() -> None:
    catalogue().search("人才")  # the catalogue and its search index
    catalogue().listing_json(0, ())  # each program's JSON, which the answers join (decision 0247)
    for code in registry():
        system_for(code)
        with suppress(ProfileError):  # the engine's lazy parts: one calculation, empty profile
            entitlements(parse_profile({"jurisdiction": code}))
    # What is built once lives as long as the process: kept out of the collector's full
    # collections, which would otherwise walk all of it again and again under load (0255).
    gc.collect()
    gc.freeze()
