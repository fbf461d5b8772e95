from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import FileResponse

from services.evidence.artifacts import service
from services.evidence.artifacts.schemas import ArtifactKind, ArtifactPublic
from services.evidence.artifacts.upload import read_artifact_form
from services.evidence.deps import (
    AuthorizationDep,
    FilesDep,
    GatewayDep,
    PrincipalDep,
    SessionDep,
    SettingsDep,
)
from services.evidence.idempotency import KEY_DESCRIPTION, IdempotencyKey, respond
from shared.pagination import Page, PageDep

router = APIRouter(tags=["artifacts"])

ArtifactId = Annotated[str, Path(max_length=26)]

# Blank text is refused (the service strips it); \s in Python also covers \x1c-\x1f and \x85.
NOT_BLANK = r"[^\s\x1c-\x1f\x85]"
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object",
            "required": ["file", "kind", "title", "session_id"],
            "properties": {
                "file": {"type": "string", "format": "binary"},
                "kind": {"type": "string", "enum": [k.value for k in ArtifactKind]},
                "title": {"type": "string", "minLength": 1, "maxLength": 200,
                          "pattern": NOT_BLANK},
                "session_id": {"type": "string", "maxLength": 64, "pattern": NOT_BLANK},
            },
        }}},
    },
}


@router.post(
    "/artifacts", response_model=ArtifactPublic, status_code=201, openapi_extra=UPLOAD_BODY,
    summary="Keep an artifact of a session",
    description="Facilitators of the session and its network's staff only. The file is stored "
                "under its SHA-256; over EVIDENCE_MAX_UPLOAD_BYTES answers 413 and keeps nothing. "
                + KEY_DESCRIPTION,
    responses={413: {"description": "File too large"}, 415: {"description": "Not multipart"}},
)
async def create_artifact(request: Request, db: SessionDep, principal: PrincipalDep,
                          authorization: AuthorizationDep, gateway: GatewayDep, files: FilesDep,
                          settings: SettingsDep, idempotency_key: IdempotencyKey = None
                          ) -> Response:
    form = await read_artifact_form(request, store=files, max_bytes=settings.max_upload_bytes)

    async def create() -> tuple[int, dict]:
        artifact = await service.create_artifact(
            db, gateway=gateway, store=files, principal=principal, authorization=authorization,
            form=form)
        return 201, ArtifactPublic.model_validate(artifact).model_dump(mode="json")

    # The same upload is the same fields and the same file (by its hash).
    fingerprint = {**form.fields, "filename": form.filename,
                   "sha256": form.file.sha256 if form.file else None}
    try:
        return await respond(db, request, subject=principal.subject, key=idempotency_key,
                             body=fingerprint, action=create)
    finally:
        form.discard()  # a replay keeps nothing; a kept file has left the staging folder


@router.get("/artifacts", response_model=Page[ArtifactPublic], summary="A session's artifacts")
async def list_artifacts(
    db: SessionDep, principal: PrincipalDep, authorization: AuthorizationDep, gateway: GatewayDep,
    page: PageDep, session_id: Annotated[str, Query(min_length=1, max_length=64)],
) -> Page[ArtifactPublic]:
    items, next_cursor = await service.list_artifacts(
        db, gateway=gateway, principal=principal, authorization=authorization,
        session_id=session_id, params=page)
    return Page(items=[ArtifactPublic.model_validate(a) for a in items], next_cursor=next_cursor)


@router.get("/artifacts/{artifact_id}", response_model=ArtifactPublic, summary="An artifact")
async def get_artifact(artifact_id: ArtifactId, db: SessionDep, principal: PrincipalDep,
                       authorization: AuthorizationDep, gateway: GatewayDep) -> ArtifactPublic:
    artifact = await service.get_artifact(db, gateway=gateway, principal=principal,
                                          authorization=authorization, artifact_id=artifact_id)
    return ArtifactPublic.model_validate(artifact)


@router.get("/artifacts/{artifact_id}/content", response_class=FileResponse,
            summary="An artifact's file, as a download",
            responses={200: {"content": {"application/octet-stream": {}}}})
async def get_artifact_content(artifact_id: ArtifactId, db: SessionDep, principal: PrincipalDep,
                               authorization: AuthorizationDep, gateway: GatewayDep,
                               files: FilesDep) -> FileResponse:
    artifact = await service.get_artifact(db, gateway=gateway, principal=principal,
                                          authorization=authorization, artifact_id=artifact_id)
    path = service.content_path(files, artifact)
    return FileResponse(path, media_type=artifact.content_type, headers={
        "Content-Disposition": _attachment(artifact.filename),
        "X-Content-Type-Options": "nosniff",
        # Even opened directly, an uploaded file runs no script and loads nothing.
        "Content-Security-Policy": "sandbox; default-src 'none'",
        "Cache-Control": "private, no-store",
        "ETag": f'"{artifact.sha256}"',
    })


def _attachment(filename: str) -> str:
    """RFC 6266: a plain ASCII name for old clients, the exact name as filename* (RFC 5987)."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    ascii_name = ascii_name.replace("\\", "_").replace('"', "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
