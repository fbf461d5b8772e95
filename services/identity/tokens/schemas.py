from pydantic import BaseModel


class TokenAnswer(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth token type's name, not a secret)
    expires_in: int
    # Password grants only: renews the session's access tokens (grant_type=refresh_token) until
    # the session ends. Shown once; identity keeps only its hash.
    refresh_token: str | None = None


class Jwk(BaseModel):
    kty: str
    crv: str
    x: str
    y: str
    kid: str
    use: str = "sig"
    alg: str = "ES256"


class Jwks(BaseModel):
    keys: list[Jwk]
