"""Every SQL statement that writes reach's read model."""

from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from services.reach.db import ServiceTable

# Ids asked for in one SELECT ... IN: well under any database's limit on bound parameters.
CHUNK = 500


async def delete(db: AsyncSession, model: type[ServiceTable], row_id: str) -> None:
    row = await db.get(model, row_id)
    if row is not None:
        await db.delete(row)
        await db.flush()


async def upsert(db: AsyncSession, model: type[ServiceTable], values: dict[str, Any], *,
                 version: int) -> None:
    """Insert or update the row with values["id"], unless a later event already wrote it."""
    await upsert_many(db, model, {values["id"]: (values, version)})


async def versions(db: AsyncSession, model: type[ServiceTable], ids: list[str]) -> dict[str, int]:
    """The version of each of these rows that exists."""
    table = model.__table__
    found: dict[str, int] = {}
    for start in range(0, len(ids), CHUNK):
        rows = await db.exec(select(table.c.id, table.c.version)
                                .where(table.c.id.in_(ids[start:start + CHUNK])))
        found.update((row_id, version) for row_id, version in rows)
    return found


async def upsert_many(db: AsyncSession, model: type[ServiceTable],
                      rows: dict[str, tuple[dict[str, Any], int]]) -> None:
    """upsert for many rows of one table, each given as id -> (values, version): one SELECT of
    the versions they have, one INSERT of those that are new and one UPDATE of those written by
    an earlier event (an executemany each). A row a later or the same event wrote stays as is."""
    if not rows:
        return
    table = model.__table__
    known = await versions(db, model, list(rows))
    new = [model(**values, version=version) for row_id, (values, version) in rows.items()
           if row_id not in known]
    changed = [(values, version) for row_id, (values, version) in rows.items()
               if row_id in known and known[row_id] < version]
    # Core statements on the session's connection, each given its rows (an executemany).
    connection = await db.connection()
    if new:
        await connection.execute(insert(table), [{column.name: getattr(row, column.name)
                                          for column in table.columns} for row in new])
    # One statement per set of columns given (the feeds give every column of a table; callers
    # writing a few columns of some rows get a statement for those).
    by_columns: dict[tuple[str, ...], list[tuple[dict[str, Any], int]]] = {}
    for values, version in changed:
        by_columns.setdefault(tuple(name for name in values if name != "id"), []).append(
            (values, version))
    for names, group in by_columns.items():
        # The version guard again in the statement: nothing older ever overwrites a row.
        statement = (update(table)
                     .where(table.c.id == bindparam("row_id"),
                            table.c.version < bindparam("row_version"))
                     .values({name: bindparam(f"new_{name}") for name in [*names, "version"]}))
        await connection.execute(statement, [
            {"row_id": values["id"], "row_version": version, "new_version": version,
             **{f"new_{name}": values[name] for name in names}}
            for values, version in group])
