"""A hook a capability fires for the capabilities further out, without knowing them.

The producer declares the hook and fires it; each consumer registers its handler once at
start-up (``rencai.wiring``), so the import arrow points from the consumer to the producer.
A hook declared ``required`` refuses to fire before anything registered for it: an approval
must never go through without its card and its payment schedule because start-up was skipped.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

Handler = Callable[..., Any]


class NotWired(RuntimeError):
    """A required hook fired before the start-up wiring registered its handlers."""


class Hook:
    def __init__(self, name: str, *, required: bool = False) -> None:
        self.name = name
        self.required = required
        self._handlers: list[Handler] = []
        self._replaced = False

    def register(self, handler: Handler) -> None:
        """Add a handler (registering the same one again changes nothing)."""
        if handler not in self._handlers:
            self._handlers.append(handler)

    @property
    def handlers(self) -> tuple[Handler, ...]:
        return tuple(self._handlers)

    def fire(self, *args: Any) -> None:
        """Call every handler in the order they registered; an error propagates (the caller's
        transaction is rolled back with it)."""
        if self.required and not self._handlers and not self._replaced:
            raise NotWired(f"nothing is registered for {self.name}: call rencai.wiring.wire()")
        for handler in list(self._handlers):
            handler(*args)

    @contextlib.contextmanager
    def replaced(self, *handlers: Handler) -> Iterator[None]:
        """Run a block with these handlers instead of the registered ones (tests)."""
        saved, saved_flag = self._handlers, self._replaced
        self._handlers, self._replaced = list(handlers), True
        try:
            yield
        finally:
            self._handlers, self._replaced = saved, saved_flag
