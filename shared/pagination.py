"""Cursor pagination: every list answers {items, next_cursor}; pass next_cursor back as `cursor`."""

from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class PageParams(BaseModel):
    cursor: str | None = None
    limit: int = 50


def page_params(
    cursor: Annotated[str | None, Query(description="next_cursor from the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> PageParams:
    return PageParams(cursor=cursor, limit=limit)


PageDep = Annotated[PageParams, Depends(page_params)]


async def fetch_page(db: AsyncSession, statement: Any, id_column: Any, params: PageParams, *,
                     key: str | None = None, newest_first: bool = False
                     ) -> tuple[list[Any], str | None]:
    """Rows of `statement` after the cursor in id order (or reverse id order: ids are
    time-ordered, so that is newest first), and the cursor of the next page. `key` names the
    id's attribute on a row when it is not the column's own name (a labelled column)."""
    column = col(id_column)
    if params.cursor:
        statement = statement.where(column < params.cursor if newest_first
                                    else column > params.cursor)
    order = column.desc() if newest_first else column
    rows = list((await db.exec(statement.order_by(order).limit(params.limit + 1))).all())
    if len(rows) > params.limit:
        rows = rows[: params.limit]
        last = rows[-1]
        return rows, getattr(last, key or id_column.key)
    return rows, None
