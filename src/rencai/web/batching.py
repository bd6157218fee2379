"""The calculator route's micro-batches, answer cache and admission (decision 0190).

One calculation is one OpenFisca simulation, and OpenFisca is vectorised: a simulation of fifty
persons costs little more than one of one. So the route does not run a simulation per request:
requests arriving together in one process are collected for a short window
(RENCAI_CALCULATOR_WINDOW) and answered from ONE simulation of all their persons
(``entitlements_many``), each answer split back to its request — the same answer the profile gets
alone. While a batch runs, the next requests collect for the next one; one batch runs at a time
per process (more would only share the process's one interpreter).

An answer depends only on the profile, the day and the rules the process was built with, so the
last RENCAI_CALCULATOR_CACHE answers are kept, serialised, keyed by the profile and the day.

Admission is bounded in time as for the online card check (decision 0170): a request that could
not start within RENCAI_CALCULATOR_WAIT — the queue ahead of it, at the running mean of a
profile's cost, would take longer — is answered 503 busy at once, before its body is read.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
import weakref
from collections import OrderedDict
from typing import Any

from starlette.concurrency import run_in_threadpool

from rencai.policy.calculator import entitlements_many
from rencai.policy.contract.profile import Profile, ProfileError
from rencai.settings import settings
from rencai.web.jsonbytes import dumps

SMOOTHING = 0.2  # weight of the latest batch in the running mean of a profile's cost
MAX_BATCH = 256  # profiles in one simulation at most
FIRST_COST = 0.005  # seconds per profile assumed before the first batch is measured


class Calculator:
    """The micro-batches of one event loop (asyncio primitives belong to their loop)."""

    def __init__(self) -> None:
        self.queue: list[tuple[Profile, dt.date | None, asyncio.Future[Any]]] = []
        self.running = False
        self.in_flight = 0  # profiles of the batch being computed
        # seconds per profile, running mean; before the first batch, one lone simulation's cost
        self.cost = FIRST_COST
        self.answers: OrderedDict[tuple[str, str], bytes] = OrderedDict()

    # admission ---------------------------------------------------------------------------------

    def hopeless(self, wait: float) -> bool:
        """Whether a request arriving now could not start within ``wait`` seconds: what is
        queued and being computed ahead of it takes longer than that at the running cost."""
        if not self.running:
            return False
        return wait <= 0 or (len(self.queue) + self.in_flight) * self.cost > wait

    # cache -------------------------------------------------------------------------------------

    def cached(self, key: tuple[str, str]) -> bytes | None:
        found = self.answers.get(key)
        if found is not None:
            self.answers.move_to_end(key)
        return found

    def keep(self, key: tuple[str, str], body: bytes) -> None:
        limit = settings().calculator_cache
        if limit <= 0:
            return
        self.answers[key] = body
        while len(self.answers) > limit:
            self.answers.popitem(last=False)

    # batches -----------------------------------------------------------------------------------

    async def answer(self, profile: Profile, on: dt.date | None) -> dict[str, Any]:
        """The profile's answer (raises its ProfileError), computed in the next batch."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.queue.append((profile, on, future))
        if not self.running:
            self.running = True
            asyncio.get_running_loop().create_task(self._drain())
        answer = await future
        if isinstance(answer, ProfileError):
            raise answer
        return answer

    async def _drain(self) -> None:
        try:
            await asyncio.sleep(settings().calculator_window)
            while self.queue:
                batch, self.queue = self.queue[:MAX_BATCH], self.queue[MAX_BATCH:]
                self.in_flight = len(batch)
                started = time.monotonic()
                answers = await run_in_threadpool(_compute, [(p, on) for p, on, _ in batch])
                per_profile = (time.monotonic() - started) / len(batch)
                self.cost += SMOOTHING * (per_profile - self.cost)
                self.in_flight = 0
                for (_, _, future), answer in zip(batch, answers, strict=True):
                    if future.done():  # its client went away
                        continue
                    if isinstance(answer, BaseException) and not isinstance(answer, ProfileError):
                        future.set_exception(answer)
                    else:
                        future.set_result(answer)
        finally:
            self.running = False
            self.in_flight = 0


def _compute(requests: list[tuple[Profile, dt.date | None]]) -> list[Any]:
    """Answers in order: one ``entitlements_many`` per day asked for; should a batch fail as a
    whole, each profile is computed alone so that its failure stays its own."""
    answers: list[Any] = [None] * len(requests)
    by_day: dict[dt.date | None, list[int]] = {}
    for i, (_, on) in enumerate(requests):
        by_day.setdefault(on, []).append(i)
    for on, members in by_day.items():
        try:
            results = entitlements_many([requests[i][0] for i in members], on)
        except Exception:
            for i in members:
                try:
                    answers[i] = entitlements_many([requests[i][0]], on)[0]
                except Exception as exc:  # handed to its own request
                    answers[i] = exc
            continue
        for i, result in zip(members, results, strict=True):
            answers[i] = result
    return answers


_calculators: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Calculator] = (
    weakref.WeakKeyDictionary()
)


def calculator() -> Calculator:
    loop = asyncio.get_running_loop()
    found = _calculators.get(loop)
    if found is None:
        found = _calculators[loop] = Calculator()
    return found


def cache_key(profile: dict[str, Any], on: dt.date | None, today: dt.date) -> tuple[str, str]:
    """The profile as canonical JSON and the day the answer is for (the query's, else the
    profile's, else today: an answer computed for today is not one for tomorrow)."""
    return json.dumps(profile, sort_keys=True, ensure_ascii=False), f"{on}|{today}"


def encode(answer: dict[str, Any]) -> bytes:
    return dumps(answer)
