"""The audit log: who changed what, written in the transaction of the change itself."""

from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity import access
from services.identity.audit import repository
from services.identity.audit.models import AuditEntry
from shared.auth import Principal
from shared.pagination import PageParams


async def record(db: AsyncSession, *, actor: str, action: str, target_type: str, target_id: str,
                 organization_id: str | None = None, details: dict[str, Any] | None = None
                 ) -> AuditEntry:
    return await repository.add(db, AuditEntry(
        actor_subject=actor, action=action, target_type=target_type, target_id=target_id,
        organization_id=organization_id, details=details or {},
    ))


async def record_denied(db: AsyncSession, *, actor: str, action: str,
                        targets: list[tuple[str, str, str | None]],
                        details: dict[str, Any] | None = None,
                        refusing: async_sessionmaker[AsyncSession] | None = None) -> None:
    """Audit a denied attempt (`<action>.denied`), one row per (target type, id, organization).

    When the request goes on to answer (a list that leaves someone out), the rows are part of its
    transaction. When it is `refusing` (an error follows), its transaction ends here unkept (on
    SQLite it holds the write lock, and nothing of it may stay) and the rows are committed in a
    transaction of their own from these sessions."""
    rows = [dict(actor=actor, action=f"{action}.denied", target_type=target_type,
                 target_id=target_id, organization_id=organization_id, details=details)
            for target_type, target_id, organization_id in targets]
    if refusing is None:
        for row in rows:
            await record(db, **row)
        return
    await db.rollback()
    async with refusing() as own, own.begin():
        for row in rows:
            await record(own, **row)


async def list_entries(db: AsyncSession, actor: Principal, params: PageParams, *,
                       organization_id: str | None) -> tuple[list[AuditEntry], str | None]:
    if organization_id is None:
        access.require(actor.is_platform_admin, "Only platform admins read the whole audit log.")
    else:
        access.require(access.administers(actor, organization_id),
                       "Only this organization's network admins read its audit log.")
    return await repository.page(db, params, organization_id=organization_id)
