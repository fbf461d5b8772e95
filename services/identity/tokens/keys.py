"""Identity's ES256 signing keys: made on first use, kept in the database, published as JWKS."""

from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.tokens import repository
from services.identity.tokens.models import SigningKey


def _load(row: SigningKey) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(row.private_pem.encode(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def _pem(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


class KeyRing:
    """The key this process signs with, cached once it is known to be committed."""

    def __init__(self) -> None:
        self._current: tuple[str, ec.EllipticCurvePrivateKey] | None = None

    async def current(self, db: AsyncSession) -> tuple[str, ec.EllipticCurvePrivateKey]:
        if self._current is not None:
            return self._current
        rows = await repository.active(db)
        if rows:
            self._current = (rows[0].id, _load(rows[0]))
            return self._current
        # First use. The new key commits with the caller's transaction, so it is not cached
        # until a later call reads it back; were two replicas to race here, both keys would be
        # published and either verifies.
        key = ec.generate_private_key(ec.SECP256R1())
        row = await repository.add(db, SigningKey(private_pem=_pem(key)))
        return row.id, key

    async def sign(self, db: AsyncSession, claims: dict[str, Any]) -> str:
        kid, key = await self.current(db)
        return jwt.encode(claims, key, algorithm="ES256", headers={"kid": kid})


async def public_jwks(db: AsyncSession) -> dict[str, Any]:
    keys = []
    for row in await repository.active(db):
        jwk = jwt.algorithms.ECAlgorithm.to_jwk(_load(row).public_key(), as_dict=True)
        keys.append({**jwk, "kid": row.id, "use": "sig", "alg": "ES256"})
    return {"keys": keys}
