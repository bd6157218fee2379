"""The open lines' update trigger passes over lines that were not due and are not due.

Migration 0036's update trigger read only the new rows, so every updated line that is not due
afterwards was looked up in ``ledger_open_lines`` to be removed, even when it had not been due
before either: the bank file (``batched`` → ``sent``) and the confirmations (``sent`` →
``paid``) probed the open lines' key once per line for nothing. The trigger now also reads the
old rows: a line leaves the open set only if it was due and is not due now (it is there only if
it was due); one that is due now enters or moves as before; any other line is not looked up.
SQLite's row trigger fires only for a line due before or after (decision 0365).

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0039"
down_revision = "0038"
branch_labels = None
depends_on = None

DUE = "('planned', 'held', 'failed', 'returned')"  # ledger.models.DUE_LINE_STATES

# A line's id never changes, so a line of the old rows and of the new rows is the same line by
# id. The lines that were due are taken first (``OFFSET 0`` keeps the planner from testing the
# other condition first); ``NOT IN`` over the lines still due — few against those the statement
# changes: the run's holds — is then one hashed lookup per line that was due (a hashed subplan,
# which the function's join settings leave alone, built only if some line was due); each line
# to remove is found by the open lines' key.
POSTGRES_UPDATED = f"""
CREATE OR REPLACE FUNCTION ledger_open_lines_updated() RETURNS trigger LANGUAGE plpgsql
SET enable_hashjoin = off SET enable_mergejoin = off AS $$
BEGIN
    DELETE FROM ledger_open_lines AS o
    USING (SELECT r.id FROM old_rows AS r WHERE r.status IN {DUE} OFFSET 0) AS r
    WHERE o.line_id = r.id
    AND r.id NOT IN (SELECT n.id FROM new_rows AS n WHERE n.status IN {DUE});
    INSERT INTO ledger_open_lines AS o (line_id, schedule_id, period)
    SELECT n.id, n.schedule_id, n.period FROM new_rows AS n WHERE n.status IN {DUE}
    ON CONFLICT (line_id) DO UPDATE SET schedule_id = excluded.schedule_id,
        period = excluded.period
    WHERE (o.schedule_id, o.period) IS DISTINCT FROM (excluded.schedule_id, excluded.period);
    RETURN NULL;
END $$;

DROP TRIGGER ledger_open_lines_update ON ledger_lines;
CREATE TRIGGER ledger_open_lines_update AFTER UPDATE ON ledger_lines
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_open_lines_updated();
"""

# migration 0036's, for the downgrade
POSTGRES_UPDATED_0036 = f"""
CREATE OR REPLACE FUNCTION ledger_open_lines_updated() RETURNS trigger LANGUAGE plpgsql
SET enable_hashjoin = off SET enable_mergejoin = off AS $$
BEGIN
    DELETE FROM ledger_open_lines AS o USING new_rows AS n
    WHERE o.line_id = n.id AND n.status NOT IN {DUE};
    INSERT INTO ledger_open_lines AS o (line_id, schedule_id, period)
    SELECT n.id, n.schedule_id, n.period FROM new_rows AS n WHERE n.status IN {DUE}
    ON CONFLICT (line_id) DO UPDATE SET schedule_id = excluded.schedule_id,
        period = excluded.period
    WHERE (o.schedule_id, o.period) IS DISTINCT FROM (excluded.schedule_id, excluded.period);
    RETURN NULL;
END $$;

DROP TRIGGER ledger_open_lines_update ON ledger_lines;
CREATE TRIGGER ledger_open_lines_update AFTER UPDATE ON ledger_lines
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_open_lines_updated();
"""

# SQLite: the row trigger of migration 0036, fired only for a line due before or after
SQLITE_UPDATE = (
    "CREATE TRIGGER ledger_open_lines_update AFTER UPDATE ON ledger_lines{when} "
    "BEGIN DELETE FROM ledger_open_lines WHERE line_id = OLD.id; "
    "INSERT INTO ledger_open_lines (line_id, schedule_id, period) "
    "SELECT NEW.id, NEW.schedule_id, NEW.period WHERE NEW.status IN {due}; END"
)


def _sqlite_update(when: str) -> None:
    op.execute("DROP TRIGGER ledger_open_lines_update")
    op.execute(SQLITE_UPDATE.format(when=when, due=DUE))


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_UPDATED)
    else:
        _sqlite_update(f" WHEN OLD.status IN {DUE} OR NEW.status IN {DUE}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_UPDATED_0036)
    else:
        _sqlite_update("")
