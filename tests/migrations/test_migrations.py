"""Every service's migrations go up from empty, down to base and up again, on SQLite and
PostgreSQL, and leave the database exactly as the service's models describe it."""

import importlib
import uuid

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from shared import migrations
from tests.support.databases import POSTGRES_URL, SERVICES, postgres_reachable


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    if not postgres_reachable():
        pytest.skip("PostgreSQL is not reachable")
    name = f"cascade_mig_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    server = POSTGRES_URL.rpartition("/")[0].replace("postgresql://", "postgresql+psycopg://")
    yield f"{server}/{name}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _tables(url: str, service: str) -> set[str]:
    engine = create_engine(url)
    with engine.connect() as connection:
        schema = service if connection.dialect.name == "postgresql" else None
        names = set(inspect(connection).get_table_names(schema=schema))
    engine.dispose()
    return names - {"alembic_version"}


def _version(url: str, service: str) -> str | None:
    engine = create_engine(url)
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f'SET search_path TO "{service}"'))
        version = MigrationContext.configure(connection).get_current_revision()
    engine.dispose()
    return version


def _head(service: str, url: str) -> str:
    config = migrations.alembic_config(service, url)
    return ScriptDirectory.from_config(config).get_current_head()


def _pending_changes(url: str, service: str) -> list:
    metadata = importlib.import_module(f"services.{service}.db").ServiceTable.metadata
    importlib.import_module(f"services.{service}.models")
    engine = create_engine(url)
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f'SET search_path TO "{service}"'))
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    engine.dispose()
    return diff


@pytest.mark.parametrize("service", SERVICES)
def test_up_down_up_matches_the_models(service, empty_database):
    migrations.upgrade(service, empty_database)
    assert _version(empty_database, service) == _head(service, empty_database)
    created = _tables(empty_database, service)
    assert "outbox_event" in created
    assert _pending_changes(empty_database, service) == []

    migrations.downgrade(service, empty_database)
    assert _tables(empty_database, service) == set()

    migrations.upgrade(service, empty_database)
    assert _tables(empty_database, service) == created
