from pydantic import AliasChoices, Field
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
