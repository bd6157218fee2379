"""The monthly run's line updates can be HOT: no index of the lines holds their status.

The due lines (those in ``DUE_LINE_STATES``) are found through ``ledger_open_lines`` (line,
schedule, period), a narrow table the database keeps true itself: statement-level triggers with
transition tables on PostgreSQL, row triggers on SQLite. The lines' index on (status, period)
is dropped, so an update that changes a line's status, reason, amount or citation changes no
indexed column; the lines keep a fifth of each page free (fillfactor 80) for the new versions
(decision 0271). Pages written before this migration gain the room as they are rewritten.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None

DUE = "('planned', 'held', 'failed', 'returned')"  # ledger.models.DUE_LINE_STATES

# PostgreSQL: one call per statement, over the rows it changed (transition tables). A line
# leaves the open set when it is no longer due (or gone), enters it when it becomes due (a
# line's id never changes). Each changed line is found by the open lines' key, whatever the
# statement's size: never a scan of the whole open set, nor (the run turns hash joins off for
# its update) a nested loop over the transition tables.
POSTGRES_FUNCTIONS = f"""
CREATE FUNCTION ledger_open_lines_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ledger_open_lines (line_id, schedule_id, period)
    SELECT n.id, n.schedule_id, n.period FROM new_rows AS n WHERE n.status IN {DUE};
    RETURN NULL;
END $$;

CREATE FUNCTION ledger_open_lines_updated() RETURNS trigger LANGUAGE plpgsql
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

CREATE FUNCTION ledger_open_lines_deleted() RETURNS trigger LANGUAGE plpgsql
SET enable_hashjoin = off SET enable_mergejoin = off AS $$
BEGIN
    DELETE FROM ledger_open_lines AS o USING old_rows AS r WHERE o.line_id = r.id;
    RETURN NULL;
END $$;

CREATE TRIGGER ledger_open_lines_insert AFTER INSERT ON ledger_lines
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_open_lines_inserted();
CREATE TRIGGER ledger_open_lines_update AFTER UPDATE ON ledger_lines
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_open_lines_updated();
CREATE TRIGGER ledger_open_lines_delete AFTER DELETE ON ledger_lines
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_open_lines_deleted();
"""

# SQLite: row triggers (no transition tables); one statement each.
SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER ledger_open_lines_insert AFTER INSERT ON ledger_lines
    WHEN NEW.status IN {DUE}
    BEGIN INSERT INTO ledger_open_lines (line_id, schedule_id, period)
    VALUES (NEW.id, NEW.schedule_id, NEW.period); END""",
    f"""CREATE TRIGGER ledger_open_lines_update AFTER UPDATE ON ledger_lines
    BEGIN
    DELETE FROM ledger_open_lines WHERE line_id = OLD.id;
    INSERT INTO ledger_open_lines (line_id, schedule_id, period)
    SELECT NEW.id, NEW.schedule_id, NEW.period WHERE NEW.status IN {DUE}; END""",
    """CREATE TRIGGER ledger_open_lines_delete AFTER DELETE ON ledger_lines
    BEGIN DELETE FROM ledger_open_lines WHERE line_id = OLD.id; END""",
)


def upgrade() -> None:
    op.create_table(
        "ledger_open_lines",
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("line_id"),
    )
    op.create_index("ix_ledger_open_lines_period", "ledger_open_lines", ["period"])
    op.execute(
        "INSERT INTO ledger_open_lines (line_id, schedule_id, period) "
        f"SELECT id, schedule_id, period FROM ledger_lines WHERE status IN {DUE}"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTIONS)
        op.execute("ALTER TABLE ledger_lines SET (fillfactor = 80)")
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
    op.drop_index("ix_ledger_lines_due", table_name="ledger_lines")


def downgrade() -> None:
    op.create_index("ix_ledger_lines_due", "ledger_lines", ["status", "period"])
    postgres = op.get_bind().dialect.name == "postgresql"
    for trigger in ("insert", "update", "delete"):
        on = " ON ledger_lines" if postgres else ""
        op.execute(f"DROP TRIGGER IF EXISTS ledger_open_lines_{trigger}{on}")
    if postgres:
        op.execute("ALTER TABLE ledger_lines RESET (fillfactor)")
        for event in ("inserted", "updated", "deleted"):
            op.execute(f"DROP FUNCTION IF EXISTS ledger_open_lines_{event}()")
    op.drop_table("ledger_open_lines")
