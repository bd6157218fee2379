"""0020 goes down and up again: every housing table and index is dropped and made again."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, inspect

from rencai.db.session import downgrade, upgrade

TABLES = {
    "housing_buildings",
    "housing_units",
    "housing_batches",
    "housing_batch_units",
    "housing_applications",
    "housing_allocations",
    "housing_objections",
    "housing_contracts",
    "housing_members",
    "housing_purchases",
    "housing_events",
}


def test_housing_migration_down_and_up(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    upgrade(url)
    assert set(inspect(create_engine(url)).get_table_names()) >= TABLES
    downgrade(url, "0019")
    assert not TABLES & set(inspect(create_engine(url)).get_table_names())
    upgrade(url, "0020")
    names = {i["name"] for i in inspect(create_engine(url)).get_indexes("housing_members")}
    assert "uq_housing_member_one_rental" in names
