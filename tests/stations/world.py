"""Stations test world: eligible graduates (石政办发〔2022〕6号 第17条, in force in 2023), a station
with rooms, on a fresh migrated PostgreSQL database of its own."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from sqlalchemy import create_engine, insert, select, text

from rencai.db.session import session_scope, upgrade
from rencai.registry.accounts import _validated_profile
from rencai.registry.models import Account, Role, TalentProfile
from tests.support import random_id_number

# a day when the measure is in force: fresh graduates of 2023 looking for a job
DAY = dt.date(2023, 5, 10)
AT = dt.datetime(2023, 5, 10, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shijiazhuang


def graduate_profile(**changes: Any) -> dict[str, Any]:
    """A “双一流” master's graduate of 2023 from outside the city, looking for a job at a
    leading-industry enterprise (the case quoted in tests/policy/cases/retention_2022.yaml)."""
    profile: dict[str, Any] = {
        "jurisdiction": "shijiazhuang",
        "person": {
            "birth_date": "1999-01-01",
            "education": [
                {
                    "degree": "master",
                    "full_time": True,
                    "school_tags": ["double_first_class"],
                    "graduation_date": "2023-06-30",
                }
            ],
        },
        "employment": {
            "employer_type": "enterprise",
            "employer_leading_industry": True,
            "introduced_from": "outside_city",
            "county": "130102",
        },
    }
    profile["employment"].update(changes.pop("employment", {}))
    profile.update(changes)
    return profile


def fresh_database(pg_url: str) -> str:
    name = f"stations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    url = pg_url.rsplit("/", 1)[0] + "/" + name
    upgrade(url)
    return url


def talents(url: str, count: int, profile: dict[str, Any] | None = None) -> list[int]:
    """``count`` talents with the given profile (by default eligible), written in bulk."""
    tag = uuid.uuid4().hex[:6]
    with session_scope(url) as session:
        accounts = [
            {
                "username": f"g{tag}{i}",
                "display_name": f"毕业生{i}",
                "password_hash": "-",
                "role": Role.talent.value,
                "active": True,
                "must_change_password": False,
            }
            for i in range(count)
        ]
        session.execute(insert(Account), accounts)
        ids = session.scalars(
            select(Account.id).where(Account.username.like(f"g{tag}%")).order_by(Account.id)
        ).all()
        rows = []
        for i, account_id in enumerate(ids):
            number = random_id_number(dt.date(1999, 1, 1))
            document = _validated_profile(profile or graduate_profile(), number)
            rows.append(
                {
                    "account_id": account_id,
                    "name": f"毕业生{i}",
                    "id_number": number,
                    "profile": document,
                    "version": 1,
                    "updated_at": AT,
                }
            )
        session.execute(insert(TalentProfile), rows)
        return list(
            session.scalars(
                select(TalentProfile.id)
                .where(TalentProfile.account_id.in_(ids))
                .order_by(TalentProfile.id)
            )
        )


def loaded(document: str) -> dict[str, Any]:
    return dict(json.loads(document))
