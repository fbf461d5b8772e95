"""Identity's ES256 signing keys: made on first use, kept in the database sealed with the key
encryption key from settings, published as JWKS, rotated by `cascade keys rotate`.

A rotation adds a key, published at once and signing `key_publish_seconds` later (by then a
service that just fetched the JWKS may fetch it again, so it knows the new key id before it sees
it), and gives every older key a retirement time past the expiry of the last token it can have
signed; until then it stays in the JWKS, after it no service trusts it. Each process caches the
keys for `key_cache_seconds`, so a rotation made elsewhere is picked up within that time (and
the retirement waits that much longer).

Changing the key encryption key: the new one in IDENTITY_KEY_ENCRYPTION_KEY, the old one in
IDENTITY_PREVIOUS_KEY_ENCRYPTION_KEY; at start-up identity seals every key again with the new
one (reseal_keys), after which the old one may go.
"""

import base64
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.settings import IdentitySettings
from services.identity.tokens import repository
from services.identity.tokens.models import SigningKey
from shared.auth import TOKEN_TYPE
from shared.db import utcnow

# Clocks of identity's replicas and the services may differ this much.
CLOCK_SKEW = timedelta(seconds=60)


class KeyEncryptionError(RuntimeError):
    """A sealed signing key does not open with the configured key encryption key."""


def _fernet(key_encryption_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=b"cascade identity signing keys").derive(key_encryption_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


class KeyCipher:
    """Seals private keys at rest with a Fernet key derived from the key encryption key; opens
    those sealed with it or with the `previous` one (while the key is being changed)."""

    def __init__(self, key_encryption_key: str, previous: str = "") -> None:
        if not key_encryption_key:
            raise KeyEncryptionError("IDENTITY_KEY_ENCRYPTION_KEY is not set.")
        self._current = _fernet(key_encryption_key)
        self._fernet = MultiFernet([self._current, *([_fernet(previous)] if previous else [])])

    def sealed_with_current(self, row: SigningKey) -> bool:
        if row.private_key is None:
            return False
        try:
            self._current.decrypt(row.private_key.encode())
        except InvalidToken:
            return False
        return True

    def seal(self, key: ec.EllipticCurvePrivateKey) -> str:
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        return self._fernet.encrypt(pem).decode()

    def open(self, row: SigningKey) -> ec.EllipticCurvePrivateKey:
        if row.private_key is not None:
            try:
                pem = self._fernet.decrypt(row.private_key.encode())
            except InvalidToken:
                raise KeyEncryptionError(
                    f"Signing key {row.id} does not open with IDENTITY_KEY_ENCRYPTION_KEY "
                    "(was it changed? Give the old one as IDENTITY_PREVIOUS_KEY_ENCRYPTION_KEY)."
                ) from None
        elif row.private_pem is not None:
            pem = row.private_pem.encode()  # written before keys were sealed; see reseal_keys
        else:
            raise KeyEncryptionError(f"Signing key {row.id} holds no key.")
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise KeyEncryptionError(f"Signing key {row.id} is not an elliptic-curve key.")
        return key


@dataclass(frozen=True)
class LoadedKey:
    kid: str
    private_key: ec.EllipticCurvePrivateKey
    created_at: datetime
    retired_at: datetime | None  # when it leaves the JWKS; None until a newer key replaces it

    def published(self, now: datetime) -> bool:
        return self.retired_at is None or self.retired_at > now

    def jwk(self) -> dict[str, Any]:
        jwk = jwt.algorithms.ECAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "use": "sig", "alg": "ES256"}


