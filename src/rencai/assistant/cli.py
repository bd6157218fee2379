"""`rencai ask "QUESTION"`: the 云骥 assistant from the command line.

Prints the answer with its citations (``--format text``) or the API's JSON (``--format json``).
A bad option is one readable line on stderr and exit code 2.
"""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from typing import Annotated

import typer


class AskFormat(StrEnum):
    json = "json"
    text = "text"


CITIES = ("shijiazhuang", "jinzhou", "cangzhou")


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def ask_command(
    question: Annotated[str, typer.Argument(help="the question, in Chinese")],
    on: Annotated[str | None, typer.Option("--on", help="date asked (YYYY-MM-DD)")] = None,
    jurisdiction: Annotated[
        str | None,
        typer.Option("--jurisdiction", help="the city asked about: " + "|".join(CITIES)),
    ] = None,
    fmt: Annotated[AskFormat, typer.Option("--format")] = AskFormat.text,
) -> None:
    """云骥: answer a policy question in Chinese, citing the clauses."""
    # imported here: the clause index and its libraries load only for this command
    from rencai.assistant.core import QuestionError, ask

    day = None
    if on is not None:
        try:
            day = dt.date.fromisoformat(on)
        except ValueError:
            _fail(f"--on: 日期格式应为 YYYY-MM-DD，收到 {on!r}")
    if jurisdiction is not None and jurisdiction not in CITIES:
        _fail(f"--jurisdiction: 应为 {'、'.join(CITIES)} 之一，收到 {jurisdiction!r}")
    try:
        answer = ask(question, on=day, jurisdiction=jurisdiction)
    except QuestionError as exc:
        _fail(str(exc))
        return
    if fmt is AskFormat.json:
        typer.echo(json.dumps(answer.as_dict(), ensure_ascii=False, indent=2))
        return
    typer.echo(answer.answer)
    if answer.ask:
        typer.echo(f"（请补充：{answer.ask['question']}）")
    for number, citation in enumerate(answer.citations, 1):
        typer.echo(f"[{number}] {citation['document']} {citation['clause']}：{citation['quote']}")
    if answer.calculator_url:
        typer.echo(f"在计算器中修改：{answer.calculator_url}")
