"""Per-service table registries, engines and the request's unit of work.

Every service declares its tables on its own registry (one global metadata would make services'
tables collide). On PostgreSQL each service lives in its own schema, reached through the
connection's search_path, so table definitions carry no schema and the same models run on SQLite.
"""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import DateTime, MetaData, event, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import registry
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_registry() -> registry:
    return registry(metadata=MetaData(naming_convention=NAMING_CONVENTION))


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on both backends.

    SQLite keeps no offset, so values are stored as naive UTC there and given back their UTC
    offset on the way out; PostgreSQL stores timestamptz. Naive input is refused, not guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; give an offset")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def create_engine(url: str, *, schema: str) -> AsyncEngine:
    """An engine for one service's database: its own schema on PostgreSQL, its own SQLite file."""
    if is_sqlite(url):
        engine = create_async_engine(url, connect_args={"timeout": 30})
        _serialize_sqlite_writers(engine)
        return engine
    return create_async_engine(
        url,
        pool_size=10,
        max_overflow=20,
        pool_pre_ping=True,
        connect_args={"options": f"-csearch_path={schema}"},
    )


def _serialize_sqlite_writers(engine: AsyncEngine) -> None:
    # SQLite's default deferred transactions let two writers read the same count and both
    # insert (measured: 44 seats sold for 30). BEGIN IMMEDIATE takes the write lock up front,
    # so every transaction sees the last committed state. The file is in WAL mode from its
    # migration (shared/migrations.py): switching modes here raced between new connections.
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def unit_of_work(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's one transaction: committed before the response is sent, rolled back on error.

    Declared with scope="function" so a failed commit turns into an error response instead of
    a 200 for a change that was lost.
    """
    async with request.app.state.sessions() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


SessionDep = Annotated[AsyncSession, Depends(unit_of_work, scope="function")]


async def insert_unless_duplicate(db: AsyncSession, row: SQLModel) -> bool:
    """Insert `row` unless a unique constraint refuses it: False then, and the transaction lives on.

    A savepoint confines the failure, so two writers racing to create the same record (a double
    check-in, two imports naming one new district) end with one row and no error.
    """
    return await insert_all_unless_duplicate(db, [row])


async def insert_all_unless_duplicate(db: AsyncSession, rows: list[SQLModel]) -> bool:
    """Insert all the rows in one flush (a batch), or none of them: False when a unique
    constraint refuses one (a concurrent writer got there first), and the transaction lives on;
    the caller then goes row by row with insert_unless_duplicate."""
    if not rows:
        return True
    try:
        async with db.begin_nested():
            db.add_all(rows)
            await db.flush()
    except IntegrityError:
        return False
    return True


async def insert_rows(db: AsyncSession, model: type[SQLModel], rows: list[dict[str, Any]]
                      ) -> None:
    """Insert many rows of a table given as column values, in one statement (an executemany)
    on the session's transaction. No ORM objects are built or flushed: at a hundred
    microseconds and more each, those were most of the cost of a batch of thousands. Columns
    left out take their defaults; the session does not know the rows afterwards."""
    if rows:
        await (await db.connection()).execute(insert(model.__table__), rows)


async def insert_rows_unless_duplicate(db: AsyncSession, model: type[SQLModel],
                                       rows: list[dict[str, Any]]) -> bool:
    """insert_rows, or none of them: False when a unique constraint refuses one, and the
    transaction lives on (as insert_all_unless_duplicate)."""
    if not rows:
        return True
    try:
        async with db.begin_nested():
            await insert_rows(db, model, rows)
    except IntegrityError:
        return False
    return True


__all__ = ["AsyncSession", "SQLModel", "SessionDep", "UTCDateTime", "create_engine",
           "insert_all_unless_duplicate", "insert_rows", "insert_rows_unless_duplicate",
           "insert_unless_duplicate", "new_registry", "utcnow"]
