import re

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from shared.settings import BaseServiceSettings, InsecureSettings

_SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")
OWASP_TIME_COST, OWASP_MEMORY_KIB = 2, 19 * 1024


class IdentitySettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore", populate_by_name=True)

    service_name: str = "identity"
    required_secrets = ("key_encryption_key",)
    # Seals the private signing keys at rest (IDENTITY_KEY_ENCRYPTION_KEY, a long random
    # string; a Fernet key is derived from it). Losing it loses the keys: tokens then need a
    # new key (`cascade keys rotate`) and everyone signs in again.
    key_encryption_key: str = ""
    # The key it replaces, while it is being changed (IDENTITY_PREVIOUS_KEY_ENCRYPTION_KEY):
    # keys sealed with it still open, and identity seals them again with the new one at
    # start-up. Drop it once every identity process has restarted with the new key.
    previous_key_encryption_key: str = ""
    # The Cascade services that may get a token by client credentials, each with the SHA-256
    # (hex) of its own client secret: IDENTITY_SERVICE_CLIENTS='{"scheduling": "<sha256>"}'.
    # A token names only the services that client calls (tokens/service.py).
    service_clients: dict[str, str] = {}
    # How long this process trusts its cached copy of the signing keys; a rotation made
    # elsewhere (the CLI, another replica) is picked up within it.
    key_cache_seconds: float = Field(60.0, ge=0)
    # A new key (`cascade keys rotate`) is published this long before it signs: longer than the
    # services' JWKS refetch cooldown (10 s), so none refuses its first tokens.
    key_publish_seconds: float = Field(15.0, ge=0)
    # Lifetimes of the access tokens identity signs, in seconds.
    # User tokens are short: roles are read again and a revoked session's tokens die at each
    # renewal (grant_type=refresh_token).
    access_token_ttl: int = 300
    service_token_ttl: int = 900
    partner_token_ttl: int = 300
    # How long a login session (and its refresh token) lasts from sign-in, in seconds.
    login_session_ttl: int = Field(default=8 * 60 * 60, ge=60)
    # Wrong passwords are counted per (email, client address) within the window (seconds):
    # after login_max_failures of them that pair waits login_backoff_seconds before its next
    # try, twice as long after each further one, up to login_backoff_max (and never past the
    # time its failures leave the window). Other addresses are not slowed, so an attacker
    # cannot lock the owner out; but login_email_ceiling failures for one email from all
    # addresses together lock it for everyone, which stops a guessing run spread over many
    # addresses. IDENTITY_LOGIN_MAX_FAILURES, IDENTITY_LOGIN_FAILURE_WINDOW, ...
    login_max_failures: int = Field(default=5, ge=1)
    login_failure_window: int = Field(default=3600, ge=1)
    login_backoff_seconds: int = Field(default=60, ge=1)
    login_backoff_max: int = Field(default=900, ge=1)
    login_email_ceiling: int = Field(default=100, ge=1)
    # The gateway's addresses (or CIDRs): only from these is X-Forwarded-For believed, and
    # then its right-most address that is not one of them is the client's.
    trusted_proxies: list[str] = ["127.0.0.1/32", "::1/128"]

    # Scheduling's feed tells which networks' events people take part in (the people directory's
    # scope). Off only for processes that must not read it (identity's own tests).
    consume_feeds: bool = True
    feed_poll_interval: float = Field(0.3, gt=0)
    feed_page_size: int = Field(500, ge=1, le=1000)

    # argon2id's cost for new password hashes, at least OWASP's minimum (Password Storage Cheat
    # Sheet: m=19 MiB, t=2, p=1); stored hashes of another cost are redone at their next login.
    # Lower only with CASCADE_ALLOW_EMPTY_SECRETS (tests, which hash thousands of passwords).
    password_time_cost: int = Field(default=2, ge=1)
    password_memory_kib: int = Field(default=19 * 1024, ge=8)

    @property
    def max_token_ttl(self) -> int:
        return max(self.access_token_ttl, self.service_token_ttl, self.partner_token_ttl)

    def check_secrets(self) -> None:
        super().check_secrets()
        self.check_password_cost()
        for client, digest in self.service_clients.items():
            if not _SHA256_HEX.fullmatch(digest):
                raise InsecureSettings(f"IDENTITY_SERVICE_CLIENTS: {client}'s value must be the "
                                       "SHA-256 of its client secret, in hex.")

    def check_password_cost(self) -> None:
        if self.allow_empty_secrets:
            return
        if (self.password_time_cost < OWASP_TIME_COST
                or self.password_memory_kib < OWASP_MEMORY_KIB):
            raise InsecureSettings(
                "IDENTITY_PASSWORD_TIME_COST and IDENTITY_PASSWORD_MEMORY_KIB must be at least "
                f"{OWASP_TIME_COST} and {OWASP_MEMORY_KIB} (OWASP's minimum for argon2id).")

    # Links in mail point at the public site: CASCADE_PUBLIC_URL, else the gateway's address.
    public_url: str = Field("", validation_alias=AliasChoices("CASCADE_PUBLIC_URL"))
    # How long mailed links stay valid, in seconds: confirming a sign-up, resetting a password,
    # accepting an invitation.
    signup_link_ttl: int = Field(default=86400, ge=60)
    reset_link_ttl: int = Field(default=3600, ge=60)
    invitation_ttl: int = Field(default=14 * 86400, ge=60)

    @property
    def site_url(self) -> str:
        return (self.public_url or self.gateway_url).rstrip("/")
