"""`rencai feeds ...`: load a department delivery (社保, 税务, 学信, 市场监管, 户籍).

A refusal (unknown source, unreadable file, wrong header, an actor who may not load) exits
non-zero with ONE readable Chinese line on stderr and loads nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

feeds_app = typer.Typer(
    help="Department data (数据共享): load deliveries, build the screening store.",
    no_args_is_help=True,
)


@feeds_app.command("load")
def load_command(
    source: Annotated[
        str, typer.Argument(help="social_insurance | tax | degrees | employers | residence")
    ],
    path: Annotated[Path, typer.Argument(help="CSV, Excel (.xlsx) or Parquet file")],
    actor: Annotated[str, typer.Option(help="Username of the data-office account acting")],
) -> None:
    """Load one delivery (layouts in docs/feeds.md); prints the load record as JSON."""
    from sqlalchemy.exc import SQLAlchemyError

    from rencai.db.session import database_url, session_scope
    from rencai.errors import Refusal
    from rencai.feeds.access import loader, rejects_dir, require_source
    from rencai.feeds.departments import layout_of, load_delivery
    from rencai.feeds.source import FileSource

    try:
        with session_scope(database_url()) as session:
            layout_of(source)
            require_source(loader(session, actor), source)
            result = load_delivery(
                session, source, FileSource(path), actor, rejects_dir(), channel="file"
            )
            record = result.load
            summary = {
                "load_id": record.id,
                "already_loaded": result.already_loaded,
                "rows": record.rows_total,
                "loaded": record.rows_loaded,
                "rejected": record.rows_rejected,
                "duplicate": record.rows_duplicate,
                "rejects_file": record.rejects_file,
            }
    except Refusal as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    except SQLAlchemyError:
        typer.echo("error: 数据库无法连接或连接中断，本次导入未完成", err=True)
        raise typer.Exit(1) from None
    typer.echo(json.dumps(summary, ensure_ascii=False))


@feeds_app.command("export-store")
def export_store_command(
    out: Annotated[
        Path | None,
        typer.Option("--out", help="the store's directory (default: the office's screening store)"),
    ] = None,
) -> None:
    """Build the screening store (政策找人) from the loaded department data."""
    from sqlalchemy.exc import SQLAlchemyError

    from rencai.db.session import database_url, session_scope
    from rencai.errors import Refusal
    from rencai.feeds.export import export_store
    from rencai.settings import settings

    target = out if out is not None else settings().screening_store_dir
    try:
        with session_scope(database_url()) as session:
            info = export_store(session, target)
    except Refusal as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    except SQLAlchemyError:
        typer.echo("error: 数据库无法连接或连接中断，筛查数据未生成", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"{info.persons} persons from {len(info.loads)} loads, written to {target}"
        f" ({Path(info.path).name})"
    )
