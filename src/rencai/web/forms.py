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
from rencai.web.errors import status_of


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


async def answered_on_page(
    request: Request,
    session: Session,
    action: Callable[[FormData], Any],
    overview: Callable[..., Response],
    done: str,
) -> Response:
    """``form_action`` for a page whose forms answer on the page itself: a refusal shows the
    page again (``overview(error, status, form=...)``) with the refusal, its status and what was
    typed; otherwise the action's own response (a redirect), else the page with ``done``."""
    return await form_action(
        request,
        session,
        action,
        lambda exc, form: overview(exc.message, status_of(exc), form=form),
        lambda result: result if isinstance(result, Response) else overview(done=done),
    )
