from pydantic import BaseModel


class TokenAnswer(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


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
