"""What a process builds at start-up is frozen out of the garbage collector's full collections
(decision 0255): under load a full collection walked the whole heap every few hundred
calculator answers (about 0.2 s each in a worker)."""

from __future__ import annotations

import gc

from rencai.policy.cities import registry
from rencai.policy.engine.system import system_for
from rencai.web.warm import warm


def test_warm_freezes_what_it_built() -> None:
    gc.unfreeze()
    try:
        warm()
        assert gc.get_freeze_count() > 10_000
        # the rules engines built at start-up are not among what a collection walks
        walked = gc.get_objects()
        for code in registry():
            system = system_for(code)
            assert not any(obj is system for obj in walked)
    finally:
        gc.unfreeze()
