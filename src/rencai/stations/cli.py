"""`rencai stations …`: list stations, open rooms, release no-shows, the monthly cost."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select

from rencai.db.session import session_scope
from rencai.errors import Refusal
from rencai.policy.contract.vocabulary import vocabulary
from rencai.stations import service
from rencai.stations.models import Station
from rencai.stations.views import cost_view, station_view

app = typer.Typer(
    help="青年人才驿站: stations, rooms, no-shows, monthly cost.", no_args_is_help=True
)


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        _fail(f"{option}: 日期格式应为 YYYY-MM-DD，收到 {value!r}")
    raise AssertionError  # unreachable


@app.command("list")
def list_command() -> None:
    """Every station with its city, county and price."""
    with session_scope() as session:
        for station in session.scalars(select(Station).order_by(Station.id)):
            view = station_view(station)
            typer.echo(
                f"{view.id}\t{view.city}\t{view.county_name}\t{view.name}\t{view.nightly_rate}元/晚"
            )


@app.command("open-rooms")
def open_rooms_command(
    station: Annotated[int, typer.Option("--station", help="station id")],
    first: Annotated[str, typer.Option("--first", help="first night (YYYY-MM-DD)")],
    last: Annotated[str, typer.Option("--last", help="last night (YYYY-MM-DD)")],
    rooms: Annotated[int, typer.Option("--rooms", help="rooms each night")],
) -> None:
    """Make ROOMS rooms available on each night from FIRST to LAST."""
    start, end = _date(first, "--first"), _date(last, "--last")
    try:
        with session_scope() as session:
            found = service.station_or_404(session, station)
            added = service.open_rooms(session, found, start, end, rooms)
    except Refusal as exc:
        _fail(exc.message)
    typer.echo(f"已开放 {added} 个房晚")


@app.command("release-no-shows")
def release_command() -> None:
    """Give back the rooms of bookings not checked in by the end of their first night."""
    with session_scope() as session:
        released = service.release_no_shows(session)
    typer.echo(f"已释放 {released} 项未到预订")


@app.command("costs")
def costs_command(
    month: Annotated[str, typer.Option("--month", help="YYYY-MM")],
    jurisdiction: Annotated[str, typer.Option("--city", help="city code")] = "shijiazhuang",
    out: Annotated[Path | None, typer.Option("--out", help="write the statement (.xlsx)")] = None,
) -> None:
    """What the city pays each station for the month's nights."""
    try:
        with session_scope() as session:
            lines = service.monthly_costs(session, jurisdiction, month)
    except Refusal as exc:
        _fail(exc.message)
    for line in lines:
        view = cost_view(line)
        typer.echo(
            f"{view.station}\t{view.county}\t{view.guests}人\t{view.nights}晚\t{view.amount}元"
        )
    if out is not None:
        city = vocabulary().label("jurisdiction", jurisdiction)
        out.write_bytes(service.costs_workbook(lines, city))
        typer.echo(f"已写入 {out}")
