from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from rencai import settings, wiring
from tests.support import LiveServer, ServerProcess, postgres_cluster


@pytest.fixture(scope="session", autouse=True)
def wired() -> None:
    """Consumers registered for events, as at every start-up (the web app, the command line)."""
    wiring.wire()


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """Settings are read once per process; a test that changes the environment inside this
    process reads them again (``settings.reset()`` after its change), and the next test starts
    from the environment as the test left it restored."""
    settings.reset()
    yield
    settings.reset()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A real PostgreSQL server for the session (never SQLite in its place)."""
    with postgres_cluster() as url:
        yield url


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app served over real HTTP on a free port, on a fresh SQLite database."""
    import os

    from rencai.db.session import upgrade
    from rencai.web.app import create_app

    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'rencai.sqlite3'}"
    os.environ["RENCAI_DATABASE_URL"] = url
    os.environ["RENCAI_FILES_DIR"] = str(tmp_path_factory.mktemp("files"))
    settings.reset()
    upgrade(url)
    with LiveServer(create_app()) as server:
        yield server


@pytest.fixture(scope="session")
def pg_server(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The app over real HTTP on its own migrated PostgreSQL database (one per session)."""
    import uuid

    from sqlalchemy import create_engine, text

    from rencai.db.session import engine_for, upgrade

    name = f"served_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    url = pg_url.rsplit("/", 1)[0] + "/" + name
    upgrade(url)
    engine_for(url).dispose()
    with ServerProcess(url, tmp_path_factory.mktemp("served-files")) as server:
        yield server


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo world of `make run`, loaded once per session into a SQLite file (asserting it
    was created); a test takes its own copy with ``demo_url``."""
    from rencai.db.session import engine_for, session_scope, upgrade
    from rencai.demo import load_demo

    folder = tmp_path_factory.mktemp("demo-template")
    path = folder / "demo.sqlite3"
    url = f"sqlite:///{path}"
    previous = os.environ.get("RENCAI_FILES_DIR")
    os.environ["RENCAI_FILES_DIR"] = str(folder / "files")  # the demo's bank files
    settings.reset()
    try:
        upgrade(url)
        with session_scope(url) as session:
            assert load_demo(session) is True
        engine_for(url).dispose()
    finally:
        if previous is None:
            os.environ.pop("RENCAI_FILES_DIR", None)
        else:
            os.environ["RENCAI_FILES_DIR"] = previous
        settings.reset()
    return path


@pytest.fixture
def demo_url(demo_template: Path, tmp_path: Path) -> str:
    """A fresh copy of the demo world for one test (SQLite URL)."""
    target = tmp_path / "demo.sqlite3"
    shutil.copyfile(demo_template, target)
    return f"sqlite:///{target}"
