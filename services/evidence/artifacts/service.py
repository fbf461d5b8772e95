"""Artifacts: who may add and read them, what is kept, and the event that announces them."""

import re
import unicodedata
from pathlib import Path

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from services.evidence.artifacts import repository
from services.evidence.artifacts.models import Artifact
from services.evidence.artifacts.schemas import ArtifactKind
from services.evidence.artifacts.storage import FileStore
from services.evidence.artifacts.upload import ArtifactForm
from services.evidence.db import OutboxEvent
from services.evidence.errors import ArtifactNotFound, InvalidArtifact, NotAllowedForSession
from services.evidence.scheduling import SessionFacts, session_facts
from shared.auth import Principal
from shared.outbox import publish
from shared.pagination import PageParams

# Roles that run a network's sessions and so may keep and read their evidence.
STAFF_ROLES = ("network_admin", "leader", "coordinator")

# Types a browser may be told a stored file is. Anything else (HTML, SVG, scripts) is served as
# application/octet-stream, so an upload can never run as a page of ours.
SAFE_CONTENT_TYPES = frozenset({
    "application/pdf", "text/plain", "text/csv",
    "image/png", "image/jpeg", "image/gif", "image/webp", "image/heic",
    "video/mp4", "video/quicktime", "audio/mpeg", "audio/mp4",
    "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation", "application/zip",
})
FALLBACK_CONTENT_TYPE = "application/octet-stream"
MAX_FILENAME = 255


def safe_content_type(declared: str) -> str:
    media_type = declared.split(";", 1)[0].strip().lower()
    return media_type if media_type in SAFE_CONTENT_TYPES else FALLBACK_CONTENT_TYPE


def clean_filename(name: str) -> str:
    """The client's filename, fit for display and a download header: no folders, no control
    characters, no quotes, at most 255 characters."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'["<>:|?*]', "_", name).strip().strip(".").strip()
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        keep = ext if dot and len(ext) <= 16 else ""
        name = (name[: MAX_FILENAME - len(keep) - 1] + "." + keep) if keep else name[:MAX_FILENAME]
    return name or "artifact"


def may_handle(principal: Principal, facts: SessionFacts) -> bool:
    is_facilitator = bool(principal.person_id) and principal.person_id in facts.facilitator_ids
    return is_facilitator or principal.has_role(facts.network_id, *STAFF_ROLES)


async def authorized_session(gateway: httpx.AsyncClient, principal: Principal, session_id: str,
                             *, authorization: str, artifact_id: str | None = None
                             ) -> SessionFacts:
    """The session's facts when the caller may handle its evidence; a refusal is audited on the
    artifact asked for, or else the session."""
    facts = await session_facts(gateway, session_id, authorization=authorization)
    if not may_handle(principal, facts):
        target = ("artifact", artifact_id) if artifact_id else ("session", facts.id)
        raise NotAllowedForSession(
            "Only the session's facilitators and its network's staff handle its evidence."
        ).denying(*target, facts.network_id)
    return facts


def _validated(form: ArtifactForm) -> tuple[ArtifactKind, str, str]:
    if form.file is None:
        raise InvalidArtifact("Attach the artifact as the form field 'file'.")
    try:
        kind = ArtifactKind(form.fields.get("kind", ""))
    except ValueError:
        raise InvalidArtifact(
            f"kind must be one of {', '.join(k.value for k in ArtifactKind)}.") from None
    title = " ".join(form.fields.get("title", "").split())
    if not 1 <= len(title) <= 200:
        raise InvalidArtifact("title must have 1 to 200 characters.")
    session_id = form.fields.get("session_id", "").strip()
    if not session_id:
        raise InvalidArtifact("session_id is required.")
    return kind, title, session_id


async def create_artifact(db: AsyncSession, *, gateway: httpx.AsyncClient, store: FileStore,
                          principal: Principal, authorization: str, form: ArtifactForm
                          ) -> Artifact:
    """Keeps the staged file under its hash and records the artifact; on any refusal the staged
    file is discarded, so nothing stays on disk."""
    try:
        kind, title, session_id = _validated(form)
        facts = await authorized_session(gateway, principal, session_id,
                                         authorization=authorization)
        artifact = await repository.add(db, Artifact(
            session_id=facts.id, event_id=facts.event_id, network_id=facts.network_id,
            kind=kind.value, title=title, filename=clean_filename(form.filename),
            content_type=safe_content_type(form.content_type), size_bytes=form.file.size,
            sha256=form.file.sha256, uploaded_by=principal.person_id or principal.subject,
        ))
        await publish(db, OutboxEvent, topic="artifact.created", key=artifact.id, payload={
            "id": artifact.id, "session_id": artifact.session_id, "event_id": artifact.event_id,
            "kind": artifact.kind, "sha256": artifact.sha256, "size_bytes": artifact.size_bytes,
        })
        store.keep(form.file)
    except BaseException:
        form.discard()
        raise
    return artifact


async def get_artifact(db: AsyncSession, *, gateway: httpx.AsyncClient, principal: Principal,
                       authorization: str, artifact_id: str) -> Artifact:
    artifact = await repository.get(db, artifact_id)
    if artifact is None:
        raise ArtifactNotFound("No such artifact.")
    # Facilitators change: who may read is asked of scheduling each time, not remembered.
    await authorized_session(gateway, principal, artifact.session_id, authorization=authorization,
                             artifact_id=artifact.id)
    return artifact


def content_path(store: FileStore, artifact: Artifact) -> Path:
    path = store.path_for(artifact.sha256)
    if not path.is_file():
        raise ArtifactNotFound("The artifact's file is missing from storage.")
    return path


async def list_artifacts(db: AsyncSession, *, gateway: httpx.AsyncClient, principal: Principal,
                         authorization: str, session_id: str, params: PageParams
                         ) -> tuple[list[Artifact], str | None]:
    await authorized_session(gateway, principal, session_id, authorization=authorization)
    return await repository.page_of_session(db, session_id, params)
