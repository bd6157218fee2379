"""`rencai shortage …`: the published catalogues, a catalogue as Excel or PDF, the needs
waiting for the office."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rencai.db.session import session_scope
from rencai.errors import Refusal
from rencai.shortage import exports, service
from rencai.shortage.views import catalogue_view, need_view

app = typer.Typer(
    help="急需紧缺人才需求目录: catalogues, exports, needs waiting.", no_args_is_help=True
)


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


@app.command("catalogues")
def catalogues_command() -> None:
    """Every published catalogue (city, year)."""
    with session_scope() as session:
        for jurisdiction, year in service.years(session):
            typer.echo(f"{jurisdiction}\t{year}")


@app.command("export")
def export_command(
    year: Annotated[int, typer.Option("--year")],
    out: Annotated[Path, typer.Option("--out", help="a .xlsx or .pdf file")],
    jurisdiction: Annotated[str, typer.Option("--city", help="city code")] = "shijiazhuang",
) -> None:
    """Write the year's published catalogue as Excel or PDF (by the file's suffix)."""
    if out.suffix not in (".xlsx", ".pdf"):
        _fail("--out: 文件名应以 .xlsx 或 .pdf 结尾")
    try:
        with session_scope() as session:
            found = service.catalogue_or_404(session, jurisdiction, year)
            view = catalogue_view(session, found, service.catalogue_needs(session, found))
        data = exports.workbook(view) if out.suffix == ".xlsx" else exports.pdf(view)
    except Refusal as exc:
        _fail(exc.message)
    out.write_bytes(data)
    typer.echo(f"已写入 {out}（{len(view.needs)} 项需求）")


@app.command("waiting")
def waiting_command() -> None:
    """Needs waiting for review or publication."""
    with session_scope() as session:
        for need in service.waiting(session):
            view = need_view(session, need)
            typer.echo(
                f"{view.id}\t{view.year}\t{view.employer}\t{view.position}\t{view.status_label}"
            )
