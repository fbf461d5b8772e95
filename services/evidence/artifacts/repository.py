"""Every SQL statement about artifacts."""

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.evidence.artifacts.models import Artifact
from shared.pagination import PageParams, fetch_page


async def add(db: AsyncSession, artifact: Artifact) -> Artifact:
    db.add(artifact)
    await db.flush()
    return artifact


async def get(db: AsyncSession, artifact_id: str) -> Artifact | None:
    return await db.get(Artifact, artifact_id)


async def page_of_session(db: AsyncSession, session_id: str, params: PageParams
                          ) -> tuple[list[Artifact], str | None]:
    return await fetch_page(db, select(Artifact).where(Artifact.session_id == session_id),
                            Artifact.id, params)
