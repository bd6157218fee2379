"""`python -m tests.ledger.crashing KILL_AT rencai-arguments…`: the `rencai` command line with
crash injection — the process kills itself (SIGKILL, as a power cut would) when the ledger
reaches the checkpoint named KILL_AT. Only tests run it; production code registers no hook."""

from __future__ import annotations

import os
import signal
import sys

from rencai.ledger.runs import on_checkpoint


def main() -> None:
    kill_at, arguments = sys.argv[1], sys.argv[2:]

    def die(name: str) -> None:
        if name == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    on_checkpoint(die)
    from rencai.cli import main as rencai

    sys.argv = ["rencai", *arguments]
    rencai()


if __name__ == "__main__":
    main()
