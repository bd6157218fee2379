"""Migrations and the rule-set registry on a real PostgreSQL server."""

from __future__ import annotations

from sqlalchemy import inspect, select, text

from rencai.db.models import RuleSet
from rencai.db.session import downgrade, engine_for, register_rule_set, session_scope, upgrade
from rencai.policy.version import rules_version


def test_postgres_is_a_real_server(pg_url: str) -> None:
    with engine_for(pg_url).connect() as connection:
        version = connection.execute(text("select version()")).scalar_one()
    assert version.startswith("PostgreSQL")


def test_migrations_up_down_up(pg_url: str) -> None:
    upgrade(pg_url)
    assert "rule_sets" in inspect(engine_for(pg_url)).get_table_names()
    downgrade(pg_url)
    inspector = inspect(engine_for(pg_url))
    assert "rule_sets" not in inspector.get_table_names()
    upgrade(pg_url)
    assert "rule_sets" in inspect(engine_for(pg_url)).get_table_names()


def test_rule_set_is_registered_once(pg_url: str) -> None:
    upgrade(pg_url)
    version = rules_version("shijiazhuang")
    with session_scope(pg_url) as session:
        first = register_rule_set(session, "shijiazhuang", version)
    with session_scope(pg_url) as session:
        again = register_rule_set(session, "shijiazhuang", version)
        rows = session.scalars(select(RuleSet).where(RuleSet.version == version)).all()
    assert first.id == again.id
    assert len(rows) == 1
    assert version.startswith("0.1.0+") and len(version.split("+")[1]) == 12