class KeyRing:
    """The keys this process signs and verifies with, read again every `max_age` seconds."""

    def __init__(self, cipher: KeyCipher, *, max_age: float = 60.0,
                 publish_before_signing: float = 0.0) -> None:
        self.cipher = cipher
        self._max_age = max_age
        self._publish_before_signing = timedelta(seconds=publish_before_signing)
        self._keys: list[LoadedKey] = []
        self._loaded_at = float("-inf")

    async def _published(self, db: AsyncSession) -> list[LoadedKey]:
        if time.monotonic() - self._loaded_at >= self._max_age:
            rows = await repository.published(db, now=utcnow())
            self._keys = [LoadedKey(row.id, self.cipher.open(row), row.created_at,
                                    row.retired_at) for row in rows]
            self._loaded_at = time.monotonic()
        now = utcnow()
        return [key for key in self._keys if key.published(now)]

    async def current(self, db: AsyncSession) -> LoadedKey:
        """The newest key published long enough to sign; when none is yet (keys made moments
        ago), the one published longest."""
        published = await self._published(db)  # newest first
        ready_since = utcnow() - self._publish_before_signing
        for key in published:
            if key.created_at <= ready_since:
                return key
        if published:
            return published[-1]
        # First use. The new key commits with the caller's transaction, so it is not cached
        # until a later call reads it back; were two replicas to race here, both keys would be
        # published and either verifies.
        private_key = ec.generate_private_key(ec.SECP256R1())
        row = await repository.add(db, SigningKey(private_key=self.cipher.seal(private_key)))
        self._loaded_at = float("-inf")
        return LoadedKey(row.id, private_key, row.created_at, None)

    async def sign(self, db: AsyncSession, claims: dict[str, Any]) -> str:
        key = await self.current(db)
        return jwt.encode(claims, key.private_key, algorithm="ES256",
                          headers={"kid": key.kid, "typ": TOKEN_TYPE})

    async def jwks(self, db: AsyncSession) -> dict[str, Any]:
        return {"keys": [key.jwk() for key in await self._published(db)]}

    def public_key(self, kid: str) -> ec.EllipticCurvePublicKey | None:
        """A published key this process holds now, without a database read (None: ask it)."""
        if time.monotonic() - self._loaded_at >= self._max_age:
            return None
        now = utcnow()
        for key in self._keys:
            if key.kid == kid and key.published(now):
                return key.private_key.public_key()
        return None

    def forget(self) -> None:
        """Read the keys again at the next use (after a rotation by this process)."""
        self._loaded_at = float("-inf")


def key_ring(settings: IdentitySettings) -> KeyRing:
    cipher = KeyCipher(settings.key_encryption_key, settings.previous_key_encryption_key)
    return KeyRing(cipher, max_age=settings.key_cache_seconds,
                   publish_before_signing=settings.key_publish_seconds)


def retirement(settings: IdentitySettings, now: datetime) -> datetime:
    """When a key that stops signing now may leave the JWKS: every token it signed has expired,
    including those signed by replicas that have not yet noticed the rotation."""
    return now + CLOCK_SKEW + timedelta(seconds=settings.key_publish_seconds
                                        + settings.key_cache_seconds + settings.max_token_ttl)


async def rotate(db: AsyncSession, settings: IdentitySettings) -> tuple[SigningKey, datetime]:
    """Adds the key that signs from `key_publish_seconds` on; the keys that signed until then
    retire once their last token has expired. Returns the new key and that retirement time."""
    cipher = KeyCipher(settings.key_encryption_key)
    now = utcnow()
    retires_at = retirement(settings, now)
    for row in await repository.published(db, now=now):
        if row.retired_at is None:  # one already retiring keeps its earlier time
            row.retired_at = retires_at
            db.add(row)
    new = await repository.add(db, SigningKey(
        private_key=cipher.seal(ec.generate_private_key(ec.SECP256R1()))))
    return new, retires_at


async def reseal_keys(db: AsyncSession, cipher: KeyCipher) -> int:
    """Seals with the current key encryption key the keys that are not yet: those stored in
    plain text before keys were encrypted at rest, and those sealed with the previous key (run
    at start-up). Checks that every key opens; returns how many were sealed."""
    sealed = 0
    for row in await repository.every(db):
        key = cipher.open(row)
        if not cipher.sealed_with_current(row):
            row.private_key, row.private_pem = cipher.seal(key), None
            db.add(row)
            sealed += 1
    await db.flush()
    return sealed
