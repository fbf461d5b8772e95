"""Alembic for one service at a time: its own scripts, its own schema, its own version table.

A service's migrations/env.py is just:

    from services.scheduling.db import ServiceTable
    from shared.migrations import run_env
    run_env(ServiceTable.metadata, schema="scheduling")
"""

from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import create_engine, pool, text

SERVICES_DIR = Path(__file__).resolve().parent.parent / "services"


def sync_url(url: str) -> str:
    # Migrations run synchronously so they can be called from anywhere, event loop or not.
    return (url.replace("sqlite+aiosqlite", "sqlite")
            .replace("postgresql+asyncpg", "postgresql+psycopg"))


def alembic_config(service: str, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SERVICES_DIR / service / "migrations"))
    config.set_main_option("sqlalchemy.url", sync_url(url).replace("%", "%%"))
    config.attributes["schema"] = service
    return config


def upgrade(service: str, url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(service, url), revision)


def downgrade(service: str, url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(service, url), revision)


def run_env(metadata, *, schema: str) -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    if url.startswith("sqlite"):
        Path(url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        on_postgres = connection.dialect.name == "postgresql"
        if not on_postgres:
            # WAL is a property of the file: set once here, it lets readers run beside the
            # writer, and no service connection has to switch it while others are open.
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
            connection.commit()  # else alembic runs inside this open transaction and never commits
        if on_postgres:
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            connection.execute(text(f'SET search_path TO "{schema}"'))
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table_schema=schema if on_postgres else None,
            render_as_batch=not on_postgres,  # SQLite alters tables by copying them
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
