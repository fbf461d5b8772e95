from typing import Annotated

from fastapi import APIRouter, Form, Request, Response

from services.identity.deps import (
    ClientAddressDep,
    KeyRingDep,
    SessionDep,
    SessionsDep,
    SettingsDep,
)
from services.identity.sessions.router import device_of
from services.identity.tokens import service
from services.identity.tokens.schemas import Jwks, TokenAnswer

router = APIRouter(tags=["tokens"])
FormField = Annotated[str | None, Form(max_length=4096)]
# Documented as the grants the route takes; another value (or none) is still OAuth's 400
# (unsupported_grant_type, invalid_request), not a validation 422, as RFC 6749 5.2 says.
GrantType = Annotated[str | None, Form(max_length=4096,
                                       json_schema_extra={"enum": list(service.GRANT_TYPES)})]


@router.post("/token", response_model=TokenAnswer, response_model_exclude_none=True,
             summary="Get an access token")
async def create_token(
    db: SessionDep, sessions: SessionsDep, key_ring: KeyRingDep, settings: SettingsDep,
    request: Request, response: Response, client_address: ClientAddressDep,
    grant_type: GrantType = None, username: FormField = None, password: FormField = None,
    client_id: FormField = None, client_secret: FormField = None, api_key: FormField = None,
    refresh_token: FormField = None, user_agent: FormField = None,
) -> TokenAnswer:
    """OAuth 2.0 token endpoint (application/x-www-form-urlencoded):
    `grant_type=password` with `username` (email) and `password` starts a login session and
    answers a `refresh_token` with the access token (`user_agent` labels the session when a
    client such as web signs in for a browser, else this request's is kept; the address is the
    client's as the gateway vouches for it);
    `grant_type=refresh_token` with `refresh_token`: the session's next access token, with the
    roles held now (refused once the session has ended);
    `grant_type=client_credentials` with `client_id` (a Cascade service) and `client_secret`;
    `grant_type=api_key` with `api_key` (a partner key, csk_...)."""
    response.headers["Cache-Control"] = "no-store"
    return await service.issue_token(db, key_ring, settings, service.TokenRequest(
        grant_type=grant_type, username=username, password=password, client_id=client_id,
        client_secret=client_secret, api_key=api_key, refresh_token=refresh_token,
        client_address=client_address,
        device=device_of(request, user_agent=user_agent, client_address=client_address),
    ), sessions=sessions)


@router.get("/jwks.json", response_model=Jwks, summary="Keys that verify access tokens")
async def get_jwks(db: SessionDep, key_ring: KeyRingDep, response: Response) -> dict:
    await key_ring.current(db)  # so the set is never empty, even before the first sign-in
    response.headers["Cache-Control"] = "public, max-age=60"
    return await key_ring.jwks(db)
