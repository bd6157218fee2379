"""What a monthly run checks across schedules before deciding lines: 就高 groups and once-only
benefits (decisions 0059 and 0070). Shared by the run's PostgreSQL and portable paths."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import instance_state

from rencai.ledger.bulk import on_postgresql, update_rows
from rencai.ledger.models import Line, Run, Schedule
from rencai.ledger.money import yuan
from rencai.ledger.recovery import CHUNK, bulk_reads, exclude_schedule, preload_lines
from rencai.ledger.schedules import add_months, duplicate_reason
from rencai.policy.engine.system import system_for


def exclusivity_losers(
    session: Session, jurisdiction: str, id_numbers: set[str]
) -> dict[int, dict[str, Any]]:
    """Schedules that lose a 就高 group to another schedule of the same person (any level)."""
    groups = system_for(jurisdiction).program.exclusivity
    members = {m for g in groups for m in g.members}
    if not members or not id_numbers:
        return {}
    live = (
        Schedule.jurisdiction == jurisdiction,
        Schedule.status != "stopped",
        Schedule.program.in_(members),
    )
    # only a person with two or more such schedules can lose a group: the others' lines are
    # not summed (set-based, in SQL; most people hold one)
    contested = (
        select(Schedule.id_number)
        .where(*live)
        .group_by(Schedule.id_number)
        .having(func.count() > 1)
        .subquery()
    )
    held = session.execute(
        select(Schedule.id, Schedule.id_number, Schedule.program)
        .join(contested, contested.c.id_number == Schedule.id_number)
        .where(*live)
    ).all()
    # their lines summed by schedule through its index (few schedules: not a scan of all lines)
    of_schedule = {sid: (id_number, program) for sid, id_number, program in held}
    ids = sorted(of_schedule)
    totals: dict[int, int] = {}
    for start in range(0, len(ids), CHUNK):
        totals.update(
            (int(sid), int(total or 0))
            for sid, total in session.execute(
                select(Line.schedule_id, func.sum(Line.amount_fen))
                .where(
                    Line.schedule_id.in_(ids[start : start + CHUNK]),
                    Line.status.not_in(("stopped", "lapsed", "excluded")),
                )
                .group_by(Line.schedule_id)
            )
        )
    rows: list[tuple[int, str, str, int]] = [
        (sid, of_schedule[sid][0], of_schedule[sid][1], totals[sid]) for sid in ids if sid in totals
    ]
    by_person: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
    for sid, id_number, program, total in rows:
        if id_number in id_numbers:
            by_person[id_number].append((sid, program, int(total or 0)))
    losers: dict[int, dict[str, Any]] = {}
    for schedules in by_person.values():
        for group in groups:
            candidates = [s for s in schedules if s[1] in group.members]
            if len(candidates) < 2:
                continue
            winner = group.winner(sorted(candidates), total=lambda s: s[2], member=lambda s: s[1])
            for loser in candidates:
                if loser is not winner:
                    losers[loser[0]] = {
                        "winner_schedule": winner[0],
                        "winner_total_fen": winner[2],
                        "loser_total_fen": loser[2],
                        "group": group.id,
                        "reason": f"{group.label}：已享受总额更高的项目（发放计划 {winner[0]}，"
                        f"总额{yuan(winner[2])}元）",
                        "citation": group.citation.as_dict(),
                    }
    return losers


def once_duplicates(
    session: Session, jurisdiction: str, schedule_ids: set[int]
) -> dict[int, dict[str, Any]]:
    """Due once-only schedules that are not the person's payable one for that benefit: the one
    holding ``once_key`` (a unique index), else the earliest. Refused, never paid, whatever
    path created them (decision 0070)."""
    if not schedule_ids:
        return {}
    ids = sorted(schedule_ids)
    due = [
        s
        for start in range(0, len(ids), 5000)
        for s in session.scalars(select(Schedule).where(Schedule.id.in_(ids[start : start + 5000])))
    ]
    people = sorted({s.id_number for s in due})
    siblings: dict[tuple[str, str], list[Schedule]] = defaultdict(list)
    for start in range(0, len(people), 5000):
        for s in session.scalars(
            select(Schedule).where(
                Schedule.jurisdiction == jurisdiction,
                Schedule.per == "once",
                Schedule.id_number.in_(people[start : start + 5000]),
            )
        ):
            siblings[(s.id_number, s.program)].append(s)
    for group in siblings.values():
        group.sort(key=lambda s: s.id)
    refused: dict[int, dict[str, Any]] = {}
    for schedule in due:
        group = siblings[(schedule.id_number, schedule.program)]
        holder = next((s for s in group if s.once_key == s.program), group[0])
        if holder.id == schedule.id:
            continue
        reason = duplicate_reason(holder)
        refused[schedule.id] = {
            "winner_schedule": holder.id,
            "group": "once_only",
            "reason": reason,
            "citation": json.loads(holder.citation or "null"),
            "duplicate_of": holder.id,
        }
    return refused


def apply_exclusions(session: Session, run: Run, losers: dict[int, dict[str, Any]]) -> None:
    """Stop each losing schedule (its later lines excluded; what it was paid offset) and close a
    once-only duplicate before its first period."""
    with bulk_reads(session):
        ids = sorted(losers)
        held = [  # into the session (held here: its identity map keeps no object alive)
            schedule
            for start in range(0, len(ids), CHUNK)
            for schedule in session.scalars(
                select(Schedule).where(Schedule.id.in_(ids[start : start + CHUNK]))
            )
        ]
        preload_lines(session, ids)
        for schedule_id, verdict in losers.items():
            exclude_schedule(session, schedule_id, run.month, verdict, run.started_by, run.id)
            if "duplicate_of" in verdict:  # no period of it was ever due
                duplicate = session.get(Schedule, schedule_id)
                assert duplicate is not None
                duplicate.stopped_after = add_months(duplicate.start_period, -1)
        if on_postgresql(session):
            _write_set_based(session, Line, ("status", "reason"))
            _write_set_based(session, Schedule, ("status", "stop_reason", "stopped_after"))
        session.flush()
        del held


def _write_set_based(
    session: Session, model: type[Line] | type[Schedule], columns: tuple[str, ...]
) -> None:
    """Write the changed ``model`` objects whose changes are all among ``columns`` with one
    UPDATE … FROM (``update_rows``) instead of the flush's UPDATE per row, and take them out of
    the session so that the flush does not write them again (decision 0309). Objects with
    other changes are left to the flush."""
    written = []
    allowed = set(columns)
    for obj in session.dirty:
        if not isinstance(obj, model):
            continue
        # the attributes set since the object was loaded (their loaded values are kept): an
        # attribute set to its own value counts too, which only leaves the object to the flush
        changed = instance_state(obj).committed_state.keys()
        if changed and changed <= allowed:
            written.append(obj)
    update_rows(
        session,
        model.__table__,  # type: ignore[arg-type]
        [{"id": obj.id, **{c: getattr(obj, c) for c in columns}} for obj in written],
    )
    for obj in written:
        session.expunge(obj)
