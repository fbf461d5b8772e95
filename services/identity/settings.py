from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import BaseServiceSettings


class IdentitySettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore", populate_by_name=True)

    service_name: str = "identity"
    # Lifetimes of the access tokens identity signs, in seconds.
    access_token_ttl: int = 1800
    service_token_ttl: int = 900
    partner_token_ttl: int = 300
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
