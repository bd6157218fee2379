"""``HEAD`` answered wherever ``GET`` is (decision 0101).

FastAPI's API routes answer only the methods they declare, so a ``HEAD`` (link checkers,
proxies, monitoring) got 405 where a ``GET`` would succeed. This middleware runs a ``HEAD`` as
the ``GET`` of the same address — same status, same headers, Content-Length included — and sends
no body. Where there is no ``GET`` the answer is the ``GET``'s: 405 (or 404).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGetMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # the rest of a streamed body: nothing to send for HEAD
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)
