"""`rencai stats FIGURE`: a published figure for a past date, as a table, JSON or Excel.

`rencai stats list` prints the figures with their definitions. A refusal (unknown figure or
option, a date in the future) exits non-zero with ONE readable Chinese line on stderr.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class Format(StrEnum):
    table = "table"
    json = "json"
    xlsx = "xlsx"


Opt = Annotated[str | None, typer.Option()]


def stats_command(
    figure: Annotated[
        str, typer.Argument(help="a figure (`rencai stats list` names them), `report` or `rollup`")
    ],
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD or YYYY-MM")] = None,
    format: Annotated[Format, typer.Option("--format")] = Format.table,
    out: Annotated[Path | None, typer.Option(help="the Excel file (--format xlsx)")] = None,
    by: Opt = None,
    by2: Opt = None,
    county: Opt = None,
    tier: Opt = None,
    industry: Opt = None,
    program: Opt = None,
    months: Opt = None,
    year: Opt = None,
) -> None:
    """Statistics 人才统计 for a past date (small cells suppressed)."""
    import shutil

    from sqlalchemy.exc import SQLAlchemyError

    from rencai.analytics.export import figure_xlsx, rows_of
    from rencai.analytics.service import catalogue, figure_table
    from rencai.analytics.views import figure_view
    from rencai.db.session import database_url, session_scope
    from rencai.errors import Refusal

    if figure == "report":  # the monthly report (--as-of YYYY-MM) as PDF
        from rencai.analytics.report import monthly_report, report_month

        if out is None:
            typer.echo("error: 月报须指定 --out 文件", err=True)
            raise typer.Exit(1)
        try:
            with session_scope(database_url()) as session:
                content = monthly_report(session, None, report_month(as_of))
            out.write_bytes(content)
        except Refusal as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(1) from None
        except OSError:
            typer.echo(f"error: 无法写入文件 {out}", err=True)
            raise typer.Exit(1) from None
        typer.echo(str(out))
        return
    if figure == "rollup":  # the nightly roll-up of card uses and card states (0180, 0238)
        from rencai.analytics import rollups, snapshots

        with session_scope(database_url()) as session:
            rolled = rollups.refresh(session)
            talents = snapshots.refresh(session)
        typer.echo(f"已汇总 {rolled} 条用卡记录、{talents} 名人才的持卡变动")
        return
    if figure == "list":
        for item in catalogue():
            typer.echo(f"{item['name']}\t{item['title']}\t{item['definition']}")
        return
    if format is Format.xlsx and out is None:
        typer.echo("error: 导出 Excel 须指定 --out 文件", err=True)
        raise typer.Exit(1)
    options = {"by": by, "by2": by2, "county": county, "tier": tier, "industry": industry}
    options |= {"program": program, "months": months, "year": year}
    try:
        with session_scope(database_url()) as session:
            view = figure_view(figure_table(session, None, figure, as_of, options))
    except Refusal as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    except SQLAlchemyError:
        typer.echo("error: 数据库无法连接或连接中断", err=True)
        raise typer.Exit(1) from None
    if format is Format.json:
        typer.echo(json.dumps(view.model_dump(), ensure_ascii=False, indent=1))
    elif format is Format.xlsx:
        assert out is not None
        made = figure_xlsx([view])
        try:
            shutil.move(made, out)
        except OSError:
            made.unlink(missing_ok=True)
            typer.echo(f"error: 无法写入文件 {out}", err=True)
            raise typer.Exit(1) from None
        typer.echo(str(out))
    else:
        typer.echo(f"{view.title}（截至 {view.as_of}，单位：{view.unit}）")
        for row in rows_of(view):
            typer.echo("\t".join("" if v is None else str(v) for v in row))
