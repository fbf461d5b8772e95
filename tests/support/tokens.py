"""Tokens for testing one service alone: a test signing key and a verifier that trusts it.

Whole-stack tests use identity's real tokens instead.
"""

import time
import uuid

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from shared.auth import TokenVerifier

ISSUER = "cascade-identity"
AUDIENCE = ["identity", "scheduling", "evidence", "reach"]
# As identity issues them: a partner's token is for reach alone.
AUDIENCE_OF = {"partner": ["reach"]}


class TestKeys:
    __test__ = False

    def __init__(self) -> None:
        self.kid = uuid.uuid4().hex
        self.private_key = ec.generate_private_key(ec.SECP256R1())

    def jwks(self) -> dict:
        jwk = jwt.algorithms.ECAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "ES256"}]}

    def verifier(self, audience: str) -> TokenVerifier:
        async def fetch() -> dict:
            return self.jwks()

        return TokenVerifier(fetch_jwks=fetch, issuer=ISSUER, audience=audience)

    def token(
        self,
        *,
        person_id: str | None = None,
        roles: dict[str, list[str]] | None = None,
        admin: bool = False,
        kind: str = "user",
        email: str | None = None,
        ttl: int = 600,
        header: dict | None = None,
        **claims,
    ) -> str:
        now = int(time.time())
        person_id = person_id or uuid.uuid4().hex
        payload = {
            "iss": ISSUER, "aud": AUDIENCE_OF.get(kind, AUDIENCE), "iat": now, "exp": now + ttl,
            "jti": uuid.uuid4().hex,
            "sub": claims.pop("sub", f"account-{person_id}"), "kind": kind,
            "person_id": person_id, "email": email or f"{person_id}@example.org",
            "admin": admin, "roles": roles or {}, **claims,
        }
        return jwt.encode(payload, self.private_key, algorithm="ES256",
                          headers={"kid": self.kid, "typ": "at+jwt", **(header or {})})

    def headers(self, **kwargs) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(**kwargs)}"}
