"""A page's form action: run it in a savepoint; a refusal changes nothing and goes back to the
page that shows it (in Chinese), with what was typed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from rencai.errors import Refusal


async def form_action(
    request: Request,
    session: Session,
    action: Callable[[FormData], Any],
    refused: Callable[[Refusal, FormData], Response],
    done: Callable[[Any], Response],
) -> Response:
    """``action(form)`` in a savepoint; ``refused(refusal, form)`` when it is refused (its
    changes rolled back), else ``done(result)``."""
    form = await request.form()
    try:
        with session.begin_nested():
            result = action(form)
    except Refusal as exc:
        return refused(exc, form)
    return done(result)
