"""Databases for tests: every database test runs on SQLite and, when it answers, on PostgreSQL.

Migrations run once per test run (into template files on SQLite, into a fresh database on
PostgreSQL). Each test then gets clean tables: a copy of the templates on SQLite, truncated
tables on PostgreSQL. Tests do not run inside one rolled-back transaction because the concurrency
tests need many real connections at once.
"""

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
        self.sync_url = _with_database(POSTGRES_URL, self.name)
        self.url = self.sync_url.replace("postgresql://", "postgresql+psycopg://", 1)
        for service in SERVICES:
            migrations.upgrade(service, self.url)
        with psycopg.connect(self.sync_url) as connection:
            rows = connection.execute(
                "SELECT schemaname, tablename FROM pg_tables WHERE schemaname = ANY(%s)"
                " AND tablename <> 'alembic_version'", [list(SERVICES)],
            ).fetchall()
        self.tables = ", ".join(f'"{schema}"."{table}"' for schema, table in rows)

    def fresh(self, directory: Path) -> dict[str, str]:
        if self.tables:
            with psycopg.connect(self.sync_url, autocommit=True) as connection:
                connection.execute(f"TRUNCATE {self.tables} RESTART IDENTITY CASCADE")
        return {service: self.url for service in SERVICES}

    def close(self) -> None:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
