from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request, Response, status

from services.identity.deps import PrincipalDep, SessionDep, SettingsDep
from services.identity.sessions import service
from services.identity.sessions.schemas import (
    LoginSessionList,
    PasswordChange,
    PasswordChanged,
    RevokedSessionList,
    SessionsRevoked,
)
from shared.dates import Moment

router = APIRouter(tags=["sessions"])
SessionId = Annotated[str, Path(max_length=26)]
# Tokens signed just before a revocation may be a little younger than their clock says.
CLOCK_SKEW_SECONDS = 60


def device_of(request: Request, *, user_agent: str | None, client_address: str | None
              ) -> service.Device:
    """The labels of a new session: the User-Agent the client names (web speaks for the
    browser), else this request's; and the client's address as the trusted gateway gave it."""
    return service.Device(
        user_agent=user_agent or request.headers.get("user-agent"),
        client_address=client_address or (request.client.host if request.client else None),
    )


@router.get("/me/sessions", response_model=LoginSessionList, summary="Your sessions")
async def list_my_sessions(db: SessionDep, actor: PrincipalDep,
                           response: Response) -> LoginSessionList:
    """The signed-in person's live sessions, the most recently used first; `current` marks the
    session of the token that asks."""
    response.headers["Cache-Control"] = "no-store"
    return LoginSessionList(items=await service.list_mine(db, actor))


@router.delete("/me/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="End one of your sessions")
async def delete_my_session(db: SessionDep, actor: PrincipalDep, session_id: SessionId) -> None:
    """Ends the session: it gives no more access tokens, and its tokens are refused (by
    identity at once, by the other services within their revocation bound). 404 for a session
    that is not yours."""
    await service.end_mine(db, actor, session_id)


@router.post("/me/password", response_model=PasswordChanged, summary="Change your password")
async def change_my_password(db: SessionDep, actor: PrincipalDep,
                             body: PasswordChange) -> PasswordChanged:
    """Needs the current password (422 `wrong_password` beside `current_password` otherwise);
    ends every other session of the account, the one asking stays signed in."""
    return PasswordChanged(ended_sessions=await service.change_password(db, actor, body))


@router.post("/people/{person_id}/sessions/revoke", response_model=SessionsRevoked,
             summary="End every session of a person")
async def revoke_person_sessions(db: SessionDep, actor: PrincipalDep,
                                 person_id: Annotated[str, Path(max_length=64)]
                                 ) -> SessionsRevoked:
    """Platform admins, for anyone; network admins, for the people holding a membership in
    their network (never a platform admin). Audited under that network."""
    return SessionsRevoked(revoked=await service.revoke_for_person(db, actor, person_id))


@router.get("/sessions/revoked", response_model=RevokedSessionList,
            summary="Sessions ended recently")
async def list_revoked_sessions(
    db: SessionDep, actor: PrincipalDep, settings: SettingsDep, response: Response,
    since: Annotated[Moment | None, Query(description="ended at or after (ISO 8601)")] = None,
) -> RevokedSessionList:
    """For Cascade services (their own token): the ids of sessions ended since `since`, never
    further back than the lifetime of a user access token (older ones' tokens have expired).
    Services poll it to refuse those sessions' tokens."""
    response.headers["Cache-Control"] = "no-store"
    return await service.revoked_since(
        db, actor, since=since, window=settings.access_token_ttl + CLOCK_SKEW_SECONDS)


@router.post("/token/revoke", status_code=status.HTTP_200_OK, summary="Sign out (end a session)")
async def revoke_token(db: SessionDep, response: Response,
                       token: Annotated[str, Form(max_length=4096)] = "") -> dict:
    """RFC 7009 token revocation (application/x-www-form-urlencoded, `token` = a refresh token):
    ends its session. Answers 200 whether or not the token was known (an empty one too), so it
    tells nothing."""
    response.headers["Cache-Control"] = "no-store"
    await service.end_by_refresh_token(db, refresh_token=token)
    return {}
