"""Databases for tests: every database test runs on SQLite and, when it answers, on PostgreSQL.

Migrations run once per test run (into template files on SQLite, into a fresh database on
PostgreSQL). Each test then gets clean tables: a copy of the templates on SQLite, emptied tables
on PostgreSQL. Tests do not run inside one rolled-back transaction because the concurrency
tests need many real connections at once.
"""

import graphlib
import os
import shutil
import uuid
from pathlib import Path

import psycopg

from shared import migrations

SERVICES = ("identity", "scheduling", "evidence", "reach")
POSTGRES_URL = os.environ.get(
    "CASCADE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def postgres_reachable() -> bool:
    """False skips the PostgreSQL runs on a developer's machine without it; in CI (which starts
    PostgreSQL first) an unreachable server is a failure, never a silent skip."""
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=2):
            return True
    except psycopg.Error as exc:
        if os.environ.get("CI"):
            raise RuntimeError(f"CI needs PostgreSQL at {POSTGRES_URL}: {exc}") from exc
        return False


def _with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


class SQLiteDatabases:
    def __init__(self, root: Path) -> None:
        self.templates = root / "templates"
        self.templates.mkdir(parents=True)
        for service in SERVICES:
            migrations.upgrade(service, f"sqlite:///{self.templates / service}.db")

    def fresh(self, directory: Path) -> dict[str, str]:
        directory.mkdir(parents=True, exist_ok=True)
        urls = {}
        for service in SERVICES:
            target = directory / f"{service}.db"
            shutil.copyfile(self.templates / f"{service}.db", target)
            urls[service] = f"sqlite+aiosqlite:///{target}"
        return urls

    def close(self) -> None:
        pass


class PostgresDatabases:
    def __init__(self) -> None:
        self.name = f"cascade_test_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{self.name}"')
            # A commit need not wait for its disk flush (1-2 ms each, measured): a database
            # thrown away at the end of the run loses nothing, and what each transaction sees
            # is the same.
            connection.execute(f'ALTER DATABASE "{self.name}" SET synchronous_commit = off')
        self.sync_url = _with_database(POSTGRES_URL, self.name)
        self.url = self.sync_url.replace("postgresql://", "postgresql+psycopg://", 1)
        for service in SERVICES:
            migrations.upgrade(service, self.url)
        self._connection = psycopg.connect(self.sync_url, autocommit=True)
        self._emptying = _emptying_statements(self._connection)

    def fresh(self, directory: Path) -> dict[str, str]:
        # DELETE, not TRUNCATE: a test writes a few rows, and TRUNCATE's new files for every
        # table and index cost ~0.2 s a test (measured) where DELETEs of a few rows cost ~5 ms.
        self._connection.execute(self._emptying)
        return {service: self.url for service in SERVICES}

    def close(self) -> None:
        self._connection.close()
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _emptying_statements(connection: psycopg.Connection) -> str:
    """One round trip (run as one transaction) that empties every service's tables, each after
    the tables referring to it, and restarts the sequences, as TRUNCATE ... RESTART IDENTITY
    did."""
    schemas = [list(SERVICES)]
    tables = connection.execute(
        "SELECT format('%%I.%%I', schemaname, tablename)::regclass::text FROM pg_tables"
        " WHERE schemaname = ANY(%s) AND tablename <> 'alembic_version'", schemas).fetchall()
    references = connection.execute(
        "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint"
        " WHERE contype = 'f' AND connamespace::regnamespace::text = ANY(%s)"
        " AND conrelid <> confrelid", schemas).fetchall()
    sequences = connection.execute(
        "SELECT format('%%I.%%I', schemaname, sequencename) FROM pg_sequences"
        " WHERE schemaname = ANY(%s)", schemas).fetchall()
    # A table comes after every table that refers to it (a self-reference goes in one DELETE).
    referrers = graphlib.TopologicalSorter({table: set() for (table,) in tables})
    for child, parent in references:
        referrers.add(parent, child)
    # The names are the catalog's own, quoted by format() and regclass.
    statements = [f"DELETE FROM {table}" for table in referrers.static_order()]  # noqa: S608
    statements += [f"ALTER SEQUENCE {sequence} RESTART" for (sequence,) in sequences]
    return "; ".join(statements)
