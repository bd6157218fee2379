"""`rencai applications ...`: the daily end-of-notice run and loading the seeds' procedures."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

app = typer.Typer(
    help="Applications: public notices (公示) and review settings.", no_args_is_help=True
)


@app.command("close-notices")
def close_notices_command(
    on: Annotated[
        str | None, typer.Option("--on", help="Run as of this day (YYYY-MM-DD; default today)")
    ] = None,
) -> None:
    """Make final every case whose public notice ended without an upheld objection (idempotent)."""
    from rencai.applications.publicity import close_notices
    from rencai.db.session import database_url, session_scope, upgrade

    try:
        day = dt.date.fromisoformat(on) if on else None
    except ValueError:
        typer.echo(f"error: --on: 日期格式应为 YYYY-MM-DD，收到 {on!r}", err=True)
        raise typer.Exit(2) from None
    upgrade(database_url())
    with session_scope(database_url()) as session:
        closed = close_notices(session, day)
    typer.echo(
        f"公示期满、审核通过 {len(closed)} 件"
        + (f"：{', '.join(map(str, closed))}" if closed else "")
    )


@app.command("load-procedures")
def load_procedures_command() -> None:
    """Load the seeds' stated review limits (即报即批, 2/5/10 working days) and notice periods."""
    from rencai.applications.programs import load_seeded
    from rencai.db.session import database_url, session_scope, upgrade

    upgrade(database_url())
    with session_scope(database_url()) as session:
        limits, programs = load_seeded(session)
    typer.echo(f"已载入办理时限 {limits} 条，新设置项目 {programs} 个")
