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
    # Wrong passwords allowed per email within the window (seconds) before password sign-ins
    # for that email are refused: IDENTITY_LOGIN_MAX_FAILURES, IDENTITY_LOGIN_FAILURE_WINDOW.
    login_max_failures: int = Field(default=5, ge=1)
    login_failure_window: int = Field(default=900, ge=1)
    # Scheduling's feed tells which networks' events people take part in (the people directory's
    # scope). Off only for processes that must not read it (identity's own tests).
    consume_feeds: bool = True
    feed_poll_interval: float = Field(0.3, gt=0)
    feed_page_size: int = Field(500, ge=1, le=1000)
