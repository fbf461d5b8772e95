from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import BaseServiceSettings


class IdentitySettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore", populate_by_name=True)

    service_name: str = "identity"
    # Lifetimes of the access tokens identity signs, in seconds.
    # User tokens are short: roles are read again and a revoked session's tokens die at each
    # renewal (grant_type=refresh_token).
    access_token_ttl: int = 300
    service_token_ttl: int = 900
    partner_token_ttl: int = 300
    # How long a login session (and its refresh token) lasts from sign-in, in seconds.
    login_session_ttl: int = Field(default=8 * 60 * 60, ge=60)
    # Wrong passwords allowed per email within the window (seconds) before password sign-ins
    # for that email are refused: IDENTITY_LOGIN_MAX_FAILURES, IDENTITY_LOGIN_FAILURE_WINDOW.
    login_max_failures: int = Field(default=5, ge=1)
    login_failure_window: int = Field(default=900, ge=1)
